"""Schedules: every evening, plan tomorrow for every site, in the site's own time zone."""

from datetime import date, timedelta

import dagster as dg

from assets.partitions import discover_site_ids, partition_key, sites_dir
from jobs import daily_plan_job

PLAN_HOUR = 18  # local time: after the production schedule for tomorrow is fixed


def _site_timezone(site_id: str) -> str:
    import yaml

    with (sites_dir() / site_id / "site.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["timezone"]


def _tomorrow_schedule(site_id: str, timezone: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"plan_tomorrow_{site_id}",
        cron_schedule=f"0 {PLAN_HOUR} * * *",
        execution_timezone=timezone,
        job=daily_plan_job,
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def plan_tomorrow(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        local_today = context.scheduled_execution_time.date()
        tomorrow: date = local_today + timedelta(days=1)
        return dg.RunRequest(
            run_key=f"{site_id}:{tomorrow}", partition_key=partition_key(site_id, tomorrow)
        )

    return plan_tomorrow


daily_schedules = [
    _tomorrow_schedule(site_id, _site_timezone(site_id)) for site_id in discover_site_ids()
]

__all__ = ["daily_schedules"]
