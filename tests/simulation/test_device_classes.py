# SPDX-License-Identifier: MIT
"""Device classes in [compute]: the catalogue, assignment by class, list or counts, bad input."""

from __future__ import annotations

import re

import pytest

from fogcosim.errors import UserError
from mlpayloads.flops import compute_profile
from simulation.profile.build import build_scenario, load_profile
from simulation.profile.device_classes import CATALOGUE

from .conftest import PROFILES, write_profile

STAR = PROFILES / "rounds-star.toml"
PLAIN = 'fog = "5GFLOPS"\ncloud = "5TFLOPS"'


def _spec(tmp_path, compute: str, fog_nodes: int = 4, method: str = "fl", ml: str = ""):
    text = STAR.read_text().replace(PLAIN, compute)
    if ml:
        text = text.replace("lr = 0.1", f"lr = 0.1\n{ml}")
    sc = build_scenario(load_profile(write_profile(tmp_path, text)), fog_nodes, method, 0)
    assert sc.rounds is not None
    return sc.rounds


def test_catalogue_figures_are_sustained_below_peak_and_sourced():
    assert {"raspberry_pi_4", "jetson_orin_nano", "industrial_pc", "cloud_gpu_a100"} <= set(
        CATALOGUE
    )
    for d in CATALOGUE.values():
        assert 0 < d.flops <= (d.peak_flops or d.flops), d.name
        assert d.memory and d.description and "sustained" in d.source, d.name
    speeds = [CATALOGUE[n].flops for n in ("raspberry_pi_4", "industrial_pc", "cloud_gpu_a100")]
    assert speeds == sorted(speeds)


def test_one_class_for_every_fog_node_sets_speeds_and_compute_times(tmp_path):
    spec = _spec(tmp_path, 'fog_device = "raspberry_pi_4"\ncloud_device = "cloud_gpu_a100"')
    pi, a100 = CATALOGUE["raspberry_pi_4"].flops, CATALOGUE["cloud_gpu_a100"].flops
    assert spec.fog_flops == (pi,) * 4 and spec.cloud_flops == a100
    fog_train = compute_profile("mnist", "mlp", "fl", 100).steps["fog_train"].flops_fixed
    expected_ps = (fog_train * 10**12 + pi // 2) // pi
    assert spec.stages[0].fog_before_ps == (expected_ps,) * 4  # 5.1 ms at 8 GFLOPS
    assert "devices: 4x raspberry_pi_4, cloud cloud_gpu_a100" in spec.source


def test_classes_by_list_by_counts_and_overrides(tmp_path):
    listed = _spec(
        tmp_path,
        'fog_devices = ["jetson_orin_nano", "raspberry_pi_4", "raspberry_pi_4", "industrial_pc"]',
    )
    c = {n: d.flops for n, d in CATALOGUE.items()}
    assert listed.fog_flops == (
        c["jetson_orin_nano"], c["raspberry_pi_4"], c["raspberry_pi_4"], c["industrial_pc"]
    )  # fmt: skip
    counted = _spec(
        tmp_path,
        '[compute.fog_device_counts]\nraspberry_pi_4 = 3\nmy_box = 1\n'
        '[compute.devices.my_box]\nflops = "20GFLOPS"\n'
        '[compute.fog_overrides]\nfog0 = "1GFLOPS"',
    )  # fmt: skip
    assert counted.fog_flops == (10**9, c["raspberry_pi_4"], c["raspberry_pi_4"], 20 * 10**9)
    assert counted.cloud_flops == 5 * 10**12  # the default cloud speed


def test_memory_estimate_refuses_a_device_too_small(tmp_path):
    small = '[compute.devices.mcu]\nflops = "1GFLOPS"\nmemory = "2MB"\n'
    need = compute_profile("mnist", "mlp", "fl", 100).fog_memory_bytes  # 2.45 MB
    assert 2 * 10**6 < need < 3 * 10**6
    with pytest.raises(UserError) as info:
        _spec(tmp_path, f'fog_device = "mcu"\n{small}')
    message = str(info.value)
    assert "\n" not in message
    assert re.search(r"compute\.fog_device: device class 'mcu' of fog0 has 2 MB of memory, but "
                     r"training mnist/mlp at batch_size 100 needs about 2 MB", message)  # fmt: skip
    # CC's fog node only holds its raw batch: it fits
    assert _spec(tmp_path, f'fog_device = "mcu"\n{small}', method="cc").fog_flops == (10**9,) * 4


@pytest.mark.parametrize(
    ("compute", "pattern"),
    [
        ('fog_device = "pi5"', r"compute\.fog_device: device class 'pi5' is not defined \(shipped: "
         r"raspberry_pi_4, .*; or define \[compute\.devices\.pi5\]"),
        ('fog_devices = ["raspberry_pi_4", "nope", "raspberry_pi_4", "raspberry_pi_4"]',
         r"compute\.fog_devices: device class 'nope' is not defined"),
        ("[compute.fog_device_counts]\nraspberry_pi_4 = 3\nghost = 1",
         r"compute\.fog_device_counts: device class 'ghost' is not defined"),
        ("[compute.fog_device_counts]\nraspberry_pi_4 = 3\nindustrial_pc = 2",
         r"compute\.fog_device_counts: counts add up to 5 \(raspberry_pi_4 = 3, industrial_pc = 2\)"
         r", but this run has 4 fog nodes \(fog0\.\.fog3\)"),
        ('fog_devices = ["raspberry_pi_4"]',
         r"compute\.fog_devices: lists 1 device classes, but this run has 4 fog nodes"),
        ('fog_device = "x"\n[compute.devices.x]\nflops = "0GFLOPS"',
         r"compute\.devices\.x\.flops: '0GFLOPS' must be a positive compute speed"),
        ('fog_device = "x"\n[compute.devices.x]\nflops = "-3GFLOPS"',
         r"compute\.devices\.x\.flops: '-3GFLOPS' is not a compute speed"),
        ('fog_device = "x"\n[compute.devices.x]\nflops = "3GFLOPS"\nmemory = "0GB"',
         r"compute\.devices\.x\.memory: '0GB' must be a positive memory size"),
        ('fog_device = "raspberry_pi_4"\n[compute.devices.raspberry_pi_4]\nflops = "9GFLOPS"',
         r"compute\.devices\.raspberry_pi_4: is a shipped device class"),
        ('fog = "5GFLOPS"\nfog_device = "raspberry_pi_4"',
         r"compute\.fog: give either a speed \(fog\) or device classes \(fog_device\)"),
        ('fog_device = "raspberry_pi_4"\nfog_devices = ["raspberry_pi_4"]',
         r"compute\.fog_devices: give one of fog_device, fog_devices, fog_device_counts"),
        ('cloud = "5TFLOPS"\ncloud_device = "cloud_gpu_a100"',
         r"compute\.cloud: give either a speed \(cloud\) or a class \(cloud_device\)"),
        ('fog_device = "x"\n[compute.devices.x]\nflop = "3GFLOPS"',
         r"compute\.devices\.x\.flop: unknown field; did you mean 'flops'\?"),
    ],
)  # fmt: skip
def test_bad_device_classes_are_one_line_errors_naming_the_field(tmp_path, compute, pattern):
    with pytest.raises(UserError) as info:
        _spec(tmp_path, compute)
    message = str(info.value)
    assert "\n" not in message and "p.toml: " in message
    assert re.search(pattern, message), message


@pytest.mark.parametrize(
    ("ml", "pattern"),
    [
        ('partition = "dirichlet"\ndirichlet_alpha = 0.0',
         r"traffic\.ml\.dirichlet_alpha: must be > 0 \(got 0\)"),
        ('partition = "dirichlet"\ndirichlet_alpha = -1.0',
         r"traffic\.ml\.dirichlet_alpha: must be at least 0"),
        ("dirichlet_alpha = 0.3",
         r"traffic\.ml\.dirichlet_alpha: applies to partition = \"dirichlet\" only"),
        ('partition = "skewed"', r"traffic\.ml\.partition: unknown value 'skewed' \(allowed: iid, "
         r"dirichlet\)"),
    ],
)  # fmt: skip
def test_bad_partitions_are_one_line_errors(tmp_path, ml, pattern):
    with pytest.raises(UserError) as info:
        _spec(tmp_path, PLAIN, ml=ml)
    assert re.search(pattern, str(info.value)), str(info.value)


def test_the_partition_travels_in_the_spec(tmp_path):
    spec = _spec(tmp_path, PLAIN, ml='partition = "dirichlet"\ndirichlet_alpha = 0.2')
    assert spec.training is not None
    assert (spec.training.partition, spec.training.dirichlet_alpha) == ("dirichlet", 0.2)
    default = _spec(tmp_path, PLAIN)
    assert default.training is not None
    assert (default.training.partition, default.training.dirichlet_alpha) == ("iid", None)
