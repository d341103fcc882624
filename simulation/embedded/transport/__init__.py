# SPDX-License-Identifier: MIT
"""The engine's transport protocols (compiled with the engine when built: `native`)."""

from simulation.embedded.native import use_build

use_build(__path__, __name__)
