"""Small in-memory sites for scheduler tests (real models, real tariff engine)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from heatcraft.intake.site_folder import SiteInputs
from heatcraft.models import (
    Assignment,
    Equipment,
    Job,
    MaintenanceWindow,
    Plan,
    Site,
    TimeWindow,
    UnitRun,
)
from heatcraft.tariffs import expand_tariff
from heatcraft.tariffs.native import tariff_from_native
from heatcraft.timegrid import TimeGrid

TZ = "America/Chicago"
DAY = date(2026, 6, 16)  # a Tuesday


def at(hour: float, day: date = DAY) -> datetime:
    """`hour` real hours after local midnight of `day` (the wall clock jumps on a DST change
    night: at(3) on 2026-03-08 is 04:00 CDT)."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(TZ))
    return (start.astimezone(UTC) + timedelta(hours=hour)).astimezone(ZoneInfo(TZ))


def tou_tariff(demand_rate: float = 18.0, flat: bool = False, tier_kw: float | None = None):
    """On-peak 08-20 on weekdays, or one flat period with a flat demand charge. `tier_kw`:
    each demand rate doubles above it (rising tiers)."""
    def charge(rate: float):
        return rate if tier_kw is None else [{"max_kw": tier_kw, "rate": rate},
                                             {"rate": 2 * rate}]

    periods = {"off": {"energy": 0.05}, "on": {"energy": 0.15}}
    if not flat:
        periods["off"]["demand"] = charge(demand_rate / 2)
        periods["on"]["demand"] = charge(demand_rate)
    doc = {"name": "test", "currency": "USD", "periods": periods,
           "seasons": [{"name": "all", "months": list(range(1, 13)),
                        "weekday": {"00-08": "off", "08-20": "on", "20-24": "off"}}]}
    if flat:
        doc["periods"] = {"flat": {"energy": 0.10}}
        doc["seasons"][0]["weekday"] = {"00-24": "flat"}
        doc["flat_demand"] = [{"months": list(range(1, 13)), "rate": charge(demand_rate)}]
    return tariff_from_native(doc, "test", Path("."))


def heater(unit_id: str, capacity: float = 100.0, **extra) -> Equipment:
    values = {"name": unit_id, "type": "electric_heater", "capacity_kw": capacity,
              "efficiency": 1.0, "fuel": "electricity"}
    values.update(extra)
    return Equipment(equipment_id=unit_id, **values)


def boiler(unit_id: str, capacity: float = 200.0, **extra) -> Equipment:
    values = {"name": unit_id, "type": "gas_boiler", "capacity_kw": capacity,
              "efficiency": 0.9, "fuel": "natural_gas"}
    values.update(extra)
    return Equipment(equipment_id=unit_id, **values)


def job(job_id: str, kw: float, hours: float, earliest: float, deadline: float,
        day: date = DAY, **extra) -> Job:
    return Job(job_id=job_id, product_id="P", product_name="P", quantity=1, unit="kg",
               heating_kwh=kw * hours, temperature_c=100, duration_minutes=int(hours * 60),
               earliest_start=at(earliest, day), deadline=at(deadline, day), **extra)


def must_run(start: float, end: float, day: date = DAY) -> TimeWindow:
    return TimeWindow(start=at(start, day), end=at(end, day))


def maintenance(unit_id: str, start: float, end: float, day: date = DAY) -> MaintenanceWindow:
    return MaintenanceWindow(equipment_id=unit_id, start=at(start, day), end=at(end, day))


def inputs(equipment, jobs, *, windows=(), tariff=None, contract_peak_kw=None,
           billed_peak_kw=0.0, base_load_kw=0.0, gas_price=0.03) -> SiteInputs:
    site = Site(id="t", name="t", timezone=TZ, contract_peak_kw=contract_peak_kw,
                billed_peak_kw=billed_peak_kw, base_load_kw=base_load_kw)
    fuels = {u.fuel.value for u in equipment if not u.is_electric}
    return SiteInputs(folder=Path("."), site=site, equipment=tuple(equipment),
                      maintenance=tuple(windows), jobs=tuple(jobs),
                      tariff=tariff or tou_tariff(),
                      carrier_prices_per_kwh={f: gas_price for f in fuels},
                      base_load_by_hour=(base_load_kw,) * 24)


def horizon(site_inputs: SiteInputs, days: int = 1, first: date = DAY):
    grid = TimeGrid.for_days(first, days, TZ, 15)
    series = expand_tariff(site_inputs.tariff, grid, site_inputs.site.holidays)
    return grid, series


def hand_plan(site, grid, placed, runs, dropped=()) -> Plan:
    """A plan written by hand: (job, unit, start hour) placements and (unit, from, to) runs."""
    by_id = site.equipment_by_id
    jobs = {j.job_id: j for j in site.jobs}
    assignments = []
    for job_id, unit_id, start in placed:
        j, u = jobs[job_id], by_id[unit_id]
        assignments.append(Assignment(job_id=job_id, equipment_id=unit_id, start=at(start),
                                      end=at(start) + j.duration, heat_kw=j.heat_kw,
                                      input_kw=j.heat_kw / u.efficiency, carrier=u.fuel))
    return Plan(site_id=site.site.id, kind="optimized", horizon_start=grid.start,
                horizon_end=grid.end, step_minutes=15, assignments=tuple(assignments),
                runs=tuple(UnitRun(equipment_id=u, start=at(s), end=at(e)) for u, s, e in runs),
                dropped_jobs=tuple(dropped))


def on_peak_job_site(b_priority: int = 3):
    """Time-of-use energy, no demand charge, one heater; the previous plan has A at 03:00 (as
    cheap as any night hour) and B at 14:00 (on-peak: moving it to the night saves its
    50 kWh at 0.15 - 0.05 $/kWh, 5.00 $). Returns (site, grid, series, previous plan)."""
    site = inputs([heater("H1")], [job("A", 50, 1, 0, 6),
                                   job("B", 50, 1, 8, 22, priority=b_priority)],
                  tariff=tou_tariff(demand_rate=0.0), billed_peak_kw=500)
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 3), ("B", "H1", 14)],
                         [("H1", 3, 4), ("H1", 14, 15)])
    return site, grid, series, previous


def peaky_site() -> SiteInputs:
    """Jobs that all want the cheap night but would stack their power: peaks decide."""
    return inputs(
        [heater("H1", capacity=120, min_load_kw=10), heater("H2", capacity=120),
         heater("HP", capacity=100, type="heat_pump", efficiency=3.0,
                max_parallel_jobs=2)],
        [job("A", 90, 2, 0, 10), job("B", 80, 2, 0, 10), job("C", 60, 1, 6, 12),
         job("D", 100, 3, 4, 14), job("E", 50, 2, 8, 16), job("F", 70, 1, 9, 13)],
        billed_peak_kw=30, base_load_kw=20)


def crowded_site() -> SiteInputs:
    """More jobs than the night holds: the plan must trade energy price against peaks."""
    jobs = [job(f"J{n}", 40 + 10 * (n % 5), 1 + (n % 3), (n * 1.5) % 14, 22) for n in range(12)]
    return inputs([heater("H1", capacity=120, min_load_kw=15, min_run_minutes=60),
                   heater("H2", capacity=150, max_parallel_jobs=2, min_load_kw=20),
                   heater("HP", capacity=100, type="heat_pump", efficiency=3.0,
                          max_starts_per_day=3)],
                  jobs, billed_peak_kw=30, base_load_kw=20)


def problem_of(site_inputs: SiteInputs):
    """The step-level problem of a one-day site in which every job must be placed."""
    from heatcraft.scheduling import ScheduleOptions
    from heatcraft.scheduling.problem import build_problem

    grid, series = horizon(site_inputs)
    options = ScheduleOptions(backend="highs", time_limit_s=8, drop_penalty_per_priority=None)
    return build_problem(site_inputs, grid, series, options)


def idle_site() -> SiteInputs:
    """H1 may start once a day and two jobs only it can heat sit at either end of the day, so
    it idles at its 100 kW min load through the on-peak hours: the peaks of the jobs alone do
    not show that draw."""
    return inputs([heater("H1", capacity=200, min_load_kw=100, max_starts_per_day=1),
                   heater("H2", capacity=100)],
                  [job("A", 150, 1, 1, 3, allowed_equipment=("H1",)),
                   job("B", 150, 1, 21, 23, allowed_equipment=("H1",)),
                   job("C", 60, 2, 6, 18)],
                  billed_peak_kw=30, base_load_kw=20)


def proven_optimum(problem) -> float:
    """HiGHS's proven optimum of the linear model with every job placed."""
    from heatcraft.scheduling.backends import solve_with
    from heatcraft.scheduling.formulation import build_model

    model, _ = build_model(problem, allow_drops=False)
    outcome = solve_with("highs", model, time_limit_s=60, threads=2, seed=0, relative_gap=1e-9)
    assert outcome.status == "optimal"
    return outcome.objective
