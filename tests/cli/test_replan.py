"""`heatcraft plan --now --previous --tripped`: a rolling re-plan when a unit trips.

The re-plan keeps what the previous plan started before the moment, takes the tripped unit out
from then on, starts its interrupted jobs again elsewhere, and prices the change."""

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatcraft.cli import app
from tests.restartable import Span, busiest_restartable_unit, making_room

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "examples" / "plant_a"
DAY = "2026-06-16"
NOON = "2026-06-16T12:00:00-05:00"
runner = CliRunner()


def _plan(tmp_path: Path, name: str, *args: str) -> dict:
    out = tmp_path / name
    result = runner.invoke(app, ["plan", str(SITE), "--date", DAY, *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def _error(*args: str) -> str:
    result = runner.invoke(app, ["plan", str(SITE), "--date", DAY, *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def baseline_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("previous")
    _plan(folder, "baseline.json", "--baseline-only")
    return folder / "baseline.json"


@pytest.fixture(scope="module")
def first_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("first")
    _plan(folder, "first.json", "--time-limit", "5")
    return folder / "first.json"


def _busiest_at_noon(first: dict) -> tuple[str, list[str]]:
    """The unit running the most jobs at noon (it trips then) whose running jobs can all start
    again, and those jobs."""
    now = datetime.fromisoformat(NOON)
    running = [a for a in first["assignments"]
               if datetime.fromisoformat(a["start"]) < now < datetime.fromisoformat(a["end"])]
    unit = busiest_restartable_unit(SITE, [(a["job_id"], a["equipment_id"]) for a in running],
                                    now)
    return unit, sorted(a["job_id"] for a in running if a["equipment_id"] == unit)


def test_a_trip_keeps_the_past_and_moves_the_tripped_units_jobs(tmp_path: Path,
                                                                 first_report: Path):
    first = json.loads(first_report.read_text())
    now = datetime.fromisoformat(NOON)
    unit, interrupted = _busiest_at_noon(first)
    again = _plan(tmp_path, "again.json", "--time-limit", "5", "--now", NOON,
                  "--previous", str(first_report), "--tripped", unit)

    assert again["verified"] is True and again["status"] in ("optimal", "feasible")
    assert again["dropped_jobs"] == []
    new = {a["job_id"]: a for a in again["assignments"]}
    for old in first["assignments"]:
        if datetime.fromisoformat(old["start"]) < now and old["job_id"] not in interrupted:
            assert new[old["job_id"]] == old  # done or running elsewhere: unchanged
    for job in interrupted:  # started again from scratch, on another unit, after the trip
        assert new[job]["equipment_id"] != unit
        assert datetime.fromisoformat(new[job]["start"]) >= now
    assert all(datetime.fromisoformat(a["end"]) <= now
               for a in again["assignments"] if a["equipment_id"] == unit)
    assert all(datetime.fromisoformat(r["end"]) <= now
               for r in again["runs"] if r["equipment_id"] == unit)
    replan = again["replan"]
    assert replan["tripped"] == [unit] and replan["restarted"] == interrupted
    assert replan["planned_from"] == NOON
    assert set(replan["kept"]) | set(replan["replanned"]) == set(new)
    # What had not started is either where it was or listed with where it moved.
    old = {a["job_id"]: a for a in first["assignments"]}
    future = {j for j, a in old.items() if datetime.fromisoformat(a["start"]) >= now}
    moved = {m["job_id"]: m for m in replan["moved"]}
    assert set(replan["unchanged"]) | set(moved) == future
    assert not set(replan["unchanged"]) & set(moved)
    for job in replan["unchanged"]:
        assert (new[job]["equipment_id"], new[job]["start"]) == (old[job]["equipment_id"],
                                                                 old[job]["start"])
    for job, move in moved.items():
        assert move["from"] == {"equipment_id": old[job]["equipment_id"],
                                "start": old[job]["start"]}
        assert move["to"] == {"equipment_id": new[job]["equipment_id"],
                              "start": new[job]["start"]}
    assert {j for j in future if old[j]["equipment_id"] == unit} <= set(moved)
    assert again["previous_costs"]["total"] == pytest.approx(first["costs"]["total"], abs=0.01)
    assert again["change_from_previous"]["total"] == pytest.approx(
        again["previous_costs"]["total"] - again["costs"]["total"], abs=0.02)


def test_a_move_penalty_moves_only_what_the_trip_forces(tmp_path: Path, first_report: Path):
    # At 1,000 $ a moved job no move pays on a day billed at about 2,200 $: only the tripped
    # unit's jobs that had not started move (they must), and those whose place one of them (or
    # a restarted job) takes (making_room), and each is priced.
    first = json.loads(first_report.read_text())
    unit, interrupted = _busiest_at_noon(first)
    again = _plan(tmp_path, "again.json", "--time-limit", "5", "--now", NOON,
                  "--previous", str(first_report), "--tripped", unit, "--move-penalty", "1000")

    assert again["verified"] is True and again["status"] in ("optimal", "feasible")
    replan = again["replan"]
    later = {a["job_id"] for a in first["assignments"]
             if a["equipment_id"] == unit
             and datetime.fromisoformat(a["start"]) >= datetime.fromisoformat(NOON)}
    moved = {m["job_id"] for m in replan["moved"]}
    assert later and later <= moved
    assert moved <= _making_room(first, again, later | set(interrupted))
    assert all(m["to"] is not None for m in replan["moved"])
    assert replan["move_penalty"] == {"per_job": 1000.0, "total": 1000.0 * len(moved)}
    assert again["solver"]["objective"] == pytest.approx(
        again["costs"]["total"] + 1000.0 * len(moved), abs=0.05)
    assert again["solver"]["parameters"]["move_penalty"] == 1000.0


def _making_room(first: dict, again: dict, forced: set[str]) -> set[str]:
    def spans(report: dict) -> dict[str, Span]:
        return {a["job_id"]: (a["equipment_id"], datetime.fromisoformat(a["start"]),
                              datetime.fromisoformat(a["end"])) for a in report["assignments"]}

    return making_room(spans(first), spans(again), forced)


def test_a_move_penalty_by_priority_holds_the_first_priorities(tmp_path: Path,
                                                               first_report: Path):
    # 1,000 $ to move a job of priority 1 or 2, nothing for the others: those stay unless the
    # trip forces them off, the others move wherever that saves, and each move is priced by
    # its job's own priority.
    first = json.loads(first_report.read_text())
    unit, interrupted = _busiest_at_noon(first)
    again = _plan(tmp_path, "again.json", "--time-limit", "5", "--now", NOON,
                  "--previous", str(first_report), "--tripped", unit,
                  "--move-penalty", "1000,1000,0")

    assert again["verified"] is True and again["status"] in ("optimal", "feasible")
    with (SITE / "jobs.csv").open() as handle:
        priority = {row["job_id"]: int(row["priority"]) for row in csv.DictReader(handle)}
    forced = {a["job_id"] for a in first["assignments"]
              if a["equipment_id"] == unit
              and datetime.fromisoformat(a["start"]) >= datetime.fromisoformat(NOON)}
    moved = [m["job_id"] for m in again["replan"]["moved"]]
    held = [j for j in moved if priority[j] <= 2]
    assert set(held) <= _making_room(first, again, forced | set(interrupted))
    assert again["replan"]["move_penalty"] == {"per_job": [1000.0, 1000.0, 0.0],
                                               "total": 1000.0 * len(held)}
    assert again["solver"]["parameters"]["move_penalty"] == "1000,1000,0"
    assert again["solver"]["objective"] == pytest.approx(
        again["costs"]["total"] + 1000.0 * len(held), abs=0.05)


def test_a_unit_back_later_takes_jobs_again(tmp_path: Path, baseline_report: Path):
    back = "2026-06-16T14:00:00-05:00"
    report = _plan(tmp_path, "again.json", "--time-limit", "5", "--now", NOON,
                   "--previous", str(baseline_report), "--tripped", "EB1",
                   "--unavailable-until", back)
    assert report["verified"] is True
    assert report["replan"]["unavailable_until"] == back
    for a in report["assignments"]:
        if a["equipment_id"] == "EB1":
            start, end = (datetime.fromisoformat(a[k]) for k in ("start", "end"))
            assert end <= datetime.fromisoformat(NOON) or start >= datetime.fromisoformat(back)


def test_each_tripped_unit_may_have_its_own_return(tmp_path: Path, baseline_report: Path):
    back = "2026-06-16T14:00:00-05:00"
    report = _plan(tmp_path, "again.json", "--time-limit", "5", "--now", NOON,
                   "--previous", str(baseline_report), "--tripped", "MF1",
                   "--tripped", f"EB1@{back}")
    assert report["verified"] is True
    assert report["replan"]["back_at"] == {"EB1": back}
    assert report["replan"]["tripped"] == ["EB1", "MF1"]
    noon, after = datetime.fromisoformat(NOON), datetime.fromisoformat(back)
    for run in report["runs"]:
        start, end = (datetime.fromisoformat(run[k]) for k in ("start", "end"))
        if run["equipment_id"] == "MF1":
            assert end <= noon  # no return given: off to the end of the day
        if run["equipment_id"] == "EB1":
            assert end <= noon or start >= after
    previous = ["--now", NOON, "--previous", str(baseline_report)]
    assert _error(*previous, "--tripped", "EB1@2pm") == (
        "error: --tripped: 'EB1@2pm': '2pm' is not an ISO 8601 moment "
        "(e.g. 2026-06-16T12:00:00-05:00)")
    assert _error(*previous, "--tripped", "EB1@2026-06-16T11:00:00-05:00") == (
        "error: --tripped: 'EB1@2026-06-16T11:00:00-05:00': back before the re-plan moment")
    assert _error(*previous, "--tripped", "EB1@2026-06-16T14:00:00") == (
        "error: --tripped: 'EB1@2026-06-16T14:00:00': 2026-06-16T14:00:00 has no UTC offset "
        "(e.g. 2026-06-16T12:00:00-05:00)")


def test_replan_options_are_checked(baseline_report: Path):
    previous = ["--previous", str(baseline_report)]
    assert _error("--tripped", "EB1") == (
        "error: --previous, --tripped and --unavailable-until need --now (the re-plan's moment)")
    assert _error("--now", NOON) == (
        "error: --now needs --previous (the report of the plan being re-planned)")
    assert _error("--now", "noon", *previous) == (
        "error: --now: 'noon' is not an ISO 8601 moment (e.g. 2026-06-16T12:00:00-05:00)")
    assert _error("--now", "2026-06-16T12:00:00", *previous).startswith(
        "error: --now: 2026-06-16T12:00:00 has no UTC offset")
    assert _error("--now", "2026-06-17T12:00:00-05:00", *previous).startswith(
        "error: --now: 2026-06-17T12:00:00-05:00 lies outside the horizon")
    assert _error("--now", NOON, *previous, "--tripped", "XX9").startswith(
        "error: --tripped: unknown unit 'XX9' (the site has ")
    assert _error("--now", NOON, *previous, "--tripped", "EB1", "--unavailable-until",
                  "2026-06-16T11:00:00-05:00") == "error: --unavailable-until: must be after --now"
    assert _error("--now", NOON, *previous, "--baseline-only") == (
        "error: --baseline-only: a re-plan optimizes; leave out --baseline-only")
    assert _error("--move-penalty", "5") == (
        "error: --move-penalty: it prices a re-plan's moves: give --now")
    assert _error("--now", NOON, *previous, "--move-penalty", "-1") == (
        "error: --move-penalty: -1.0: the move penalty must be a finite amount >= 0")
    assert _error("--move-penalty", "0,5") == (
        "error: --move-penalty: it prices a re-plan's moves: give --now")
    assert _error("--now", NOON, *previous, "--move-penalty", "10,x") == (
        "error: --move-penalty: '10,x' is not an amount or comma-separated amounts per "
        "priority (e.g. 50,20,5)")


def test_a_previous_plan_of_another_day_or_site_is_refused(tmp_path: Path,
                                                            baseline_report: Path):
    result = runner.invoke(app, ["plan", str(SITE), "--date", "2026-06-17", "--now",
                                 "2026-06-17T12:00:00-05:00", "--previous", str(baseline_report)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: baseline.json, field 'horizon_start': the plan covers 2026-06-16T00:00:00-05:00 "
        ".. 2026-06-17T00:00:00-05:00, the re-plan 2026-06-17T00:00:00-05:00 .. ")
    report = json.loads(baseline_report.read_text())
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**report, "site": "plant_b"}))
    assert _error("--now", NOON, "--previous", str(other)) == (
        "error: other.json, field 'site': plan of site 'plant_b', not 'plant_a'")


def test_a_broken_previous_plan_names_the_record_and_field(tmp_path: Path,
                                                           baseline_report: Path):
    report = json.loads(baseline_report.read_text())
    broken = tmp_path / "broken.json"
    del report["assignments"][2]["start"]
    broken.write_text(json.dumps(report))
    assert _error("--now", NOON, "--previous", str(broken)) == (
        "error: broken.json, row 3, field 'assignments.start': required value is missing")

    report = json.loads(baseline_report.read_text())
    first = min(report["assignments"], key=lambda a: a["start"])
    first["job_id"] = "J999"
    number = report["assignments"].index(first) + 1
    broken.write_text(json.dumps(report))
    assert _error("--now", NOON, "--previous", str(broken)) == (
        f"error: broken.json, row {number}, field 'assignments.job_id': job 'J999' started "
        "before --now but is not in the jobs file: its heat would be lost")

    broken.write_text(json.dumps({k: v for k, v in report.items() if k != "runs"}))
    assert _error("--now", NOON, "--previous", str(broken)).startswith(
        "error: broken.json, field 'runs': required by a re-plan")
    broken.write_text("{not json")
    assert _error("--now", NOON, "--previous", str(broken)).startswith(
        "error: broken.json, row 1: invalid JSON: ")
