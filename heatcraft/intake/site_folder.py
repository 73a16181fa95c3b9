"""Load a site folder into validated inputs, with every file's problems named."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from heatcraft.errors import InputError, InputIssue
from heatcraft.intake.equipment_trips import TRIPS_FILE, load_trips
from heatcraft.intake.records import read_records
from heatcraft.intake.tables import build_models
from heatcraft.intake.values import ValueProblem, to_aware, to_id_list, to_quantity
from heatcraft.models import Equipment, Job, MaintenanceWindow, Site, TimeWindow, UnitTrip
from heatcraft.provenance import sha256_of, sha256_of_file

EQUIPMENT_REQUIRED = ("equipment_id", "name", "type", "capacity_kw", "efficiency", "fuel")
EQUIPMENT_OPTIONAL = (
    "min_load_kw",
    "min_run_minutes",
    "min_off_minutes",
    "max_starts_per_day",
    "startup_energy_kwh",
    "max_parallel_jobs",
    "initial_state",
    "initial_state_minutes",
)
MAINTENANCE_REQUIRED = ("equipment_id", "start", "end")
MAINTENANCE_OPTIONAL = ("reason",)
JOBS_REQUIRED = (
    "job_id",
    "product_id",
    "product_name",
    "quantity",
    "unit",
    "heating_kwh",
    "temperature_c",
    "duration_minutes",
    "earliest_start",
    "deadline",
)
JOBS_OPTIONAL = ("priority", "allowed_equipment", "must_run_window")
JOB_FILE_NAMES = ("jobs.csv", "jobs.xlsx", "jobs.json", "jobs.xml")


@dataclass(frozen=True)
class SiteInputs:
    """Everything a plan needs, validated, with the SHA-256 of each source file."""

    folder: Path
    site: Site
    equipment: tuple[Equipment, ...]
    maintenance: tuple[MaintenanceWindow, ...]
    jobs: tuple[Job, ...]
    tariff: Any
    carrier_prices_per_kwh: dict[str, float]
    base_load_by_hour: tuple[float, ...]
    source_sha256: dict[str, str] = field(default_factory=dict)
    # equipment_trips.csv: units that stopped unplanned (fresh plans keep them off too)
    trips: tuple[UnitTrip, ...] = ()

    @property
    def equipment_by_id(self) -> dict[str, Equipment]:
        return {unit.equipment_id: unit for unit in self.equipment}

    def canonical(self) -> dict[str, Any]:
        content = {
            "site": self.site,
            "equipment": list(self.equipment),
            "maintenance": list(self.maintenance),
            "jobs": list(self.jobs),
            "tariff": self.tariff,
            "carrier_prices_per_kwh": self.carrier_prices_per_kwh,
            "base_load_by_hour": list(self.base_load_by_hour),
        }
        if self.trips:  # a site without trips keeps the fingerprint it had
            content["trips"] = list(self.trips)
        return content

    def unavailable(self, start: datetime, end: datetime, *, after: datetime | None = None,
                    left_to_caller: Collection[str] = ()) -> tuple[MaintenanceWindow, ...]:
        """When units may not run within [start, end): the maintenance windows, then the trips'
        outages (`outages`)."""
        return self.maintenance + self.outages(start, end, after=after,
                                               left_to_caller=left_to_caller)

    def outages(self, start: datetime, end: datetime, *, after: datetime | None = None,
                left_to_caller: Collection[str] = ()) -> tuple[MaintenanceWindow, ...]:
        """Each trip's outage within [start, end): from its moment (or `after`, a re-plan's
        moment: the past before it is what happened) until its return, or `end` while the
        return is unknown. Units in `left_to_caller` (a re-plan's tripped units, whose outage
        it sets itself) are left out."""
        outages = []
        for trip in self.trips:
            if trip.equipment_id in left_to_caller:
                continue
            begins = max(trip.tripped_at, start, after or start)
            ends = end if trip.back_at is None else min(trip.back_at, end)
            if begins < ends:
                back = ("return unknown" if trip.back_at is None
                        else f"back at {trip.back_at.isoformat()}")
                outages.append(MaintenanceWindow(
                    equipment_id=trip.equipment_id, start=begins, end=ends,
                    reason=f"tripped at {trip.tripped_at.isoformat()} ({back})"))
        return tuple(outages)

    @property
    def sha256(self) -> str:
        """Fingerprint of the loaded content (not the file bytes): same meaning, same hash."""
        return sha256_of(self.canonical())


def load_site(folder: Path) -> SiteInputs:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([InputIssue(str(folder), None, None, "site folder not found")])
    site = load_site_yaml(folder / "site.yaml")
    equipment = load_equipment(folder / "equipment.csv")
    maintenance_path = folder / "maintenance.csv"
    maintenance, maintenance_rows = (
        load_maintenance(maintenance_path, site) if maintenance_path.exists() else ([], [])
    )
    jobs_path = find_jobs_file(folder)
    jobs, job_rows = load_jobs(jobs_path, site)
    check_references(
        equipment,
        maintenance,
        jobs,
        maintenance_file=maintenance_path.name,
        maintenance_rows=maintenance_rows,
        jobs_file=jobs_path.name,
        job_rows=job_rows,
    )
    check_jobs_fit(equipment, maintenance, jobs, jobs_file=jobs_path.name, job_rows=job_rows)
    tariff_path, tariff = load_site_tariff(folder)
    prices, price_files = load_carrier_prices(folder, equipment, site)
    base_load = load_base_load(folder, site)
    used = [folder / "site.yaml", folder / "equipment.csv", jobs_path, tariff_path, *price_files]
    if maintenance_path.exists():
        used.append(maintenance_path)
    trips: list[UnitTrip] = []
    trips_path = folder / TRIPS_FILE
    if trips_path.exists():
        trips = load_trips(trips_path, site.timezone, [unit.equipment_id for unit in equipment])
        used.append(trips_path)
    if site.base_load_profile:
        used.append(folder / site.base_load_profile)
    return SiteInputs(
        folder=folder,
        site=site,
        equipment=tuple(equipment),
        maintenance=tuple(maintenance),
        jobs=tuple(jobs),
        tariff=tariff,
        carrier_prices_per_kwh=prices,
        base_load_by_hour=base_load,
        source_sha256={p.name: sha256_of_file(p) for p in sorted(used)},
        trips=tuple(trips),
    )


def load_site_yaml(path: Path) -> Site:
    if not path.exists():
        raise InputError([InputIssue(path.name, None, None, "file not found")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError(
            [
                InputIssue(
                    path.name, None if line is None else line + 1, None, f"invalid YAML: {exc}"
                )
            ]
        ) from exc
    if not isinstance(data, dict):
        raise InputError([InputIssue(path.name, None, None, "expected a mapping of settings")])
    try:
        return Site.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                InputIssue(
                    path.name,
                    None,
                    ".".join(str(p) for p in e["loc"]) or None,
                    e["msg"].removeprefix("Value error, "),
                )
                for e in exc.errors(include_url=False)
            ]
        ) from exc


def load_equipment(path: Path) -> list[Equipment]:
    records = read_records(path, required=EQUIPMENT_REQUIRED, optional=EQUIPMENT_OPTIONAL)
    quantity = {
        "capacity_kw": "kW",
        "min_load_kw": "kW",
        "efficiency": "dimensionless",
        "min_run_minutes": "minute",
        "min_off_minutes": "minute",
        "startup_energy_kwh": "kWh",
        "initial_state_minutes": "minute",
    }
    converters = {name: partial(to_quantity, unit=unit) for name, unit in quantity.items()}
    for name in ("min_run_minutes", "min_off_minutes", "initial_state_minutes"):
        converters[name] = partial(_whole, unit="minute")
    units = build_models(records, Equipment, converters, id_field="equipment_id")
    if not units:
        raise InputError([InputIssue(path.name, None, None, "no equipment listed")])
    return units


def load_maintenance(path: Path, site: Site) -> tuple[list[MaintenanceWindow], list[int]]:
    """Windows and the file row of each."""
    records = read_records(path, required=MAINTENANCE_REQUIRED, optional=MAINTENANCE_OPTIONAL)
    when = partial(to_aware, timezone=site.timezone)
    windows = build_models(records, MaintenanceWindow, {"start": when, "end": when})
    return windows, [r.row for r in records]


def find_jobs_file(folder: Path) -> Path:
    present = [folder / name for name in JOB_FILE_NAMES if (folder / name).exists()]
    if len(present) != 1:
        found = ", ".join(p.name for p in present) or "none"
        raise InputError(
            [
                InputIssue(
                    str(folder),
                    None,
                    None,
                    f"expected exactly one of {', '.join(JOB_FILE_NAMES)}; found {found}",
                )
            ]
        )
    return present[0]


def load_jobs(path: Path, site: Site) -> tuple[list[Job], dict[str, int]]:
    """Jobs and the file row of each job id."""
    records = read_records(path, required=JOBS_REQUIRED, optional=JOBS_OPTIONAL)
    when = partial(to_aware, timezone=site.timezone)
    converters = {
        "earliest_start": when,
        "deadline": when,
        "heating_kwh": partial(to_quantity, unit="kWh"),
        "quantity": partial(to_quantity, unit="dimensionless"),
        "temperature_c": partial(to_quantity, unit="degC"),
        "duration_minutes": partial(_whole, unit="minute"),
        "priority": partial(_whole, unit="dimensionless"),
        "allowed_equipment": to_id_list,
        "must_run_window": partial(_window, timezone=site.timezone),
        "job_id": str,
        "product_id": str,
    }
    jobs = build_models(records, Job, converters, id_field="job_id")
    if not jobs:
        raise InputError([InputIssue(path.name, None, None, "no jobs listed")])
    return jobs, {job.job_id: record.row for job, record in zip(jobs, records, strict=True)}


def _whole(value: Any, unit: str) -> int:
    number = to_quantity(value, unit)
    if number is None or abs(number - round(number)) > 1e-9:
        raise ValueProblem(f"{value!r} is not a whole number of {unit}s")
    return int(round(number))


def _window(value: Any, timezone: str) -> TimeWindow:
    if isinstance(value, dict):
        start, end = value.get("start"), value.get("end")
    else:
        parts = str(value).split("/")
        if len(parts) != 2:
            raise ValueProblem(f"{value!r} is not an ISO 8601 interval 'start/end'")
        start, end = parts
    return TimeWindow(start=to_aware(start, timezone), end=to_aware(end, timezone))


def check_references(
    equipment: list[Equipment],
    maintenance: list[MaintenanceWindow],
    jobs: list[Job],
    *,
    maintenance_file: str,
    maintenance_rows: list[int],
    jobs_file: str,
    job_rows: dict[str, int],
) -> None:
    known = {unit.equipment_id for unit in equipment}
    issues = []
    for row, window in zip(maintenance_rows, maintenance, strict=True):
        if window.equipment_id not in known:
            issues.append(
                InputIssue(
                    maintenance_file,
                    row,
                    "equipment_id",
                    f"unknown equipment {window.equipment_id!r}",
                )
            )
    for job in jobs:
        for unit_id in job.allowed_equipment:
            if unit_id not in known:
                issues.append(
                    InputIssue(
                        jobs_file,
                        job_rows.get(job.job_id),
                        "allowed_equipment",
                        f"job {job.job_id!r} names unknown equipment {unit_id!r}",
                    )
                )
    if issues:
        raise InputError(issues)


def unit_blockers(job: Job, unit: Equipment, maintenance: list[MaintenanceWindow]) -> str | None:
    """Why `job` can never run on `unit` (None if it can)."""
    if job.heat_kw > unit.capacity_kw + 1e-9:
        return f"{unit.equipment_id}: needs {job.heat_kw:.1f} kW, capacity {unit.capacity_kw:g} kW"
    if not _has_free_slot(job, [w for w in maintenance if w.equipment_id == unit.equipment_id]):
        return f"{unit.equipment_id}: maintenance covers every start within the window"
    return None


def _has_free_slot(job: Job, windows: list[MaintenanceWindow]) -> bool:
    """Is there a start in [earliest_start, latest_start] clear of every maintenance window?"""
    candidates = [job.earliest_start] + [w.end for w in windows]
    for start in sorted(c for c in candidates if job.earliest_start <= c <= job.latest_start()):
        end = start + job.duration
        if not any(w.overlaps(start, end) for w in windows):
            return True
    return False


def check_jobs_fit(
    equipment: list[Equipment],
    maintenance: list[MaintenanceWindow],
    jobs: list[Job],
    *,
    jobs_file: str,
    job_rows: dict[str, int],
) -> None:
    issues = []
    for job in jobs:
        candidates = [
            u
            for u in equipment
            if not job.allowed_equipment or u.equipment_id in job.allowed_equipment
        ]
        reasons = [unit_blockers(job, unit, maintenance) for unit in candidates]
        if all(reasons):
            field_name = (
                "heating_kwh" if all("capacity" in r for r in reasons) else "earliest_start"
            )
            issues.append(
                InputIssue(
                    jobs_file,
                    job_rows.get(job.job_id),
                    field_name,
                    f"job {job.job_id!r} fits no unit: " + "; ".join(reasons),
                )
            )
    if issues:
        raise InputError(issues)


def load_site_tariff(folder: Path) -> tuple[Path, Any]:
    from heatcraft.tariffs import load_tariff

    candidates = [folder / n for n in ("tariff.yaml", "tariff.urdb.json") if (folder / n).exists()]
    if len(candidates) != 1:
        raise InputError(
            [
                InputIssue(
                    str(folder), None, None, "expected exactly one of tariff.yaml, tariff.urdb.json"
                )
            ]
        )
    overlay = folder / "tariff.overlay.yaml"
    return candidates[0], load_tariff(candidates[0], overlay if overlay.exists() else None)


def load_carrier_prices(
    folder: Path, equipment: list[Equipment], site: Site
) -> tuple[dict[str, float], list[Path]]:
    """Input-energy price ($/kWh) of each fuel the units burn; electricity is the tariff's."""
    fuels = sorted({u.fuel.value for u in equipment if not u.is_electric})
    if not fuels:
        return {}, []
    from heatcraft.intake.fuel_prices import carrier_prices_per_kwh

    return carrier_prices_per_kwh(folder, fuels, site.multi_fuel_planning_price_per_mwh)


def load_base_load(folder: Path, site: Site) -> tuple[float, ...]:
    by_hour = [site.base_load_kw] * 24
    if site.base_load_profile:
        path = folder / site.base_load_profile
        records = read_records(path, required=("hour", "kw"), optional=())
        issues = []
        for record in records:
            try:
                hour = int(record.values["hour"])
                kw = to_quantity(record.values["kw"], "kW")
            except (TypeError, ValueError) as exc:
                issues.append(InputIssue(path.name, record.row, None, str(exc)))
                continue
            if not 0 <= hour <= 23:
                issues.append(InputIssue(path.name, record.row, "hour", "must be 0..23"))
            elif kw is None or kw < 0:
                issues.append(InputIssue(path.name, record.row, "kw", "must be >= 0"))
            else:
                by_hour[hour] += kw
        if issues:
            raise InputError(issues)
    return tuple(by_hour)
