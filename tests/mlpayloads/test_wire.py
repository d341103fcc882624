# SPDX-License-Identifier: MIT
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from fogcosim.errors import UserError
from mlpayloads import wire

DTYPES = {"U8": torch.uint8, "F16": torch.float16, "F32": torch.float32, "I64": torch.int64}


def test_float_tensors_are_cast_and_integer_tensors_keep_their_dtype():
    tensors = {"w": torch.randn(3, 4), "labels": torch.arange(5, dtype=torch.uint8)}
    data = wire.encode(tensors, "float16")
    entries = wire.header_entries(data)
    assert entries == {"w": ("F16", (3, 4)), "labels": ("U8", (5,))}
    back = wire.decode(data)
    assert back["w"].dtype == torch.float32
    assert torch.equal(back["w"], tensors["w"].half().float())
    assert torch.equal(back["labels"], tensors["labels"])


def test_float32_round_trip_is_exact():
    w = torch.randn(7, 3)
    assert torch.equal(wire.decode(wire.encode({"w": w}, "float32"))["w"], w)


def test_size_is_header_plus_elements_times_itemsize():
    tensors = {"a": torch.zeros(10, 3), "b": torch.zeros(4, dtype=torch.uint8)}
    data = wire.encode(tensors, "float32")
    assert wire.header_bytes(data) % 8 == 0
    assert len(data) == wire.header_bytes(data) + 30 * 4 + 4


def test_unknown_dtype_names_value_and_choices():
    with pytest.raises(UserError, match=r"'bfloat16'.*float32, float16"):
        wire.encode({"a": torch.zeros(1)}, "bfloat16")


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz._0123456789", min_size=1, max_size=20).filter(
    lambda n: n != "__metadata__"  # reserved by safetensors for its metadata entry
)
shapes = st.lists(st.integers(0, 6), min_size=0, max_size=3)
codes = st.sampled_from(["U8", "I64", "float"])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(names, st.tuples(codes, shapes), min_size=0, max_size=6),
    st.sampled_from(["float32", "float16"]),
)
def test_predicted_header_matches_safetensors(drawn, dtype):
    float_code = wire.st_dtype(dtype)
    entries = {n: (float_code if c == "float" else c, s) for n, (c, s) in drawn.items()}
    tensors = {n: torch.zeros(shape, dtype=DTYPES[code]) for n, (code, shape) in entries.items()}
    data = wire.encode(tensors, dtype)
    assert wire.header_entries(data) == {n: (c, tuple(s)) for n, (c, s) in entries.items()}
    assert wire.predict_header_bytes(entries) == wire.header_bytes(data)
    assert wire.payload_bytes(entries) == len(data) - wire.header_bytes(data)
    assert wire.payload_bytes(entries) == sum(
        math.prod(s) * wire.ITEMSIZE[c] for c, s in entries.values()
    )
