"""Which unit to trip in a test of re-planning: one whose running jobs can all start again."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path


def latest_starts(site: Path) -> dict[str, datetime]:
    """Each job's latest start (deadline less duration) in the site folder's jobs.csv."""
    with (site / "jobs.csv").open(newline="") as handle:
        return {row["job_id"]: datetime.fromisoformat(row["deadline"])
                - timedelta(minutes=int(row["duration_minutes"]))
                for row in csv.DictReader(handle)}


def busiest_restartable_unit(site: Path, running: list[tuple[str, str]],
                             now: datetime) -> str:
    """Of the units in `running` ((job_id, equipment_id) pairs running at `now`), the one
    running the most jobs, among those whose running jobs can all start again after `now`.
    A job that cannot (on plant_a, J025: 240 minutes due by 15:15, which a short limit may run
    across noon) is rightly dropped when its unit trips, which such tests are not about."""
    latest = latest_starts(site)
    stuck = {unit for job, unit in running if latest[job] < now}
    units = sorted({unit for _, unit in running} - stuck)
    assert units, "every unit running then runs a job that cannot start again"
    return max(units, key=lambda u: sum(unit == u for _, unit in running))
