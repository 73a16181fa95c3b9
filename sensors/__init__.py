"""Sensors: re-plan when a site's production schedule file changes, or a unit trips."""

import json
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import dagster as dg

from assets.partitions import discover_site_ids, partition_key, sites_dir
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


# A trip's re-plan reads the plan the one before it stored: runs of these states are still
# to store theirs.
IN_FLIGHT = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.QUEUED,
             dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
TRIP_SITE_TAG = "heatcraft/trip_site"


@dg.sensor(
    job=daily_plan_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="A unit trip (a new row of a site's equipment_trips.csv, or a changed return) "
    "re-plans its day from that moment, one re-plan per site at a time.",
)
def unit_trip_sensor(context: dg.SensorEvaluationContext):
    from heatcraft.errors import InputError
    from heatcraft.intake.equipment_trips import TRIPS_FILE, load_trips, pending_replans
    from heatcraft.intake.site_folder import load_equipment, load_site_yaml

    handled = json.loads(context.cursor) if context.cursor else {}
    requests = []
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
        known = handled.get(site_id, {})  # trip key -> the return it was re-planned with
        done = {trip.key: known[trip.key] for trip in trips if trip.key in known}
        pending = pending_replans(trips, done, site.timezone)
        if pending and _replan_running(context.instance, site_id):
            context.log.info(f"{site_id}: {len(pending)} trip re-plan(s) wait for the running one")
        else:
            # The first of a day that has a plan (a day planned later is re-planned then); the
            # next waits for this one's stored plan.
            for replan in pending:
                key = partition_key(site_id, replan.plan_date)
                if _has_optimized_plan(context.instance, key):
                    requests.append(_trip_run(site_id, key, replan))
                    done[replan.handled[0]] = replan.handled[1]
                    break
                context.log.info(f"{site_id}: {replan.why}; {replan.plan_date} has no optimized "
                                 "plan yet to re-plan")
        handled[site_id] = done
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(handled, sort_keys=True))


def _trip_run(site_id: str, key: dg.MultiPartitionKey, replan: "TripReplan") -> dg.RunRequest:
    config = {"replan_at": replan.replan_at.isoformat(), "tripped_units": list(replan.tripped)}
    return dg.RunRequest(
        run_key=f"trip:{site_id}:{replan.handled[0]}:{replan.handled[1]}",
        partition_key=key,
        run_config={"ops": {"optimized_plan": {"config": config}}},
        tags={TRIP_SITE_TAG: site_id, "heatcraft/replan_why": replan.why},
    )


def _replan_running(instance: dg.DagsterInstance, site_id: str) -> bool:
    runs = instance.get_runs(dg.RunsFilter(tags={TRIP_SITE_TAG: site_id}, statuses=IN_FLIGHT),
                             limit=1)
    return bool(runs)


def _has_optimized_plan(instance: dg.DagsterInstance, key: dg.MultiPartitionKey) -> bool:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("optimized_plan"), asset_partitions=[key]),
        limit=1)
    return bool(records.records)


sensors = [production_schedule_sensor, unit_trip_sensor]

__all__ = ["sensors"]
