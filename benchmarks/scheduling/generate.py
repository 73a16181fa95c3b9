"""Seeded generator of benchmark site folders (electric units, TOU energy, 18 $/kW demand).

python -m benchmarks.scheduling.generate OUT_DIR --jobs 100 --units 10 --days 1 --seed 1
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

TZ = "America/Chicago"
FIRST_DAY = date(2026, 6, 16)  # a Tuesday
STEP = 15

UNIT_TYPES = (("electric_heater", 0.98), ("electric_boiler", 0.99), ("heat_pump", 3.0))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def generate_site(folder: Path, jobs: int, units: int, days: int, seed: int,
                  demand_rate: float = 18.0) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    tz = ZoneInfo(TZ)
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=tz)
    site = {"id": f"bench_{jobs}x{units}x{days}_s{seed}", "name": "benchmark site",
            "timezone": TZ, "currency": "USD", "step_minutes": STEP,
            "billed_peak_kw": 250.0, "base_load_kw": 150.0,
            "contract_peak_kw": 150.0 + 450.0 * units}
    (folder / "site.yaml").write_text(yaml.safe_dump(site, sort_keys=False))
    unit_rows = []
    for number in range(units):
        kind, efficiency = UNIT_TYPES[number % len(UNIT_TYPES)]
        capacity = rng.choice((300, 400, 500, 600))
        unit_rows.append({
            "equipment_id": f"U{number + 1:02d}", "name": f"unit {number + 1}", "type": kind,
            "capacity_kw": capacity, "min_load_kw": round(capacity * rng.choice((0.1, 0.15, 0.2))),
            "efficiency": efficiency, "fuel": "electricity",
            "min_run_minutes": rng.choice((30, 45, 60, 90)),
            "min_off_minutes": rng.choice((15, 30, 45, 60)),
            "max_starts_per_day": rng.choice((3, 4, 6)),
            "startup_energy_kwh": rng.choice((0, 5, 10, 20)),
            "max_parallel_jobs": rng.choice((1, 1, 2)),
            "initial_state": "off", "initial_state_minutes": ""})
    _write_csv(folder / "equipment.csv", unit_rows)
    maintenance = []
    for number in rng.sample(range(units), k=max(1, units // 5)):
        day = rng.randrange(days)
        hour = rng.randrange(6, 18)
        begin = start + timedelta(days=day, hours=hour)
        maintenance.append({"equipment_id": unit_rows[number]["equipment_id"],
                            "start": _iso(begin), "end": _iso(begin + timedelta(hours=3)),
                            "reason": "planned maintenance"})
    _write_csv(folder / "maintenance.csv", maintenance,
               ("equipment_id", "start", "end", "reason"))
    job_rows = []
    horizon_steps = days * 24 * 60 // STEP
    # Load about 40 % of the fleet's capacity-hours so that most jobs can move.
    for number in range(jobs):
        duration = rng.choice((30, 45, 60, 90, 120, 180, 240))
        steps = duration // STEP
        earliest = rng.randrange(0, horizon_steps - steps)
        slack = rng.randrange(steps, 10 * 60 // STEP + steps)
        deadline = min(horizon_steps, earliest + steps + slack)
        allowed = rng.sample([u["equipment_id"] for u in unit_rows],
                             k=rng.randint(max(1, units // 3), max(1, (2 * units) // 3)))
        smallest = min(u["capacity_kw"] for u in unit_rows if u["equipment_id"] in allowed)
        heat_kw = rng.randrange(40, min(300, smallest) + 1, 10)
        job_rows.append({
            "job_id": f"J{number + 1:04d}", "product_id": f"P{number % 7}",
            "product_name": f"product {number % 7}", "quantity": 1, "unit": "batch",
            "heating_kwh": heat_kw * duration / 60, "temperature_c": 120,
            "duration_minutes": duration,
            "earliest_start": _iso(start + timedelta(minutes=STEP * earliest)),
            "deadline": _iso(start + timedelta(minutes=STEP * deadline)),
            "priority": rng.randint(1, 5), "allowed_equipment": ";".join(sorted(allowed)),
            "must_run_window": ""})
    _write_csv(folder / "jobs.csv", job_rows)
    tariff = {"name": "benchmark TOU", "currency": "USD", "timezone": TZ,
              "periods": {"off_peak": {"energy": 0.06, "demand": demand_rate / 3},
                          "mid_peak": {"energy": 0.11, "demand": demand_rate / 2},
                          "on_peak": {"energy": 0.19, "demand": demand_rate}},
              "seasons": [{"name": "all", "months": list(range(1, 13)),
                           "weekday": {"00-07": "off_peak", "07-11": "mid_peak",
                                       "11-19": "on_peak", "19-22": "mid_peak",
                                       "22-24": "off_peak"},
                           "saturday": {"00-24": "off_peak"}}],
              "flat_demand": [{"months": list(range(1, 13)), "rate": demand_rate}],
              "demand_window_minutes": 15}
    (folder / "tariff.yaml").write_text(yaml.safe_dump(tariff, sort_keys=False))
    return folder


def load_generated(folder: Path, days: int = 1):
    """A generated site folder loaded, with its horizon from FIRST_DAY and the tariff priced on
    it: (site inputs, grid, tariff series), as the benchmark and the tests use them."""
    from heatcraft.intake.site_folder import load_site
    from heatcraft.tariffs import expand_tariff
    from heatcraft.timegrid import TimeGrid

    site = load_site(folder)
    grid = TimeGrid.for_days(FIRST_DAY, days, site.site.timezone, STEP)
    return site, grid, expand_tariff(site.tariff, grid, site.site.holidays)


def _write_csv(path: Path, rows: list[dict], header: tuple[str, ...] | None = None) -> None:
    fields = list(header or rows[0].keys())
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate_site(args.out, args.jobs, args.units, args.days, args.seed))


if __name__ == "__main__":
    main()
