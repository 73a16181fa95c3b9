"""Every bound below HiGHS's proven optimum, every engine's plan verified at its price, on
seeded random small sites: a row missing from one model, or a bound that rounds the wrong
way, shows as a bound above the optimum or a plan below it. The checks are
tests.scheduling.cross_check's, which also sweeps hundreds of sites from the command line (a
longer run found the faults that test_optimizer's trap sites and test_bill_search's gas site
pin)."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from heatcraft.scheduling import ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.backends import solve_with
from heatcraft.scheduling.evaluation import Solution
from heatcraft.scheduling.formulation import build_model, decode, hint_values
from heatcraft.scheduling.plan_builder import solution_to_plan
from heatcraft.scheduling.problem import build_problem
from tests.scheduling.cross_check import (
    ALL_PLACED,
    LATE,
    replan_case,
    replan_faults,
    site_faults,
)
from tests.scheduling.random_sites import random_site
from tests.scheduling.sites import horizon


@pytest.mark.parametrize("seed", range(12))
def test_bounds_and_plans_agree_with_the_proven_optimum(seed):
    # Sites where not every job fits (2, 4 and 8) check that the optimizer drops some, says
    # why, and its plan holds; the others every bound and the default search.
    site = random_site(seed)
    grid, series = horizon(site)
    kind, faults = site_faults(site, grid, series)
    assert kind in ("optimal", "infeasible")
    assert faults == []


# Two days: windows and runs cross midnight and starts are counted per calendar day. Seed 1's
# jobs do not all fit on time: with late penalties the plan ends J3 half an hour late, priced
# against HiGHS's proof of the same problem; seed 0's fit, and no job may end late.
@pytest.mark.parametrize(("seed", "kind"), [(0, "optimal"), (1, "infeasible")])
def test_two_day_sites_with_late_penalties_agree_with_highs(seed, kind):
    site = random_site(seed, days=2)
    grid, series = horizon(site, days=2)
    assert site_faults(site, grid, series, late=LATE) == (kind, [])


def test_a_late_plan_is_priced_as_the_model_prices_it():
    site = random_site(1, days=2)
    grid, series = horizon(site, days=2)
    result = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=3,
                                                               late_penalty_per_hour=LATE))
    assert [(j["job_id"], j["late_minutes"], j["penalty"]) for j in result.late_jobs] == \
        [("J3", 30.0, 5.0)]  # priority 4: 10 $ an hour
    assert result.plan.solver.objective == pytest.approx(
        result.verification.recomputed_cost + 5.0, abs=0.01)


@pytest.mark.parametrize("seed", [0, 4])
def test_sites_across_two_billing_months_agree_with_highs(seed):
    # June 30 and July 1: each month bills its own peak (seed 0 on-peak and off-peak demand
    # charges, seed 4 a flat one of 18 $/kW).
    site = random_site(seed, date(2026, 6, 30), days=2)
    grid, series = horizon(site, days=2, first=date(2026, 6, 30))
    assert site_faults(site, grid, series) == ("optimal", [])


@pytest.mark.parametrize("seed", [0, 15])
def test_rising_demand_tiers_agree_with_highs(seed):
    # Each demand charge doubles 20-100 kW above the billed peak and the base load, and the
    # optimum's peaks pass it (3,043.75 -> 5,429.03 $ and 2,513.94 -> 3,608.48 $ with the tiers).
    site = random_site(seed, demand_tiers=True)
    grid, series = horizon(site)
    assert site_faults(site, grid, series) == ("optimal", [])


# Seeds where the trip takes jobs off a unit (morning, noon, night; two or three units) and
# the re-plan must drop some: HiGHS proves each re-plan, and the others are priced against it.
@pytest.mark.parametrize("seed", [0, 7, 27, 34])
def test_replans_after_a_trip_agree_with_highs(seed):
    assert replan_faults(seed) == []


# Two of those re-plans where each moved or dropped job costs 2 $ (bills of 3,072.63 and
# 152.73 $): the trip forces both moves of each (HiGHS moves the same jobs at 0 $), so every
# search and bound must price the same constant 4 $, and none crosses HiGHS's proof.
@pytest.mark.parametrize("seed", [0, 34])
def test_replans_with_a_move_penalty_agree_with_highs(seed):
    assert replan_faults(seed, move_penalty=2.0) == []


# The same with amounts by priority (8 $ for a first-priority job, 4 $ for a second, 1 $ for
# the rest), on two re-plans whose moves mix priorities (HiGHS moves jobs of priorities 1, 4,
# 4, 4, 5, 5 and 1, 3, 5): each move is priced at its own job's amount, by every search and
# by HiGHS.
@pytest.mark.parametrize("seed", [2, 7])
def test_replans_with_a_move_penalty_by_priority_agree_with_highs(seed):
    assert replan_faults(seed, move_penalty=(8.0, 4.0, 1.0)) == []


def test_a_replan_that_drops_jobs_is_proven_on_its_bill_not_on_its_penalties():
    # Sweep seed 110: the trip leaves jobs that no unit can take, 800 k$ of drop penalties
    # beside a bill of 171 $. At 1e-4 of that objective (80 $) HiGHS called a plan 1.25 $ dearer
    # than the optimum optimal; the engines now get 1e-4 of the bill, and a plan is optimal
    # only within 1e-4 of its bill.
    site, grid, series, _, frozen = replan_case(110)
    exact = optimize_plan(site, grid, series, ScheduleOptions(
        backend="highs", time_limit_s=20, relative_gap=1e-9), frozen=frozen)
    optimum = exact.plan.solver.objective
    assert exact.plan.dropped_jobs and exact.plan.solver.status == "optimal"
    result = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=3), frozen=frozen)
    report = result.plan.solver
    assert result.verification.ok
    assert report.objective == pytest.approx(optimum, abs=0.01)
    bill = report.objective - sum(ScheduleOptions().penalty(d.priority)
                                  for d in result.plan.dropped_jobs)
    assert report.status == "optimal" and bill < 1000 < report.objective
    assert report.parameters["bill_gap"] <= 1e-4
    assert report.parameters["bill_gap"] == pytest.approx(
        (report.objective - report.bound) / bill)


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
