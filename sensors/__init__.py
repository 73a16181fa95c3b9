"""Sensors: re-plan when a site's production schedule file changes."""

import json
from zoneinfo import ZoneInfo

import dagster as dg

from assets.partitions import discover_site_ids, partition_key, sites_dir
from jobs import daily_plan_job

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


sensors = [production_schedule_sensor]

__all__ = ["sensors"]
