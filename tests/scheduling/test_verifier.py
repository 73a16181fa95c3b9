"""The verifier accepts a correct plan and names each broken rule of a deliberately broken one."""

from __future__ import annotations

from datetime import timedelta

from heatcraft.models import DroppedJob
from heatcraft.scheduling import verify_plan
from tests.scheduling.sites import (
    DAY,
    at,
    hand_plan,
    heater,
    horizon,
    inputs,
    job,
    maintenance,
    must_run,
)


def _rules(verification):
    return {v.rule for v in verification.violations}


def _site(**unit_extra):
    return inputs([heater("H1", **unit_extra), heater("H2")],
                  [job("J1", 80, 2, 6, 12), job("J2", 50, 1, 6, 12, allowed_equipment=("H2",))],
                  windows=[maintenance("H2", 0, 6)])


def test_correct_plan_passes_and_cost_is_recomputed():
    site = _site()
    grid, series = horizon(site)
    plan = hand_plan(site, grid, [("J1", "H1", 6), ("J2", "H2", 6)], [("H1", 6, 8), ("H2", 6, 7)])
    result = verify_plan(plan, site, grid, series)
    assert result.ok, result.violations
    # 80 kW for 2 h off-peak-edge + 50 kW 1 h at 0.05 $/kWh, and a 130 kW off-peak demand.
    assert result.recomputed_cost == pytest_approx(0.05 * (160 + 50) + 9.0 * 130)


def pytest_approx(value):
    import pytest

    return pytest.approx(value, rel=1e-9)


def test_each_broken_rule_is_named():
    site = _site()
    grid, series = horizon(site)
    cases = {
        "earliest_start": ([("J1", "H1", 5), ("J2", "H2", 6)], [("H1", 5, 7), ("H2", 6, 7)]),
        "deadline": ([("J1", "H1", 10.25), ("J2", "H2", 6)], [("H1", 10, 13), ("H2", 6, 7)]),
        "equipment_not_allowed": ([("J1", "H1", 6), ("J2", "H1", 9)],
                                  [("H1", 6, 8), ("H1", 9, 10)]),
        "not_in_run": ([("J1", "H1", 6), ("J2", "H2", 6)], [("H2", 6, 7)]),
        "capacity": ([("J1", "H2", 6), ("J2", "H2", 6)], [("H2", 6, 8)]),
        "maintenance": ([("J1", "H1", 6), ("J2", "H2", 6)], [("H1", 6, 8), ("H2", 5.9, 7)]),
    }
    for rule, (placed, runs) in cases.items():
        result = verify_plan(hand_plan(site, grid, placed, runs), site, grid, series)
        assert not result.ok and rule in _rules(result), (rule, result.violations)


def test_missing_duplicated_and_dropped_jobs():
    site = _site()
    grid, series = horizon(site)
    missing = hand_plan(site, grid, [("J1", "H1", 6)], [("H1", 6, 8)])
    assert "job_missing" in _rules(verify_plan(missing, site, grid, series))
    dropped = hand_plan(site, grid, [("J1", "H1", 6)], [("H1", 6, 8)],
                        [DroppedJob(job_id="J2", priority=3, reason="test")])
    assert verify_plan(dropped, site, grid, series).ok
    twice = hand_plan(site, grid, [("J1", "H1", 6), ("J2", "H2", 6)], [("H1", 6, 8), ("H2", 6, 7)],
                      [DroppedJob(job_id="J2", priority=3, reason="test")])
    assert "job_duplicated" in _rules(verify_plan(twice, site, grid, series))


def test_run_touching_maintenance_step_is_a_violation():
    # The run ends 5 min into the step in which maintenance starts: the unit is on that step.
    site = _site()
    grid, series = horizon(site)
    plan = hand_plan(site, grid, [("J1", "H1", 6), ("J2", "H2", 6)],
                     [("H1", 6, 8), ("H2", 6, 7)])
    ok = verify_plan(plan, site, grid, series)
    assert ok.ok
    site2 = inputs(site.equipment, site.jobs, windows=[*site.maintenance,
                                                       maintenance("H1", 8 + 10 / 60, 9)])
    touching = hand_plan(site2, grid, [("J1", "H1", 6), ("J2", "H2", 6)],
                         [("H1", 6, 8 + 5 / 60), ("H2", 6, 7)])
    assert "maintenance" in _rules(verify_plan(touching, site2, grid, series))
    edge = inputs(site.equipment, site.jobs, windows=[*site.maintenance,
                                                      maintenance("H1", 8, 9)])
    assert verify_plan(plan, edge, grid, series).ok  # ends exactly where maintenance starts


def test_must_run_window_and_powers():
    site = inputs([heater("H1")], [job("J1", 80, 2, 6, 12, must_run_window=must_run(7, 8))])
    grid, series = horizon(site)
    good = hand_plan(site, grid, [("J1", "H1", 6.5)], [("H1", 6.5, 8.5)])
    assert verify_plan(good, site, grid, series).ok
    late = hand_plan(site, grid, [("J1", "H1", 7.25)], [("H1", 7.25, 9.25)])
    assert "must_run_window" in _rules(verify_plan(late, site, grid, series))
    wrong_power = good.model_copy(update={"assignments": (
        good.assignments[0].model_copy(update={"heat_kw": 70.0, "input_kw": 70.0}),)})
    assert {"heat_kw", "input_kw"} <= _rules(verify_plan(wrong_power, site, grid, series))


def test_min_run_min_off_and_initial_state():
    site = inputs([heater("H1", min_run_minutes=120, min_off_minutes=60)],
                  [job("J1", 80, 1, 0, 12), job("J2", 80, 1, 0, 12)])
    grid, series = horizon(site)
    short = hand_plan(site, grid, [("J1", "H1", 1), ("J2", "H1", 5)], [("H1", 1, 2), ("H1", 5, 7)])
    assert "min_run" in _rules(verify_plan(short, site, grid, series))
    close = hand_plan(site, grid, [("J1", "H1", 1), ("J2", "H1", 3.5)],
                      [("H1", 1, 3), ("H1", 3.5, 5.5)])
    assert "min_off" in _rules(verify_plan(close, site, grid, series))
    spaced = hand_plan(site, grid, [("J1", "H1", 1), ("J2", "H1", 4)], [("H1", 1, 3), ("H1", 4, 6)])
    assert verify_plan(spaced, site, grid, series).ok
    # Initially on for 30 min with a 120 min min run: must stay on until 01:30.
    on = inputs([heater("H1", min_run_minutes=120, min_off_minutes=60, initial_state="on",
                        initial_state_minutes=30)], [job("J1", 80, 1, 0, 12)])
    at_start = hand_plan(on, grid, [("J1", "H1", 0)], [("H1", 0, 1.5)])
    assert verify_plan(at_start, on, grid, series).ok
    too_soon = hand_plan(on, grid, [("J1", "H1", 0)], [("H1", 0, 1.25)])
    assert "min_run" in _rules(verify_plan(too_soon, on, grid, series))
    switched_off = hand_plan(on, grid, [("J1", "H1", 5)], [("H1", 5, 7)])
    assert "min_run" in _rules(verify_plan(switched_off, on, grid, series))
    # Initially off for 30 min with a 60 min min off: no start before 00:30.
    off = inputs([heater("H1", min_off_minutes=60, initial_state="off",
                         initial_state_minutes=30)], [job("J1", 80, 1, 0, 12)])
    early = hand_plan(off, grid, [("J1", "H1", 0.25)], [("H1", 0.25, 1.25)])
    assert "min_off" in _rules(verify_plan(early, off, grid, series))
    assert verify_plan(hand_plan(off, grid, [("J1", "H1", 0.5)], [("H1", 0.5, 1.5)]),
                       off, grid, series).ok


def test_starts_counted_per_local_calendar_day_across_midnight():
    day2 = DAY + timedelta(days=1)
    site = inputs([heater("H1", max_starts_per_day=1)],
                  [job("J1", 50, 1, 20, 24), job("J2", 50, 1, 22, 30)])
    grid, series = horizon(site, days=2)
    # 21:00 and 23:00 the same day: two starts on day 1.
    same_day = hand_plan(site, grid, [("J1", "H1", 21), ("J2", "H1", 23)],
                         [("H1", 21, 22), ("H1", 23, 24)])
    result = verify_plan(same_day, site, grid, series)
    assert "max_starts_per_day" in _rules(result)
    assert result.violations[0].at.date() == DAY
    # 21:00 and 00:15 the next day: one start per calendar day.
    across = hand_plan(site, grid, [("J1", "H1", 21), ("J2", "H1", 24.25)],
                       [("H1", 21, 22), ("H1", 24.25, 25.25)])
    assert verify_plan(across, site, grid, series).ok
    assert at(24.25).date() == day2


def test_contract_peak_and_claimed_cost():
    site = inputs([heater("H1"), heater("H2")], [job("J1", 80, 1, 0, 12), job("J2", 80, 1, 0, 12)],
                  contract_peak_kw=150, base_load_kw=10)
    grid, series = horizon(site)
    together = hand_plan(site, grid, [("J1", "H1", 1), ("J2", "H2", 1)],
                         [("H1", 1, 2), ("H2", 1, 2)])
    assert "contract_peak" in _rules(verify_plan(together, site, grid, series))
    apart = hand_plan(site, grid, [("J1", "H1", 1), ("J2", "H2", 2)], [("H1", 1, 2), ("H2", 2, 3)])
    good = verify_plan(apart, site, grid, series)
    assert good.ok
    lie = verify_plan(apart, site, grid, series, claimed_cost=good.recomputed_cost - 5)
    assert "cost_mismatch" in _rules(lie)
