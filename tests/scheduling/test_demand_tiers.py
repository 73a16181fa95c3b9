"""Demand tiers in the model: exact where the billed peak can reach, never a hidden peak cap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heatcraft.scheduling import ScheduleOptions, optimize_plan
from heatcraft.scheduling.backends import solve_with
from heatcraft.scheduling.evaluation import evaluate
from heatcraft.scheduling.formulation import build_model, hint_values
from heatcraft.scheduling.heuristic import heuristic_plan
from heatcraft.scheduling.problem import DemandTerm
from heatcraft.tariffs import tiered_cost
from heatcraft.tariffs.native import tariff_from_native
from tests.scheduling.sites import heater, horizon, inputs, job, problem_of

# A dear first block, then a cheaper rate: the shape of many utility demand charges (the
# example plant_b's URDB tariff: 13.52 $/kW up to 100 kW, then 7.85 $/kW).
FALLING = ((100.0, 20.0), (None, 5.0))


def falling_tariff():
    doc = {"name": "falling", "currency": "USD", "periods": {"flat": {"energy": 0.10}},
           "seasons": [{"name": "all", "months": list(range(1, 13)),
                        "weekday": {"00-24": "flat"}}],
           "flat_demand": [{"months": list(range(1, 13)),
                            "rate": [{"max_kw": 100.0, "rate": 20.0}, {"rate": 5.0}]}]}
    return tariff_from_native(doc, "falling", Path("."))


def term(floor_kw: float) -> DemandTerm:
    return DemandTerm(key="flat", blocks=[np.array([0])], tiers=FALLING, floor_kw=floor_kw)


def test_tiers_below_the_billed_floor_leave_the_model():
    above = term(floor_kw=250.0)
    assert above.segments() == [(100.0, 5.0)] and above.convex
    for kw in (0.0, 250.0, 300.0, 1_000.0):
        assert above.epigraph_charge(kw) == pytest.approx(tiered_cost(max(kw, 250.0), FALLING))


def test_falling_tiers_the_peak_can_reach_are_charged_at_least_the_bill():
    below = term(floor_kw=0.0)
    assert below.segments() == [(0.0, 20.0), (100.0, 5.0)] and not below.convex
    # The rows take the highest tier line: exact at the breakpoint, dearer elsewhere, never
    # cheaper than the bill (so the plan's priced cost is an upper estimate, and the tariff
    # is flagged inexact: no bound is claimed).
    assert below.epigraph_charge(100.0) == pytest.approx(tiered_cost(100.0, FALLING))
    for kw in (10.0, 50.0, 150.0, 300.0):
        assert below.epigraph_charge(kw) > tiered_cost(kw, FALLING)
    assert below.epigraph_charge(300.0) == pytest.approx(6_000.0)


def two_big_jobs(billed_peak_kw: float):
    # 2 x 150 kW at once, so the peak must reach 300 kW.
    return inputs([heater("H1", capacity=150), heater("H2", capacity=150)],
                  [job("A", 150, 4, 0, 4), job("B", 150, 4, 0, 4)],
                  tariff=falling_tariff(), billed_peak_kw=billed_peak_kw)


def test_a_billed_peak_above_the_dear_block_makes_the_tariff_exact():
    site = two_big_jobs(billed_peak_kw=150.0)
    grid, series = horizon(site)
    problem = problem_of(site)
    assert problem.exact_tariff
    result = optimize_plan(site, grid, series, ScheduleOptions(backend="highs", time_limit_s=20))
    assert result.ok
    solver = result.plan.solver
    assert solver.status == "optimal"
    # With exact rows the bound is the bill's: proven, not an estimate.
    assert solver.bound == pytest.approx(solver.objective, rel=1e-4)


def test_falling_tiers_never_cap_the_peak():
    # Billed floor 0: the rows charge 20 $/kW on the whole 300 kW. The charge variable's upper
    # bound once stopped at the bill's cost at the top peak, which capped the peak and made
    # this plan (the only one) infeasible in the model.
    site = two_big_jobs(billed_peak_kw=0.0)
    problem = problem_of(site)
    assert not problem.exact_tariff
    model, index = build_model(problem, tight_linking=False, redundant_cumulatives=False,
                               allow_drops=False)
    plan = heuristic_plan(problem, 0, 200, 5.0)
    values = hint_values(problem, model, index, plan)
    (peak,), (charge,) = index.peak, index.charge
    assert values[peak] == pytest.approx(300.0)
    assert model.lower[charge] <= values[charge] <= model.upper[charge]
    outcome = solve_with("highs", model, time_limit_s=20, threads=1, seed=0,
                         relative_gap=1e-6)
    assert outcome.status == "optimal"
    assert outcome.values[peak] == pytest.approx(300.0)
    # The model's price is the bill's with the rows' overcharge at 300 kW (6,000 - 3,000 $).
    overcharge = problem.demand[0].epigraph_charge(300.0) - tiered_cost(300.0, FALLING)
    assert overcharge == pytest.approx(3_000.0)
    assert outcome.objective == pytest.approx(evaluate(problem, plan)[0] + overcharge, rel=1e-6)
