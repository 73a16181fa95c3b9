"""Seeded random small sites (1-3 units of every kind, 2-7 jobs, unless asked for more) for
cross-checks."""

from __future__ import annotations

import random
from datetime import date

from heatcraft.intake.site_folder import SiteInputs
from heatcraft.models import UnitState
from tests.scheduling.sites import (
    DAY,
    boiler,
    heater,
    inputs,
    job,
    maintenance,
    must_run,
    tou_tariff,
)


def random_site(seed: int, day: date = DAY, units_range: tuple[int, int] = (1, 3),
                jobs_range: tuple[int, int] = (2, 7), days: int = 1,
                demand_tiers: bool = False) -> SiteInputs:
    """Heaters, heat pumps and gas boilers with random limits (min load, min run and off,
    starts per day, startup energy, parallel jobs, an initial state), jobs with random windows,
    units and must-run windows, maybe a maintenance window and a contract peak, a TOU or flat
    tariff. All values sit on the grids the whole-bill search needs (0.1 kW, small
    denominators), so every engine and bound can be compared on it. Its times are real hours
    after local midnight of `day` (a DST change day works too). The numbers of units and jobs
    are drawn from the two ranges (both ends included). Over `days` days, jobs and the
    maintenance window may fall on any of them and windows cross midnight. `demand_tiers`:
    each demand charge doubles 20-100 kW above the billed peak and the base load (rising
    tiers, which the model prices exactly). Without the last two options the sites are
    those drawn before them."""
    rng = random.Random(seed)
    units = [_unit(rng, number) for number in range(rng.randint(*units_range))]
    jobs = [_job(rng, number, units, day, days) for number in range(rng.randint(*jobs_range))]
    windows = []
    if rng.random() < 0.4:
        unit, start = rng.choice(units), rng.randrange(22 + 24 * (days - 1))
        windows.append(maintenance(unit.equipment_id, start, start + rng.choice([1, 2]), day))
    base = rng.choice([0.0, 20.0, 50.0])
    demand_rate, flat = rng.choice([0.0, 5.0, 18.0]), rng.random() < 0.3
    contract = base + rng.choice([150, 250, 400]) if rng.random() < 0.3 else None
    billed = rng.choice([0.0, 30.0, 100.0])
    tier_kw = billed + base + rng.choice([20.0, 50.0, 100.0]) if demand_tiers else None
    return inputs(units, jobs, windows=tuple(windows),
                  tariff=tou_tariff(demand_rate, flat=flat, tier_kw=tier_kw),
                  contract_peak_kw=contract, billed_peak_kw=billed, base_load_kw=base)


def _unit(rng: random.Random, number: int):
    capacity = rng.randrange(80, 260, 10)
    limits = {"capacity": capacity,
              "min_load_kw": rng.choice([0, 0, round(capacity * rng.choice([0.1, 0.2, 0.4]), 1)]),
              "min_run_minutes": rng.choice([0, 15, 30, 60, 120]),
              "min_off_minutes": rng.choice([0, 15, 60, 180]),
              "max_starts_per_day": rng.choice([None, None, 1, 2, 3]),
              "startup_energy_kwh": rng.choice([0, 0, 5, 12.5]),
              "max_parallel_jobs": rng.choice([1, 1, 2])}
    if rng.random() < 0.3:
        limits["initial_state"] = UnitState.ON
        limits["initial_state_minutes"] = rng.choice([None, 15, 30, 240])
    kind, unit_id = rng.choice(["heater", "heater", "heat_pump", "boiler"]), f"U{number}"
    if kind == "heater":
        return heater(unit_id, efficiency=rng.choice([1.0, 0.98, 0.99]), **limits)
    if kind == "heat_pump":
        return heater(unit_id, type="heat_pump", efficiency=rng.choice([3.0, 2.5]), **limits)
    return boiler(unit_id, efficiency=rng.choice([0.9, 0.85]), **limits)


def _job(rng: random.Random, number: int, units: list, day: date, days: int = 1):
    hours = rng.choice([0.5, 1, 1.5, 2, 3])
    earliest = rng.randrange(20 + 24 * (days - 1))
    deadline = min(24 * days, earliest + hours + rng.choice([0, 0.5, 1, 2, 4, 8]))
    earliest = min(earliest, deadline - hours)
    ids = [u.equipment_id for u in units]
    allowed = tuple(sorted(rng.sample(ids, k=rng.randint(1, len(ids))))) \
        if rng.random() < 0.5 else ()
    kw = min(max(u.capacity_kw for u in units if not allowed or u.equipment_id in allowed),
             rng.randrange(20, 160, 5))
    extra = {}
    if rng.random() < 0.15:
        start = earliest + rng.choice([0, 0.25, 0.5])
        if start + hours <= deadline:
            extra["must_run_window"] = must_run(start, start + hours, day)
    return job(f"J{number}", kw, hours, earliest, deadline, day, allowed_equipment=allowed,
               priority=rng.randint(1, 5), **extra)
