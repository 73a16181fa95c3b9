"""Planning across a daylight-saving change (America/Chicago, 2026).

Job windows and plan times are instants: a job that runs through 02:00 on a change night lasts
its duration in real time, however the wall clock jumps. Python adds a timedelta to a datetime
with a zone such as ZoneInfo on the wall clock, so every instant is kept with the UTC offset in
force (timegrid.fixed_offset) and the arithmetic is done in absolute time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from heatcraft.models import Assignment, Carrier, Job, Plan, UnitRun
from heatcraft.scheduling import ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.problem import build_problem
from heatcraft.timegrid import TimeGrid, fixed_offset
from tests.scheduling.random_sites import random_site
from tests.scheduling.sites import TZ, heater, horizon, inputs, proven_optimum

SPRING = date(2026, 3, 8)  # 02:00 CST -> 03:00 CDT: 23 hours, 92 steps
FALL = date(2026, 11, 1)  # 02:00 CDT -> 01:00 CST: 25 hours, 100 steps
FAST = ScheduleOptions(time_limit_s=5, drop_penalty_per_priority=None)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def dst_job(job_id: str, kw: float, hours: float, earliest: str, deadline: str,
            **extra) -> Job:
    return Job(job_id=job_id, product_id="P", product_name="P", quantity=1, unit="kg",
               heating_kwh=kw * hours, temperature_c=100, duration_minutes=int(hours * 60),
               earliest_start=instant(earliest), deadline=instant(deadline), **extra)


def real_duration(start: datetime, end: datetime) -> timedelta:
    return end.astimezone(UTC) - start.astimezone(UTC)


def planned(site, day: date, steps: int):
    """The optimizer's plan of `day` (`steps` steps long): verified, no candidate discarded by
    the verifier, every job its real duration inside its real window."""
    grid, series = horizon(site, first=day)
    assert grid.n_steps == steps
    result = optimize_plan(site, grid, series, FAST)
    assert result.verification.ok, result.verification.to_dict()
    assert not [w for w in result.warnings if "failed verification" in w]
    jobs = {j.job_id: j for j in site.jobs}
    assert len(result.plan.assignments) == len(jobs)
    for a in result.plan.assignments:
        job = jobs[a.job_id]
        assert real_duration(a.start, a.end) == job.duration
        assert job.earliest_start <= a.start and a.end <= job.deadline
    return result


def test_a_job_through_the_spring_forward_hour_runs_its_whole_duration():
    # A's window 00:30 CST - 04:30 CDT is 3 real hours (4 on the wall clock): one start only.
    site = inputs([heater("H1", capacity=100, min_load_kw=10, min_run_minutes=60)],
                  [dst_job("A", 60, 3, "2026-03-08T00:30:00-06:00", "2026-03-08T04:30:00-05:00"),
                   dst_job("B", 40, 2, "2026-03-08T00:00:00-06:00", "2026-03-08T12:00:00-05:00")],
                  billed_peak_kw=30)
    result = planned(site, SPRING, 92)
    a = next(a for a in result.plan.assignments if a.job_id == "A")
    assert a.start == instant("2026-03-08T00:30:00-06:00")
    assert a.end.isoformat() == "2026-03-08T04:30:00-05:00"
    # The plan's runs carry the offset in force at each end.
    assert all(r.start.utcoffset() == r.start.astimezone(ZoneInfo(TZ)).utcoffset()
               for r in result.plan.runs)


def test_the_repeated_fall_back_hour_is_planned_in_real_time():
    # J1 runs 00:00 CDT - 01:00 CST (2 real hours, the wall clock shows 1) and J2 02:00-03:00
    # CST, an hour later in real time. One start a day: H1 idles at its min load in between.
    site = inputs([heater("H1", capacity=100, min_load_kw=20, max_starts_per_day=1)],
                  [dst_job("J1", 50, 2, "2026-11-01T00:00:00-05:00", "2026-11-01T01:00:00-06:00"),
                   dst_job("J2", 50, 1, "2026-11-01T02:00:00-06:00", "2026-11-01T03:00:00-06:00")],
                  billed_peak_kw=30)
    result = planned(site, FALL, 100)
    [run] = result.plan.runs
    assert real_duration(run.start, run.end) == timedelta(hours=4)


def test_the_verifier_measures_a_job_in_real_time_across_the_fall_back_change():
    site = inputs([heater("H1", capacity=100)],
                  [dst_job("J1", 50, 2, "2026-11-01T00:00:00-05:00", "2026-11-01T06:00:00-06:00")])
    grid, series = horizon(site, first=FALL)
    zone = ZoneInfo(TZ)

    def plan(end: datetime) -> Plan:
        start = datetime(2026, 11, 1, 0, 30, tzinfo=zone)  # CDT
        return Plan(site_id="t", kind="optimized", horizon_start=grid.start,
                    horizon_end=grid.end, step_minutes=15,
                    assignments=(Assignment(job_id="J1", equipment_id="H1", start=start,
                                            end=end, heat_kw=50, input_kw=50,
                                            carrier=Carrier.ELECTRICITY),),
                    runs=(UnitRun(equipment_id="H1", start=start, end=end),))

    # 00:30 CDT to 01:30 CST is 2 real hours; the wall clock says 1.
    right = verify_plan(plan(datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=zone)), site, grid,
                        series)
    assert right.ok, right.to_dict()
    # 00:30 CDT to 02:30 CST is 3 real hours; the wall clock says 2, the job's duration.
    wrong = verify_plan(plan(datetime(2026, 11, 1, 2, 30, tzinfo=zone)), site, grid, series)
    assert "duration" in {v.rule for v in wrong.violations}


def test_instants_keep_the_offset_in_force():
    zone = ZoneInfo(TZ)
    repeated = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=zone)
    kept = fixed_offset(repeated)
    # (PEP 495: a datetime in the repeated hour never equals one of another zone; compare UTC)
    assert kept.astimezone(UTC) == repeated.astimezone(UTC)
    assert kept.isoformat() == "2026-11-01T01:30:00-06:00"
    assert kept + timedelta(hours=1) == instant("2026-11-01T02:30:00-06:00")
    before = fixed_offset(datetime(2026, 3, 8, 1, 30, tzinfo=zone))
    assert (before + timedelta(hours=1)).isoformat() == "2026-03-08T02:30:00-06:00"
    assert (before + timedelta(hours=1)).astimezone(zone).isoformat() == \
        "2026-03-08T03:30:00-05:00"
    grid = TimeGrid.for_days(SPRING, 1, TZ, 15)
    assert grid.moment(8).isoformat() == "2026-03-08T03:00:00-05:00"  # 8 steps after 00:00 CST
    assert grid.end.isoformat() == "2026-03-09T00:00:00-05:00"


@pytest.mark.parametrize(("day", "seed"), [(SPRING, 7), (SPRING, 9), (FALL, 3), (FALL, 7)],
                         ids=["spring-7", "spring-9", "fall-3", "fall-7"])
def test_random_sites_on_change_days_keep_real_time_and_the_optimum(day, seed):
    # Sites where, before times kept their offset, a job ran an hour short or long, or every
    # optimized plan was discarded for a cost mismatch.
    site = random_site(seed, day)
    result = planned(site, day, 92 if day == SPRING else 100)
    optimum = proven_optimum(build_problem(site, *horizon(site, first=day), FAST))
    assert result.verification.recomputed_cost >= optimum - 0.01
    assert result.plan.solver.bound <= optimum + 0.01
