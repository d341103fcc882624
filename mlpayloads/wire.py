# SPDX-License-Identifier: MIT
"""The one wire format for every message between a fog node (FN) and the cloud.

A message is a flat mapping of tensor names to tensors, serialised with safetensors
(`safetensors.torch.save` to bytes; never pickle). The receiver deserialises it before
use, so what trains is what was sent. The measured size of a message is `len()` of
its bytes.

Layout of a safetensors message (no ``__metadata__`` is written):

* 8 bytes: little-endian unsigned length N of the JSON header;
* N bytes: compact JSON ``{"name":{"dtype":"F32","shape":[...],"data_offsets":[a,b]},...}``
  with the entries in data order (dtype from widest to narrowest, then by name), padded
  with spaces to a multiple of 8 bytes;
* the tensor data, each tensor's elements times its element size, no padding between.

So ``len(message) = 8 + N + sum(elements * element size)``; `predict_header_bytes`
computes ``8 + N`` from names, dtypes and shapes alone.

Wire dtypes: ``float32`` (the default, as in the paper) and ``float16``. Floating-point
tensors are cast to the wire dtype for transport and back to float32 on receipt;
integer tensors (uint8 pixels and labels) keep their dtype.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

import torch
from safetensors.torch import load, save

from mlpayloads.catalog import WIRE_DTYPE_NAMES, check_dtype_name

#: Wire dtype names accepted on the command line and in the API.
WIRE_DTYPES: dict[str, torch.dtype] = {
    name: getattr(torch, name) for name in WIRE_DTYPE_NAMES
}  # float32, float16

#: safetensors dtype codes of the torch dtypes this package sends, with element size.
ST_DTYPES: dict[torch.dtype, tuple[str, int]] = {
    torch.int64: ("I64", 8),
    torch.float32: ("F32", 4),
    torch.float16: ("F16", 2),
    torch.uint8: ("U8", 1),
}

#: Element size in bytes per safetensors dtype code.
ITEMSIZE: dict[str, int] = dict(ST_DTYPES.values())

#: safetensors orders tensor data by dtype (its enum order, descending), then name.
_DTYPE_RANK: dict[str, int] = {"U8": 0, "F16": 1, "F32": 2, "I64": 3}

Tensors = dict[str, torch.Tensor]


def check_dtype(dtype: str) -> torch.dtype:
    """The torch dtype of wire dtype `dtype`; a UserError lists the allowed names."""
    return WIRE_DTYPES[check_dtype_name(dtype)]


def st_dtype(dtype: str) -> str:
    """The safetensors code (``F32``/``F16``) of wire dtype `dtype`."""
    return ST_DTYPES[check_dtype(dtype)][0]


def encode(tensors: Mapping[str, torch.Tensor], dtype: str) -> bytes:
    """Serialise `tensors`, casting floating-point ones to the wire `dtype`."""
    wire = check_dtype(dtype)
    if "__metadata__" in tensors:
        raise ValueError("'__metadata__' is reserved by safetensors and cannot name a tensor")
    prepared = {}
    for name, tensor in tensors.items():
        t = tensor.detach()
        if t.is_floating_point():
            t = t.to(wire)
        prepared[name] = t.contiguous()
    return save(prepared)


def decode(data: bytes) -> Tensors:
    """Deserialise a message; floating-point tensors come back as float32."""
    return {name: (t.float() if t.is_floating_point() else t) for name, t in load(data).items()}


def header_bytes(data: bytes) -> int:
    """Bytes before the tensor data: the 8-byte length prefix plus the JSON header."""
    return 8 + int.from_bytes(data[:8], "little")


def header_entries(data: bytes) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Name -> (safetensors dtype, shape) of every tensor in a message, from its header."""
    header = json.loads(data[8 : header_bytes(data)])
    header.pop("__metadata__", None)
    return {name: (entry["dtype"], tuple(entry["shape"])) for name, entry in header.items()}


def predict_header_bytes(entries: Mapping[str, tuple[str, Sequence[int]]]) -> int:
    """The header size of a message holding `entries` (name -> (dtype code, shape))."""
    order = sorted(entries, key=lambda n: (-_DTYPE_RANK[entries[n][0]], n))
    parts = []
    offset = 0
    for name in order:
        code, shape = entries[name]
        end = offset + math.prod(shape) * ITEMSIZE[code]
        dims = ",".join(str(d) for d in shape)
        parts.append(
            f'{json.dumps(name)}:{{"dtype":"{code}","shape":[{dims}],'
            f'"data_offsets":[{offset},{end}]}}'
        )
        offset = end
    length = len(("{" + ",".join(parts) + "}").encode())
    return 8 + -(-length // 8) * 8


def payload_bytes(entries: Mapping[str, tuple[str, Sequence[int]]]) -> int:
    """Bytes of tensor data for `entries`: sum of elements times element size."""
    return sum(math.prod(shape) * ITEMSIZE[code] for code, shape in entries.values())
