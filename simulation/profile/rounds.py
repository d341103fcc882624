# SPDX-License-Identifier: MIT
"""Build a `RoundsSpec` from a profile: measured message sizes, counted FLOPs, device speeds.

Sizes come from the method's `mlpayloads` payload record (each message kind
measured as `len(bytes)` on the wire), compute times from its compute profile
(FLOPs of each step of the actual model and split) over the devices' speeds
in `[compute]`. Both are cached by mlpayloads and looked up without torch.
"""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass

from fogcosim.errors import UserError
from mlpayloads.arrivals import aggregated_count
from mlpayloads.flops import CLOUD, COMPUTE, ComputeProfile, Step, compute_profile
from mlpayloads.records import PayloadRecord
from mlpayloads.table import payload_record
from simulation.model.roundspec import PPM, RoundsSpec, Stage, Training
from simulation.profile.device_classes import Assignment, assign
from simulation.profile.tomlfields import ProfileError, Section
from simulation.profile.topology import fog_name

PS_PER_S = 10**12


def _ps(flops: int, speed: int) -> int:
    """Seconds of `flops` on a device of `speed` FLOP/s, in whole picoseconds (rounded)."""
    return (flops * PS_PER_S + speed // 2) // speed


@dataclass
class _Draft:
    """A stage while the protocol is read."""

    up_kind: str
    up_bytes: int
    fog_before_ps: tuple[int, ...]
    cloud_fixed_ps: int = 0
    cloud_per_fn_ps: int = 0
    down_kind: str = ""
    down_bytes: int = 0
    down_to_all: bool = True

    def stage(self) -> Stage:
        return Stage(
            self.up_kind, self.up_bytes, self.cloud_fixed_ps, self.cloud_per_fn_ps,
            self.down_kind, self.down_bytes, self.down_to_all, self.fog_before_ps,
        )  # fmt: skip


def stages(
    record: PayloadRecord, profile: ComputeProfile, fog_speeds: list[int], cloud_speed: int
) -> tuple[Stage, ...]:
    """The protocol's stages: each upload, the cloud's work on it, and the download."""
    drafts: list[_Draft] = []
    fog_before = [0] * len(fog_speeds)
    entries = list(profile.protocol)
    last_down = max((i for i, (what, _) in enumerate(entries) if what == "down"), default=-1)
    for i, (what, name) in enumerate(entries):
        if what == COMPUTE:
            step: Step = profile.steps[name]
            if step.where == CLOUD:  # a cloud step follows an upload
                drafts[-1].cloud_fixed_ps += _ps(step.flops_fixed, cloud_speed)
                drafts[-1].cloud_per_fn_ps += _ps(step.flops_per_fn, cloud_speed)
            else:
                fog_before = [
                    b + _ps(step.flops_fixed, s)
                    for b, s in zip(fog_before, fog_speeds, strict=True)
                ]
        elif what == "up":
            drafts.append(_Draft(name, record.message_bytes(name, "up"), tuple(fog_before)))
            fog_before = [0] * len(fog_speeds)
        else:  # a download ends a stage; only the last goes to every FN
            drafts[-1].down_kind = name
            drafts[-1].down_bytes = record.message_bytes(name, "down")
            drafts[-1].down_to_all = i == last_down
    return tuple(d.stage() for d in drafts)


#: Rounds of drawn compute factors when a run's rounds are not fixed (then they repeat).
FACTOR_CYCLE = 100
#: The message by which the cloud releases the FNs' next round where nothing else comes down.
READY_KIND = "ready"
#: Its size: the wire format's empty message (8-byte header length + `{}` padded to 8 bytes,
#: `len(mlpayloads.wire.encode({}, dtype))`).
READY_BYTES = 16


def with_ready(stages: tuple[Stage, ...], batch_period_ps: int) -> tuple[Stage, ...]:
    """CC's stages under backlogged data: the cloud sends every FN `ready` when it has trained.

    With batches every `batch_period` a CC fog node sends batch r when batch r arrives,
    paced by its sensors. With data always there (`batch_period` 0) nothing paces it: it
    would send every batch at once. So, as FL and FCDDT FNs wait for the round's last
    download, a CC FN waits for the cloud's `ready` (an empty message, sent to every FN
    when the cloud closes the round) before it sends its next raw batch: a stream with
    one batch in flight per FN.
    """
    last = stages[-1]
    if batch_period_ps > 0 or last.down_kind:
        return stages
    ready = dataclasses.replace(
        last, down_kind=READY_KIND, down_bytes=READY_BYTES, down_to_all=True
    )
    return (*stages[:-1], ready)


def compute_factors(
    variation: float, fog_nodes: int, rounds: int | None, seed: int
) -> tuple[tuple[int, ...], ...]:
    """Per FN and round, a lognormal factor of mean 1 and coefficient of variation `variation`.

    In parts per million (integers, so both backends scale compute times exactly
    alike). Drawn from the run's seed, FN by FN, so a study's runs with equal
    seeds have equal devices. With sigma^2 = ln(1 + cv^2) and mu = -sigma^2 / 2,
    exp(N(mu, sigma)) has mean 1 and the given coefficient of variation.
    """
    if variation <= 0:
        return ()
    sigma = math.sqrt(math.log1p(variation**2))
    rng = random.Random(f"compute-factors/{seed}")
    count = rounds if rounds is not None else FACTOR_CYCLE
    return tuple(
        tuple(max(1, round(PPM * math.exp(rng.gauss(-sigma * sigma / 2, sigma))))
              for _ in range(count))
        for _ in range(fog_nodes)
    )  # fmt: skip


def rounds_spec(
    ml: Section, compute: Section, method: str, fog_nodes: int, priority: int, seed: int = 0
) -> RoundsSpec:
    """The round protocol of `method` over `fog_nodes` FNs as the profile describes it."""
    dataset, model, batch = ml.get("dataset"), ml.get("model"), ml.get("batch_size")
    dtype, split, local_steps = ml.get("dtype"), ml.get("split"), ml.get("local_steps")
    accounting = ml.get("accounting")
    policy = ml.get("policy")
    alpha = ml.get("straggler_rate")
    if alpha and policy != "quorum":
        raise ml.error("straggler_rate", f'applies to policy = "quorum" only (this is {policy!r})')
    deadline = ml.get("round_deadline")
    if policy == "deadline" and deadline is None:
        raise ml.error("round_deadline", 'missing: policy = "deadline" needs a positive time')
    if deadline is not None and policy != "deadline":
        raise ml.error(
            "round_deadline", f'applies to policy = "deadline" only (this is {policy!r})'
        )
    batch_period = ml.get("batch_period")
    partition, concentration = _partition(ml)
    training = Training(
        dataset, model, batch, dtype, split, local_steps, ml.get("lr"), ml.get("target_accuracy"),
        partition, concentration, rounds=ml.get("train_rounds"),
    )  # fmt: skip
    names = [fog_name(i) for i in range(fog_nodes)]
    fog, cloud = assign(compute, names)
    try:
        record = payload_record(
            dataset,
            model,
            method,
            batch,
            dtype,
            split=split,
            local_steps=local_steps,
            rounds=ml.get("rounds"),
        )
        profile = compute_profile(
            dataset,
            model,
            method,
            batch,
            split=split,
            local_steps=local_steps,
            accounting=accounting,
        )
    except UserError as exc:  # named in the profile's terms
        raise ProfileError(f"{ml.file}: {ml.path}: {exc}") from None
    _check_memory(ml, fog, names, profile.fog_memory_bytes)
    fog_speeds = [a.flops for a in fog]
    cloud_speed = cloud.flops
    return RoundsSpec(
        method=method,
        cloud="cloud",
        fog_nodes=tuple(names),
        stages=with_ready(stages(record, profile, fog_speeds, cloud_speed), batch_period),
        policy=policy,
        quorum=aggregated_count(fog_nodes, alpha) if policy == "quorum" else fog_nodes,
        round_deadline_ps=deadline,
        batch_period_ps=batch_period,
        fog_flops=tuple(fog_speeds),
        cloud_flops=cloud_speed,
        source=f"measured: {dataset}/{model} B={batch} {dtype} ({record.data_source}); FLOPs "
        f"counted with torch FlopCounterMode; accounting {accounting}" + _devices_text(fog, cloud),
        priority=priority,
        rounds=ml.get("train_rounds"),
        training=training,
        compute_factors=compute_factors(
            compute.get("speed_variation"), fog_nodes, ml.get("train_rounds"), seed
        ),
        speed_variation=compute.get("speed_variation"),
    )


def _partition(ml: Section) -> tuple[str, float | None]:
    """The training partition and its concentration (None for iid), checked."""
    partition = ml.get("partition")
    if partition != "dirichlet":
        if ml.has("dirichlet_alpha"):
            raise ml.error(
                "dirichlet_alpha",
                f'applies to partition = "dirichlet" only (this is {partition!r})',
            )
        return partition, None
    alpha = ml.get("dirichlet_alpha")
    if not alpha > 0:
        raise ml.error(
            "dirichlet_alpha", f"must be > 0 (got {alpha:g}): the Dirichlet concentration"
        )
    return partition, alpha


def _check_memory(ml: Section, fog: list[Assignment], names: list[str], need: int) -> None:
    """Refuse a fog node whose device class has less memory than training needs (estimate)."""
    for name, a in zip(names, fog, strict=True):
        if a.memory is not None and need > a.memory:
            raise ProfileError(
                f"{ml.file}: {a.field}: device class {a.device!r} of {name} has "
                f"{a.memory / 1e6:,.0f} MB of memory, but training {ml.get('dataset')}/"
                f"{ml.get('model')} at batch_size {ml.get('batch_size')} needs about "
                f"{need / 1e6:,.0f} MB on a fog node (tensor estimate, see docs/mlpayloads.md); "
                "choose a larger device class or a smaller batch_size"
            )


def _devices_text(fog: list[Assignment], cloud: Assignment) -> str:
    """The device classes, for the spec's source line ("" when only plain speeds are given)."""
    classes: dict[str, int] = {}
    for a in fog:
        if a.device:
            classes[a.device] = classes.get(a.device, 0) + 1
    parts = [f"{n}x {d}" for d, n in classes.items()]
    if cloud.device:
        parts.append(f"cloud {cloud.device}")
    return f"; devices: {', '.join(parts)}" if parts else ""
