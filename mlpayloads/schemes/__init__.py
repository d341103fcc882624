# SPDX-License-Identifier: MIT
"""The training schemes, one file each, behind `mlpayloads.rounds.Scheme`."""

from __future__ import annotations

from torch import nn

from fogcosim.errors import UserError
from mlpayloads.catalog import check_method as check_method
from mlpayloads.rounds import Scheme
from mlpayloads.schemes.cc import CloudComputing
from mlpayloads.schemes.fcddt import FCDDT
from mlpayloads.schemes.fl import FederatedLearning

#: Method name -> scheme, in the paper's order.
METHODS: dict[str, type[Scheme]] = {"cc": CloudComputing, "fl": FederatedLearning, "fcddt": FCDDT}


def make_scheme(
    method: str,
    model: nn.Sequential,
    fog_nodes: int,
    lr: float,
    *,
    split: str | None = None,
    local_steps: int = 1,
) -> Scheme:
    """Build the scheme `method` around `model` (which it trains in place)."""
    check_method(method)
    if local_steps != 1 and method != "fl":
        raise UserError(f"local steps {local_steps} apply only to fl (cc and fcddt take 1)")
    if method == "fcddt":
        if split is None:
            raise UserError("fcddt needs a split layer")
        return FCDDT(model, fog_nodes, lr, split)
    return METHODS[method](model, fog_nodes, lr, local_steps)
