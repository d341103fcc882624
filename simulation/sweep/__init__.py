# SPDX-License-Identifier: MIT
"""Sweeps: a profile's grid of Scenarios run through a backend into one results folder."""
