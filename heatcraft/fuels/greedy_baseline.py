"""The weighted-score greedy fuel mix that spreadsheet tools use: BASELINE ONLY.

Sort fuels by a score (cost or CO2e per GJ of useful heat, or a weighted blend of both), then fill
each period's heat demand in that order, honouring the limits a one-pass fill can see: minimum
and maximum shares (taken as shares of heat), stock, per-fuel caps, incompatible pairs and the
blend averages so far. It can end up infeasible or dearer than the exact mix; that is the point of
keeping it: the benchmark measures by how much.
"""

from __future__ import annotations

from dataclasses import dataclass

from heatcraft.fuels.mix_evaluation import Energies, evaluate, violations
from heatcraft.fuels.mix_problem import FuelMixProblem, FuelOption


@dataclass(frozen=True)
class GreedyMix:
    energies: Energies
    feasible: bool
    violations: list[str]
    total_cost: float
    co2e_kg: float


def greedy_order(problem: FuelMixProblem) -> list[str]:
    """Fuels best-first by the objective's score; ties broken by fuel_id for determinism."""
    upstream = problem.include_upstream_in_co2e

    def cost(option: FuelOption) -> float:
        carbon = problem.carbon_price_per_t * option.cap_coefficient("co2e_t", upstream)
        return (option.price_per_gj + carbon) / option.efficiency

    def co2e(option: FuelOption) -> float:
        return option.cap_coefficient("co2e_t", upstream) / option.efficiency

    options = problem.options
    top_cost = max(cost(o) for o in options) or 1.0
    top_co2e = max(co2e(o) for o in options) or 1.0
    kind = problem.objective
    if kind == "cost":
        score = {o.fuel_id: (cost(o),) for o in options}
    elif kind == "co2e":
        score = {o.fuel_id: (co2e(o), cost(o)) for o in options}
    elif kind == "renewable_share":
        score = {o.fuel_id: (not o.renewable, cost(o)) for o in options}
    elif kind == "supply_security":
        score = {o.fuel_id: (-o.supply_security, cost(o)) for o in options}
    else:
        w = problem.weights
        score = {
            o.fuel_id: (w.cost * cost(o) / top_cost + w.co2e * co2e(o) / top_co2e,) for o in options
        }
    return sorted(score, key=lambda fuel: (score[fuel], fuel))


def greedy_mix(problem: FuelMixProblem) -> GreedyMix:
    order = greedy_order(problem)
    energies: Energies = {o.fuel_id: [0.0] * len(problem.demand_gj) for o in problem.options}
    used_kg = {o.fuel_id: 0.0 for o in problem.options}
    for t in problem.periods:
        _fill_period(problem, order, energies, used_kg, t)
    totals = evaluate(problem, energies)
    broken = violations(problem, energies, tol=1e-6)
    return GreedyMix(energies, not broken, broken, totals.total_cost, totals.co2e_kg)


def _fill_period(
    problem: FuelMixProblem,
    order: list[str],
    energies: Energies,
    used_kg: dict[str, float],
    t: int,
) -> None:
    demand = problem.demand_gj[t]
    heat = {fuel: 0.0 for fuel in order}
    # Minimum shares first (as shares of heat: the greedy tool's simplification).
    for fuel in order:
        wanted = problem.share_limit(fuel).min_share * demand
        heat[fuel] = min(wanted, _room(problem, fuel, energies, used_kg, heat, t, wanted))
    for fuel in order:
        remaining = demand - sum(heat.values())
        if remaining <= 1e-12:
            break
        if _clashes(problem, fuel, heat):
            continue
        share_room = problem.share_limit(fuel).max_share * demand - heat[fuel]
        wanted = min(remaining, max(0.0, share_room))
        heat[fuel] += min(wanted, _room(problem, fuel, energies, used_kg, heat, t, wanted))
    for fuel, amount in heat.items():
        option = problem.option(fuel)
        energies[fuel][t] = amount / option.efficiency
        used_kg[fuel] += energies[fuel][t] * option.kg_per_gj()


def _clashes(problem: FuelMixProblem, fuel: str, heat: dict[str, float]) -> bool:
    for a, b in problem.incompatible_pairs:
        other = b if a == fuel else a if b == fuel else None
        if other is not None and heat[other] > 0:
            return True
    return False


def _room(
    problem: FuelMixProblem,
    fuel: str,
    energies: Energies,
    used_kg: dict[str, float],
    heat: dict[str, float],
    t: int,
    wanted_heat: float,
) -> float:
    """Most extra heat this fuel may add given stock, caps and the blend averages so far."""
    option = problem.option(fuel)
    upstream = problem.include_upstream_in_co2e
    room_gj = wanted_heat / option.efficiency
    if problem.inventory_mode != "unlimited" and option.on_hand_kg is not None:
        stock = option.on_hand_kg
        if problem.purchase_available_from(option) is not None:
            stock += option.purchasable_kg
        room_gj = min(room_gj, max(0.0, stock - used_kg[fuel]) / option.kg_per_gj())
    for key, cap in problem.fuel_emission_caps.get(fuel, {}).items():
        per_gj = option.cap_coefficient(key, upstream)
        if per_gj > 0:
            spent = per_gj * (sum(energies[fuel][:t]) + heat[fuel] / option.efficiency)
            room_gj = min(room_gj, max(0.0, cap - spent) / per_gj)
    current = {f: heat[f] / problem.option(f).efficiency for f in heat}
    for key, bound in problem.blend_average_limits.items():
        excess = option.average_coefficient(key, upstream) - bound
        if excess > 0:
            slack = sum(
                (bound - problem.option(f).average_coefficient(key, upstream)) * e
                for f, e in current.items()
            )
            room_gj = min(room_gj, max(0.0, slack) / excess)
    for key, cap in problem.emission_caps.items():
        per_gj = option.cap_coefficient(key, upstream)
        if per_gj > 0:
            spent = sum(
                problem.option(f).cap_coefficient(key, upstream) * sum(values[:t])
                for f, values in energies.items()
            ) + sum(
                problem.option(f).cap_coefficient(key, upstream) * e for f, e in current.items()
            )
            room_gj = min(room_gj, max(0.0, cap - spent) / per_gj)
    return max(0.0, room_gj) * option.efficiency
