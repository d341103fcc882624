# SPDX-License-Identifier: MIT
"""Scenario -> result files: the backends, by name in this registry, imported only when chosen.

The registry names each implementation by module and class instead of
importing it, so choosing the embedded engine never loads the OMNeT++
backend's module (and neither implementation is imported by this package or
by `simulation.backends.base`, which they both import). `get_backend("auto")`
takes OMNeT++ + INET where installed, else the embedded engine.
"""

from __future__ import annotations

import importlib

from fogcosim.errors import UserError, unknown
from simulation.backends.base import Backend

#: Backend name -> "module:Class" of its implementation.
REGISTRY: dict[str, str] = {
    "embedded": "simulation.embedded.backend:EmbeddedBackend",
    "omnetpp": "simulation.backends.omnetpp.backend:OmnetppBackend",
}
BACKEND_NAMES: tuple[str, ...] = (*REGISTRY, "auto")


def load_backend(name: str) -> Backend:
    """An instance of the backend `name` (not checked for availability)."""
    if name not in REGISTRY:
        raise unknown("backend", name, BACKEND_NAMES)
    module_name, _, class_name = REGISTRY[name].partition(":")
    backend: Backend = getattr(importlib.import_module(module_name), class_name)()
    return backend


def get_backend(name: str) -> Backend:
    """The backend called `name`, ready to run; `auto` is OMNeT++ where installed, else embedded."""
    if name == "auto":
        omnetpp = load_backend("omnetpp")
        return omnetpp if omnetpp.availability().ok else load_backend("embedded")
    backend = load_backend(name)
    avail = backend.availability()
    if not avail.ok:
        raise UserError(f"backend {name!r} is not available: {avail.reason}")
    return backend
