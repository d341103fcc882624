# SPDX-License-Identifier: MIT
"""Device classes: the speed (and memory) of a kind of fog node or cloud, from a catalogue.

A profile's ``[compute]`` table gives the round protocol's compute speeds. Besides plain
speeds (``fog``, ``cloud``, ``fog_overrides``) it can name device classes: shipped ones
from `CATALOGUE` or its own in ``[compute.devices.<name>]`` (``flops``, optionally
``memory``), assigned to the fog nodes with ``fog_device`` (every FN), ``fog_devices``
(a list, one per FN) or ``[compute.fog_device_counts]`` (counts in table order: the
first n1 FNs get the first class, ...), and to the cloud with ``cloud_device``.
``fog_overrides`` still sets individual FNs' speeds on top. `assign` turns that into
one `Assignment` per FN; `simulation.profile.rounds` turns speeds into compute times.

The catalogue's speeds are *sustained* float32 training speeds, the figure the
compute times need; where a vendor publishes only a peak, the sustained figure is
derived from it with a stated utilisation (docs/rounds.md lists each figure's
source and which part is measured, published or assumed).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.profile.tomlfields import Section

GB = 10**9
G = 10**9
T = 10**12


@dataclass(frozen=True)
class DeviceClass:
    """A kind of device: sustained float32 training speed, memory, where they come from."""

    name: str
    #: Sustained FLOP/s for float32 training-like work: what compute times use.
    flops: int
    #: Bytes of memory for training tensors (None: not checked).
    memory: int | None = None
    #: Peak float32 FLOP/s (datasheet or derived from cores x clock x FLOP/cycle).
    peak_flops: int | None = None
    description: str = ""
    #: Where the figures come from, and which are measured, published or assumed.
    source: str = ""


#: Utilisation assumed for GPUs without a published sustained training figure.
GPU_UTILISATION = 0.35

CATALOGUE: dict[str, DeviceClass] = {
    d.name: d
    for d in (
        DeviceClass(
            "raspberry_pi_4",
            8 * G,
            4 * GB,
            48 * G,
            "Raspberry Pi 4 Model B, 4 GB: 4x Arm Cortex-A72 at 1.5 GHz (BCM2711)",
            "sustained: about 8 GFLOPS measured with HPL (FP64) on a stock Pi 4 under "
            "64-bit Raspberry Pi OS (W. Feiereisen, 'Benchmarking the Raspberry Pi 4 with "
            "Raspberry Pi OS64', 2022), taken as the float32 training rate (twice the SIMD "
            "width, lower kernel efficiency than HPL); peak derived: 4 cores x 1.5 GHz x 8 "
            "FP32 FLOP/cycle (one 128-bit NEON FMA); memory: the 4 GB model",
        ),
        DeviceClass(
            "jetson_nano",
            round(GPU_UTILISATION * 236 * G),
            4 * GB,
            236 * G,
            "NVIDIA Jetson Nano 4 GB: 128-core Maxwell GPU at 921 MHz, memory shared with the CPU",
            "peak: NVIDIA's 472 GFLOPS FP16 (Jetson Nano module data sheet), float32 half "
            "of it (128 cores x 2 FLOP x 921.6 MHz); sustained: 35% of the float32 peak, "
            "an assumption, not a measurement",
        ),
        DeviceClass(
            "jetson_orin_nano",
            round(GPU_UTILISATION * 1280 * G),
            8 * GB,
            1280 * G,
            "NVIDIA Jetson Orin Nano 8 GB: 1024-core Ampere GPU at 625 MHz, memory shared "
            "with the CPU",
            "peak derived from the module data sheet's 1024 CUDA cores at 625 MHz: "
            "1024 x 2 FLOP x 625 MHz = 1.28 TFLOPS float32 (the headline 40 TOPS are "
            "sparse INT8); sustained: 35% of it, an assumption, not a measurement",
        ),
        DeviceClass(
            "industrial_pc",
            150 * G,
            16 * GB,
            614 * G,
            "Industrial PC with a 6-core Intel Core i7-8700 (AVX2, 2 FMA units per core, "
            "3.2 GHz base), 16 GB",
            "sustained: 30 to 37 GFLOPS per core measured here for PyTorch 2.13 float32 "
            "training steps on one core of an AVX-512 Xeon at 2.6 GHz (MNIST CNN and MLP, "
            "B = 100 and 500), times 6 cores at an assumed 85% multi-core scaling, about "
            "150 GFLOPS; peak derived: 6 x 3.2 GHz x 32 FP32 FLOP/cycle (Intel ARK: 6 "
            "cores, 3.2 GHz)",
        ),
        DeviceClass(
            "cloud_gpu_a100",
            round(GPU_UTILISATION * 19_500 * G),
            40 * GB,
            19_500 * G,
            "NVIDIA A100 SXM4 40 GB (one data-centre GPU)",
            "peak: 19.5 TFLOPS FP32 (NVIDIA A100 data sheet; its 156 TFLOPS TF32 Tensor-Core "
            "figure does not apply: training here keeps TF32 off); sustained: 35% of the "
            "FP32 peak, an assumption, not a measurement",
        ),
    )
}


@dataclass(frozen=True)
class Assignment:
    """What one device runs at, and why: its class (if any) and the field that chose it."""

    flops: int
    device: str = ""
    memory: int | None = None
    field: str = ""


def device_classes(compute: Section) -> dict[str, DeviceClass]:
    """The shipped catalogue plus the profile's own classes (a shipped name is refused)."""
    classes = dict(CATALOGUE)
    own = compute.sub("devices")
    for name in own.data:
        if name in CATALOGUE:
            raise own.error(name, "is a shipped device class; give yours another name")
        entry = own.sub(name)
        classes[name] = DeviceClass(
            name, entry.get("flops"), entry.get("memory"), None, entry.get("description"),
            f"profile {own.field(name)}",
        )  # fmt: skip
    return classes


def _lookup(classes: dict[str, DeviceClass], section: Section, key: str, name: str) -> DeviceClass:
    if name not in classes:
        own = f"; or define [{section.field('devices')}.{name}] with flops = ..."
        raise section.error(
            key, f"device class {name!r} is not defined (shipped: {', '.join(CATALOGUE)}{own})"
        )
    return classes[name]


def assign(compute: Section, fog_names: list[str]) -> tuple[list[Assignment], Assignment]:
    """Every fog node's and the cloud's speed from ``[compute]`` (see the module)."""
    classes = device_classes(compute)
    ways = [k for k in ("fog_device", "fog_devices", "fog_device_counts") if compute.has(k)]
    if len(ways) > 1:
        raise compute.error(ways[1], f"give one of fog_device, fog_devices, fog_device_counts "
                            f"(this profile also gives {ways[0]})")  # fmt: skip
    if ways and compute.has("fog"):
        raise compute.error("fog", f"give either a speed (fog) or device classes ({ways[0]})")
    p = len(fog_names)
    chosen: list[str] = []
    if ways == ["fog_device"]:
        chosen = [compute.get("fog_device")] * p
    elif ways == ["fog_devices"]:
        chosen = compute.get("fog_devices")
        if len(chosen) != p:
            raise compute.error(
                "fog_devices", f"lists {len(chosen)} device classes, but this run has {p} fog "
                f"nodes (fog0..fog{p - 1}): give one per fog node, or use fog_device_counts",
            )  # fmt: skip
    elif ways == ["fog_device_counts"]:
        counts = compute.sub("fog_device_counts")
        items = counts.items()
        total = sum(n for _, n in items)
        if total != p:
            listed = ", ".join(f"{name} = {n}" for name, n in items)
            raise compute.error(
                "fog_device_counts", f"counts add up to {total} ({listed}), but this run has "
                f"{p} fog nodes (fog0..fog{p - 1})",
            )  # fmt: skip
        chosen = [name for name, n in items for _ in range(n)]
    key = ways[0] if ways else ""
    fog: list[Assignment] = []
    for name in chosen:
        d = _lookup(classes, compute, key, name)
        fog.append(Assignment(d.flops, d.name, d.memory, compute.field(key)))
    if not fog:
        fog = [Assignment(compute.get("fog"), field=compute.field("fog"))] * p
    overrides = compute.sub("fog_overrides")
    for name, speed in overrides.items():
        if name not in fog_names:
            raise overrides.error(name, f"not a fog node of this run (fog0..fog{p - 1})")
        i = fog_names.index(name)
        fog[i] = Assignment(speed, fog[i].device, fog[i].memory, overrides.field(name))
    if compute.has("cloud_device"):
        if compute.has("cloud"):
            raise compute.error("cloud", "give either a speed (cloud) or a class (cloud_device)")
        d = _lookup(classes, compute, "cloud_device", compute.get("cloud_device"))
        cloud = Assignment(d.flops, d.name, d.memory, compute.field("cloud_device"))
    else:
        cloud = Assignment(compute.get("cloud"), field=compute.field("cloud"))
    return fog, cloud
