# SPDX-License-Identifier: MIT
"""Benchmarks: `python -m benchmarks` runs every `benchmarks/bench_*.py` module's `main()`."""
