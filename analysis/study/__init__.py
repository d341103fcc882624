# SPDX-License-Identifier: MIT
"""A study's tables: summary.csv, what its run folders hold, reshape steps, uncertainty."""
