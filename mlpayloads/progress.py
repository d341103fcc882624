# SPDX-License-Identifier: MIT
"""Progress on stderr for measurements and training that can take a while (tqdm).

The bar appears only after `DELAY_S` seconds (quick measurements stay silent), only on
a terminal (tqdm's ``disable=None``), and never when the caller passes
``progress=False``.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

from mlpayloads.catalog import MNIST_5K, STAND_IN

#: Seconds before a bar is first drawn.
DELAY_S = 2.0


def data_label(source: str) -> str:
    """A short label for a data source: "stand-in data", "MNIST 5k sample" or "real data"."""
    if source == STAND_IN:
        return "stand-in data"
    return "MNIST 5k sample" if source == MNIST_5K else "real data"


def round_bar(desc: str, total: int, enabled: bool) -> tqdm:
    """A bar reading "<desc>: round n/total"; call `update()` as each round starts."""
    return tqdm(
        total=total,
        desc=desc,
        file=sys.stderr,
        disable=None if enabled else True,
        delay=DELAY_S,
        mininterval=0,  # a round takes a while: redraw on every update
        leave=False,
        bar_format="{desc}: round {n_fmt}/{total_fmt} [{elapsed}]{postfix}",
    )
