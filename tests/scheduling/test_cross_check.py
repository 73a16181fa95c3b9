"""Every bound below HiGHS's proven optimum, every engine's plan verified at its price, on
seeded random small sites: a row missing from one model, or a bound that rounds the wrong
way, shows as a bound above the optimum or a plan below it. (A longer run of this check
found the faults that test_optimizer's trap sites and test_bill_search's gas site pin.)"""

from __future__ import annotations

import time

import pytest

from heatcraft.scheduling import ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.backends import solve_with
from heatcraft.scheduling.backends.mathopt import solve_mathopt
from heatcraft.scheduling.bill_search import bill_search, unsupported
from heatcraft.scheduling.commitment_bound import commitment_bound
from heatcraft.scheduling.formulation import build_model, decode
from heatcraft.scheduling.heuristic import heuristic_plan
from heatcraft.scheduling.peak_bounds import demand_bounds
from heatcraft.scheduling.plan_builder import solution_to_plan
from heatcraft.scheduling.problem import build_problem
from heatcraft.scheduling.window_bound import window_bound
from tests.scheduling.random_sites import random_site
from tests.scheduling.sites import horizon

ALL_PLACED = ScheduleOptions(backend="highs", time_limit_s=5, drop_penalty_per_priority=None)


def _at_most(bound: float | None, optimum: float) -> bool:
    """A bound holds: at most the optimum, to HiGHS's tolerances and under a cent."""
    return bound is None or bound <= optimum + 0.01 + 1e-6 * abs(optimum)


@pytest.mark.parametrize("seed", range(12))
def test_bounds_and_plans_agree_with_the_proven_optimum(seed):
    site = random_site(seed)
    grid, series = horizon(site)
    problem = build_problem(site, grid, series, ALL_PLACED)
    model, index = build_model(problem, allow_drops=False)
    exact = solve_with("highs", model, time_limit_s=30, threads=1, seed=0, relative_gap=1e-9)
    if exact.status == "infeasible" or any(not j.candidates for j in problem.jobs):
        # Not every job fits: the optimizer drops some, says why, and its plan holds.
        result = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=4))
        assert result.verification.ok and result.plan.dropped_jobs
        assert all(d.reason for d in result.plan.dropped_jobs)
        return
    assert exact.status == "optimal"
    optimum = exact.objective
    # The linear model prices its plan as the bill engine does.
    optimal = decode(problem, index, exact.values)
    check = verify_plan(solution_to_plan(problem, optimal, site, site_id="t"), site, grid,
                        series)
    assert check.ok, check.violations
    assert check.recomputed_cost == pytest.approx(optimum, abs=0.01)
    lp = solve_mathopt(model, "highs", relax=True, threads=1, seed=0, time_limit_s=30,
                       relative_gap=0.0, hint=None)
    assert _at_most(lp.bound, optimum)
    # The demand-peak cuts cut no optimal plan off.
    peaks = demand_bounds(problem, 1.0, 10.0, 0)
    cut, _ = build_model(problem, allow_drops=False, demand_bounds=peaks)
    with_cuts = solve_with("highs", cut, time_limit_s=30, threads=1, seed=0, relative_gap=1e-9)
    assert with_cuts.objective == pytest.approx(optimum, abs=0.01)
    start = heuristic_plan(problem, seed, 400, 5.0)
    if all(place is not None for place in start.placement):
        assert verify_plan(solution_to_plan(problem, start, site, site_id="t"), site, grid,
                           series).ok
    else:
        start = optimal
    assert _at_most(commitment_bound(problem, start, work=3.0, wall_seconds=20.0,
                                     seed=0).bound, optimum)
    assert _at_most(window_bound(problem, deadline=time.monotonic() + 20.0).bound, optimum)
    if unsupported(problem) is None:
        whole = bill_search(problem, start, peaks.peak_kw, work=10.0, wall_seconds=30.0, seed=0)
        assert _at_most(whole.outcome.bound, optimum)
        if whole.outcome.status == "optimal":
            assert whole.outcome.objective == pytest.approx(optimum, abs=0.01)
    result = optimize_plan(site, grid, series, ScheduleOptions(
        time_limit_s=4, drop_penalty_per_priority=None))
    assert result.verification.ok and not result.plan.dropped_jobs, result.warnings
    assert all(candidate["verified"] for candidate in result.candidates), result.candidates
    assert result.verification.recomputed_cost >= optimum - 0.01
    assert _at_most(result.plan.solver.bound, optimum)
