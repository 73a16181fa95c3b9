"""A repeatable search (ScheduleOptions.repeatable): work counts, not the clock, end every
phase, so the same inputs give the same plan on a quiet machine and on a busy one.

Each search runs once on a quiet machine and once with every core kept busy by other
processes: a phase the clock ended would say so (`stopped_by_clock`) and would, at these short
limits, do less work under load and return another plan."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from benchmarks.scheduling.generate import generate_site, load_generated
from heatcraft.scheduling import ScheduleOptions, optimize_plan
from heatcraft.scheduling.backends.cbc import solve_cbc
from heatcraft.scheduling.linear_model import LinearModel
from tests.scheduling.sites import crowded_site, horizon


@contextmanager
def busy_cores(count: int = 2) -> Iterator[None]:
    """`count` processes spinning on the CPU while the block runs."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def _quiet_and_busy(site, grid, series, options: ScheduleOptions):
    quiet = optimize_plan(site, grid, series, options)
    with busy_cores():
        busy = optimize_plan(site, grid, series, options)
    for result in (quiet, busy):
        parameters = result.plan.solver.parameters
        assert result.verification.ok
        assert parameters["repeatable"] is True
        clocked = [key for key, value in parameters.items()
                   if key.endswith("stopped_by_clock") and value]
        assert clocked == []
    return quiet, busy


def _same(first, second) -> None:
    assert first.assignments == second.assignments and first.runs == second.runs
    assert first.solver.objective == second.solver.objective
    assert first.solver.bound == second.solver.bound


def test_a_small_day_repeats_when_the_machine_is_busy(tmp_path):
    # The 20-job benchmark day at 2 s: demand-peak bounds, LP, commitment and whole-bill
    # searches on one core, the relaxed plan and neighbourhoods on the other; each takes
    # longer than its share of 2 s here, so on the clock the busy run would do less.
    folder = generate_site(tmp_path / "s20", 20, 3, 1, 1)
    site, grid, series = load_generated(folder, 1)
    quiet, busy = _quiet_and_busy(site, grid, series,
                                  ScheduleOptions(time_limit_s=2, repeatable=True))
    _same(quiet.plan, busy.plan)
    assert "work counts reached: the best plan found is returned" in "".join(quiet.warnings)
    parameters = quiet.plan.solver.parameters
    assert parameters["engine.deterministic_time_used"] > 0  # the whole-bill search's
    assert parameters["engine.neighbourhoods"] == 4  # 2 per second of limit


# Not `highs`: HiGHS counts nodes, not the work of its root node, which on this site does not
# end within 30 s; the clock then ends it at the backstop and the report says so.
@pytest.mark.parametrize("backend", ["guided", "heuristic", "cpsat"])
def test_every_search_repeats_when_the_machine_is_busy(backend):
    site = crowded_site()
    grid, series = horizon(site)
    quiet, busy = _quiet_and_busy(site, grid, series, ScheduleOptions(
        backend=backend, time_limit_s=2, repeatable=True))
    _same(quiet.plan, busy.plan)
    parameters = quiet.plan.solver.parameters
    if backend == "guided":  # 1 round of two neighbourhoods per second of limit
        assert parameters["engine.neighbourhoods"] == 4
    if backend == "cpsat":
        assert parameters["engine.max_deterministic_time"] == pytest.approx(0.5)


def test_cbc_says_when_its_node_count_stopped_it():
    # A small market-split model: CBC needs about 3.5 s and many nodes to prove it.
    rng = np.random.default_rng(3)
    model = LinearModel()
    xs = [model.binary(f"x{j}") for j in range(30)]
    for _ in range(3):
        weights = rng.integers(0, 100, len(xs))
        terms = {x: float(w) for x, w in zip(xs, weights, strict=True)}
        half = float(weights.sum() // 2)
        model.add_row(terms, lower=half - 3, upper=half)
    for x, value in zip(xs, rng.integers(1, 50, len(xs)), strict=True):
        model.add_objective(x, -float(value))
    outcome = solve_cbc(model, time_limit_s=60, threads=1, seed=0, relative_gap=0.0,
                        hint=None, node_limit=3)
    assert outcome.status == "feasible" and outcome.values is not None
    assert outcome.parameters["node_limit"] == 3
    assert outcome.parameters["stopped_by_clock"] is False
