"""The plan from the indivisible-job relaxation (relaxed_plan) and the descent that commits it."""

from __future__ import annotations

import dataclasses

import pytest

from heatcraft.scheduling import ScheduleOptions, optimize_plan
from heatcraft.scheduling.evaluation import evaluate
from heatcraft.scheduling.heuristic import heuristic_from, heuristic_plan
from heatcraft.scheduling.plan_builder import solution_to_plan
from heatcraft.scheduling.problem import build_problem
from heatcraft.scheduling.relaxed_plan import relaxed_plan
from heatcraft.scheduling.verifier import verify_plan
from tests.scheduling.sites import heater, horizon, inputs, job, maintenance, problem_of


def _thirty_job_day(folder):
    """The 30-job benchmark day: demand charges are about 94 % of its bill."""
    from benchmarks.scheduling.generate import generate_site, load_generated

    return load_generated(generate_site(folder, 30, 4, 1, 2))


def test_the_relaxed_plan_places_every_job_within_the_limits_and_repeats(tmp_path):
    site, grid, series = _thirty_job_day(tmp_path / "s30")
    problem = build_problem(site, grid, series, ScheduleOptions())
    first = relaxed_plan(problem, work=0.3, moves=1500, wall_seconds=120.0, seed=0)
    again = relaxed_plan(problem, work=0.3, moves=1500, wall_seconds=120.0, seed=0)
    assert first.solution is not None
    assert all(place is not None for place in first.solution.placement)
    plan = solution_to_plan(problem, first.solution, site, site_id=site.site.id)
    check = verify_plan(plan, site, grid, series)
    assert check.ok, check.violations
    assert check.recomputed_cost == pytest.approx(evaluate(problem, first.solution)[0])
    assert again.solution.placement == first.solution.placement
    report = first.report()
    assert report["relaxed.status"] in ("feasible", "optimal")
    assert report["relaxed.stopped_by_clock"] is False
    # A wall too short for the descent's moves: the report says the clock ended it.
    rushed = relaxed_plan(problem, work=0.05, moves=10**6, wall_seconds=1.0, seed=0)
    assert rushed.solution is not None and rushed.descent_stopped_by_clock
    assert rushed.report()["relaxed.stopped_by_clock"] is True
    # Too little wall to place the jobs and descend: not started, and the report says so.
    skipped = relaxed_plan(problem, work=0.3, moves=1500, wall_seconds=0.3, seed=0)
    assert skipped.solution is None and skipped.note == "not started: 0.30 s left"
    assert skipped.report()["relaxed.stopped_by_clock"] is True
    # Where the demand charges are most of the bill, placing every job at once beats moving
    # one at a time with the same moves: 22,855 $ against 28,005 $ here (seed 0, 0.3 units,
    # 1,500 moves).
    assert evaluate(problem, first.solution)[0] < evaluate(
        problem, heuristic_plan(problem, 0, 1500, 120.0))[0]


def test_a_job_the_committed_units_cannot_take_where_it_was_placed_goes_elsewhere():
    # The relaxation has no unit commitment: H1 may start once a day and is in maintenance
    # between the two jobs placed on it, so the later one goes where it costs least instead
    # (H2), and no job is lost.
    site = inputs([heater("H1", capacity=100, max_starts_per_day=1),
                   heater("H2", capacity=100)],
                  [job("A", 80, 1, 1, 4), job("B", 80, 1, 14, 17)],
                  windows=[maintenance("H1", 8, 10)], billed_peak_kw=10)
    problem = problem_of(site)
    a_start = next(s for u, s in problem.jobs[0].candidates if u == 0)
    b_start = next(s for u, s in problem.jobs[1].candidates if u == 0)
    solution = heuristic_from(problem, 0, [(0, a_start), (0, b_start)], 0, 10.0)
    assert all(place is not None for place in solution.placement)
    assert solution.placement[0] == (0, a_start)
    assert solution.placement[1][0] == 1
    grid, series = horizon(site)
    plan = solution_to_plan(problem, solution, site, site_id=site.site.id)
    assert verify_plan(plan, site, grid, series).ok


def test_no_relaxed_plan_without_demand_charges(tmp_path):
    site, grid, series = _thirty_job_day(tmp_path / "s30")
    problem = dataclasses.replace(build_problem(site, grid, series, ScheduleOptions()),
                                  demand=[])
    result = relaxed_plan(problem, work=0.3, moves=100, wall_seconds=10.0, seed=0)
    assert result.solution is None and result.outcome is None
    assert result.report() == {"relaxed.note": "no demand charges"}


def test_the_optimizer_offers_the_relaxed_plan_and_reports_its_search(tmp_path):
    site, grid, series = _thirty_job_day(tmp_path / "s30")
    result = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=6))
    assert result.ok
    relaxed = [c for c in result.candidates if c["source"] == "relaxed plan"]
    assert relaxed and relaxed[0]["verified"]
    assert result.verification.recomputed_cost <= relaxed[0]["cost"] + 1e-6
    parameters = result.plan.solver.parameters
    assert parameters["engine.relaxed.status"] in ("feasible", "optimal")
    assert "engine.relaxed.stopped_by_clock" in parameters
