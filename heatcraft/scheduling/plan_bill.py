"""The cost of a plan as the bill engine sees it (electric bill + fuel), for the verifier.

Uses the shared `heatcraft.costs.plan_cost.cost_plan` when it is available; otherwise the same
sum built from the shared load profile, `bill_load` (incremental demand policy: a daily plan pays
only for raising the month's already-billed peak) and the carrier prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heatcraft.costs.load_profile import load_profile
from heatcraft.models import Plan
from heatcraft.timegrid import TimeGrid


@dataclass(frozen=True)
class PlanBill:
    total: float
    parts: dict[str, float] = field(default_factory=dict)
    source: str = ""


def recompute_plan_cost(plan: Plan, inputs: Any, grid: TimeGrid, series: Any) -> PlanBill:
    try:
        from heatcraft.costs.plan_cost import cost_plan
    except ImportError:
        cost_plan = None
    if cost_plan is not None:
        cost = cost_plan(plan, inputs, grid, series)
        parts = {name: float(getattr(cost, name)) for name in
                 ("energy", "demand", "fixed", "fuel", "startup") if hasattr(cost, name)}
        return PlanBill(total=float(cost.total), parts=parts, source="heatcraft.costs.cost_plan")
    return _bill_from_profile(plan, inputs, grid, series)


def _bill_from_profile(plan: Plan, inputs: Any, grid: TimeGrid, series: Any) -> PlanBill:
    from heatcraft.tariffs import bill_load

    profile = load_profile(plan, inputs.equipment, grid, inputs.base_load_by_hour)
    bill = bill_load(inputs.tariff, series, profile.electric_kw,
                     billed_peak_kw=inputs.site.billed_peak_kw, policy="incremental")
    fuel = 0.0
    for carrier, price in inputs.carrier_prices_per_kwh.items():
        fuel += float(profile.carrier_kw(carrier).sum()) * grid.step_hours * price
    parts = {"electric": float(bill.total), "fuel": fuel}
    return PlanBill(total=float(bill.total) + fuel, parts=parts,
                    source="heatcraft.tariffs.bill_load + carrier prices")
