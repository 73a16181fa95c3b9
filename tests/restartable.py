"""Which unit to trip in a test of re-planning (one whose running jobs can all start again), and
which moves a trip forces."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from heatcraft.intake.site_folder import load_site

Span = tuple[str, datetime, datetime]  # a job's unit, start and end


def busiest_restartable_unit(site: Path, running: list[tuple[str, str]],
                             now: datetime) -> str:
    """Of the units in `running` ((job_id, equipment_id) pairs running at `now`), the one
    running the most jobs, among those whose running jobs can all start again after `now`
    within their windows. A job that cannot (on plant_a, J025: 240 minutes due by 15:15,
    which a short limit may run across noon) is rightly dropped when its unit trips, which
    such tests are not about."""
    jobs = {job.job_id: job for job in load_site(site).jobs}

    def restartable(job_id: str) -> bool:
        first, last = jobs[job_id].start_bounds(now, jobs[job_id].deadline)
        return first <= last

    stuck = {unit for job_id, unit in running if not restartable(job_id)}
    units = sorted({unit for _, unit in running} - stuck)
    assert units, "every unit running then runs a job that cannot start again"
    return max(units, key=lambda u: sum(unit == u for _, unit in running))


def making_room(old: dict[str, Span], new: dict[str, Span], forced: set[str]) -> set[str]:
    """`forced` (jobs a trip moves: the tripped unit's) and, step by step, every job that moved
    from a place (unit and time in `old`) that one of them takes in `new`. A short-limit first
    plan may leave the tripped unit's jobs nowhere else to go: on plant_a HiGHS proved moving
    J037 off EH1 for J001 optimal at 1,000 $ a move (three moves, a 2,225.79 $ bill)."""
    room = set(forced)
    grew = True
    while grew:
        grew = False
        for job, (unit, start, end) in old.items():
            if job not in room and job in new and new[job] != old[job] and any(
                    new[f][0] == unit and new[f][1] < end and start < new[f][2]
                    for f in room if f in new):
                room.add(job)
                grew = True
    return room
