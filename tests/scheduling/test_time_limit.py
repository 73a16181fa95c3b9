"""A time limit is kept: the search's phases get shares of the time left, not floors of half a
second to a second each, which took the 30-job benchmark day's search to 3.6 s at a 2 s limit,
and count building their models."""

from __future__ import annotations

import time

from benchmarks.scheduling.generate import generate_site, load_generated
from heatcraft.scheduling import ScheduleOptions, optimize_plan


def test_a_short_limit_is_kept_on_a_small_day(tmp_path):
    folder = generate_site(tmp_path / "s30", 30, 4, 1, 2)
    site, grid, series = load_generated(folder, 1)
    began = time.monotonic()
    result = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=2))
    elapsed = time.monotonic() - began
    assert result.verification.ok and not result.plan.dropped_jobs
    # 1.8-2.2 s here, 1.7-2.4 s with both cores busy (2026-12-07). Before the shares 3.6-4.2 s;
    # before the CP-SAT searches counted building their model in their limits, and the relaxed
    # plan's descent lost its 0.5 s floor, 2.5-2.9 s here and 3.7 s in a CI run.
    assert elapsed < 3.0
    parameters = result.plan.solver.parameters
    # Too little time for the demand-peak bounds: the LP comes first (0.4-0.55 s here; when the
    # bounds took 0.6-1.0 s before it, it could not end), and no bound claims their cuts.
    assert parameters["engine.peaks.note"].startswith("not run")
    assert "peak cuts" not in parameters["engine.bound_from"]
