# SPDX-License-Identifier: MIT
"""Drawing steps of the reports: reshaped frames -> matplotlib figures."""
