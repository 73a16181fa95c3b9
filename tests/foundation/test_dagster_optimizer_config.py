"""optimized_plan's config in Dagster.

A rolling re-plan: with replan_at and tripped_units it starts from the partition's stored plan
(assignments and unit runs), keeps its past and moves the tripped unit's jobs; bad requests
fail the run before anything is written. The drop penalty: a planner prices a lost job by
priority, or forbids drops."""

import csv
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from assets import optimized_plan, site_inputs
from assets.partitions import partition_key
from resources import WarehouseResource
from resources.sites import SiteFolderResource
from tests.restartable import busiest_restartable_unit, making_room

ROOT = Path(__file__).resolve().parents[2]
KEY = partition_key("plant_a", "2026-06-16")
NOON = "2026-06-16T12:00:00-05:00"


def _resources(db: Path | WarehouseResource) -> dict:
    warehouse = db if isinstance(db, WarehouseResource) else WarehouseResource(duckdb_path=str(db))
    return {"sites": SiteFolderResource(sites_dir=str(ROOT / "examples")), "warehouse": warehouse}


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request, tmp_path: Path):
    if request.param == "duckdb":
        yield WarehouseResource(duckdb_path=str(tmp_path / "w.duckdb"))
        return
    import psycopg

    url = request.getfixturevalue("postgres_url")
    schema = f"heatcraft_test_{uuid.uuid4().hex[:10]}"
    yield WarehouseResource(postgres_url=url, db_schema=schema)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _optimize(resources: dict, **config) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [site_inputs, optimized_plan], partition_key=KEY, resources=resources,
        run_config={"ops": {"optimized_plan": {"config": {"time_limit_s": 5, **config}}}},
        raise_on_error=False)


def _stored(warehouse: WarehouseResource, table: str) -> list[dict]:
    return warehouse.query(f"SELECT * FROM {warehouse.qualified_name(table)} "
                           "WHERE plan_kind = 'optimized' ORDER BY start")


def _failure(result: dg.ExecuteInProcessResult) -> str:
    assert not result.success
    return "\n".join(str(event.event_specific_data.error.message)
                     for event in result.all_events if event.is_step_failure)


def test_replan_after_a_trip_from_the_stored_plan(warehouse: WarehouseResource):
    resources = _resources(warehouse)
    assert _optimize(resources).success
    before = [r for r in _stored(warehouse, "plan_assignments") if not r["dropped"]]
    assert _stored(warehouse, "unit_runs")  # the runs are stored with the plan
    now = datetime.fromisoformat(NOON)
    running = [r for r in before if r["start"] < now < r["end"]]
    unit = busiest_restartable_unit(ROOT / "examples" / "plant_a",
                                    [(r["job_id"], r["equipment_id"]) for r in running], now)
    interrupted = sorted(r["job_id"] for r in running if r["equipment_id"] == unit)

    # At 1,000 $ a moved job, only the jobs the trip forces off the unit move, and those whose
    # place one of them takes.
    result = _optimize(resources, replan_at=NOON, tripped_units=[unit], move_penalty=1000.0)
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations())
    after = {r["job_id"]: r for r in _stored(warehouse, "plan_assignments")}
    assert not any(r["dropped"] for r in after.values())
    for old in before:
        if old["start"] < now and old["job_id"] not in interrupted:
            assert (after[old["job_id"]]["equipment_id"], after[old["job_id"]]["start"]) == (
                old["equipment_id"], old["start"])
    for job in interrupted:
        assert after[job]["equipment_id"] != unit and after[job]["start"] >= now
    assert all(r["end"] <= now for r in _stored(warehouse, "unit_runs")
               if r["equipment_id"] == unit)
    replan = result.asset_materializations_for_node("optimized_plan")[0].metadata["replan"].data
    assert replan["tripped"] == [unit] and replan["restarted"] == interrupted
    later = {r["job_id"] for r in before if r["equipment_id"] == unit and r["start"] >= now}
    moved = {m["job_id"] for m in replan["moved"]}
    spans = {r["job_id"]: (r["equipment_id"], r["start"], r["end"]) for r in before}
    assert later <= moved <= making_room(
        spans, {j: (r["equipment_id"], r["start"], r["end"]) for j, r in after.items()},
        later | set(interrupted))
    assert replan["move_penalty"] == {"per_job": 1000.0, "total": 1000.0 * len(moved)}


def test_a_trip_before_min_run_passes_the_blocking_check(tmp_path: Path):
    # A unit that trips 15 min into a run it must hold for an hour or more stops short: it
    # tripped, nobody chose it, and the verified check (blocking) must know the re-plan's state.
    resources = _resources(tmp_path / "w.duckdb")
    assert _optimize(resources).success
    with (ROOT / "examples" / "plant_a" / "equipment.csv").open() as handle:
        min_run = {row["equipment_id"]: int(row["min_run_minutes"] or 0)
                   for row in csv.DictReader(handle)}
    run = next(r for r in _stored(resources["warehouse"], "unit_runs")
               if min_run[r["equipment_id"]] >= 60)
    trip = (run["start"] + timedelta(minutes=15)).astimezone(ZoneInfo("America/Chicago"))
    result = _optimize(resources, replan_at=trip.isoformat(), tripped_units=[run["equipment_id"]])
    assert result.success
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"expectations": True, "verified": True, "cost_recomputed": True}
    runs = [r for r in _stored(resources["warehouse"], "unit_runs")
            if r["equipment_id"] == run["equipment_id"] and r["start"] <= trip]
    assert [(r["start"], r["end"]) for r in runs][-1] == (run["start"], trip)


def test_replan_needs_a_stored_plan_and_known_units(tmp_path: Path):
    resources = _resources(tmp_path / "w.duckdb")
    message = _failure(_optimize(resources, replan_at=NOON, tripped_units=["EB1"]))
    assert "cannot read the stored optimized plan of plant_a on 2026-06-16" in message
    tables = resources["warehouse"].query("SELECT table_name FROM information_schema.tables")
    assert "plan_assignments" not in {t["table_name"] for t in tables}  # no plan written

    assert _optimize(resources).success
    stored = _stored(resources["warehouse"], "plan_assignments")
    message = _failure(_optimize(resources, replan_at=NOON, tripped_units=["XX9"]))
    assert "cannot re-plan: tripped_units: unknown unit 'XX9'" in message
    message = _failure(_optimize(resources, tripped_units=["EB1"]))
    assert "tripped_units and unavailable_until need replan_at" in message
    message = _failure(_optimize(resources, replan_at=NOON, tripped_units=["EB1"],
                                 move_penalty=-1.0))
    assert "move_penalty: -1.0: the move penalty must be a finite amount >= 0" in message
    message = _failure(_optimize(resources, replan_at=NOON, tripped_units=["EB1"],
                                 move_penalty_per_priority=[50.0, -1.0]))
    assert "move_penalty_per_priority: '50,-1': every move penalty must be a finite amount " \
        ">= 0" in message
    message = _failure(_optimize(resources, replan_at=NOON, tripped_units=["EB1"],
                                 move_penalty=5.0, move_penalty_per_priority=[50.0]))
    assert "give move_penalty or move_penalty_per_priority, not both" in message
    message = _failure(_optimize(resources, replan_at="2026-06-17T12:00:00-05:00"))
    assert "replan_at: 2026-06-17T12:00:00-05:00 lies outside the horizon" in message
    assert _stored(resources["warehouse"], "plan_assignments") == stored  # left as it was


@pytest.mark.parametrize("moment", ["noon", "2026-06-16T12:00:00"])
def test_replan_moment_must_be_iso_with_offset(tmp_path: Path, moment: str):
    resources = _resources(tmp_path / "w.duckdb")
    assert _optimize(resources).success
    message = _failure(_optimize(resources, replan_at=moment))
    assert "replan_at" in message and ("ISO 8601" in message or "no UTC offset" in message)


def test_a_cheap_priority_is_dropped_and_says_why(tmp_path: Path):
    # Every priority-5 job costs more than 1 $ to heat: at 1 $ each, dropping them all pays.
    resources = _resources(tmp_path / "w.duckdb")
    result = _optimize(resources, drop_penalty_per_priority=[1e6, 1e6, 1e6, 1e6, 1.0])
    assert result.success
    with (ROOT / "examples" / "plant_a" / "jobs.csv").open() as handle:
        lowest = {row["job_id"] for row in csv.DictReader(handle) if row["priority"] == "5"}
    dropped = [row for row in _stored(resources["warehouse"], "plan_assignments")
               if row["dropped"]]
    assert {row["job_id"] for row in dropped} == lowest
    assert all(row["reason"].startswith("drop_penalty: it fits, but its drop penalty (1.00)")
               for row in dropped)
    solver = result.asset_materializations_for_node("optimized_plan")[0].metadata["solver"].data
    assert solver["parameters"]["drop_penalty_per_priority"] == "1e+06,1e+06,1e+06,1e+06,1"


@pytest.mark.parametrize(("config", "message"), [
    ({"drop_penalty_per_priority": [1.0, 5.0]},
     "drop_penalty_per_priority: 1,5: a higher priority (earlier) may not cost less to drop"),
    ({"drop_penalty_per_priority": [1.0], "never_drop": True},
     "give drop_penalty_per_priority or never_drop, not both"),
])
def test_bad_drop_penalties_fail_the_run(tmp_path: Path, config: dict, message: str):
    assert message in _failure(_optimize(_resources(tmp_path / "w.duckdb"), **config))


def test_a_job_that_cannot_meet_its_deadline_is_delayed_and_verified(tmp_path: Path):
    # Two 3-hour jobs only EH1 may heat, both due at 05:00: one of them ends late. The plan
    # priced per hour late keeps both, says which is late, and passes the verifier's check.
    import shutil

    sites = tmp_path / "sites"
    shutil.copytree(ROOT / "examples" / "plant_a", sites / "plant_a")
    with (sites / "plant_a" / "jobs.csv").open("a") as jobs:
        for job_id, priority in (("L1", 1), ("L2", 5)):
            jobs.write(f"{job_id},P-X,Late test,1,batch,240,100,180,2026-06-16T00:00:00-05:00,"
                       f"2026-06-16T05:00:00-05:00,{priority},EH1,\n")
    resources = {"sites": SiteFolderResource(sites_dir=str(sites)),
                 "warehouse": WarehouseResource(duckdb_path=str(tmp_path / "w.duckdb"))}
    result = _optimize(resources, late_penalty_per_hour=[100.0, 50.0, 20.0, 10.0, 5.0])
    assert result.success
    assert all(check.passed for check in result.get_asset_check_evaluations())
    metadata = result.asset_materializations_for_node("optimized_plan")[0].metadata
    late = {job["job_id"]: job for job in metadata["late_jobs"].data}
    assert "L2" in late and "L1" not in late and late["L2"]["penalty"] > 0
    assert metadata["solver"].data["parameters"]["late_penalty_per_hour"] == "100,50,20,10,5"
    assert not [row for row in _stored(resources["warehouse"], "plan_assignments")
                if row["dropped"]]


def test_bad_late_penalties_fail_the_run(tmp_path: Path):
    message = _failure(_optimize(_resources(tmp_path / "w.duckdb"),
                                 late_penalty_per_hour=[1.0, 5.0]))
    assert "late_penalty_per_hour: 1,5: a higher priority (earlier) may not cost less to delay" \
        in message


def test_a_repeatable_plan_is_stored_twice_the_same(tmp_path: Path):
    # repeatable: the work counts, not the clock, end the search; the report says both.
    runs = []
    for name in ("first", "second"):
        resources = _resources(tmp_path / f"{name}.duckdb")
        result = _optimize(resources, backend="heuristic", time_limit_s=2, repeatable=True)
        assert result.success
        solver = result.asset_materializations_for_node("optimized_plan")[0].metadata["solver"]
        assert solver.data["parameters"]["repeatable"] is True
        assert solver.data["parameters"]["engine.stopped_by_clock"] is False
        runs.append([(row["job_id"], row["equipment_id"], row["start"])
                     for row in _stored(resources["warehouse"], "plan_assignments")])
    assert runs[0] == runs[1] and runs[0]
