# SPDX-License-Identifier: MIT
"""The report of a study and the comparison of several: Markdown sections and plots."""
