# SPDX-License-Identifier: MIT
import io
import sys

import pytest

import mlpayloads.progress
from mlpayloads.measure import MeasureConfig, measure


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(("tty", "progress", "shown"), [(True, True, True), (True, False, False),
                                                        (False, True, False)])  # fmt: skip
def test_measurement_progress_on_a_terminal_unless_asked_not_to(monkeypatch, tty, progress, shown):
    err = Terminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(mlpayloads.progress, "DELAY_S", 0.0)  # normally only after 2 s
    measure(MeasureConfig("mnist", "mlp", "fl", 2, 10, rounds=2), progress=progress)
    text = err.getvalue()
    assert ("measuring mnist/mlp fl payload (MNIST 5k sample): round 1/2" in text) is shown
    assert ("round 2/2" in text) is shown
