"""Evaluate a fuel mix (energies per fuel and period) and check it against every limit.

Independent of the solver: the optimizer, the greedy baseline and the tests all judge a mix here,
so a solution is only called feasible if this plain arithmetic agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from heatcraft.fuels.mix_problem import FuelMixProblem

Energies = dict[str, list[float]]  # fuel_id -> net GJ per period
GJ_PER_MWH = 3.6


@dataclass(frozen=True)
class MixTotals:
    fuel_cost: float
    carbon_cost: float
    order_cost: float
    co2e_kg: float
    fuel_gj: float
    heat_gj: float
    renewable_heat_gj: float
    security_weighted_heat_gj: float
    emissions_kg: dict[str, float] = field(default_factory=dict)

    @property
    def total_cost(self) -> float:
        return self.fuel_cost + self.carbon_cost + self.order_cost


def fuel_kg(problem: FuelMixProblem, energies: Energies) -> dict[str, float]:
    return {
        fuel: sum(values) * problem.option(fuel).kg_per_gj() for fuel, values in energies.items()
    }


def orders_needed(problem: FuelMixProblem, energies: Energies) -> dict[str, bool]:
    """A fuel needs an order when its use exceeds the stock on hand."""
    needed = {}
    for fuel, used_kg in fuel_kg(problem, energies).items():
        on_hand = problem.option(fuel).on_hand_kg
        needed[fuel] = (
            problem.inventory_mode == "with_procurement"
            and on_hand is not None
            and used_kg > on_hand + 1e-6
        )
    return needed


def evaluate(problem: FuelMixProblem, energies: Energies) -> MixTotals:
    upstream = problem.include_upstream_in_co2e
    fuel_cost = carbon_cost = order_cost = co2e = fuel_gj = heat = renewable = security = 0.0
    gases = {
        key: 0.0
        for key in ("co2_fossil", "co2_biogenic", "ch4", "n2o", "nox", "sox", "pm", "upstream")
    }
    needed = orders_needed(problem, energies)
    for fuel, values in energies.items():
        option = problem.option(fuel)
        energy = sum(values)
        fuel_cost += option.price_per_gj * energy
        fuel_co2e = option.cap_coefficient("co2e_t", upstream) * 1000.0 * energy
        co2e += fuel_co2e
        carbon_cost += problem.carbon_price_per_t * fuel_co2e / 1000.0
        order_cost += option.order_cost if needed[fuel] else 0.0
        fuel_gj += energy
        heat += option.efficiency * energy
        renewable += option.efficiency * energy if option.renewable else 0.0
        security += option.supply_security * option.efficiency * energy
        gases["co2_fossil"] += option.co2_fossil_kg_per_gj * energy
        gases["co2_biogenic"] += option.co2_biogenic_kg_per_gj * energy
        gases["ch4"] += option.ch4_kg_per_gj * energy
        gases["n2o"] += option.n2o_kg_per_gj * energy
        gases["nox"] += option.nox_g_per_gj * energy / 1000.0
        gases["sox"] += option.sox_g_per_gj * energy / 1000.0
        gases["pm"] += option.pm_g_per_gj * energy / 1000.0
        gases["upstream"] += option.upstream_kgco2e_per_gj * energy
    return MixTotals(
        fuel_cost=fuel_cost,
        carbon_cost=carbon_cost,
        order_cost=order_cost,
        co2e_kg=co2e,
        fuel_gj=fuel_gj,
        heat_gj=heat,
        renewable_heat_gj=renewable,
        security_weighted_heat_gj=security,
        emissions_kg=gases,
    )


def violations(problem: FuelMixProblem, energies: Energies, tol: float = 1e-6) -> list[str]:
    """Every limit the mix breaks, as readable text; empty means feasible."""
    found: list[str] = []
    upstream = problem.include_upstream_in_co2e
    fuels = [option.fuel_id for option in problem.options]
    x = {fuel: energies.get(fuel, [0.0] * len(problem.demand_gj)) for fuel in fuels}
    for t in problem.periods:
        label = problem.label(t)
        total = sum(x[fuel][t] for fuel in fuels)
        scale = max(1.0, total)
        if any(x[fuel][t] < -tol for fuel in fuels):
            found.append(f"negative energy in period {label}")
        heat = sum(problem.option(fuel).efficiency * x[fuel][t] for fuel in fuels)
        if abs(heat - problem.demand_gj[t]) > tol * max(1.0, problem.demand_gj[t]):
            found.append(f"heat {heat:.6g} GJ != demand {problem.demand_gj[t]:.6g} in {label}")
        for fuel in fuels:
            limit = problem.share_limit(fuel)
            if x[fuel][t] < limit.min_share * total - tol * scale:
                found.append(f"{fuel} below min share in {label}")
            if x[fuel][t] > limit.max_share * total + tol * scale:
                found.append(f"{fuel} above max share in {label}")
        for key, bound in problem.blend_average_limits.items():
            emitted = sum(
                problem.option(f).average_coefficient(key, upstream) * x[f][t] for f in fuels
            )
            if emitted > bound * total + tol * scale * max(1.0, bound):
                found.append(f"blend average {key} above {bound} in {label}")
        found += _quality_violations(problem, x, t, tol)
        for a, b in problem.incompatible_pairs:
            if x[a][t] > tol and x[b][t] > tol:
                found.append(f"incompatible {a} and {b} both used in {label}")
    for key, cap in problem.emission_caps.items():
        amount = sum(problem.option(f).cap_coefficient(key, upstream) * sum(x[f]) for f in fuels)
        if amount > cap + tol * max(1.0, cap):
            found.append(f"emission cap {key} exceeded: {amount:.6g} > {cap}")
    for fuel, caps in problem.fuel_emission_caps.items():
        for key, cap in caps.items():
            amount = problem.option(fuel).cap_coefficient(key, upstream) * sum(x[fuel])
            if amount > cap + tol * max(1.0, cap):
                found.append(f"{fuel} emission cap {key} exceeded")
    found += _stock_violations(problem, x, tol)
    return found


def _quality_violations(problem: FuelMixProblem, x: Energies, t: int, tol: float) -> list[str]:
    limits = problem.quality_limits
    if limits is None:
        return []
    mass = {f: x[f][t] * problem.option(f).kg_per_gj() for f in problem.quality_fuels()}
    total = sum(mass.values())
    if total <= tol:
        return []
    checks = [
        ("moisture_pct", limits.max_moisture_pct, 1.0),
        ("ash_pct", limits.max_ash_pct, 1.0),
        ("sulfur_pct", limits.max_sulfur_pct, 1.0),
        ("lhv_mj_kg", limits.min_lhv_mj_kg, -1.0),
    ]
    found = []
    for attribute, bound, direction in checks:
        if bound is None:
            continue
        average = sum(getattr(problem.option(f), attribute) * m for f, m in mass.items()) / total
        if direction * (average - bound) > tol * max(1.0, bound):
            found.append(f"blend {attribute} {average:.6g} beyond {bound} in {problem.label(t)}")
    return found


def _stock_violations(problem: FuelMixProblem, x: Energies, tol: float) -> list[str]:
    if problem.inventory_mode == "unlimited":
        return []
    found = []
    for option in problem.options:
        if option.on_hand_kg is None:
            continue
        arrival = problem.purchase_available_from(option)
        used = 0.0
        for t in problem.periods:
            used += x[option.fuel_id][t] * option.kg_per_gj()
            available = option.on_hand_kg
            if arrival is not None and t >= arrival:
                available += option.purchasable_kg
            if used > available + tol * max(1.0, available):
                found.append(f"{option.fuel_id} stock exceeded by period {problem.label(t)}")
                break
    return found
