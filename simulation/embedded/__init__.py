# SPDX-License-Identifier: MIT
"""The embedded engine; its modules load from a fresh mypyc build when there is one (`native`)."""

from simulation.embedded.native import use_build

use_build(__path__, __name__)
