"""Schedules and sensors: what they ask Dagster to run."""

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from schedules import daily_schedules
from sensors import production_schedule_sensor

ROOT = Path(__file__).resolve().parents[2]


def test_evening_schedule_plans_tomorrow_in_site_time():
    schedule = next(s for s in daily_schedules if s.name == "plan_tomorrow_plant_a")
    assert schedule.execution_timezone == "America/Chicago"
    moment = datetime(2026, 6, 15, 18, 0, tzinfo=ZoneInfo("America/Chicago"))
    from definitions import defs

    with dg.build_schedule_context(
        scheduled_execution_time=moment, repository_def=defs.get_repository_def()
    ) as context:
        request = schedule.evaluate_tick(context).run_requests[0]
    assert request.partition_key == dg.MultiPartitionKey({"site": "plant_a", "date": "2026-06-16"})


def test_sensor_replans_when_the_jobs_file_changes(tmp_path: Path, monkeypatch):
    shutil.copytree(ROOT / "examples" / "plant_a", tmp_path / "plant_a")
    monkeypatch.setenv("HEATCRAFT_SITES_DIR", str(tmp_path))
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance)
    first = list(production_schedule_sensor(context))
    assert [r.partition_key for r in first] == [
        dg.MultiPartitionKey({"site": "plant_a", "date": "2026-06-16"})
    ]
    context = dg.build_sensor_context(instance=instance, cursor=context.cursor)
    assert list(production_schedule_sensor(context)) == []  # nothing changed
    jobs = tmp_path / "plant_a" / "jobs.csv"
    jobs.write_text(jobs.read_text().replace(",1675,", ",1700,", 1))
    context = dg.build_sensor_context(instance=instance, cursor=context.cursor)
    again = list(production_schedule_sensor(context))
    assert len(again) == 1 and again[0].run_key != first[0].run_key
