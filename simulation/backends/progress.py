# SPDX-License-Identifier: MIT
"""A progress bar over simulated time for one run, shown only once the run takes a while.

`fogcosim run` and `cosim` pass its callback to the backend (`Progress`); the
embedded engine reports between slices of simulated time, the OMNeT++ backend
from Cmdenv's status lines. Short runs print nothing (tqdm's `delay`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from simulation.backends.base import Progress
from simulation.model.load import expected_end_ps
from simulation.model.scenario import Scenario

#: seconds of wall time before the bar appears
SHOW_AFTER_S = 2.0


@contextmanager
def run_progress(scenario: Scenario, enabled: bool = True) -> Iterator[Progress | None]:
    """Yield a callback that moves a bar to the simulated time reached (None if disabled).

    The bar's end is when the run is expected to end: its time limit, or after
    its rounds when a rounds-paced run ends earlier (`simulation.model.load.expected_end_ps`).
    """
    if not enabled:
        yield None
        return
    total = expected_end_ps(scenario) / 1e12
    with tqdm(
        total=total,
        desc=f"simulating {scenario.name}",
        unit="simsec",
        delay=SHOW_AFTER_S,
        leave=False,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.3g}/{total:.3g} s simulated "
        "[{elapsed}<{remaining}]",
    ) as bar:

        def tell(seconds: float) -> None:
            step = min(seconds, total) - bar.n
            if step > 0:
                bar.update(step)

        yield tell
