"""The whole-bill search: its proven optimum is the linear model's, its plan keeps every limit."""

from __future__ import annotations

import dataclasses

import pytest

from heatcraft.models import UnitState
from heatcraft.scheduling import ScheduleOptions, optimize_plan
from heatcraft.scheduling.bill_search import bill_search, unsupported
from heatcraft.scheduling.evaluation import evaluate
from heatcraft.scheduling.heuristic import heuristic_plan
from heatcraft.scheduling.plan_builder import solution_to_plan
from heatcraft.scheduling.verifier import verify_plan
from tests.scheduling.sites import (
    boiler,
    heater,
    horizon,
    idle_site,
    inputs,
    job,
    maintenance,
    peaky_site,
    problem_of,
    proven_optimum,
    tou_tariff,
)


def mixed_site():
    """Every kind of limit at once: a unit on since the night before and still inside its min
    run, min off, startup energy, a shared unit whose jobs together fall below its min load,
    a gas boiler, maintenance and a contract peak."""
    return inputs(
        [heater("H1", capacity=150, min_load_kw=40, min_run_minutes=90, min_off_minutes=240,
                startup_energy_kwh=10, initial_state=UnitState.ON, initial_state_minutes=30),
         heater("HP", capacity=120, min_load_kw=70, type="heat_pump", efficiency=3.0,
                max_parallel_jobs=2, startup_energy_kwh=5, max_starts_per_day=2),
         boiler("GB", capacity=200, min_load_kw=50, min_run_minutes=60, startup_energy_kwh=20)],
        [job("A", 90, 2, 0, 4), job("B", 30, 1, 2, 5, allowed_equipment=("HP",)),
         job("C", 30, 1, 2, 5, allowed_equipment=("HP",)), job("D", 100, 3, 10, 15),
         job("E", 60, 1, 8, 12, allowed_equipment=("H1", "HP")), job("F", 120, 2, 15, 19),
         job("G", 50, 1.5, 19, 23)],
        windows=(maintenance("GB", 12, 15), maintenance("H1", 15, 16)),
        contract_peak_kw=180, billed_peak_kw=40, base_load_kw=20)


def contract_site():
    """Night energy is cheap and the demand charge tiny, so the three jobs would all run at
    night together; the contract peak lets only two overlap."""
    return inputs([heater("H1", capacity=200, max_parallel_jobs=2), heater("H2", capacity=200)],
                  [job("A", 80, 8, 0, 16), job("B", 80, 8, 0, 16), job("C", 80, 8, 0, 16)],
                  tariff=tou_tariff(0.1), contract_peak_kw=180, base_load_kw=20)


def min_off_site():
    """Two hours between H1's two jobs, four hours of min off: H1 idles between them; H2
    must run five hours once started, at its min load after its one-hour job."""
    return inputs([heater("H1", capacity=100, min_load_kw=50, min_off_minutes=240),
                   heater("H2", capacity=100, min_load_kw=60, min_run_minutes=300)],
                  [job("A", 80, 1, 1, 2, allowed_equipment=("H1",)),
                   job("B", 80, 1, 4, 5, allowed_equipment=("H1",)),
                   job("C", 70, 1, 12, 20, allowed_equipment=("H2",))], base_load_kw=20)


def gas_boilers_site():
    """Gas at 0.03 $/kWh on boilers of 90 % and 85 % (D = 153), the first shared by two jobs:
    with money on the 10^5-unit grid alone each 0.1 kW of its output was priced at 127 units
    for 127.5, and the proven optimum came out 0.05 $ (0.4 %) under the bill."""
    return inputs([boiler("U0", capacity=240, efficiency=0.9, min_run_minutes=15,
                          min_off_minutes=180, startup_energy_kwh=5, max_parallel_jobs=2,
                          initial_state=UnitState.ON, initial_state_minutes=240),
                   boiler("U1", capacity=150, efficiency=0.85, max_starts_per_day=2)],
                  [job("J0", 90, 1.5, 3, 5.5, allowed_equipment=("U0",)),
                   job("J1", 125, 1, 14, 23), job("J2", 130, 1, 16, 18)],
                  windows=(maintenance("U0", 14, 16),), tariff=tou_tariff(5.0, flat=True),
                  billed_peak_kw=100)


def _search(problem, work=20.0, seed=0):
    start = heuristic_plan(problem, 0, 300, 2.0)
    return bill_search(problem, start, None, work=work, wall_seconds=60.0, seed=seed)


@pytest.mark.parametrize("site", [idle_site, peaky_site, mixed_site, contract_site,
                                  min_off_site, gas_boilers_site])
def test_its_optimum_is_the_linear_models_and_its_plan_pays_it(site):
    # Two models of the same bill: a row missing here would put the optimum below HiGHS's,
    # a row too many above it. The objective rounds down by under a cent.
    site_inputs = site()
    problem = problem_of(site_inputs)
    optimum = proven_optimum(problem)
    found = _search(problem)
    assert found.outcome.status == "optimal"
    assert found.bound == pytest.approx(optimum, abs=0.01)
    assert found.outcome.objective <= optimum + 1e-3  # HiGHS solves to its tolerances
    grid, series = horizon(site_inputs)
    plan = solution_to_plan(problem, found.solution, site_inputs, site_id="t")
    check = verify_plan(plan, site_inputs, grid, series)
    assert check.ok, check.violations
    assert check.recomputed_cost == pytest.approx(optimum, abs=0.05)
    assert evaluate(problem, found.solution)[0] == pytest.approx(check.recomputed_cost)


def test_the_bound_holds_where_the_grids_round():
    # Base load and demand rate off every grid, an efficiency of 0.87 (input on 1/87 kW):
    # the rows and prices round down, so the bound may fall a little below, never above.
    site = inputs([heater("H1", capacity=120, min_load_kw=30.5, max_starts_per_day=1,
                          startup_energy_kwh=7.77, efficiency=0.87),
                   heater("HP", capacity=100, type="heat_pump", efficiency=3.0)],
                  [job("A", 90, 2, 0, 10), job("B", 80.5, 2, 0, 10),
                   job("C", 61.3, 1, 6, 12), job("D", 45.5, 1, 14, 20)],
                  base_load_kw=20.05, tariff=tou_tariff(12.345))
    problem = problem_of(site)
    optimum = proven_optimum(problem)
    found = _search(problem)
    assert found.outcome.status == "optimal"
    assert optimum - 1.0 <= found.bound <= optimum + 1e-6


def test_days_off_its_grids_are_left_to_the_other_engines():
    problem = problem_of(idle_site())
    off_grid = dataclasses.replace(problem.jobs[0], heat_kw=150.05)
    assert "0.1 kW" in unsupported(dataclasses.replace(
        problem, jobs=[off_grid, *problem.jobs[1:]]))
    odd = dataclasses.replace(problem.units[0], efficiency=0.912345678)
    assert "denominator" in unsupported(dataclasses.replace(
        problem, units=[odd, *problem.units[1:]]))
    prices = problem.energy_price.copy()
    prices[0] = -0.01  # a job's energy could then pay: the objective would be no bound
    found = _search(dataclasses.replace(problem, energy_price=prices))
    assert found.outcome is None and found.solution is None and "negative" in found.note


def test_a_counted_search_repeats():
    # 0.05 units end the search before its proof (it needs about 0.2 on this site), so the
    # count, not the clock or the proof, stops it, at the same place each time.
    problem = problem_of(mixed_site())
    first, again = _search(problem, work=0.05), _search(problem, work=0.05)
    assert first.outcome.status == "feasible"
    assert first.outcome.parameters["stopped_by_clock"] is False
    assert first.bound == again.bound
    assert first.solution.placement == again.solution.placement
    assert (first.solution.on == again.solution.on).all()


def test_the_optimizer_proves_a_small_day_with_it():
    # auto: the commitment search proves its relaxation, so the whole-bill search takes the
    # engine's place; an engine the planner names keeps it.
    site = idle_site()
    grid, series = horizon(site)
    result = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=10))
    report = result.plan.solver
    assert result.ok and report.status == "optimal"
    assert report.engine == "CP-SAT (whole bill)"
    assert report.parameters["engine.commitment.status"] == "optimal"
    assert report.gap <= 1e-4
    offered = [c for c in result.candidates if c["source"] == "whole-bill search"]
    assert offered and offered[0]["verified"]
    assert report.objective == pytest.approx(proven_optimum(problem_of(site)), abs=0.05)
    named = optimize_plan(site, grid, series, ScheduleOptions(backend="highs", time_limit_s=10))
    assert named.plan.solver.engine.startswith("HiGHS")


def test_a_trip_replan_through_it_keeps_the_past_and_matches_highs():
    # The past is fixed on-states and frozen jobs; H1 trips at 05:00 inside its two-hour min
    # run (exempt) while a job runs on it. Both engines prove the same re-plan's optimum.
    from heatcraft.scheduling import FrozenState
    from tests.scheduling.sites import at

    site = inputs([heater("H1", capacity=150, min_load_kw=30, min_run_minutes=120),
                   heater("H2", capacity=150, min_load_kw=20, min_off_minutes=60)],
                  [job("DONE", 50, 1, 0, 3, allowed_equipment=("H1",)),
                   job("RUNNING", 80, 2, 4, 10), job("NEXT", 50, 2, 6, 20),
                   job("LATER", 60, 2, 6, 20)], billed_peak_kw=40, base_load_kw=20)
    grid, series = horizon(site)
    first = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=10)).plan
    frozen = FrozenState(now=at(5), previous=first, tripped=frozenset({"H1"}))
    auto = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=10), frozen=frozen)
    named = optimize_plan(site, grid, series, ScheduleOptions(time_limit_s=10, backend="highs"),
                          frozen=frozen)
    assert auto.ok and named.ok
    assert auto.plan.solver.engine == "CP-SAT (whole bill)"
    assert auto.plan.solver.status == named.plan.solver.status == "optimal"
    assert auto.plan.solver.objective == pytest.approx(named.plan.solver.objective, abs=0.05)
    by_job = {a.job_id: a for a in auto.plan.assignments}
    assert by_job["DONE"] == next(a for a in first.assignments if a.job_id == "DONE")
    assert all(a.equipment_id == "H2" for a in auto.plan.assignments if a.start >= at(5))
