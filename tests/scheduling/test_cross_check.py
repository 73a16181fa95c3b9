"""Every bound below HiGHS's proven optimum, every engine's plan verified at its price, on
seeded random small sites: a row missing from one model, or a bound that rounds the wrong
way, shows as a bound above the optimum or a plan below it. (A longer run of this check
found the faults that test_optimizer's trap sites and test_bill_search's gas site pin.)"""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from heatcraft.scheduling import ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.backends import solve_with
from heatcraft.scheduling.backends.mathopt import solve_mathopt
from heatcraft.scheduling.bill_search import bill_search, unsupported
from heatcraft.scheduling.commitment_bound import commitment_bound
from heatcraft.scheduling.evaluation import Solution
from heatcraft.scheduling.formulation import build_model, decode, hint_values
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


def _rows_hold(problem, model, index, solution) -> bool:
    """Does `solution` satisfy every bound and row of the linear model?"""
    if any(place is None for place in solution.placement):
        return False
    values = hint_values(problem, model, index, solution)  # None: a start or bound broken
    if values is None:
        return False
    for row in model.rows:
        activity = sum(c * values[v] for v, c in zip(row.variables, row.coefficients,
                                                     strict=True))
        slack = 1e-6 * max(1.0, abs(activity))
        if not row.lower - slack <= activity <= row.upper + slack:
            return False
    return True


def _mutated(problem, solution, rng: random.Random) -> Solution:
    """A job moved up to 3 steps or to another unit (its new steps switched on), an on-step
    toggled, or a run cut or stretched by a step at one of its ends."""
    placement, on = list(solution.placement), solution.on.copy()
    kind = rng.choice(["shift", "unit", "toggle", "edge"])
    j = rng.randrange(len(placement))
    u, start = placement[j]
    steps = problem.jobs[j].steps
    if kind == "shift":
        start = min(max(start + rng.choice([-3, -2, -1, 1, 2, 3]), 0), problem.n_steps - steps)
        placement[j] = (u, start)
        if rng.random() < 0.5:
            on[u, start:start + steps] = True
    elif kind == "unit" and len(problem.units) > 1:
        u = rng.choice([v for v in range(len(problem.units)) if v != u])
        placement[j] = (u, start)
        on[u, start:start + steps] = True
    else:
        u = rng.randrange(len(problem.units))
        edges = np.flatnonzero(np.diff(np.concatenate([[0], on[u].astype(int), [0]])))
        t = int(rng.choice(edges)) if kind == "edge" and len(edges) else \
            rng.randrange(problem.n_steps)
        t = min(t, problem.n_steps - 1) if rng.random() < 0.5 else max(t - 1, 0)
        on[u, t] = not on[u, t]
    return Solution(placement, on)


# Sites of random_site where every job fits (2, 4 and 8 do not).
FITTING = (0, 1, 3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19)


@pytest.mark.parametrize("seed", FITTING)
def test_the_verifier_and_the_models_rows_agree_on_broken_plans(seed):
    # Two independent statements of every limit: the verifier (plain Python on the plan) and
    # the model's rows (on the step decisions). Random breaks of an optimal plan must get the
    # same verdict from both; a scratch run over 588 sites (23,520 plans) found no disagreement.
    site = random_site(seed)
    grid, series = horizon(site)
    problem = build_problem(site, grid, series, ALL_PLACED)
    model, index = build_model(problem, allow_drops=False, redundant_cumulatives=False)
    exact = solve_with("highs", model, time_limit_s=30, threads=1, seed=0, relative_gap=1e-9)
    optimal = decode(problem, index, exact.values)
    rng = random.Random(seed)
    verdicts = []
    for _ in range(40):
        broken = _mutated(problem, optimal, rng)
        plan = solution_to_plan(problem, broken, site, site_id="t")
        held = verify_plan(plan, site, grid, series).ok
        assert held == _rows_hold(problem, model, index, broken), (broken.placement, held)
        verdicts.append(held)
    assert not all(verdicts)  # some breaks do break a limit
