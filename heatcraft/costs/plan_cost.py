"""What a plan costs: the electricity bill (energy, demand, fixed) plus fuel, with breakdowns.

Electricity is billed by the tariff engine on the site's electric demand (base load included),
with the month's already-billed peak as a floor and the incremental policy: a daily plan pays
only for raising the month's peak. Fuel-fired units pay their input energy at the carrier
price. Startup energy is priced like any other input and reported on its own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from heatcraft.costs.load_profile import LoadProfile, load_profile
from heatcraft.intake.site_folder import SiteInputs
from heatcraft.models import Plan
from heatcraft.timegrid import TimeGrid

COST_COMPONENTS = ("energy", "fuel", "startup", "demand", "fixed")


@dataclass(frozen=True)
class PlanCost:
    currency: str
    energy: float  # electricity energy of the heating units and base load, startups excluded
    fuel: float  # fuel input of fuel-fired units, startups excluded
    startup: float  # startup energy, electric and fuel
    demand: float
    fixed: float
    peak_electric_kw: float
    electric_kwh: float
    fuel_kwh: dict[str, float]
    by_period: dict[str, float]  # energy + startup cost of electricity by tariff energy period
    by_unit: dict[str, float]  # energy, fuel and startup by unit ("base_load" for the rest)
    step_electric_cost: np.ndarray = field(repr=False)
    step_fuel_cost: np.ndarray = field(repr=False)
    bill: Any = field(repr=False, default=None)

    @property
    def electric_bill(self) -> float:
        """The utility's bill for the horizon (base load and electric startups included)."""
        return float(self.bill.total)

    @property
    def total(self) -> float:
        return self.energy + self.fuel + self.startup + self.demand + self.fixed

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            **{name: round(getattr(self, name), 2) for name in COST_COMPONENTS},
            "total": round(self.total, 2),
            "electric_bill": round(self.electric_bill, 2),
            "peak_electric_kw": round(self.peak_electric_kw, 3),
            "electric_kwh": round(self.electric_kwh, 3),
            "fuel_kwh": {k: round(v, 3) for k, v in sorted(self.fuel_kwh.items())},
            "by_period": {k: round(v, 2) for k, v in sorted(self.by_period.items())},
            "by_unit": {k: round(v, 2) for k, v in sorted(self.by_unit.items())},
        }


def cost_plan(
    plan: Plan, inputs: SiteInputs, grid: TimeGrid, series: Any, profile: LoadProfile | None = None
) -> PlanCost:
    from heatcraft.tariffs import bill_load

    profile = profile or load_profile(plan, inputs.equipment, grid, inputs.base_load_by_hour)
    bill = bill_load(
        inputs.tariff,
        series,
        profile.electric_kw,
        billed_peak_kw=inputs.site.billed_peak_kw,
        policy="incremental",
    )
    hours = grid.step_hours
    step_price = np.divide(
        bill.step_energy_cost,
        profile.electric_kw * hours,
        out=np.zeros(len(grid)),
        where=profile.electric_kw > 0,
    )
    startup_kw = profile.startup_kw
    by_unit: dict[str, float] = {}
    energy = fuel = startup = 0.0
    step_fuel = np.zeros(len(grid))
    fuel_kwh: dict[str, float] = {}
    for i, unit in enumerate(inputs.equipment):
        unit_id = unit.equipment_id
        if unit.is_electric:
            price = step_price
        else:
            price = np.full(len(grid), inputs.carrier_prices_per_kwh[unit.fuel.value])
            step_fuel += profile.input_kw[i] * hours * price
            fuel_kwh[unit.fuel.value] = fuel_kwh.get(unit.fuel.value, 0.0) + float(
                profile.input_kw[i].sum() * hours
            )
        start_cost = float((startup_kw[i] * hours * price).sum())
        run_cost = float(((profile.input_kw[i] - startup_kw[i]) * hours * price).sum())
        by_unit[unit_id] = run_cost + start_cost
        startup += start_cost
        if unit.is_electric:
            energy += run_cost
        else:
            fuel += run_cost
    base_cost = float((profile.base_load_kw * hours * step_price).sum())
    by_unit["base_load"] = base_cost
    energy += base_cost
    by_period: dict[str, float] = {}
    for period in np.unique(series.energy_period):
        mask = series.energy_period == period
        by_period[_period_name(inputs.tariff, int(period))] = float(
            bill.step_energy_cost[mask].sum()
        )
    demand = sum(m.demand_flat + m.demand_tou for m in bill.months)
    fixed = sum(m.fixed + m.minimum_adjustment for m in bill.months)
    return PlanCost(
        currency=bill.currency,
        energy=energy,
        fuel=fuel,
        startup=startup,
        demand=float(demand),
        fixed=float(fixed),
        peak_electric_kw=profile.peak_electric_kw,
        electric_kwh=float(profile.electric_kw.sum() * hours),
        fuel_kwh=fuel_kwh,
        by_period=by_period,
        by_unit=by_unit,
        step_electric_cost=bill.step_energy_cost,
        step_fuel_cost=step_fuel,
        bill=bill,
    )


def _period_name(tariff: Any, period: int) -> str:
    periods = tariff.energy_periods
    return periods[period].name if 0 <= period < len(periods) else f"period_{period}"


def savings(baseline: PlanCost, candidate: PlanCost) -> dict[str, float]:
    """What `candidate` saves against `baseline`, by component; positive means cheaper."""
    saved = {
        name: round(getattr(baseline, name) - getattr(candidate, name), 2)
        for name in COST_COMPONENTS
    }
    saved["total"] = round(baseline.total - candidate.total, 2)
    saved["total_pct"] = (
        round(100.0 * (baseline.total - candidate.total) / baseline.total, 3)
        if baseline.total
        else 0.0
    )
    saved["peak_kw"] = round(baseline.peak_electric_kw - candidate.peak_electric_kw, 3)
    return saved
