# SPDX-License-Identifier: MIT
"""A sweep point's Scenario, measured over the window its whole study shares.

A periodic study measures every run over the same simulated time already (one
hyperperiod, or the profile's or the command's time). A rounds-paced study
(`[traffic.ml] pacing = "rounds"`) would not: `fogcosim cosim` ends an ML run
when every fog node has the last round's download (about 19 s for 20 rounds
of 1 s), while its no-ML baseline has no rounds to end it and would measure
one hyperperiod (1.2 s). Their critical delays would then rest on different
stretches of time (about 6,500 against 410 critical messages at 18 FNs).

So every run of a rounds-paced study, the baseline included, is measured over
one window: `--sim-time`/`--hyperperiods` where given, else the profile's
`sim_time`/`hyperperiods`, else `train_rounds x batch_period` (the time in which
the batches of the rounds trained arrive). Its ML runs let the protocol run on
through the window (`RoundsSpec.rounds` None: no run ends at its last download)
and train the first `train_rounds` rounds the cloud completed
(`Training.rounds`); rounds the window cuts short are reported as unfinished.
The window is a pure function of the profile and the options, so every point
stays independent, deterministic and resumable.

Where rounds go as fast as they can (`batch_period = "0s"`) the protocol
running on through the window costs far more to simulate than the rounds
trained (CC's rounds are ten times shorter than FL's on weak fog nodes, so it
would simulate ten times the rounds it trains). `[simulation] window =
"training"` ends each ML run as `fogcosim cosim` does, when every fog node has
the last trained round's download; the window is then a cap, each run measures
its own time (`window_s`), and the report says the windows differ.
"""

from __future__ import annotations

import dataclasses

from simulation.model.scenario import Scenario
from simulation.profile.build import Profile, build_scenario, with_time
from simulation.profile.tomlfields import ProfileError


def rounds_window_ps(profile: Profile) -> int | None:
    """`train_rounds x batch_period` of a rounds-paced profile; None for a periodic one.

    Rounds paced as fast as they can go (`batch_period = "0s"`) have no batch
    period to size the window by: such a profile must give its `sim_time`.
    """
    if not profile.rounds_paced:
        return None
    ml = profile.root().sub("traffic").sub("ml")
    window = int(ml.get("train_rounds")) * int(ml.get("batch_period"))
    if window == 0:
        raise ProfileError(
            f'{profile.path}: simulation.sim_time: missing: with batch_period = "0s" (rounds '
            "as fast as they can go) a sweep needs the window every run measures, e.g. "
            'sim_time = "60s"'
        )
    return window


def point_scenario(
    profile: Profile,
    fog_nodes: int,
    method: str,
    seed: int,
    train_seed: int | None = None,
    *,
    sim_time_ps: int | None = None,
    hyperperiods: int | None = None,
    warmup_ps: int | None = None,
) -> Scenario:
    """The scenario of one sweep point, measured over its study's window (see the module)."""
    scenario = build_scenario(profile, fog_nodes, method, seed, train_seed=train_seed)
    if not profile.rounds_paced:
        return with_time(scenario, sim_time_ps, hyperperiods, warmup_ps)
    sim = profile.root().sub("simulation")
    given = sim_time_ps is not None or hyperperiods is not None
    if not given and not sim.has("sim_time") and not sim.has("hyperperiods"):
        sim_time_ps = rounds_window_ps(profile)
    scenario = with_time(scenario, sim_time_ps, hyperperiods, warmup_ps)
    if sim.get("window") == "training":
        return scenario  # its rounds end the ML run; the window is a cap
    if scenario.rounds is not None and scenario.rounds.rounds is not None:
        spec = scenario.rounds
        training = spec.training and dataclasses.replace(
            spec.training, rounds=spec.training.rounds or spec.rounds
        )
        scenario = dataclasses.replace(
            scenario, rounds=dataclasses.replace(spec, rounds=None, training=training)
        )
    return scenario
