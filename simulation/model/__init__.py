# SPDX-License-Identifier: MIT
"""The Scenario: one validated run, its parts, and what follows from it before it runs."""
