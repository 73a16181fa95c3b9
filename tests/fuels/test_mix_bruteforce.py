"""The LP/MILP optimum equals a brute-force vertex enumeration on small instances.

The brute force builds its own constraint matrix from the problem data (not from the model
rows), solves every square system of active constraints with numpy, keeps the feasible points and
takes the cheapest; for incompatible pairs it enumerates which fuel of the pair is switched off.
"""

import itertools
import random

import numpy as np
import pytest

from heatcraft.fuels.mix_evaluation import evaluate
from heatcraft.fuels.mix_optimizer import optimize_mix
from heatcraft.fuels.mix_problem import FuelMixProblem, FuelOption


def brute_force_cost(problem: FuelMixProblem) -> float | None:
    fuels = [o.fuel_id for o in problem.options]
    n = len(fuels)
    options = [problem.option(f) for f in fuels]
    rows, rhs = [], []  # A x <= b
    for i in range(n):
        unit = np.zeros(n)
        unit[i] = -1.0
        rows.append(unit)
        rhs.append(0.0)
        limit = problem.share_limit(fuels[i])
        if limit.max_share < 1:
            row = -limit.max_share * np.ones(n)
            row[i] += 1
            rows.append(row)
            rhs.append(0.0)
        if limit.min_share > 0:
            row = limit.min_share * np.ones(n)
            row[i] -= 1
            rows.append(row)
            rhs.append(0.0)
        if options[i].on_hand_kg is not None:
            row = np.zeros(n)
            row[i] = options[i].kg_per_gj()
            rows.append(row)
            rhs.append(options[i].on_hand_kg)
    for key, bound in problem.blend_average_limits.items():
        rows.append(np.array([o.average_coefficient(key, False) - bound for o in options]))
        rhs.append(0.0)
    for key, cap in problem.emission_caps.items():
        rows.append(np.array([o.cap_coefficient(key, False) for o in options]))
        rhs.append(cap)
    a_ub, b_ub = np.array(rows), np.array(rhs)
    demand_row = np.array([o.efficiency for o in options])
    price = np.array(
        [o.price_per_gj + problem.carbon_price_per_t * o.co2e_kg_per_gj / 1000 for o in options]
    )
    switched_off_sets = [()]
    if problem.incompatible_pairs:
        switched_off_sets = itertools.product(*problem.incompatible_pairs)
    best = None
    for off in switched_off_sets:
        eq_rows = [demand_row] + [np.eye(n)[fuels.index(f)] for f in set(off)]
        eq_rhs = [problem.demand_gj[0]] + [0.0] * len(set(off))
        free = n - len(eq_rows)
        for active in itertools.combinations(range(len(a_ub)), free):
            matrix = np.vstack(eq_rows + [a_ub[i] for i in active])
            vector = np.array(eq_rhs + [b_ub[i] for i in active])
            if abs(np.linalg.det(matrix)) < 1e-10:
                continue
            x = np.linalg.solve(matrix, vector)
            if np.all(a_ub @ x <= b_ub + 1e-7 * (1 + np.abs(b_ub))):
                cost = float(price @ x)
                best = cost if best is None else min(best, cost)
    return best


def small_problem(seed: int) -> FuelMixProblem:
    rng = random.Random(seed)
    n = rng.randint(2, 4)
    options = [
        FuelOption(
            fuel_id=f"fuel{i}",
            price_per_gj=rng.uniform(2, 15),
            efficiency=rng.uniform(0.75, 0.95),
            lhv_mj_kg=rng.uniform(10, 50),
            co2e_kg_per_gj=rng.uniform(0, 100),
            sox_g_per_gj=rng.uniform(0, 800),
            on_hand_kg=rng.uniform(5_000, 40_000) if rng.random() < 0.4 else None,
        )
        for i in range(n)
    ]
    demand = rng.uniform(200, 800)
    extra: dict = {"inventory_mode": "on_hand"}
    if rng.random() < 0.7:
        extra["share_limits"] = {f"fuel{rng.randrange(n)}": {"max_share": rng.uniform(0.2, 0.8)}}
    if rng.random() < 0.3:
        extra.setdefault("share_limits", {})[f"fuel{n - 1}"] = {"min_share": rng.uniform(0.05, 0.3)}
    if rng.random() < 0.5:
        extra["blend_average_limits"] = {"sox_g_per_gj": rng.uniform(100, 500)}
    if rng.random() < 0.5:
        extra["emission_caps"] = {"co2e_t": rng.uniform(0.02, 0.09) * demand}
    if n >= 3 and rng.random() < 0.5:
        extra["incompatible_pairs"] = [("fuel0", "fuel1")]
    return FuelMixProblem(
        options=options, demand_gj=[demand], carbon_price_per_t=rng.uniform(0, 100), **extra
    )


@pytest.mark.parametrize("seed", range(40))
def test_exact_mix_matches_brute_force(seed):
    problem = small_problem(seed)
    expected = brute_force_cost(problem)
    result = optimize_mix(problem)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.ok, result.status
    assert evaluate(problem, result.energies).total_cost == pytest.approx(expected, rel=1e-6)


def test_the_instances_exercise_both_outcomes_and_the_milp():
    problems = [small_problem(seed) for seed in range(40)]
    assert any(p.incompatible_pairs for p in problems)
    outcomes = {optimize_mix(p).status for p in problems}
    assert outcomes == {"optimal", "infeasible"}
