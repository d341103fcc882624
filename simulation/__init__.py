# SPDX-License-Identifier: MIT
"""Co-simulation as data flows: profile (TOML) -> model (Scenario) -> backends -> result files."""
