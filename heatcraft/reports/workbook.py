"""Excel workbook of a plan: summary, assignments, load profile and cost breakdowns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from heatcraft.costs.plan_cost import COST_COMPONENTS
from heatcraft.planning import CostedPlan
from heatcraft.reports.files import write_atomically


def _naive_local(moment: datetime) -> datetime:
    # Excel has no time zones: show site-local wall time; the offset goes in its own column.
    return moment.replace(tzinfo=None)


def plan_workbook(
    baseline: CostedPlan,
    optimized: CostedPlan,
    path: Path,
    *,
    site_name: str,
    savings: dict[str, Any],
    late_minutes: Mapping[str, float] | None = None,
) -> Path:
    """`late_minutes`: how long after its deadline each late job of the optimized plan ends."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    # Fixed document dates keep the file identical when the plan is.
    book.properties.created = book.properties.modified = _naive_local(optimized.plan.horizon_start)
    summary = book.active
    summary.title = "Summary"
    summary.append([f"Heating plan - {site_name}"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(
        [
            "horizon",
            optimized.plan.horizon_start.isoformat(),
            optimized.plan.horizon_end.isoformat(),
        ]
    )
    summary.append([])
    summary.append(["component", "FIFO baseline", "optimized", "saving"])
    for cell in summary[4]:
        cell.font = bold
    for name in (*COST_COMPONENTS, "total"):
        summary.append(
            [
                name,
                round(getattr(baseline.cost, name), 2),
                round(getattr(optimized.cost, name), 2),
                savings.get(name),
            ]
        )
    summary.append(
        [
            "peak electric kW",
            round(baseline.cost.peak_electric_kw, 1),
            round(optimized.cost.peak_electric_kw, 1),
            savings.get("peak_kw"),
        ]
    )
    summary.append(["saving %", None, None, savings.get("total_pct")])
    solver = optimized.plan.solver
    if solver is not None:
        summary.append([])
        summary.append(["solver", solver.engine, solver.version])
        for key in ("status", "objective", "bound", "gap", "seconds"):
            summary.append([key, getattr(solver, key)])
    for costed in (optimized, baseline):
        sheet = book.create_sheet(f"Assignments {costed.plan.kind}")
        sheet.append(
            [
                "job_id",
                "equipment_id",
                "start (local)",
                "end (local)",
                "utc offset",
                "heat kW",
                "input kW",
                "carrier",
                "minutes late",
            ]
        )
        for a in sorted(costed.plan.assignments, key=lambda a: (a.start, a.job_id)):
            sheet.append(
                [
                    a.job_id,
                    a.equipment_id,
                    _naive_local(a.start),
                    _naive_local(a.end),
                    a.start.isoformat()[-6:],
                    round(a.heat_kw, 3),
                    round(a.input_kw, 3),
                    a.carrier.value,
                    (late_minutes or {}).get(a.job_id) if costed is optimized else None,
                ]
            )
        for dropped in costed.plan.dropped_jobs:
            sheet.append([dropped.job_id, "DROPPED", None, None, None, None, None, dropped.reason,
                          None])
    profile = book.create_sheet("Load profile")
    profile.append(
        ["step start (local)", "utc offset", "baseline kW", "optimized kW", "energy price /kWh"]
    )
    grid = optimized.profile.grid
    hours = grid.step_hours
    for t, moment in enumerate(grid.starts_local):
        kwh = optimized.profile.electric_kw[t] * hours
        price = optimized.cost.step_electric_cost[t] / kwh if kwh > 0 else None
        profile.append(
            [
                _naive_local(moment),
                moment.isoformat()[-6:],
                round(float(baseline.profile.electric_kw[t]), 3),
                round(float(optimized.profile.electric_kw[t]), 3),
                None if price is None else round(price, 5),
            ]
        )
    breakdown = book.create_sheet("Costs by unit and period")
    breakdown.append(["breakdown", "item", "baseline", "optimized"])
    for label, attribute in (("unit", "by_unit"), ("tariff period", "by_period")):
        base, best = getattr(baseline.cost, attribute), getattr(optimized.cost, attribute)
        for item in sorted(set(base) | set(best)):
            breakdown.append(
                [label, item, round(base.get(item, 0.0), 2), round(best.get(item, 0.0), 2)]
            )
    for sheet in book.worksheets:
        for column in sheet.columns:
            width = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 40)
    return write_atomically(path, lambda target: book.save(target))
