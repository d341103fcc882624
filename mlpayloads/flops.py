# SPDX-License-Identifier: MIT
"""Compute cost of each protocol step, in FLOPs, for the co-simulation's compute times.

`compute_profile` says what each side computes in one round of a scheme, as named steps
in protocol order, interleaved with the messages (`ComputeProfile.protocol`, whose
message kinds are those of `mlpayloads.records.PayloadRecord.message_kinds`). A step
runs either on an FN ("fog": `flops_fixed` per FN that runs it; `flops_per_fn` is 0) or
in the cloud ("cloud": ``flops_fixed + flops_per_fn * k`` for the k aggregated FNs), so
its time on a device of S FLOP/s is ``Step.flops(k) / S``.

The steps per round, B the batch size, |w| the parameters of the whole model,
|w_local| and |w_remote| those of FCDDT's local and remote parts:

* **cc**: ``raw_batch`` up, then ``cloud_train``: forward, backward (parameter
  gradients) and SGD update of the whole model on the union batch of the k aggregated
  FNs' B samples each.
* **fl**: ``fog_train`` on every FN (stragglers too, they still send): forward and
  backward on B samples, times `local_steps`; with local steps > 1 also the SGD step
  after each and the delta ``w - w_start`` at the end; then ``gradient`` (or
  ``weight_delta``) up, ``cloud_aggregate`` (average the k uploads and update w), and
  ``weights`` down to every FN.
* **fcddt** (exact, accounting "measured"): ``fog_forward`` on every FN (local model,
  B samples), ``activations`` up, ``cloud_remote`` (remote forward and backward on the
  k aggregated batches, including the gradient with respect to the activations, and
  the update of w_remote), ``activation_grads`` down, ``fog_backward`` on the
  aggregated FNs only (local backward on B samples), ``local_gradient`` up,
  ``cloud_local_update`` (average the k local gradients, update w_local),
  ``local_weights`` down to every FN. With no parameters on the FN (split at
  ``flatten``) the round ends after ``cloud_remote``.
* **fcddt** with accounting "table1": ``fog_forward``, ``activations`` up,
  ``cloud_remote``, ``local_weights`` down. This is the protocol the paper's Table 1
  counts, and it cannot actually compute the local gradient (that needs the FN's inputs,
  see `mlpayloads.schemes.fcddt`); its timing uses the cloud's remote work only.

How the FLOPs are counted: the forward and backward passes of the actual model and
split are run on meta tensors (shapes only, no arithmetic) under
`torch.utils.flop_counter.FlopCounterMode`, which counts matrix products and
convolutions (``mm``, ``addmm``, ``bmm``, convolution and its backward, attention) as
2 FLOPs per multiply-add. It does not count elementwise work: bias additions,
activation functions, pooling, the loss, bias gradients, casts. The backward counts the
weight gradient of every layer and the input gradient of every layer whose input needs
one (not the first layer of the FN's model, whose input is data). Counted analytically
instead: an SGD update ``w - lr * g`` is 2 FLOPs per weight; averaging k uploads of n
elements is ``(k - 1) * n`` additions and n divisions, i.e. ``k * n``; FL's delta and
adding the mean delta are n each. A cloud step's FLOPs are exactly linear in k (the
counted operations scale with the batch; `flops_fixed` holds the update).

Memory on an FN, estimated from the same model and split, in bytes (float32 = 4 bytes):
``4 * (3|w_FN| + 2B * sum_l a_l + B*d) + B*d + B``, where |w_FN| is the parameters the
FN trains (|w| for fl, |w_local| for fcddt), counted three times (weights, gradients,
the received or sent message's copy; four times with FL's local steps, for the start
weights), a_l the elements per sample of each layer output on the FN's part (kept
for the backward pass, and their gradients), B*d the float input, plus the uint8
batch. CC's FN only holds the uint8 batch and its message: ``2(B*d + B)``. It counts
tensors only: no framework, interpreter or allocator overhead, so a device's
``memory`` means what is free for training tensors.

Profiles are cached like payload records (`mlpayloads.cache`, subfolder ``flops/``),
keyed by every argument, the package version and the installed torch version; a lookup
does not import torch.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fogcosim import __version__
from fogcosim.errors import UserError
from mlpayloads import cache
from mlpayloads.catalog import check_method, check_model, resolve_split
from mlpayloads.records import DOWN as DOWN
from mlpayloads.records import UP as UP
from mlpayloads.records import check_accounting

FOG = "fog"
CLOUD = "cloud"
#: First element of a `ComputeProfile.protocol` entry for a step (messages: UP or DOWN).
COMPUTE = "compute"


@dataclass(frozen=True)
class Step:
    """One computation of a round: where it runs and its FLOPs as ``fixed + per_fn * k``.

    For a fog step the FLOPs are those of one FN (`flops_per_fn` is 0);
    `aggregated_only` says it runs only on the FNs the cloud aggregated (they alone get
    what it needs), else on every FN. For a cloud step k is the number of aggregated FNs.
    """

    where: str
    flops_fixed: int
    flops_per_fn: int
    aggregated_only: bool = False
    what: str = ""

    def flops(self, k: int) -> int:
        """FLOPs of this step with k aggregated FNs."""
        return self.flops_fixed + self.flops_per_fn * k

    def seconds(self, k: int, flops_per_second: float) -> float:
        """Time of this step with k aggregated FNs on a device of `flops_per_second`."""
        if not flops_per_second > 0:
            raise UserError(f"device speed {flops_per_second!r} FLOP/s must be > 0")
        return self.flops(k) / flops_per_second


@dataclass(frozen=True)
class ComputeProfile:
    """The FLOPs of every step of one round of a scheme (see the module docstring)."""

    dataset: str
    model: str
    method: str
    batch_size: int
    split: str | None
    local_steps: int
    accounting: str
    #: Step name -> step, in protocol order.
    steps: dict[str, Step]
    #: The round in order: ("compute", step name), ("up", message kind), ("down", kind).
    protocol: tuple[tuple[str, str], ...]
    param_count_total: int
    param_count_local: int
    torch_version: str
    package_version: str = __version__
    notes: tuple[str, ...] = field(default=())
    #: Estimated bytes of training tensors on one FN (see the module docstring).
    fog_memory_bytes: int = 0

    def fog_flops(self, aggregated: bool = True) -> int:
        """FLOPs one FN computes per round (an aggregated FN, or a straggler)."""
        return sum(
            s.flops_fixed
            for s in self.steps.values()
            if s.where == FOG and (aggregated or not s.aggregated_only)
        )

    def cloud_flops(self, k: int) -> int:
        """FLOPs the cloud computes per round with k aggregated FNs."""
        return sum(s.flops(k) for s in self.steps.values() if s.where == CLOUD)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ComputeProfile:
        """Rebuild a profile written by `to_dict` (e.g. from the cache)."""
        return cls(
            **{
                **d,
                "steps": {name: Step(**s) for name, s in d["steps"].items()},
                "protocol": tuple((a, b) for a, b in d["protocol"]),
                "notes": tuple(d.get("notes", ())),
            }
        )


def compute_profile(
    dataset: str,
    model: str,
    method: str,
    batch_size: int,
    *,
    split: str | None = None,
    local_steps: int = 1,
    accounting: str = "measured",
    cache_dir: Path | None = None,
) -> ComputeProfile:
    """The FLOPs per protocol step of one round: cached, else counted (seconds at most).

    Raises UserError for an unknown or mismatched data set, model, method, split or
    accounting, for batch_size or local_steps below 1, and for local_steps > 1 with a
    method other than fl.
    """
    check_model(dataset, model)
    check_method(method)
    check_accounting(accounting)
    for name, value in (("batch size", batch_size), ("local steps", local_steps)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise UserError(f"{name} {value!r} must be an integer >= 1")
    if local_steps != 1 and method != "fl":
        raise UserError(f"local steps {local_steps} apply only to fl (cc and fcddt take 1)")
    resolved = resolve_split(model, split)
    fields: dict[str, Any] = {
        "kind": "flops",
        "dataset": dataset,
        "model": model,
        "method": method,
        "batch_size": batch_size,
        "split": resolved if method == "fcddt" else None,
        "local_steps": local_steps,
        "accounting": accounting,
        "package_version": __version__,
        "torch_version": importlib.metadata.version("torch"),
    }
    name = f"{dataset}-{model}-{method}-B{batch_size}-{accounting}"
    path = cache.cache_folder(cache_dir) / "flops" / f"{name}-{cache.key_of(fields)}.json"
    profile = cache.load(path, ComputeProfile.from_dict)
    if profile is not None:
        return profile
    from mlpayloads import flopcount  # torch: only when counting

    profile = flopcount.count_profile(
        dataset, model, method, batch_size, fields["split"], local_steps, accounting
    )
    cache.store(path, profile.to_dict())
    return profile
