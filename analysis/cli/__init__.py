# SPDX-License-Identifier: MIT
"""The `fogcosim run`, `cosim`, `sweep`, `report` and `compare` commands."""
