# SPDX-License-Identifier: MIT
"""Profile (TOML) -> Scenario: read, checked against the schema, built; shipped profiles."""
