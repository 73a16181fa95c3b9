"""A fresh plan reads equipment_trips.csv: a unit that tripped stays off until its return.

Before, only the trip sensor's re-plans knew of trips, and only on the days a known return
reached: a plan of the next day made while a unit was still down (return unknown) planned
jobs on it. Now the optimizer, the FIFO baseline and the verifier all keep a tripped unit off
from its trip (or the horizon's start) to its return (or the horizon's end)."""

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatcraft.cli import app
from heatcraft.intake.site_folder import load_site
from heatcraft.models import Plan
from heatcraft.planning import horizon_for
from heatcraft.scheduling import verify_plan

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-06-16"
HEADER = "equipment_id,tripped_at,back_at,reason\n"
runner = CliRunner()


def _site(tmp_path: Path, *trips: str) -> Path:
    folder = tmp_path / "plant_a"
    shutil.copytree(ROOT / "examples" / "plant_a", folder)
    if trips:
        (folder / "equipment_trips.csv").write_text(HEADER + "".join(f"{t}\n" for t in trips))
    return folder


def _plan(folder: Path, *args: str) -> dict:
    out = folder.parent / "plan.json"
    result = runner.invoke(app, ["plan", str(folder), "--date", DAY, "--time-limit", "5",
                                 *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def _on(report: dict, key: str, unit: str, since: str) -> list[tuple[str, str]]:
    """The report's `key` entries ("assignments" or "runs") on `unit` ending after `since`."""
    moment = datetime.fromisoformat(since)
    return [(item["start"], item["end"]) for item in report[key]
            if item["equipment_id"] == unit and datetime.fromisoformat(item["end"]) > moment]


@pytest.fixture(scope="module")
def unit_in_use(tmp_path_factory) -> str:
    """The unit the day's plan without trips gives the most jobs."""
    report = _plan(_site(tmp_path_factory.mktemp("plain")))
    units = sorted({a["equipment_id"] for a in report["assignments"]})
    return max(units, key=lambda u: sum(a["equipment_id"] == u for a in report["assignments"]))


def test_a_unit_down_since_yesterday_with_no_return_stays_off_all_day(tmp_path: Path,
                                                                       unit_in_use: str):
    folder = _site(tmp_path, f"{unit_in_use},2026-06-15T21:30:00-05:00,,breaker")
    report = _plan(folder)
    assert report["verified"] is True and report["dropped_jobs"] == []
    start = "2026-06-16T00:00:00-05:00"
    for key in ("assignments", "runs"):
        assert _on(report, key, unit_in_use, start) == []
    # The FIFO baseline keeps it off too, so the saving is measured on the same fleet.
    baseline = _plan(folder, "--baseline-only")
    assert baseline["verified"] is True
    assert _on(baseline, "assignments", unit_in_use, start) == []
    assert any(w.startswith(f"{unit_in_use} is kept off from {start} to "
                            "2026-06-17T00:00:00-05:00: tripped at 2026-06-15T21:30:00-05:00 "
                            "(return unknown)") for w in report["warnings"])
    assert {"equipment_id": unit_in_use, "start": start, "end": "2026-06-17T00:00:00-05:00",
            "reason": "tripped at 2026-06-15T21:30:00-05:00 (return unknown)"} in \
        report["unavailable"]


def test_a_unit_back_at_noon_runs_only_after_it(tmp_path: Path, unit_in_use: str):
    back = "2026-06-16T12:00:00-05:00"
    report = _plan(_site(tmp_path, f"{unit_in_use},2026-06-16T03:10:00-05:00,{back},"))
    assert report["verified"] is True and report["dropped_jobs"] == []
    # Off from the step the trip falls in (03:00) to its return.
    for key in ("assignments", "runs"):
        assert all(datetime.fromisoformat(end) <= datetime.fromisoformat(
            "2026-06-16T03:00:00-05:00") or datetime.fromisoformat(start)
            >= datetime.fromisoformat(back)
            for start, end in _on(report, key, unit_in_use, "2026-06-16T00:00:00-05:00"))
    assert _on(report, "assignments", unit_in_use, back)  # it is worth using again


def test_the_verifier_rejects_a_plan_that_uses_a_tripped_unit(tmp_path: Path, unit_in_use: str):
    plain = _plan(_site(tmp_path / "plain"))
    folder = _site(tmp_path / "tripped", f"{unit_in_use},2026-06-15T21:30:00-05:00,,")
    inputs = load_site(folder)
    horizon = horizon_for(inputs, datetime.fromisoformat(DAY).date())
    plan = Plan(site_id=plain["site"], kind="optimized", horizon_start=horizon.grid.start,
                horizon_end=horizon.grid.end, step_minutes=plain["step_minutes"],
                assignments=[{k: a[k] for k in ("job_id", "equipment_id", "start", "end",
                                                "heat_kw", "input_kw", "carrier")}
                             for a in plain["assignments"]],
                runs=plain["runs"])
    verdict = verify_plan(plan, inputs, horizon.grid)
    assert not verdict.ok
    outages = [v for v in verdict.violations if v.rule == "maintenance"]
    assert outages and all(v.equipment_id == unit_in_use for v in outages)
    assert "(tripped at 2026-06-15T21:30:00-05:00 (return unknown))" in outages[0].detail
    # The same plan passes without the trip: the trip, not something else, is what fails it.
    assert verify_plan(plan, load_site(tmp_path / "plain" / "plant_a"), horizon.grid).ok


def test_a_bad_trips_file_stops_the_plan_with_file_row_and_field(tmp_path: Path):
    folder = _site(tmp_path, "EB1,2026-06-16T12:00:00-05:00,,", "XX9,2026-06-16T13:00:00-05:00,,")
    result = runner.invoke(app, ["plan", str(folder), "--date", DAY, "--time-limit", "5"])
    assert result.exit_code == 2, result.output
    assert "equipment_trips.csv" in result.stderr and "row 3" in result.stderr
    assert "unknown unit 'XX9'" in result.stderr


def test_a_trip_changes_the_inputs_fingerprint(tmp_path: Path):
    plain = load_site(_site(tmp_path / "plain"))
    tripped = load_site(_site(tmp_path / "tripped", "EB1,2026-06-16T12:00:00-05:00,,"))
    assert plain.sha256 != tripped.sha256
    assert "equipment_trips.csv" in tripped.source_sha256
    assert "equipment_trips.csv" not in plain.source_sha256
