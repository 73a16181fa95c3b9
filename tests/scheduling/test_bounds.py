"""Valid strengthening: demand-peak cuts, redundant cumulatives, neighbourhood search."""

from __future__ import annotations

import time

import numpy as np
import pytest

from heatcraft.scheduling import ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.backends import solve_with
from heatcraft.scheduling.evaluation import Solution, electric_kw, evaluate
from heatcraft.scheduling.formulation import build_model, decode
from heatcraft.scheduling.heuristic import heuristic_plan
from heatcraft.scheduling.linear_model import LinearModel
from heatcraft.scheduling.mip_neighbourhood import _shifted, improve_by_neighbourhoods
from heatcraft.scheduling.peak_bounds import demand_bounds
from heatcraft.scheduling.plan_builder import solution_to_plan
from heatcraft.tariffs import tiered_cost
from tests.scheduling.sites import (
    heater,
    horizon,
    inputs,
    job,
    peaky_site,
    problem_of,
    tou_tariff,
)


def _optimum(problem, backend="highs", **model_options) -> tuple[float, float]:
    model, index = build_model(problem, allow_drops=False, **model_options)
    outcome = solve_with(backend, model, time_limit_s=30, threads=2, seed=0, relative_gap=1e-7)
    if backend == "cpsat":  # optimal on its grid, which is no proof for the exact model
        assert outcome.parameters["grid_model_status"] == "OPTIMAL"
    else:
        assert outcome.status == "optimal"
    return outcome.objective, sum(evaluate(problem, decode(problem, index, outcome.values)))


def test_demand_cuts_keep_the_optimum_and_stay_below_every_plan():
    problem = problem_of(peaky_site())
    bounds = demand_bounds(problem, work=2.0, wall_seconds=20.0, seed=0)
    plain, plain_cost = _optimum(problem)
    cut, cut_cost = _optimum(problem, demand_bounds=bounds)
    assert cut == pytest.approx(plain, rel=1e-6) and cut_cost == pytest.approx(plain_cost, rel=1e-6)
    # Every bound sits at or below what the optimal plan really pays.
    model, index = build_model(problem, allow_drops=False)
    outcome = solve_with("highs", model, time_limit_s=30, threads=2, seed=0, relative_gap=1e-7)
    elec = electric_kw(problem, decode(problem, index, outcome.values))
    peaks = [max(float(elec[b].mean()) for b in t.blocks) for t in problem.demand]
    for term, kw, bound in zip(problem.demand, peaks, bounds.peak_kw, strict=True):
        assert bound <= max(kw, term.floor_kw) + 1e-6
    paid = sum(tiered_cost(max(kw, t.floor_kw), t.tiers) for t, kw in zip(problem.demand, peaks,
                                                                          strict=True))
    assert bounds.charges <= paid + 1e-6
    # And they are not trivial: some peak bound lies above its billed floor.
    assert any(b > t.floor_kw + 1 for t, b in zip(problem.demand, bounds.peak_kw, strict=True))


def test_demand_cuts_hold_off_the_grid():
    # Base load, powers and demand rates off CP-SAT's 0.1 kW and cent grids: the cuts must
    # still lie below the optimal plan's peaks and charges, so that the optimum stays.
    site = inputs([heater("H1", capacity=120), heater("HP", capacity=100, type="heat_pump",
                                                      efficiency=3.0)],
                  [job("A", 90.05, 2, 0, 10), job("B", 80.07, 2, 0, 10),
                   job("C", 61.3, 1, 6, 12)],
                  base_load_kw=20.05, tariff=tou_tariff(12.345))
    problem = problem_of(site)
    bounds = demand_bounds(problem, work=2.0, wall_seconds=20.0, seed=0)
    model, index = build_model(problem, allow_drops=False)
    outcome = solve_with("highs", model, time_limit_s=30, threads=2, seed=0, relative_gap=1e-9)
    elec = electric_kw(problem, decode(problem, index, outcome.values))
    peaks = [max(float(elec[b].mean()) for b in t.blocks) for t in problem.demand]
    assert all(bound <= kw + 1e-9 for bound, kw in zip(bounds.peak_kw, peaks, strict=True))
    assert bounds.charges <= sum(tiered_cost(kw, t.tiers)
                                 for t, kw in zip(problem.demand, peaks, strict=True)) + 1e-9
    cut, _ = _optimum(problem, demand_bounds=bounds)
    assert cut == pytest.approx(outcome.objective, rel=1e-7)


def test_redundant_cumulatives_keep_the_cpsat_optimum():
    problem = problem_of(peaky_site())
    with_intervals, _ = _optimum(problem, backend="cpsat")
    without, _ = _optimum(problem, backend="cpsat", redundant_cumulatives=False)
    assert with_intervals == pytest.approx(without, abs=0.05)
    exact, _ = _optimum(problem, backend="highs", redundant_cumulatives=False)
    # CP-SAT solves on a 0.1 kW grid, which can cost a few dollars at 27 $/kW of demand.
    assert exact - 1e-6 <= with_intervals <= exact + 27 * 0.2


def test_reported_bound_never_exceeds_the_verified_cost():
    site = peaky_site()
    grid, series = horizon(site)
    result = optimize_plan(site, grid, series, ScheduleOptions(backend="highs", time_limit_s=8))
    report = result.plan.solver
    assert result.verification.ok and report.bound is not None
    assert report.bound <= result.verification.recomputed_cost + 1e-6
    assert verify_plan(result.plan, site, grid, series).ok


def test_neighbourhood_search_only_improves_and_keeps_every_limit():
    site = peaky_site()
    problem = problem_of(site)
    start = heuristic_plan(problem, 0, 50, 1.0)
    assert all(place is not None for place in start.placement)
    better, report = improve_by_neighbourhoods(problem, start, rounds=4,
                                               deadline=time.monotonic() + 30, seed=0, size=3)
    assert report.rounds == 4 and sum(evaluate(problem, better)) <= report.start_cost + 1e-9
    grid, series = horizon(site)
    plan = solution_to_plan(problem, Solution(better.placement, better.on), site, site_id="t")
    assert verify_plan(plan, site, grid, series).ok


def test_fixed_variables_move_into_the_row_bounds():
    m = LinearModel()
    free, fixed = m.binary("free"), m.binary("fixed", 1.0, 1.0)
    m.add_row({free: 2.0, fixed: 3.0}, lower=1.0, upper=4.0)
    m.add_row({fixed: 1.0}, lower=1.0)  # nothing left to decide: no row
    assert len(m.rows) == 1
    row = m.rows[0]
    assert row.variables == [free] and (row.lower, row.upper) == (-2.0, 1.0)


def test_the_neighbourhood_search_objective_is_the_bill_less_the_min_load_energy():
    # CP-SAT searches neighbourhoods on the jobs' energy and the demand charges in whole cents:
    # a plan's search objective is its bill less what its units' min load adds to their heat.
    from heatcraft.scheduling.evaluation import unit_heat
    from heatcraft.scheduling.formulation import hint_values
    from heatcraft.scheduling.mip_neighbourhood import _search_objective
    from tests.scheduling.test_commitment_bound import idle_site

    for site in (peaky_site(), idle_site()):
        problem = problem_of(site)
        model, index = build_model(problem, tight_linking=False, redundant_cumulatives=False,
                                   allow_drops=False)
        _search_objective(problem, model, index)
        assert all(abs(c * 100 - round(c * 100)) < 1e-9 for c in model.objective.values())
        plan = heuristic_plan(problem, 0, 50, 1.0)
        values = hint_values(problem, model, index, plan)
        searched = model.objective_constant + sum(c * values[v]
                                                  for v, c in model.objective.items())
        heat = unit_heat(problem, plan.placement)
        min_load_energy = 0.0
        for unit in problem.units:
            top_up = np.where(plan.on[unit.index],
                              np.maximum(unit.min_load_kw - heat[unit.index], 0.0), 0.0)
            min_load_energy += float((top_up * problem.energy_price).sum()) \
                * problem.step_hours / unit.efficiency
        decisions = sum(1 for v in model.objective if values[v] != 0.0)
        # Rounding to cents moves each priced decision by at most half a cent.
        assert searched == pytest.approx(sum(evaluate(problem, plan)) - min_load_energy,
                                         abs=0.005 * decisions)
    assert min_load_energy > 100.0  # the idle site's unit runs below its min load for hours


def test_a_peak_reached_twice_is_lowered_by_moving_jobs_at_both_moments_at_once():
    # Two pairs of 50 kW jobs overlap at 02:00 and at 20:00 (a flat demand charge), each
    # pair beside two small jobs. A neighbourhood of four jobs around one of the moments can
    # part its pair but leaves the peak at the other: it saves nothing. Only freeing both
    # pairs at once lowers the peak (`_plateau`); before it, every round around the peak
    # freed the same four jobs at 02:00.
    site = inputs([heater("H1"), heater("H2")],
                  [job("A", 50, 1, 1, 5), job("B", 50, 1, 1, 5),
                   job("C", 50, 1, 18, 22), job("D", 50, 1, 18, 22),
                   job("E", 10, 1, 3, 8), job("F", 10, 1, 3, 8),
                   job("G", 10, 1, 15, 20), job("H", 10, 1, 15, 20)],
                  tariff=tou_tariff(18.0, flat=True))
    problem = problem_of(site)
    # (unit, start step): the pairs side by side at 02:00 and 20:00, the small jobs alone
    placement = [(0, 8), (1, 8), (0, 80), (1, 80), (0, 24), (1, 24), (0, 64), (1, 64)]
    on = np.zeros((2, problem.n_steps), dtype=bool)
    for (unit, start), item in zip(placement, problem.jobs, strict=True):
        on[unit, start:start + item.steps] = True
    start = Solution(placement, on)
    assert electric_kw(problem, start).max() == pytest.approx(100.0)
    better, report = improve_by_neighbourhoods(problem, start, rounds=4,
                                               deadline=time.monotonic() + 30, seed=0, size=4)
    assert report.improved >= 1
    assert electric_kw(problem, better).max() == pytest.approx(50.0)


def _pairs_overlapping_by_one_step():
    """Four pairs of 50 kW jobs, each pair on the two heaters overlapping by one 15-minute
    step (100 kW) at 01:45, 04:45, 14:45 and 21:45, under a flat demand charge."""
    hours = (1.0, 4.0, 14.0, 21.0)
    jobs = []
    for k, hour in enumerate(hours):
        jobs += [job(f"A{k}", 50, 1, hour - 0.5, hour + 2.5),
                 job(f"B{k}", 50, 1, hour - 0.5, hour + 2.5)]
    site = inputs([heater("H1"), heater("H2")], jobs, tariff=tou_tariff(18.0, flat=True))
    problem = problem_of(site)
    placement = []
    for hour in hours:
        placement += [(0, int(hour * 4)), (1, int(hour * 4) + 3)]
    on = np.zeros((2, problem.n_steps), dtype=bool)
    for (unit, start), item in zip(placement, problem.jobs, strict=True):
        on[unit, start:start + item.steps] = True
    return site, problem, Solution(placement, on)


def test_the_shift_keeps_each_job_on_its_unit_within_its_reach():
    _, problem, start = _pairs_overlapping_by_one_step()
    shifted = _shifted(problem, start, reach=1)
    for job_data, (unit, step) in zip(shifted.jobs, start.placement, strict=True):
        assert {u for u, _ in job_data.candidates} == {unit}
        assert sorted(s for _, s in job_data.candidates) == [step - 1, step, step + 1]


def test_a_peak_reached_at_more_moments_than_a_neighbourhood_reaches_is_lowered_by_the_shift():
    # Parting one pair saves nothing while the others still peak at 100 kW; a neighbourhood of
    # two jobs parts one pair, the plateau's (one job at each of three moments) three at most.
    # One step later for each second job of a pair parts all four at once: only the shift does.
    site, problem, start = _pairs_overlapping_by_one_step()
    assert electric_kw(problem, start).max() == pytest.approx(100.0)
    local, alone = improve_by_neighbourhoods(problem, start, rounds=8,
                                             deadline=time.monotonic() + 30, seed=0, size=2)
    assert alone.improved == 0 and alone.shifts == 0
    assert electric_kw(problem, local).max() == pytest.approx(100.0)
    better, report = improve_by_neighbourhoods(problem, start, rounds=2,
                                               deadline=time.monotonic() + 30, seed=0, size=2,
                                               shift_every=2)
    assert report.shifts == 1 and report.shifts_improved == 1
    assert electric_kw(problem, better).max() == pytest.approx(50.0)
    grid, series = horizon(site)
    assert verify_plan(solution_to_plan(problem, better, site, site_id="t"), site, grid,
                       series).ok
