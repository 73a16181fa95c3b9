"""A rolling re-plan: a unit that trips may stop before its min run (nothing else may), and the
verifier holds the re-plan to the past it keeps and to the outage."""

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


def _rules(verification):
    return sorted({(v.rule, v.job_id or v.equipment_id) for v in verification.violations})


def test_the_verifier_holds_a_replan_to_its_past_and_to_the_outage():
    site = _site()
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 0), ("B", "H2", 6)], [("H1", 0, 4), ("H2", 6, 7)])
    tripped = FrozenState(now=at(1), previous=previous, tripped=frozenset({"H1"}),
                          unavailable_until=at(5))
    # As the optimizer would: H1 cut at the trip, A again on H2 after it.
    good = hand_plan(site, grid, [("A", "H2", 1), ("B", "H2", 6)],
                     [("H1", 0, 1), ("H2", 1, 5), ("H2", 6, 7)])
    assert verify_plan(good, site, grid, series, frozen=tripped).ok
    # H1 carries on as if nothing happened: on during its outage, and A not restarted.
    assert _rules(verify_plan(previous, site, grid, series, frozen=tripped)) == [
        ("replan_past", "A"), ("tripped_unit", "H1")]
    # Back at 05:00, H1 may run again from then.
    back = hand_plan(site, grid, [("A", "H2", 1), ("B", "H1", 6)],
                     [("H1", 0, 1), ("H2", 1, 5), ("H1", 6, 10)])
    assert verify_plan(back, site, grid, series, frozen=tripped).ok
    early = hand_plan(site, grid, [("A", "H2", 1), ("B", "H1", 6)],
                      [("H1", 0, 1), ("H2", 1, 5), ("H1", 4, 10)])  # switched on at 04:00
    assert _rules(verify_plan(early, site, grid, series, frozen=tripped)) == [
        ("tripped_unit", "H1")]

    later = FrozenState(now=at(6.5), previous=previous)  # no trip: A done, B running
    moved = hand_plan(site, grid, [("A", "H1", 0), ("B", "H2", 7)], [("H1", 0, 4), ("H2", 7, 8)])
    assert _rules(verify_plan(moved, site, grid, series, frozen=later)) == [
        ("replan_history", "H2"), ("replan_kept", "B")]
    rewritten = hand_plan(site, grid, [("A", "H2", 0), ("B", "H2", 6)],
                          [("H2", 0, 4), ("H2", 6, 7)])
    assert _rules(verify_plan(rewritten, site, grid, series, frozen=later)) == [
        ("replan_history", "H1"), ("replan_history", "H2"), ("replan_kept", "A")]
    waiting = hand_plan(site, grid, [("A", "H1", 2), ("B", "H2", 6)], [("H1", 2, 6), ("H2", 6, 7)])
    fresh = FrozenState(now=at(1), previous=waiting)  # A not started yet: it may move, not back
    assert verify_plan(hand_plan(site, grid, [("A", "H1", 3), ("B", "H2", 6)],
                                 [("H1", 3, 7), ("H2", 6, 7)]),
                       site, grid, series, frozen=fresh).ok
    assert _rules(verify_plan(hand_plan(site, grid, [("A", "H1", 0.5), ("B", "H2", 6)],
                                        [("H1", 0.5, 4.5), ("H2", 6, 7)]),
                              site, grid, series, frozen=fresh)) == [
        ("replan_history", "H1"), ("replan_past", "A")]


def test_a_units_own_return_time_comes_before_the_common_one():
    site = _site()
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 0), ("B", "H2", 6)], [("H1", 0, 4), ("H2", 6, 7)])
    back = hand_plan(site, grid, [("A", "H2", 1), ("B", "H1", 6)],
                     [("H1", 0, 1), ("H2", 1, 5), ("H1", 6, 10)])
    common = FrozenState(now=at(1), previous=previous, tripped=frozenset({"H1"}),
                         unavailable_until=at(8))
    assert _rules(verify_plan(back, site, grid, series, frozen=common)) == [("tripped_unit", "H1")]
    own = FrozenState(now=at(1), previous=previous, tripped=frozenset({"H1"}),
                      unavailable_until=at(8), back_at={"H1": at(5)})
    assert verify_plan(back, site, grid, series, frozen=own).ok
    # The optimizer reads the same return: H1 is free again from 05:00 and nothing before.
    result = optimize_plan(site, grid, series, FAST, frozen=own)
    assert result.verification.ok, result.verification.violations
    assert all(r.end <= at(1) or r.start >= at(5) for r in result.plan.runs
               if r.equipment_id == "H1")
