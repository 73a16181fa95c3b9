"""DST days, plan costing conventions and the FIFO baseline, with hand-computed numbers."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from heatcraft.intake.site_folder import load_site
from heatcraft.models import Plan
from heatcraft.planning import cost, horizon_for
from heatcraft.scheduling import verify_plan
from heatcraft.scheduling.baseline import fifo_plan


def _flat_base_load(folder: Path, kw: float) -> None:
    settings = yaml.safe_load((folder / "site.yaml").read_text())
    settings["base_load_kw"] = kw
    settings.pop("base_load_profile")
    (folder / "site.yaml").write_text(yaml.safe_dump(settings))


def _empty_plan(inputs, horizon) -> Plan:
    return Plan(
        site_id=inputs.site.id,
        kind="baseline",
        horizon_start=horizon.grid.start,
        horizon_end=horizon.grid.end,
        step_minutes=15,
        assignments=(),
    )


@pytest.mark.parametrize(
    ("day", "steps", "hours"),
    [
        (date(2026, 3, 8), 92, 23),  # spring forward in America/Chicago
        (date(2026, 11, 1), 100, 25),  # fall back
        (date(2026, 3, 15), 96, 24),
    ],
)
def test_dst_day_has_the_right_steps_and_energy(site_copy: Path, day, steps, hours):
    _flat_base_load(site_copy, 100.0)
    inputs = load_site(site_copy)
    horizon = horizon_for(inputs, day)
    assert len(horizon.grid) == steps
    costed = cost(_empty_plan(inputs, horizon), inputs, horizon)
    # Sundays are all off-peak at 0.045 $/kWh: 100 kW for `hours` hours.
    assert costed.cost.electric_kwh == pytest.approx(100.0 * hours)
    assert costed.cost.energy == pytest.approx(100.0 * hours * 0.045)


def test_fifo_baseline_is_verified_and_places_every_job():
    folder = Path(__file__).resolve().parents[2] / "examples" / "plant_a"
    inputs = load_site(folder)
    horizon = horizon_for(inputs, date(2026, 6, 16))
    plan = fifo_plan(inputs, horizon.grid)
    assert not plan.dropped_jobs
    assert len(plan.assignments) == len(inputs.jobs)
    verdict = verify_plan(plan, inputs, horizon.grid, horizon.series)
    assert verdict.ok, verdict.violations[:5]
    # FIFO: the first job in earliest-start order starts at its (step-aligned) earliest start.
    first = min(inputs.jobs, key=lambda j: j.earliest_start)
    placed = next(a for a in plan.assignments if a.job_id == first.job_id)
    assert placed.start == first.earliest_start


def test_fifo_reports_the_job_it_cannot_place(site_copy: Path):
    # Two jobs that only fit IH1 in the same one-hour window: the second cannot be placed.
    lines = (site_copy / "jobs.csv").read_text().splitlines()
    header = lines[0]
    extra = [
        "X1,P-HARDEN,Hardening,10,pcs,200,880,60,2026-06-16T03:00:00-05:00,"
        "2026-06-16T04:00:00-05:00,1,IH1,",
        "X2,P-HARDEN,Hardening,10,pcs,200,880,60,2026-06-16T03:00:00-05:00,"
        "2026-06-16T04:00:00-05:00,5,IH1,",
    ]
    (site_copy / "jobs.csv").write_text("\n".join([header, *lines[1:], *extra]) + "\n")
    inputs = load_site(site_copy)
    horizon = horizon_for(inputs, date(2026, 6, 16))
    plan = fifo_plan(inputs, horizon.grid)
    assert [d.job_id for d in plan.dropped_jobs] == ["X2"]
    assert "IH1" in plan.dropped_jobs[0].reason
    assert verify_plan(plan, inputs, horizon.grid, horizon.series).ok


def test_cost_breakdowns_add_up():
    folder = Path(__file__).resolve().parents[2] / "examples" / "plant_a"
    inputs = load_site(folder)
    horizon = horizon_for(inputs, date(2026, 6, 16))
    costed = cost(fifo_plan(inputs, horizon.grid), inputs, horizon)
    c = costed.cost
    assert sum(c.by_unit.values()) == pytest.approx(c.energy + c.fuel + c.startup)
    fuel_startup = sum(
        float(costed.profile.starts[i].sum())
        * unit.startup_energy_kwh
        * inputs.carrier_prices_per_kwh[unit.fuel.value]
        for i, unit in enumerate(inputs.equipment)
        if not unit.is_electric
    )
    assert c.electric_bill == pytest.approx(c.total - c.fuel - fuel_startup)
    assert c.demand > 0 and c.peak_electric_kw > inputs.site.billed_peak_kw
