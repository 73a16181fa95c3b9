"""CP-SAT's grid models: `restrict` gives exact plans, `relax` gives exact bounds."""

from __future__ import annotations

import numpy as np
import pytest

from heatcraft.scheduling.backends.cpsat import solve_cpsat, solve_cpsat_bounded
from heatcraft.scheduling.backends.mathopt import solve_mathopt
from heatcraft.scheduling.linear_model import INF, LinearModel


def _charge_model() -> LinearModel:
    """min z with z >= 12.345 peak and peak >= 1.23: the exact optimum is 15.18435, off both
    the cent grid of z and the 0.1 kW grid of the peak."""
    m = LinearModel()
    peak = m.add_variable("peak", 1.23, 100.0, False, 10.0)
    z = m.add_variable("z", 0.0, 10_000.0, False, 100.0)
    m.add_row({z: 1.0, peak: -12.345}, lower=0.0)
    m.add_objective(z, 1.0)
    return m


def _cpsat(model: LinearModel, rounding: str):
    return solve_cpsat(model, time_limit_s=10, threads=1, seed=0, relative_gap=0.0, hint=None,
                       rounding=rounding)


def test_the_grid_bound_of_a_restriction_is_not_a_bound():
    exact = 12.345 * 1.23
    restricted = _cpsat(_charge_model(), "restrict")
    # Its plan is a plan of the exact model, at a price above the exact optimum...
    peak, z = restricted.values
    assert z - 12.345 * peak >= -1e-9 and peak >= 1.23
    assert restricted.status == "feasible" and restricted.objective >= exact
    # ...and CP-SAT's bound for the grid lies above the exact optimum, so it is not reported.
    assert restricted.bound is None
    assert restricted.parameters["grid_model_bound"] > exact + 0.5
    assert restricted.parameters["grid_model_status"] == "OPTIMAL"


def test_the_relaxation_bounds_the_exact_optimum_within_a_grid_step():
    exact = 12.345 * 1.23
    relaxed = _cpsat(_charge_model(), "relax")
    assert relaxed.status == "optimal" and relaxed.values is None
    # The grid cannot hold peak >= 1.23, only >= 1.2: the bound gives up at most one grid
    # step of each variable at its coefficient (0.1 kW at 12.345 $/kW and a cent).
    assert exact - (0.1 * 12.345 + 0.01) <= relaxed.bound <= exact


def test_the_relaxation_gives_way_where_the_grid_cannot_meet_a_row():
    # z >= 0.005 as a row: the cent grid holds z = 0 or 0.01, and only the row's slack for
    # rounding z down keeps the exact optimum 0.005 above the bound.
    m = LinearModel()
    z = m.add_variable("z", 0.0, 1.0, False, 100.0)
    m.add_row({z: 1.0}, lower=0.005)
    m.add_objective(z, 1.0)
    assert _cpsat(m, "relax").bound <= 0.005
    # max w with w <= 0.005: rounding w down can cost the objective a cent, which the bound
    # gives back.
    m = LinearModel()
    w = m.add_variable("w", 0.0, 1.0, False, 100.0)
    m.add_row({w: 1.0}, upper=0.005)
    m.add_objective(w, -1.0)
    assert _cpsat(m, "relax").bound <= -0.005


def test_on_whole_data_the_bounded_solve_proves_the_optimum():
    # A knapsack in whole numbers: both roundings are the exact model, so the relaxation's
    # bound meets the plan (max 10a + 13b + 7c with 4a + 6b + 3c <= 9: b and c, 20).
    m = LinearModel()
    items = [m.binary(name) for name in "abc"]
    m.add_row(dict(zip(items, [4.0, 6.0, 3.0], strict=True)), upper=9.0)
    for item, value in zip(items, [10.0, 13.0, 7.0], strict=True):
        m.add_objective(item, -value)
    outcome = solve_cpsat_bounded(m, time_limit_s=10, threads=1, seed=0, relative_gap=0.0,
                                  hint=None)
    assert outcome.status == "optimal" and outcome.values == [0.0, 1.0, 1.0]
    assert outcome.objective == pytest.approx(-20.0) and outcome.bound == pytest.approx(-20.0)
    assert outcome.parameters["bound_status"] == "optimal"


def _random_model(rng: np.random.Generator) -> tuple[LinearModel, list[float]]:
    """Binaries and continuous variables (0.1 and 0.01 grids) in rows with fractional
    coefficients, built around a random point so that the exact model is feasible."""
    m = LinearModel()
    point = []
    for k in range(5):
        m.binary(f"b{k}")
        point.append(float(rng.integers(0, 2)))
    for k in range(4):
        resolution = 10.0 if k % 2 else 100.0
        m.add_variable(f"c{k}", 0.0, 50.0, False, resolution)
        point.append(float(rng.uniform(0.0, 50.0)))
    for _ in range(6):
        chosen = rng.choice(len(point), size=4, replace=False)
        terms = {int(v): float(np.round(rng.uniform(-5, 5), 3)) for v in chosen}
        value = sum(c * point[v] for v, c in terms.items())
        kind = rng.integers(0, 3)
        lower = value - rng.uniform(0, 2) if kind != 1 else -INF
        upper = value + rng.uniform(0, 2) if kind != 0 else INF
        m.add_row(terms, lower=float(lower), upper=float(upper))
    for v in range(len(point)):
        m.add_objective(v, float(np.round(rng.uniform(-3, 3), 3)))
    m.objective_constant = 7.5
    return m, point


@pytest.mark.parametrize("seed", range(12))
def test_relaxed_bounds_and_restricted_plans_hold_for_the_exact_model(seed):
    model, _ = _random_model(np.random.default_rng(seed))
    exact = solve_mathopt(model, "highs", time_limit_s=10, threads=1, seed=0,
                          relative_gap=0.0, hint=None)
    assert exact.status == "optimal"
    relaxed = _cpsat(model, "relax")
    assert relaxed.bound is not None
    assert relaxed.bound <= exact.objective + 1e-6 * (1 + abs(exact.objective))
    restricted = _cpsat(model, "restrict")
    if restricted.values is None:  # the grid may hold no solution: no claim is made then
        assert restricted.status == "no_solution" and restricted.bound is None
        return
    for row in model.rows:
        value = sum(c * restricted.values[v]
                    for v, c in zip(row.variables, row.coefficients, strict=True))
        assert row.lower - 1e-9 <= value <= row.upper + 1e-9
    assert restricted.objective >= exact.objective - 1e-6 * (1 + abs(exact.objective))


@pytest.mark.parametrize("min_load_kw", [0.0, 14.0])
def test_a_unit_at_capacity_has_a_plan_on_the_grid_at_its_exact_price(min_load_kw):
    # The site's one electric unit runs its job at capacity: 140 kW at 0.98 takes 142.86 kW.
    # The model's bound on the site's electric input was exactly that, rounded down onto the
    # 0.1 kW grid: CP-SAT found no plan, so every CP-SAT search and repair of such a site came
    # back empty (random larger site 1 left a job out that way). With a min load the input
    # is output / 0.98 in a row that was scaled by 1,000 and rounded, about 1 % of the output
    # (1.34 kW here, and 2 % of a heat pump's): no grid plan again (random two-day site 358), and
    # every CP-SAT search paid for each unit's power what it does not cost.
    from heatcraft.scheduling.formulation import build_model
    from tests.scheduling.sites import heater, inputs, job, problem_of

    site = inputs([heater("H", capacity=140.0, efficiency=0.98, min_load_kw=min_load_kw)],
                  [job("J", 140.0, 2.0, 8.0, 12.0)])
    model, _ = build_model(problem_of(site), allow_drops=False)
    outcome = _cpsat(model, "restrict")
    assert outcome.status in ("optimal", "feasible"), outcome.message
    exact = solve_mathopt(model, "highs", time_limit_s=10, threads=1, seed=0,
                          relative_gap=0.0, hint=None)
    # A plan of the exact model (the job placed: drops are left out), its peaks at most a
    # grid step up (on-peak 18 $/kW, off-peak 9 $/kW).
    assert exact.objective - 1e-6 <= outcome.objective <= exact.objective + 0.1 * (18.0 + 9.0)


def test_an_exact_row_needs_small_whole_numbers():
    from heatcraft.scheduling.backends.cpsat import _exact_multiplier

    # An input row of a 0.98 heater and a heat pump (COP 3) on the 0.1 kW grid.
    assert _exact_multiplier([0.1, -1 / 0.98 / 10, -1 / 3 / 10]) == 1470
    # No small common denominator: the row is scaled and rounded instead.
    assert _exact_multiplier([0.1, -0.123456789]) is None
    # A whole multiplier that makes a coefficient too large for a safe row.
    assert _exact_multiplier([1e10 / 7, 1.0]) is None


def test_a_search_with_too_little_time_left_is_not_started():
    # The limit counts writing the model; below `min_seconds` CP-SAT is not started.
    skipped = solve_cpsat(_charge_model(), time_limit_s=0.1, threads=1, seed=0, relative_gap=0.0,
                          hint=None, min_seconds=0.2)
    assert skipped.status == "no_solution" and skipped.values is None and skipped.bound is None
    assert skipped.parameters["stopped_by_clock"] is True
    assert skipped.message == "not started: 0.10 s left"
    solved = solve_cpsat(_charge_model(), time_limit_s=10, threads=1, seed=0, relative_gap=0.0,
                         hint=None, rounding="relax", min_seconds=0.2)
    assert solved.status == "optimal" and solved.bound <= 12.345 * 1.23
