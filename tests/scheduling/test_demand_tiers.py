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
    return DemandTerm(key="flat", blocks=[np.array([0])], tiers=FALLING, floor_kw=floor_kw,
                      convex=False)


def test_tiers_below_the_billed_floor_leave_the_model():
    above = term(floor_kw=250.0)
    assert above.segments() == [(100.0, 5.0)]
    for kw in (0.0, 250.0, 300.0, 1_000.0):
        assert above.model_cost(kw) == pytest.approx(above.cost(kw))


def test_falling_tiers_the_peak_can_reach_are_charged_at_least_the_bill():
    below = term(floor_kw=0.0)
    assert below.segments() == [(0.0, 20.0), (100.0, 5.0)]
    # The rows take the highest tier line: exact at the breakpoint, dearer elsewhere, never
    # cheaper than the bill (so the plan's priced cost is an upper estimate, and the tariff
    # is flagged inexact: no bound is claimed).
    assert below.model_cost(100.0) == pytest.approx(below.cost(100.0))
    for kw in (10.0, 50.0, 150.0, 300.0):
        assert below.model_cost(kw) > below.cost(kw)
    assert below.model_cost(300.0) == pytest.approx(6_000.0)


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
    values = hint_values(problem, index, plan)
    for var, kw in zip(index.peak, [300.0], strict=True):
        assert values[var] == pytest.approx(kw)
    for z in index.charge:
        assert model.lower[z] <= values[z] <= model.upper[z]
    outcome = solve_with("highs", model, time_limit_s=20, threads=1, seed=0,
                         relative_gap=1e-6)
    assert outcome.status == "optimal"
    assert outcome.values[index.peak[0]] == pytest.approx(300.0)
    assert outcome.objective == pytest.approx(evaluate(problem, plan)[0]
                                              + problem.demand[0].model_cost(300.0)
                                              - problem.demand[0].cost(300.0), rel=1e-6)
