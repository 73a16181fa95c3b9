"""One planning day (or several) for a site: the horizon, its prices, and costed plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from heatcraft.costs.load_profile import LoadProfile, load_profile
from heatcraft.costs.plan_cost import PlanCost, cost_plan
from heatcraft.intake.site_folder import SiteInputs
from heatcraft.models import Plan
from heatcraft.provenance import sha256_of
from heatcraft.timegrid import TimeGrid


@dataclass(frozen=True)
class Horizon:
    grid: TimeGrid
    series: Any  # heatcraft.tariffs.TariffSeries


@dataclass(frozen=True)
class CostedPlan:
    plan: Plan
    profile: LoadProfile
    cost: PlanCost

    @property
    def sha256(self) -> str:
        """Fingerprint of what the plan decides and costs. The solver report (wall-clock
        seconds, time limits left) is provenance, kept apart so equal plans hash equal."""
        decided = self.plan.model_dump(mode="json", exclude={"solver"})
        return sha256_of({"plan": decided, "cost": self.cost.to_dict()})


def horizon_for(inputs: SiteInputs, first_day: date, days: int = 1) -> Horizon:
    from heatcraft.tariffs import expand_tariff

    grid = TimeGrid.for_days(first_day, days, inputs.site.timezone, inputs.site.step_minutes)
    return Horizon(grid=grid, series=expand_tariff(inputs.tariff, grid, inputs.site.holidays))


def cost(plan: Plan, inputs: SiteInputs, horizon: Horizon) -> CostedPlan:
    profile = load_profile(plan, inputs.equipment, horizon.grid, inputs.base_load_by_hour)
    return CostedPlan(
        plan=plan,
        profile=profile,
        cost=cost_plan(plan, inputs, horizon.grid, horizon.series, profile),
    )


def _assignments_json(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "job_id": a.job_id,
            "equipment_id": a.equipment_id,
            "start": a.start.isoformat(),
            "end": a.end.isoformat(),
            "heat_kw": round(a.heat_kw, 4),
            "input_kw": round(a.input_kw, 4),
            "carrier": a.carrier.value,
        }
        for a in sorted(plan.assignments, key=lambda a: (a.start, a.job_id))
    ]


def plan_report(
    site_dir: Path,
    first_day: date,
    *,
    days: int = 1,
    backend: str = "auto",
    time_limit_s: float = 60.0,
    optimize: bool = True,
) -> dict[str, Any]:
    """Everything `heatcraft plan` prints: plan, costs, baseline, savings, solver, verdict."""
    from heatcraft.costs.plan_cost import savings
    from heatcraft.intake.site_folder import load_site
    from heatcraft.scheduling import verify_plan
    from heatcraft.scheduling.baseline import fifo_plan

    inputs = load_site(site_dir)
    horizon = horizon_for(inputs, first_day, days)
    baseline = cost(fifo_plan(inputs, horizon.grid), inputs, horizon)
    report: dict[str, Any] = {
        "site": inputs.site.id,
        "horizon_start": horizon.grid.start.isoformat(),
        "horizon_end": horizon.grid.end.isoformat(),
        "inputs_sha256": inputs.sha256,
    }
    if not optimize:
        verdict = verify_plan(baseline.plan, inputs, horizon.grid, horizon.series)
        chosen, solver, status = baseline, None, "baseline_only"
        report["note"] = "baseline only: the FIFO plan, not optimized"
    else:
        from heatcraft.scheduling import ScheduleOptions, optimize_plan

        result = optimize_plan(
            inputs,
            horizon.grid,
            horizon.series,
            ScheduleOptions(backend=backend, time_limit_s=time_limit_s),
        )
        chosen = cost(result.plan, inputs, horizon)
        verdict = result.verification
        solver = result.plan.solver.model_dump(mode="json") if result.plan.solver else None
        status = solver["status"] if solver and verdict.ok else "failed_verification"
        report["warnings"] = list(result.warnings)
        report["diagnosis"] = [str(d) for d in result.diagnosis]
    report.update(
        {
            "status": status,
            "verified": verdict.ok,
            "violations": [str(v) for v in verdict.violations],
            "solver": solver,
            "assignments": _assignments_json(chosen.plan),
            "dropped_jobs": [d.model_dump(mode="json") for d in chosen.plan.dropped_jobs],
            "costs": chosen.cost.to_dict(),
            "baseline_costs": baseline.cost.to_dict(),
            "savings": savings(baseline.cost, chosen.cost),
            "output_sha256": chosen.sha256,
        }
    )
    return report
