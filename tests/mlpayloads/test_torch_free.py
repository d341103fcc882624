# SPDX-License-Identifier: MIT
"""A warm cache is read without importing torch (the simulation's startup path)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from mlpayloads.flops import compute_profile
from mlpayloads.table import payload_record

ROOT = Path(__file__).resolve().parents[2]

LOOKUP = """
import json, sys
import fogcosim.cli
fogcosim.cli.build_parser(["run"])  # what `fogcosim run ...` does first
from mlpayloads.table import payload_record
from mlpayloads.flops import compute_profile
rec = payload_record("mnist", "mlp", "fcddt", 10, rounds=1)
prof = compute_profile("mnist", "mlp", "fcddt", 10)
print(json.dumps({
    "torch": sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")),
    "activations": rec.message_bytes("activations", "up"),
    "fog_forward": prof.steps["fog_forward"].flops_fixed,
}))
"""


def test_cache_hits_do_not_import_torch(private_cache):
    rec = payload_record("mnist", "mlp", "fcddt", 10, rounds=1)  # warm the cache (torch here)
    prof = compute_profile("mnist", "mlp", "fcddt", 10)
    env = {**os.environ, "FOGCOSIM_CACHE": str(private_cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", LOOKUP], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    assert got["torch"] == []
    assert got["activations"] == rec.message_bytes("activations", "up")
    assert got["fog_forward"] == prof.steps["fog_forward"].flops_fixed == 2 * 10 * 784 * 128
