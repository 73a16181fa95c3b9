"""Translate a FuelMixProblem into named variables, rows and objective expressions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from heatcraft.fuels.linear_model import INF, LinearModel, Row, Variable
from heatcraft.fuels.mix_problem import FuelMixProblem

_QUALITY = (
    ("max_moisture_pct", "moisture_pct", "max", "percentage point of moisture"),
    ("max_ash_pct", "ash_pct", "max", "percentage point of ash"),
    ("max_sulfur_pct", "sulfur_pct", "max", "percentage point of sulfur"),
    ("min_lhv_mj_kg", "lhv_mj_kg", "min", "MJ/kg of blend LHV"),
)


def energy_var(fuel: str, period: int) -> str:
    return f"x[{fuel}][{period}]"


def used_var(fuel: str, period: int) -> str:
    return f"used[{fuel}][{period}]"


def order_var(fuel: str) -> str:
    return f"order[{fuel}]"


@dataclass(frozen=True)
class MixExpressions:
    """Linear expressions the optimizer stages use as objectives or as extra rows."""

    cost: dict[str, float]
    co2e_t: dict[str, float]
    renewable_heat_gj: dict[str, float]
    security_heat_gj: dict[str, float]


def _sum_of(names: list[str]) -> Callable[[Mapping[str, float]], float]:
    def total(values: Mapping[str, float]) -> float:
        return sum(values.get(name, 0.0) for name in names)

    return total


def build_model(problem: FuelMixProblem) -> tuple[LinearModel, MixExpressions]:
    model = LinearModel()
    upstream = problem.include_upstream_in_co2e
    fuels = [option.fuel_id for option in problem.options]
    for option in problem.options:
        for t in problem.periods:
            most = problem.demand_gj[t] / option.efficiency
            model.add_variable(Variable(energy_var(option.fuel_id, t), 0.0, most))
    _demand_rows(problem, model, fuels)
    _share_rows(problem, model, fuels)
    _average_rows(problem, model, fuels, upstream)
    _quality_rows(problem, model)
    _cap_rows(problem, model, fuels, upstream)
    _incompatibility_rows(problem, model)
    order_costs = _stock_rows(problem, model)

    cost: dict[str, float] = dict(order_costs)
    co2e: dict[str, float] = {}
    renewable: dict[str, float] = {}
    security: dict[str, float] = {}
    for option in problem.options:
        per_t = option.cap_coefficient("co2e_t", upstream)
        for t in problem.periods:
            name = energy_var(option.fuel_id, t)
            cost[name] = option.price_per_gj + problem.carbon_price_per_t * per_t
            co2e[name] = per_t
            renewable[name] = option.efficiency if option.renewable else 0.0
            security[name] = option.efficiency * option.supply_security
    return model, MixExpressions(cost, co2e, renewable, security)


def _demand_rows(problem: FuelMixProblem, model: LinearModel, fuels: list[str]) -> None:
    for t in problem.periods:
        coefs = {energy_var(f, t): problem.option(f).efficiency for f in fuels}
        demand = problem.demand_gj[t]
        model.add_row(
            Row(f"demand[{problem.label(t)}]", coefs, demand, demand, kind="demand", unit="GJ heat")
        )


def _share_rows(problem: FuelMixProblem, model: LinearModel, fuels: list[str]) -> None:
    for t in problem.periods:
        names = [energy_var(f, t) for f in fuels]
        # d cost / d share = dual * total fuel energy; /100 gives per percentage point.
        total = _sum_of(names)

        def per_point(values: Mapping[str, float], total=total) -> float:
            return total(values) / 100.0

        for fuel in fuels:
            limit = problem.share_limit(fuel)
            own = energy_var(fuel, t)
            label = f"[{fuel}][{problem.label(t)}]"
            unit = "percentage point of fuel-energy share"
            if limit.min_share > 0:
                coefs = {name: -limit.min_share for name in names}
                coefs[own] += 1.0
                model.add_row(
                    Row(f"min_share{label}", coefs, 0.0, INF, True, "min_share", unit, per_point)
                )
            if limit.max_share < 1:
                coefs = {name: -limit.max_share for name in names}
                coefs[own] += 1.0
                model.add_row(
                    Row(f"max_share{label}", coefs, -INF, 0.0, True, "max_share", unit, per_point)
                )


def _average_rows(
    problem: FuelMixProblem, model: LinearModel, fuels: list[str], upstream: bool
) -> None:
    for key, bound in problem.blend_average_limits.items():
        for t in problem.periods:
            coefs = {
                energy_var(f, t): problem.option(f).average_coefficient(key, upstream) - bound
                for f in fuels
            }
            total = _sum_of([energy_var(f, t) for f in fuels])
            model.add_row(
                Row(
                    f"blend_average[{key}][{problem.label(t)}]",
                    coefs,
                    -INF,
                    0.0,
                    True,
                    "blend_average",
                    key.replace("_per_", "/").replace("_", " ", 1),
                    total,
                )
            )


def _quality_rows(problem: FuelMixProblem, model: LinearModel) -> None:
    limits = problem.quality_limits
    if limits is None:
        return
    fuels = problem.quality_fuels()
    for field_name, attribute, sense, unit in _QUALITY:
        bound = getattr(limits, field_name)
        if bound is None:
            continue
        for t in problem.periods:
            # sum_f (q_f - Q) * kg_f <= 0 with kg_f = x_f * 1000 / LHV_f: a mass-weighted average.
            coefs = {
                energy_var(f, t): (getattr(problem.option(f), attribute) - bound)
                * problem.option(f).kg_per_gj()
                for f in fuels
            }
            kg_per_gj = {energy_var(f, t): problem.option(f).kg_per_gj() for f in fuels}

            def blend_mass(values: Mapping[str, float], kg_per_gj=kg_per_gj) -> float:
                return sum(values.get(name, 0.0) * k for name, k in kg_per_gj.items())

            lower, upper = (-INF, 0.0) if sense == "max" else (0.0, INF)
            model.add_row(
                Row(
                    f"quality[{field_name}][{problem.label(t)}]",
                    coefs,
                    lower,
                    upper,
                    True,
                    "blend_quality",
                    unit,
                    blend_mass,
                )
            )


def _cap_rows(
    problem: FuelMixProblem, model: LinearModel, fuels: list[str], upstream: bool
) -> None:
    for key, cap in problem.emission_caps.items():
        coefs = {
            energy_var(f, t): problem.option(f).cap_coefficient(key, upstream)
            for f in fuels
            for t in problem.periods
        }
        unit = key.rsplit("_", 1)[1]
        model.add_row(Row(f"emission_cap[{key}]", coefs, -INF, cap, True, "emission_cap", unit))
    for fuel, caps in problem.fuel_emission_caps.items():
        for key, cap in caps.items():
            coef = problem.option(fuel).cap_coefficient(key, upstream)
            coefs = {energy_var(fuel, t): coef for t in problem.periods}
            unit = key.rsplit("_", 1)[1]
            model.add_row(
                Row(f"fuel_emission_cap[{fuel}][{key}]", coefs, -INF, cap, True, "fuel_cap", unit)
            )


def _incompatibility_rows(problem: FuelMixProblem, model: LinearModel) -> None:
    involved = sorted({fuel for pair in problem.incompatible_pairs for fuel in pair})
    for fuel in involved:
        option = problem.option(fuel)
        for t in problem.periods:
            used = model.add_variable(Variable(used_var(fuel, t), 0.0, 1.0, binary=True))
            most = problem.demand_gj[t] / option.efficiency
            model.add_row(
                Row(
                    f"use_link[{fuel}][{problem.label(t)}]",
                    {energy_var(fuel, t): 1.0, used: -most},
                    -INF,
                    0.0,
                    kind="link",
                )
            )
    for a, b in problem.incompatible_pairs:
        for t in problem.periods:
            model.add_row(
                Row(
                    f"incompatible[{a}|{b}][{problem.label(t)}]",
                    {used_var(a, t): 1.0, used_var(b, t): 1.0},
                    -INF,
                    1.0,
                    kind="incompatible",
                )
            )


def _stock_rows(problem: FuelMixProblem, model: LinearModel) -> dict[str, float]:
    """Cumulative use up to each period within stock (+ a purchase once it can have arrived).
    Returns objective coefficients of the order binaries (fixed order costs)."""
    order_costs: dict[str, float] = {}
    if problem.inventory_mode == "unlimited":
        return order_costs
    for option in problem.options:
        if option.on_hand_kg is None:
            continue
        arrival = problem.purchase_available_from(option)
        order = None
        if arrival is not None:
            # Without a fixed order cost, buying is a free option: no binary needed.
            order = model.add_variable(
                Variable(order_var(option.fuel_id), 0.0, 1.0, binary=option.order_cost > 0)
            )
            order_costs[order] = option.order_cost
        coefs: dict[str, float] = {}
        for t in problem.periods:
            coefs[energy_var(option.fuel_id, t)] = option.kg_per_gj()
            row_coefs = dict(coefs)
            if order is not None and t >= arrival:
                row_coefs[order] = -option.purchasable_kg
            model.add_row(
                Row(
                    f"stock[{option.fuel_id}][{problem.label(t)}]",
                    row_coefs,
                    -INF,
                    option.on_hand_kg,
                    True,
                    "stock",
                    "kg",
                )
            )
    return order_costs
