"""A unit that trips in a rolling re-plan may stop before its min run; nothing else may."""

from __future__ import annotations

from heatcraft.scheduling import FrozenState, ScheduleOptions, optimize_plan, verify_plan
from tests.scheduling.sites import at, hand_plan, heater, horizon, inputs, job

FAST = ScheduleOptions(time_limit_s=3.0, backend="highs")
MIN_RUN = 240  # minutes: H1 has run for 1 h when it trips at 01:00


def _site():
    return inputs([heater("H1", min_run_minutes=MIN_RUN), heater("H2")],
                  [job("A", 50, 4, 0, 12), job("B", 40, 1, 6, 12)], billed_peak_kw=200)



def _min_run_at(verification):
    return sorted((v.equipment_id, v.at) for v in verification.violations if v.rule == "min_run")


def test_replan_after_a_trip_before_min_run_is_verified():
    site = _site()
    grid, series = horizon(site)
    # The plan in force: A on H1 from 00:00 to 04:00 (exactly its min run), B on H2 at 06:00.
    previous = hand_plan(site, grid, [("A", "H1", 0), ("B", "H2", 6)], [("H1", 0, 4), ("H2", 6, 7)])
    assert verify_plan(previous, site, grid, series).ok
    frozen = FrozenState(now=at(1), previous=previous, tripped=frozenset({"H1"}))
    result = optimize_plan(site, grid, series, FAST, frozen=frozen)
    assert result.verification.ok, result.verification.violations
    assert result.plan.solver.status != "failed_verification"
    h1 = [r for r in result.plan.runs if r.equipment_id == "H1"]
    assert [(r.start, r.end) for r in h1] == [(at(0), at(1))]  # kept past, cut at the trip
    a = next(x for x in result.plan.assignments if x.job_id == "A")
    assert a.equipment_id == "H2" and a.start >= at(1)  # interrupted: restarted on H2
    # Without the re-plan state the same plan breaks H1's min run at the trip.
    assert _min_run_at(verify_plan(result.plan, site, grid, series)) == [("H1", at(0))]
    assert verify_plan(result.plan, site, grid, series, frozen=frozen).ok


def test_short_runs_not_ending_at_the_trip_are_still_min_run_violations():
    site = _site()
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 0)], [("H1", 0, 4)])
    # Trip at 01:05, inside the 01:00-01:15 step: the model cuts the run at 01:15.
    frozen = FrozenState(now=at(1 + 5 / 60), previous=previous, tripped=frozenset({"H1"}),
                         unavailable_until=at(3))
    cut = hand_plan(site, grid, [("A", "H2", 1.25), ("B", "H2", 6)],
                    [("H1", 0, 1.25), ("H2", 1.25, 5.25), ("H2", 6, 7)])
    assert verify_plan(cut, site, grid, series, frozen=frozen).ok
    # H1 back after repair and on for 1 h only: a chosen stop, not the trip.
    restarted = hand_plan(site, grid, [("A", "H2", 1.25), ("B", "H1", 6)],
                          [("H1", 0, 1.25), ("H2", 1.25, 5.25), ("H1", 6, 7)])
    assert _min_run_at(verify_plan(restarted, site, grid, series, frozen=frozen)) == [
        ("H1", at(6))]
    # A run of the tripped unit that ends after the trip moment is not excused either.
    late = hand_plan(site, grid, [("A", "H2", 1.5), ("B", "H2", 6)],
                     [("H1", 0, 1.5), ("H2", 1.5, 5.5), ("H2", 6, 7)])
    assert _min_run_at(verify_plan(late, site, grid, series, frozen=frozen)) == [("H1", at(0))]
    # Nor a short run of a unit that did not trip, even when it ends at the trip moment.
    other = inputs([heater("H1", min_run_minutes=MIN_RUN), heater("H2", min_run_minutes=MIN_RUN)],
                   site.jobs, billed_peak_kw=200)
    untripped = hand_plan(other, grid, [("A", "H2", 2), ("B", "H2", 6)],
                          [("H1", 0, 1.25), ("H2", 0.25, 1.25), ("H2", 2, 7)])
    assert _min_run_at(verify_plan(untripped, other, grid, series, frozen=frozen)) == [
        ("H2", at(0.25))]
