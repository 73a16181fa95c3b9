"""Rows of the result tables (jobs, equipment, plan_assignments, unit_runs, load_profile,
plan_costs).

Pure functions from engine objects to plain dicts, so the Dagster layer, the CLI and analysts'
tools all see the same columns. Times are aware datetimes; money in the site's currency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from heatcraft.costs.load_profile import LoadProfile
from heatcraft.costs.plan_cost import COST_COMPONENTS, PlanCost
from heatcraft.intake.site_folder import SiteInputs
from heatcraft.models import Plan

Row = dict[str, Any]


def job_rows(inputs: SiteInputs, plan_date: date) -> list[Row]:
    return [
        {
            "site_id": inputs.site.id,
            "plan_date": plan_date,
            "job_id": job.job_id,
            "product_id": job.product_id,
            "product_name": job.product_name,
            "quantity": job.quantity,
            "unit": job.unit,
            "heating_kwh": job.heating_kwh,
            "heat_kw": job.heat_kw,
            "temperature_c": job.temperature_c,
            "duration_minutes": job.duration_minutes,
            "earliest_start": job.earliest_start,
            "deadline": job.deadline,
            "priority": job.priority,
            "allowed_equipment": ";".join(job.allowed_equipment),
        }
        for job in inputs.jobs
    ]


def equipment_rows(inputs: SiteInputs, plan_date: date) -> list[Row]:
    return [
        {
            "site_id": inputs.site.id,
            "plan_date": plan_date,
            "equipment_id": unit.equipment_id,
            "name": unit.name,
            "type": unit.type.value,
            "capacity_kw": unit.capacity_kw,
            "min_load_kw": unit.min_load_kw,
            "efficiency": unit.efficiency,
            "fuel": unit.fuel.value,
            "min_run_minutes": unit.min_run_minutes,
            "min_off_minutes": unit.min_off_minutes,
            "max_starts_per_day": unit.max_starts_per_day,
            "startup_energy_kwh": unit.startup_energy_kwh,
            "max_parallel_jobs": unit.max_parallel_jobs,
            "initial_state": unit.initial_state.value,
        }
        for unit in inputs.equipment
    ]


def assignment_rows(plan: Plan, plan_date: date) -> list[Row]:
    rows = [
        {
            "site_id": plan.site_id,
            "plan_date": plan_date,
            "plan_kind": plan.kind,
            "job_id": a.job_id,
            "equipment_id": a.equipment_id,
            "start": a.start,
            "end": a.end,
            "heat_kw": a.heat_kw,
            "input_kw": a.input_kw,
            "carrier": a.carrier.value,
            "dropped": False,
            "reason": None,
        }
        for a in plan.assignments
    ]
    rows += [
        {
            "site_id": plan.site_id,
            "plan_date": plan_date,
            "plan_kind": plan.kind,
            "job_id": d.job_id,
            "equipment_id": None,
            "start": None,
            "end": None,
            "heat_kw": None,
            "input_kw": None,
            "carrier": None,
            "dropped": True,
            "reason": d.reason,
        }
        for d in plan.dropped_jobs
    ]
    return rows


def run_rows(plan: Plan, plan_date: date) -> list[Row]:
    """When each unit is on: operators switch units by these, and a re-plan keeps them."""
    return [
        {
            "site_id": plan.site_id,
            "plan_date": plan_date,
            "plan_kind": plan.kind,
            "equipment_id": r.equipment_id,
            "start": r.start,
            "end": r.end,
        }
        for r in plan.runs
    ]


def load_profile_rows(
    plan: Plan, profile: LoadProfile, cost: PlanCost, plan_date: date
) -> list[Row]:
    grid = profile.grid
    rows = []
    for t, moment in enumerate(grid.starts_local):
        rows.append(
            {
                "site_id": plan.site_id,
                "plan_date": plan_date,
                "plan_kind": plan.kind,
                "step_start": moment,
                "step_minutes": grid.step_minutes,
                "electric_kw": float(profile.electric_kw[t]),
                "base_load_kw": float(profile.base_load_kw[t]),
                "heat_kw": float(profile.output_kw[:, t].sum()),
                "fuel_kw": float(
                    sum(
                        profile.input_kw[i, t]
                        for i, c in enumerate(profile.carrier_of_unit)
                        if c != "electricity"
                    )
                ),
                "units_on": int(profile.on[:, t].sum()),
                "electric_cost": float(cost.step_electric_cost[t]),
                "fuel_cost": float(cost.step_fuel_cost[t]),
            }
        )
    return rows


def cost_rows(plan: Plan, cost: PlanCost, plan_date: date) -> list[Row]:
    """Long format: one row per (breakdown, item) so SQL can pivot any way."""
    base = {
        "site_id": plan.site_id,
        "plan_date": plan_date,
        "plan_kind": plan.kind,
        "currency": cost.currency,
    }
    rows = [
        {**base, "breakdown": "component", "item": name, "amount": getattr(cost, name)}
        for name in COST_COMPONENTS
    ]
    rows.append({**base, "breakdown": "component", "item": "total", "amount": cost.total})
    rows.append(
        {**base, "breakdown": "component", "item": "electric_bill", "amount": cost.electric_bill}
    )
    rows += [
        {**base, "breakdown": "period", "item": k, "amount": v}
        for k, v in sorted(cost.by_period.items())
    ]
    rows += [
        {**base, "breakdown": "unit", "item": k, "amount": v}
        for k, v in sorted(cost.by_unit.items())
    ]
    return rows


def savings_rows(
    site_id: str, plan_date: date, baseline: PlanCost, optimized: PlanCost
) -> list[Row]:
    """One row per cost component (and the total): baseline, optimized and the saving."""
    names = [*COST_COMPONENTS, "total"]
    return [
        {
            "site_id": site_id,
            "plan_date": plan_date,
            "component": name,
            "currency": baseline.currency,
            "baseline": getattr(baseline, name),
            "optimized": getattr(optimized, name),
            "saving": getattr(baseline, name) - getattr(optimized, name),
        }
        for name in names
    ]
