"""Load-profile chart: the site's electric demand under the baseline and the optimized plan."""

from __future__ import annotations

from pathlib import Path

from heatcraft.planning import CostedPlan
from heatcraft.reports.files import write_atomically


def load_profile_chart(
    baseline: CostedPlan,
    optimized: CostedPlan,
    path: Path,
    *,
    title: str,
    billed_peak_kw: float = 0.0,
    contract_peak_kw: float | None = None,
) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    grid = optimized.profile.grid
    hours = [(t - grid.start).total_seconds() / 3600 for t in grid.starts_utc]
    figure, (demand_axis, units_axis) = plt.subplots(
        2, 1, figsize=(11, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    demand_axis.step(
        hours,
        baseline.profile.electric_kw,
        where="post",
        color="#9a9a9a",
        label=f"FIFO baseline ({baseline.cost.total:,.0f} {baseline.cost.currency})",
    )
    demand_axis.step(
        hours,
        optimized.profile.electric_kw,
        where="post",
        color="#c0392b",
        label=f"Optimized ({optimized.cost.total:,.0f} {optimized.cost.currency})",
    )
    if billed_peak_kw:
        demand_axis.axhline(
            billed_peak_kw,
            color="#2c3e50",
            linestyle="--",
            linewidth=1,
            label=f"Billed peak this month ({billed_peak_kw:,.0f} kW)",
        )
    if contract_peak_kw:
        demand_axis.axhline(
            contract_peak_kw,
            color="#8e44ad",
            linestyle=":",
            linewidth=1,
            label=f"Contract limit ({contract_peak_kw:,.0f} kW)",
        )
    demand_axis.set_ylabel("electric demand, kW")
    demand_axis.set_title(title)
    demand_axis.legend(loc="upper left", fontsize=8)
    demand_axis.grid(alpha=0.3)
    units = list(optimized.profile.unit_ids)
    for row, unit in enumerate(units):
        for assignment in optimized.plan.assignments:
            if assignment.equipment_id == unit:
                start = (assignment.start - grid.start).total_seconds() / 3600
                width = (assignment.end - assignment.start).total_seconds() / 3600
                units_axis.broken_barh(
                    [(start, width)],
                    (row - 0.4, 0.8),
                    facecolors="#e67e22"
                    if assignment.carrier.value != "electricity"
                    else "#2980b9",
                    alpha=0.8,
                )
    units_axis.set_yticks(range(len(units)), units, fontsize=8)
    units_axis.set_xlabel(f"hours from {grid.start.isoformat()}")
    units_axis.set_title("Optimized plan by unit (blue: electric, orange: fuel)", fontsize=9)
    units_axis.grid(alpha=0.3, axis="x")
    figure.tight_layout()

    def save(target: Path) -> None:
        figure.savefig(target, format="png", dpi=110, metadata={"Software": None})

    try:
        return write_atomically(path, save)
    finally:
        plt.close(figure)
