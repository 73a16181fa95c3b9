"""One-page PDF summary of a plan for the morning meeting."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from heatcraft.costs.plan_cost import COST_COMPONENTS
from heatcraft.planning import CostedPlan
from heatcraft.reports.files import write_atomically


def plan_summary_pdf(
    baseline: CostedPlan,
    optimized: CostedPlan,
    path: Path,
    *,
    site_name: str,
    savings: dict[str, Any],
    chart: Path | None = None,
    late_minutes: Mapping[str, float] | None = None,
) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    currency = optimized.cost.currency
    plan = optimized.plan
    story: list[Any] = [
        Paragraph(f"Heating plan - {site_name}", styles["Title"]),
        Paragraph(
            f"{plan.horizon_start.isoformat()} to {plan.horizon_end.isoformat()}", styles["Normal"]
        ),
        Spacer(1, 0.4 * cm),
    ]
    rows = [["", "FIFO baseline", "optimized", "saving"]]
    for name in (*COST_COMPONENTS, "total"):
        rows.append(
            [
                name,
                f"{getattr(baseline.cost, name):,.2f}",
                f"{getattr(optimized.cost, name):,.2f}",
                f"{savings.get(name, 0):,.2f}",
            ]
        )
    rows.append(
        [
            "peak electric kW",
            f"{baseline.cost.peak_electric_kw:,.1f}",
            f"{optimized.cost.peak_electric_kw:,.1f}",
            f"{savings.get('peak_kw', 0):,.1f}",
        ]
    )
    table = Table(rows, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, len(rows) - 2), (-1, len(rows) - 2), "Helvetica-Bold"),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    story += [Paragraph(f"Costs ({currency})", styles["Heading2"]), table]
    story.append(
        Paragraph(
            f"Saving {savings.get('total', 0):,.2f} {currency} "
            f"({savings.get('total_pct', 0):.1f} %) against first-in-first-out.",
            styles["Normal"],
        )
    )
    if plan.solver is not None:
        solver = plan.solver
        gap = "n/a" if solver.gap is None else f"{100 * solver.gap:.2f} %"
        bound = "n/a" if solver.bound is None else f"{solver.bound:,.2f}"
        story.append(
            Paragraph(
                f"Solver: {solver.engine} ({solver.version}), status {solver.status}, best bound "
                f"{bound}, gap {gap}, {solver.seconds:.1f} s. Every plan is re-checked by an "
                "independent verifier before it is reported.",
                styles["Normal"],
            )
        )
    if plan.dropped_jobs:
        story.append(
            Paragraph(
                "Dropped jobs: " + ", ".join(f"{d.job_id} ({d.reason})" for d in plan.dropped_jobs),
                styles["Normal"],
            )
        )
    if late_minutes:
        story.append(
            Paragraph(
                "Late jobs: " + ", ".join(f"{job_id} (ends {minutes:g} min after its deadline)"
                                          for job_id, minutes in late_minutes.items()),
                styles["Normal"],
            )
        )
    if chart is not None and chart.exists():
        story += [Spacer(1, 0.4 * cm), Image(str(chart), width=18 * cm, height=11.5 * cm)]

    def build(target: Path) -> None:
        document = SimpleDocTemplate(
            str(target),
            pagesize=A4,
            title=f"Heating plan {site_name}",
            author="Heatcraft",
            invariant=1,
        )
        document.build(story)

    return write_atomically(path, build)
