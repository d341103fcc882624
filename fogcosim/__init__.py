# SPDX-License-Identifier: MIT
"""fogcosim: what distributed training traffic does to time-critical factory flows."""

__version__ = "0.1.0"
