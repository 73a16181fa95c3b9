"""Sensors: re-plan when a site's production schedule file changes, or a unit trips."""

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import dagster as dg

from assets.partitions import discover_site_ids, partition_key, site_day_partitions, sites_dir
from jobs import daily_plan_job

if TYPE_CHECKING:
    from heatcraft.intake.equipment_trips import TripReplan

JOB_FILES = ("jobs.csv", "jobs.xlsx", "jobs.json", "jobs.xml")


@dg.sensor(
    job=daily_plan_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="A new or changed jobs file in a site folder re-plans the days it covers.",
)
def production_schedule_sensor(context: dg.SensorEvaluationContext):
    from heatcraft.intake.site_folder import find_jobs_file, load_jobs, load_site_yaml
    from heatcraft.provenance import sha256_of_file

    seen = json.loads(context.cursor) if context.cursor else {}
    for site_id in discover_site_ids():
        folder = sites_dir() / site_id
        path = find_jobs_file(folder)
        digest = sha256_of_file(path)
        if seen.get(site_id) == digest:
            continue
        site = load_site_yaml(folder / "site.yaml")
        jobs, _ = load_jobs(path, site)
        zone = ZoneInfo(site.timezone)
        days = sorted({job.earliest_start.astimezone(zone).date() for job in jobs})
        for day in days:
            yield dg.RunRequest(
                run_key=f"{site_id}:{day}:{digest[:12]}", partition_key=partition_key(site_id, day)
            )
        seen[site_id] = digest
    context.update_cursor(json.dumps(seen, sort_keys=True))


# A trip's re-plan reads the plan the run before it stored (a trip's re-plan or any other
# plan of the day): runs of these states are still to store theirs.
IN_FLIGHT = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.QUEUED,
             dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
TRIP_SITE_TAG = "heatcraft/trip_site"


@dg.sensor(
    job=daily_plan_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="A unit trip (a new row of a site's equipment_trips.csv, or a changed return) "
    "re-plans its day from that moment and each later day its return reaches from the day's "
    "start (with no return known, each later day that has a plan), one re-plan per site at a "
    "time; a day planned afresh after its trips is re-planned for them again from their "
    "moments, but not from its start for a trip that plan read (it keeps the unit off too).",
)
def unit_trip_sensor(context: dg.SensorEvaluationContext):
    from heatcraft.errors import InputError
    from heatcraft.intake.equipment_trips import (
        TRIPS_FILE,
        load_trips,
        pending_replans,
        repeats_fresh_plan,
        split_handled_key,
    )
    from heatcraft.intake.site_folder import load_equipment, load_site_yaml

    # site -> a trip's day (handled_key) -> [the return it was re-planned with ("" none), the
    # run whose stored plan that re-plan started from]
    handled = json.loads(context.cursor) if context.cursor else {}
    requests = []
    planned: dict[str, set[date]] | None = None
    for site_id in discover_site_ids():
        folder = sites_dir() / site_id
        if not (folder / TRIPS_FILE).is_file():
            continue
        try:
            site = load_site_yaml(folder / "site.yaml")
            units = [unit.equipment_id for unit in load_equipment(folder / "equipment.csv")]
            trips = load_trips(folder / TRIPS_FILE, site.timezone, units)
        except InputError as exc:  # the trips wait, unhandled, until the file is mended
            context.log.error(f"{site_id}: cannot read its trips: {exc.report()}")
            continue
        listed = {trip.key for trip in trips}  # a row taken out of the file is forgotten
        known = {key: entry for key, entry in handled.get(site_id, {}).items()
                 if split_handled_key(key)[0] in listed}
        handled[site_id] = known
        if _replan_running(context.instance, site_id):
            context.log.info(f"{site_id}: trips wait for the re-plan that is running")
            continue
        plans = _PlansOfDays(context.instance, site_id)
        # A plan of the day made afresh (not by a trip's re-plan) after a trip was handled
        # keeps the unit off (it reads the trips too) but plans the whole day anew: the day's
        # trips are pending again, from that plan.
        current = {key: entry for key, entry in known.items()
                   if not plans.superseded(split_handled_key(key)[1], entry[1])}
        if planned is None:  # once per tick, and only if some site has trips
            planned = _planned_days(context.instance)
        pending = pending_replans(trips, {key: entry[0] for key, entry in current.items()},
                                  site.timezone, planned.get(site_id, set()))
        for replan in pending:  # the first of a day with a plan; the next waits for its plan
            basis = plans.latest(replan.plan_date)
            if basis is None:
                context.log.info(f"{site_id}: {replan.why}; {replan.plan_date} has no "
                                 "optimized plan yet to re-plan")
                continue
            if repeats_fresh_plan(replan, site.timezone, plans.fresh_plan_read(replan.plan_date)):
                context.log.info(f"{site_id}: {replan.why}; the plan of {replan.plan_date} "
                                 "was made afresh with it, from the day's start")
                key, back = replan.handled
                current[key] = [back, basis]
                continue
            if _partition_busy(context.instance, partition_key(site_id, replan.plan_date)):
                context.log.info(f"{site_id}: {replan.why}; a run of {replan.plan_date} is "
                                 "under way, the re-plan waits for the plan it stores")
                break
            requests.append(_trip_run(site_id, replan, basis, plans.penalties(replan.plan_date)))
            key, back = replan.handled
            current[key] = [back, basis]
            break
        handled[site_id] = current
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(handled, sort_keys=True))


def _trip_run(site_id: str, replan: "TripReplan", basis: str,
              penalties: dict[str, object]) -> dg.RunRequest:
    """`penalties`: the day's plan's drop, late and move penalties (optimized_plan's config),
    which the re-plan keeps."""
    config = {"replan_at": replan.replan_at.isoformat(), "tripped_units": list(replan.tripped),
              **penalties}
    key, back = replan.handled
    return dg.RunRequest(
        # A trip's day, return and starting plan is asked for once (Dagster skips a known key).
        run_key=f"trip:{site_id}:{key}:{back}:{basis}",
        partition_key=partition_key(site_id, replan.plan_date),
        run_config={"ops": {"optimized_plan": {"config": config}}},
        tags={TRIP_SITE_TAG: site_id, "heatcraft/replan_why": replan.why},
    )


def _replan_running(instance: dg.DagsterInstance, site_id: str) -> bool:
    runs = instance.get_runs(dg.RunsFilter(tags={TRIP_SITE_TAG: site_id}, statuses=IN_FLIGHT),
                             limit=1)
    return bool(runs)


def _partition_busy(instance: dg.DagsterInstance, key: dg.MultiPartitionKey) -> bool:
    runs = instance.get_runs(dg.RunsFilter(tags={"dagster/partition": str(key)},
                                           statuses=IN_FLIGHT), limit=1)
    return bool(runs)


def _planned_days(instance: dg.DagsterInstance) -> dict[str, set[date]]:
    """Each site's days with an optimized plan (a trip with no return known re-plans the
    later ones)."""
    days: dict[str, set[date]] = {}
    for key in instance.get_materialized_partitions(dg.AssetKey("optimized_plan")):
        dimensions = site_day_partitions.get_partition_key_from_str(key).keys_by_dimension
        days.setdefault(dimensions["site"], set()).add(date.fromisoformat(dimensions["date"]))
    return days


@dataclass(frozen=True)
class _DayPlan:
    """A day's latest optimized plan, as the trip sensor needs it."""

    run_id: str  # the run that stored it
    by_trip: bool  # that run was a trip's re-plan
    trips_read: frozenset[str]  # `trip_read` of each trip it read
    penalties: dict[str, object]  # its penalties that differ from the defaults, as config


class _PlansOfDays:
    """Each day's latest optimized plan of a site, looked up once per day."""

    def __init__(self, instance: dg.DagsterInstance, site_id: str):
        self.instance, self.site_id = instance, site_id
        self._latest: dict[date, _DayPlan | None] = {}

    def _lookup(self, day: date) -> _DayPlan | None:
        if day not in self._latest:
            records = self.instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=dg.AssetKey("optimized_plan"),
                                      asset_partitions=[partition_key(self.site_id, day)]),
                limit=1).records
            found = None
            if records:
                run_id = records[0].event_log_entry.run_id
                run = self.instance.get_run_by_id(run_id)
                materialization = records[0].asset_materialization
                metadata = materialization.metadata if materialization else {}
                read = metadata.get("trips_read")
                found = _DayPlan(run_id, run is not None and TRIP_SITE_TAG in run.tags,
                                 frozenset(read.data) if read is not None else frozenset(),
                                 _penalty_config(metadata.get("penalties")))
            self._latest[day] = found
        return self._latest[day]

    def latest(self, day: date) -> str | None:
        found = self._lookup(day)
        return None if found is None else found.run_id

    def superseded(self, day: date, basis: str) -> bool:
        """A plan other than `basis`, and not a trip's re-plan, is the day's latest."""
        found = self._lookup(day)
        return found is not None and found.run_id != basis and not found.by_trip

    def penalties(self, day: date) -> dict[str, object]:
        """The day's latest plan's penalties where they are not the defaults, as
        optimized_plan's config takes them."""
        found = self._lookup(day)
        return found.penalties if found is not None else {}

    def fresh_plan_read(self, day: date) -> frozenset[str]:
        """The trips (`trip_read`) the day's latest plan read, if it was made afresh."""
        found = self._lookup(day)
        return found.trips_read if found is not None and not found.by_trip else frozenset()


def _penalty_config(recorded: dg.MetadataValue | None) -> dict[str, object]:
    from heatcraft.scheduling.options import DEFAULT_DROP_PENALTY

    if recorded is None:  # a plan stored before penalties were recorded
        return {}
    config: dict[str, object] = {}
    drop, late = recorded.data["drop_penalty_per_priority"], recorded.data["late_penalty_per_hour"]
    if drop is None:
        config["never_drop"] = True
    elif tuple(drop) != DEFAULT_DROP_PENALTY:
        config["drop_penalty_per_priority"] = drop
    if late is not None:
        config["late_penalty_per_hour"] = late
    move = recorded.data.get("move_penalty")  # recorded since the move penalty exists
    if isinstance(move, list):  # by priority
        config["move_penalty_per_priority"] = move
    elif move:
        config["move_penalty"] = move
    return config


sensors = [production_schedule_sensor, unit_trip_sensor]

__all__ = ["sensors"]
