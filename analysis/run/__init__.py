# SPDX-License-Identifier: MIT
"""One run's metrics and tables, from the engine's memory or from its result files."""
