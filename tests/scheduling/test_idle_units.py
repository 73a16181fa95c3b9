"""A returned plan does not keep a unit on without a job where switching it off keeps every
limit and costs nothing: with no min load and no startup energy that is a tie, which a planner
would read as a unit left running for hours."""

from __future__ import annotations

import numpy as np
import pytest

from heatcraft.scheduling import ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.evaluation import Solution, unit_heat
from heatcraft.scheduling.plan_builder import plan_to_solution, solution_to_plan
from heatcraft.scheduling.problem import UnitData, build_problem
from heatcraft.scheduling.step_commitment import blocks_of, commitment_ok, switch_off_idle
from tests.scheduling.random_sites import random_site
from tests.scheduling.sites import heater, horizon, inputs, job

OPTIONS = ScheduleOptions(time_limit_s=3)


# Sites where, before the idle switch-off, the chosen plan kept a unit on without a job at no
# cost (site 0: U0 for an hour from 17:30; 25: U0 from 21:30 to midnight; 38: U2 for five
# hours from 14:45).
@pytest.mark.parametrize("seed", [0, 25, 38])
def test_no_unit_idles_on_where_switching_it_off_costs_nothing(seed):
    site = random_site(seed)
    grid, series = horizon(site)
    result = optimize_plan(site, grid, series, OPTIONS)
    assert result.verification.ok
    cost = result.verification.recomputed_cost
    problem = build_problem(site, grid, series, OPTIONS)
    solution = plan_to_solution(problem, result.plan)
    busy = unit_heat(problem, solution.placement) > 0
    for unit in problem.units:
        idle = solution.on[unit.index] & ~busy[unit.index]
        for first, end in blocks_of(idle):
            on = solution.on.copy()
            on[unit.index, first:end] = False
            plan = solution_to_plan(problem, Solution(solution.placement, on), site, site_id="t")
            check = verify_plan(plan, site, grid, series)
            assert not (check.ok and check.recomputed_cost <= cost + 1e-9), (
                f"{unit.equipment_id} idles on in steps {first}-{end - 1} at no cost "
                f"({check.recomputed_cost} <= {cost})")


def test_a_unit_stays_on_between_jobs_where_a_restart_would_cost_energy():
    # Startup energy makes idling between two close jobs (no min load) the cheaper choice.
    site = inputs([heater("H", capacity=100, startup_energy_kwh=20.0)],
                  [job("A", 50, 1, 2, 3), job("B", 50, 1, 5, 6)],
                  billed_peak_kw=0, base_load_kw=0)
    grid, series = horizon(site)
    result = optimize_plan(site, grid, series, OPTIONS)
    assert result.verification.ok
    runs = [(r.start, r.end) for r in result.plan.runs]
    assert len(runs) == 1, runs


def test_a_run_keeps_the_idle_steps_its_min_run_needs_and_no_more():
    n = 16
    unit = UnitData(index=0, equipment_id="H", capacity_kw=100.0, min_load_kw=0.0,
                    efficiency=1.0, electric=True, fuel_price=0.0, startup_kwh=0.0, min_run=4,
                    min_off=2, max_starts=None, parallel=1, initial_on=False,
                    fixed_on=np.full(n, -1, dtype=np.int8))
    busy = np.zeros(n, dtype=bool)
    busy[[2, 3, 12]] = True
    on = np.zeros(n, dtype=bool)
    on[2:] = True  # on from the first job to the horizon's end, idle between the jobs
    days = np.zeros(n, dtype=int)
    assert commitment_ok(unit, on, days)
    quieter = switch_off_idle(unit, on, busy, days, cost_of=lambda steps: float(steps.sum()))
    # The first run keeps two idle steps for its min run of 4; the second starts with its job
    # and keeps the steps after it, which a run that ends inside the horizon would need.
    assert np.flatnonzero(quieter).tolist() == [2, 3, 4, 5, 12, 13, 14, 15]
    assert commitment_ok(unit, quieter, days)
