"""Unit trips: equipment_trips.csv, the re-plans it calls for, and the sensor that runs them.

The sensor's run requests are executed as Dagster would run them (same partition, config and
tags, on the same instance), so each re-plan really starts from the plan the one before it
stored."""

import shutil
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import pytest

from assets import optimized_plan, site_inputs
from assets.partitions import partition_key
from heatcraft.errors import InputError
from heatcraft.intake.equipment_trips import (
    load_trips,
    pending_replans,
    repeats_fresh_plan,
    trip_read,
    units_down,
)
from resources import WarehouseResource
from resources.sites import SiteFolderResource
from sensors import TRIP_SITE_TAG, unit_trip_sensor

ROOT = Path(__file__).resolve().parents[2]
ZONE = "America/Chicago"
UNITS = ("EH1", "EH2", "IH1", "EB1", "GB1", "GB2", "MF1", "HP1")
KEY = partition_key("plant_a", "2026-06-16")
HEADER = "equipment_id,tripped_at,back_at,reason\n"


def _trips(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_trips_are_read_in_moment_order(tmp_path: Path):
    trips = load_trips(_trips(tmp_path / "t.csv",
                              "MF1,2026-06-16T14:00:00-05:00,,breaker",
                              "EB1,2026-06-16T12:00,2026-06-16T15:00,flow alarm"), ZONE, UNITS)
    assert [(t.equipment_id, t.tripped_at.isoformat()) for t in trips] == [
        ("EB1", "2026-06-16T12:00:00-05:00"), ("MF1", "2026-06-16T14:00:00-05:00")]
    assert trips[1].back_at is None and trips[0].reason == "flow alarm"
    assert units_down(trips, _moment("2026-06-16T14:30:00-05:00")) == (
        "EB1@2026-06-16T15:00:00-05:00", "MF1")
    assert units_down(trips, _moment("2026-06-16T15:00:00-05:00")) == ("MF1",)


@pytest.mark.parametrize(("rows", "row", "field", "rule"), [
    (["XX9,2026-06-16T12:00:00-05:00,,"], 2, "equipment_id", "unknown unit 'XX9' (the site has"),
    (["EB1,2026-06-16T12:00:00-05:00,2026-06-16T11:00:00-05:00,"], 2, "back_at",
     "back_at (2026-06-16 11:00:00-05:00) must be after tripped_at"),
    (["EB1,noon,,"], 2, "tripped_at", "'noon' is not an ISO 8601 date-time"),
    (["EB1,2026-06-16T12:00:00-05:00,,", "EB1,2026-06-16T14:00:00-05:00,,"], 3, "tripped_at",
     "EB1 is still down from its trip at 2026-06-16T12:00:00-05:00 (row 2, no return given)"),
    (["EB1,2026-06-16T12:00:00-05:00,2026-06-16T13:00:00-05:00,",
      "EB1,2026-06-16T12:00:00-05:00,,"], 3, "tripped_at", "the same trip is listed twice"),
])
def test_a_bad_trip_names_file_row_field_and_rule(tmp_path: Path, rows, row, field, rule):
    with pytest.raises(InputError) as caught:
        load_trips(_trips(tmp_path / "equipment_trips.csv", *rows), ZONE, UNITS)
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.field) == ("equipment_trips.csv", row, field)
    assert issue.rule.startswith(rule)


def test_a_changed_return_replans_from_the_earlier_return(tmp_path: Path):
    trip = "EB1,2026-06-16T12:00:00-05:00"
    path = tmp_path / "t.csv"
    first = pending_replans(load_trips(_trips(path, f"{trip},,"), ZONE, UNITS), {}, ZONE)
    assert [(r.replan_at.hour, r.tripped) for r in first] == [(12, ("EB1",))]
    handled = dict([first[0].handled])
    assert pending_replans(load_trips(path, ZONE, UNITS), handled, ZONE) == []
    # Back sooner than "unknown": from the return, with the unit usable again.
    sooner = pending_replans(load_trips(_trips(path, f"{trip},2026-06-16T15:00:00-05:00,"),
                                        ZONE, UNITS), handled, ZONE)
    assert [(r.replan_at.hour, r.tripped) for r in sooner] == [(15, ())]
    assert sooner[0].why == ("EB1's return changed from unknown to 2026-06-16T15:00:00-05:00")
    # Back later than planned: from the planned return, the unit kept off until the new one.
    handled = dict([sooner[0].handled])
    later = pending_replans(load_trips(_trips(path, f"{trip},2026-06-16T17:00:00-05:00,"),
                                       ZONE, UNITS), handled, ZONE)
    assert [(r.replan_at.hour, r.tripped) for r in later] == [
        (15, ("EB1@2026-06-16T17:00:00-05:00",))]


def test_an_outage_into_the_next_day_replans_it_from_its_start(tmp_path: Path):
    path = tmp_path / "t.csv"
    trip = "EB1,2026-06-16T22:00:00-05:00"
    replans = pending_replans(load_trips(_trips(path, f"{trip},2026-06-17T10:00:00-05:00,"),
                                         ZONE, UNITS), {}, ZONE)
    assert [(str(r.plan_date), r.replan_at.isoformat(), r.tripped) for r in replans] == [
        ("2026-06-16", "2026-06-16T22:00:00-05:00", ("EB1@2026-06-17T10:00:00-05:00",)),
        ("2026-06-17", "2026-06-17T00:00:00-05:00", ("EB1@2026-06-17T10:00:00-05:00",))]
    # Back before midnight after all: both days again, the next one with EB1 usable.
    handled = dict(r.handled for r in replans)
    sooner = pending_replans(load_trips(_trips(path, f"{trip},2026-06-16T23:00:00-05:00,"),
                                        ZONE, UNITS), handled, ZONE)
    assert [(str(r.plan_date), r.replan_at.isoformat(), r.tripped) for r in sooner] == [
        ("2026-06-16", "2026-06-16T23:00:00-05:00", ()),
        ("2026-06-17", "2026-06-17T00:00:00-05:00", ())]
    # A return at midnight reaches no later day; an unknown one only the trip's own...
    for back in ("2026-06-17T00:00:00-05:00", ""):
        days = pending_replans(load_trips(_trips(path, f"{trip},{back},"), ZONE, UNITS), {},
                               ZONE)
        assert [str(r.plan_date) for r in days] == ["2026-06-16"]
    # ... and every later day that already has a plan, from its start.
    planned = {date(2026, 6, 15), date(2026, 6, 16), date(2026, 6, 17), date(2026, 6, 19)}
    unknown = pending_replans(load_trips(_trips(path, f"{trip},,"), ZONE, UNITS), {}, ZONE,
                              planned)
    assert [(str(r.plan_date), r.replan_at.isoformat(), r.tripped) for r in unknown] == [
        ("2026-06-16", "2026-06-16T22:00:00-05:00", ("EB1",)),
        ("2026-06-17", "2026-06-17T00:00:00-05:00", ("EB1",)),
        ("2026-06-19", "2026-06-19T00:00:00-05:00", ("EB1",))]
    # Its return becomes known (the 17th, 10:00): the 17th again from then, with EB1 usable;
    # the 19th again from its start (planned with EB1 off, it may use it now).
    handled = dict(r.handled for r in unknown)
    known = pending_replans(load_trips(_trips(path, f"{trip},2026-06-17T10:00:00-05:00,"),
                                       ZONE, UNITS), handled, ZONE, planned)
    assert [(str(r.plan_date), r.replan_at.isoformat(), r.tripped) for r in known] == [
        ("2026-06-17", "2026-06-17T10:00:00-05:00", ()),
        ("2026-06-19", "2026-06-19T00:00:00-05:00", ())]


def test_only_a_replan_from_the_days_start_repeats_a_fresh_plan_that_read_the_trip(
        tmp_path: Path):
    path = _trips(tmp_path / "t.csv", "EB1,2026-06-16T22:00:00-05:00,2026-06-17T10:00:00-05:00,")
    [trip] = load_trips(path, ZONE, UNITS)
    own_day, next_day = pending_replans([trip], {}, ZONE)
    read = {trip_read(trip)}
    assert repeats_fresh_plan(next_day, ZONE, read)
    # The trip's own day keeps what was planned before the trip: a fresh plan does not.
    assert not repeats_fresh_plan(own_day, ZONE, read)
    # A plan that read another return, or no trip, is planned again.
    assert not repeats_fresh_plan(next_day, ZONE, {"EB1@2026-06-16T22:00:00-05:00|"})
    assert not repeats_fresh_plan(next_day, ZONE, set())


@pytest.fixture
def plant(tmp_path: Path, monkeypatch) -> dict:
    sites = tmp_path / "sites"
    shutil.copytree(ROOT / "examples" / "plant_a", sites / "plant_a")
    monkeypatch.setenv("HEATCRAFT_SITES_DIR", str(sites))
    return {"folder": sites / "plant_a", "instance": dg.DagsterInstance.ephemeral(),
            "resources": {"sites": SiteFolderResource(sites_dir=str(sites)),
                          "warehouse": WarehouseResource(duckdb_path=str(tmp_path / "w.duckdb"))}}


def _tick(plant: dict, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=plant["instance"], cursor=cursor)
    return unit_trip_sensor(context)


def _run(plant: dict, request: dg.RunRequest | None = None,
         partition: dg.MultiPartitionKey = KEY, **options) -> dg.ExecuteInProcessResult:
    """A plan of the day (with `options` in its config), or the re-plan `request` asks for,
    as Dagster would run it (5 s)."""
    config = {"time_limit_s": 5, **options}
    if request is not None:
        config.update(request.run_config["ops"]["optimized_plan"]["config"])
    result = dg.materialize([site_inputs, optimized_plan], partition_key=partition,
                            instance=plant["instance"], resources=plant["resources"],
                            run_config={"ops": {"optimized_plan": {"config": config}}},
                            tags=request.tags if request is not None else None)
    assert result.success
    assert all(check.passed for check in result.get_asset_check_evaluations())
    return result


def _replan(result: dg.ExecuteInProcessResult) -> dict:
    return result.asset_materializations_for_node("optimized_plan")[0].metadata["replan"].data


def _runs_after(plant: dict, unit: str, moment: str) -> list[tuple]:
    warehouse = plant["resources"]["warehouse"]
    return [(r["start"], r["end"]) for r in warehouse.query(
        f"SELECT * FROM {warehouse.qualified_name('unit_runs')} WHERE equipment_id = $1 "
        "AND plan_kind = 'optimized' AND \"end\" > $2", [unit, _moment(moment)])]


def test_trips_replan_their_day_one_at_a_time(plant: dict):
    trips = plant["folder"] / "equipment_trips.csv"
    _trips(trips, "MF1,2026-06-16T12:00:00-05:00,,breaker")
    waiting = _tick(plant, None)
    assert waiting.run_requests == []  # no plan of the day yet: the trip waits for one

    _run(plant)  # the day's plan
    _trips(trips, "MF1,2026-06-16T12:00:00-05:00,,breaker",
           "EB1,2026-06-16T14:00:00-05:00,2026-06-16T16:00:00-05:00,flow alarm")
    first = _tick(plant, waiting.cursor)
    [request] = first.run_requests
    assert request.partition_key == KEY and request.tags[TRIP_SITE_TAG] == "plant_a"
    assert _config(request) == {"replan_at": "2026-06-16T12:00:00-05:00",
                                "tripped_units": ["MF1"]}
    from definitions import defs  # the sensor's job takes the config it sends

    dg.validate_run_config(defs.resolve_job_def("daily_plan"), request.run_config)

    # While that re-plan runs the next trip waits: it must start from its stored plan.
    running = plant["instance"].create_run_for_job(
        dg.GraphDefinition("noop").to_job(), status=dg.DagsterRunStatus.STARTED,
        tags={**request.tags, "dagster/partition": str(KEY)})
    assert _tick(plant, first.cursor).run_requests == []
    plant["instance"].delete_run(running.run_id)

    assert _replan(_run(plant, request))["tripped"] == ["MF1"]
    assert _runs_after(plant, "MF1", "2026-06-16T12:00:00-05:00") == []

    second = _tick(plant, first.cursor)
    [request] = second.run_requests
    assert _config(request) == {
        "replan_at": "2026-06-16T14:00:00-05:00",
        "tripped_units": ["EB1@2026-06-16T16:00:00-05:00", "MF1"]}  # MF1 is still down
    replanned = _replan(_run(plant, request))
    assert replanned["tripped"] == ["EB1", "MF1"]
    assert replanned["back_at"] == {"EB1": "2026-06-16T16:00:00-05:00"}
    assert _runs_after(plant, "MF1", "2026-06-16T12:00:00-05:00") == []
    assert all(end <= _moment("2026-06-16T14:00:00-05:00") or
               start >= _moment("2026-06-16T16:00:00-05:00")
               for start, end in _runs_after(plant, "EB1", "2026-06-16T00:00:00-05:00"))
    assert _tick(plant, second.cursor).run_requests == []  # every trip handled

    # MF1 is back at 15:00: the day is planned again from then, with MF1 usable.
    _trips(trips, "MF1,2026-06-16T12:00:00-05:00,2026-06-16T15:00:00-05:00,breaker",
           "EB1,2026-06-16T14:00:00-05:00,2026-06-16T16:00:00-05:00,flow alarm")
    back = _tick(plant, second.cursor)
    [request] = back.run_requests
    assert _config(request) == {"replan_at": "2026-06-16T15:00:00-05:00",
                                "tripped_units": ["EB1@2026-06-16T16:00:00-05:00"]}
    assert _replan(_run(plant, request))["tripped"] == ["EB1"]
    assert _tick(plant, back.cursor).run_requests == []

    # The day planned afresh (say its jobs file changed) keeps the tripped units off over
    # their outages, but plans the whole day anew: the trips are re-planned again, in order,
    # from that plan, so that each keeps what was planned before its moment.
    _run(plant)
    again = _tick(plant, back.cursor)
    [request] = again.run_requests
    assert _config(request) == {"replan_at": "2026-06-16T12:00:00-05:00",
                                "tripped_units": ["MF1@2026-06-16T15:00:00-05:00"]}
    _run(plant, request)
    [request] = _tick(plant, again.cursor).run_requests
    assert _config(request) == {"replan_at": "2026-06-16T14:00:00-05:00", "tripped_units": [
        "EB1@2026-06-16T16:00:00-05:00", "MF1@2026-06-16T15:00:00-05:00"]}


def _config(request: dg.RunRequest) -> dict:
    return request.run_config["ops"]["optimized_plan"]["config"]


def test_a_trip_waits_while_another_run_plans_its_day(plant: dict):
    # Say the production-schedule sensor's run: the re-plan must start from the plan it stores.
    _run(plant)
    _trips(plant["folder"] / "equipment_trips.csv", "EB1,2026-06-16T12:00:00-05:00,,")
    running = plant["instance"].create_run_for_job(
        dg.GraphDefinition("noop").to_job(), status=dg.DagsterRunStatus.STARTED,
        tags={"dagster/partition": str(KEY)})
    waiting = _tick(plant, None)
    assert waiting.run_requests == []
    plant["instance"].delete_run(running.run_id)
    [request] = _tick(plant, waiting.cursor).run_requests
    assert _config(request)["tripped_units"] == ["EB1"]


def test_a_bad_trips_file_is_left_unhandled_until_mended(plant: dict):
    _run(plant)  # the day's plan (a bad trips file would stop it: tests/cli/test_trip_outages)
    trips = _trips(plant["folder"] / "equipment_trips.csv", "XX9,2026-06-16T12:00:00-05:00,,")
    result = _tick(plant, None)
    assert result.run_requests == []
    _trips(trips, "EB1,2026-06-16T12:00:00-05:00,,")
    mended = _tick(plant, result.cursor)
    [request] = mended.run_requests
    assert _config(request)["tripped_units"] == ["EB1"]

    # Its run never stored a plan (it failed, say): it is not asked again, and the next trip
    # goes on from the plan there is.
    assert _tick(plant, mended.cursor).run_requests == []
    _trips(trips, "EB1,2026-06-16T12:00:00-05:00,,", "GB1,2026-06-16T13:00:00-05:00,,")
    [request] = _tick(plant, mended.cursor).run_requests
    assert _config(request) == {"replan_at": "2026-06-16T13:00:00-05:00",
                                "tripped_units": ["EB1", "GB1"]}


def test_a_trip_with_no_return_replans_the_next_days_plan_from_its_start(plant: dict):
    next_day = partition_key("plant_a", "2026-06-17")
    for key in (KEY, next_day):
        _run(plant, partition=key)
    _trips(plant["folder"] / "equipment_trips.csv", "EB1,2026-06-16T20:00:00-05:00,,")
    first = _tick(plant, None)
    [request] = first.run_requests
    assert request.partition_key == KEY
    _run(plant, request)
    second = _tick(plant, first.cursor)
    [request] = second.run_requests
    assert request.partition_key == next_day
    assert _config(request) == {"replan_at": "2026-06-17T00:00:00-05:00",
                                "tripped_units": ["EB1"]}
    _run(plant, request, partition=next_day)
    assert _runs_after(plant, "EB1", "2026-06-16T20:00:00-05:00") == []
    assert _tick(plant, second.cursor).run_requests == []
    # A fresh plan of the next day reads the trip itself, and says why EB1 is idle.
    fresh = _run(plant, partition=next_day)
    assert _runs_after(plant, "EB1", "2026-06-16T20:00:00-05:00") == []
    metadata = fresh.asset_materializations_for_node("optimized_plan")[0].metadata
    assert {"equipment_id": "EB1", "start": "2026-06-17T00:00:00-05:00",
            "end": "2026-06-18T00:00:00-05:00",
            "reason": "tripped at 2026-06-16T20:00:00-05:00 (return unknown)"} in \
        metadata["unavailable"].data
    # That plan read the trip: a re-plan of the day from its start would only repeat it.
    assert metadata["trips_read"].data == ["EB1@2026-06-16T20:00:00-05:00|"]
    settled = _tick(plant, second.cursor)
    assert settled.run_requests == []
    # The return filled in (06:00) re-plans the next day from then, from the fresh plan.
    _trips(plant["folder"] / "equipment_trips.csv",
           "EB1,2026-06-16T20:00:00-05:00,2026-06-17T06:00:00-05:00,")
    [request] = _tick(plant, settled.cursor).run_requests
    assert request.partition_key == next_day
    assert _config(request) == {"replan_at": "2026-06-17T06:00:00-05:00", "tripped_units": []}


def test_an_outage_past_midnight_replans_the_next_day_from_its_start(plant: dict):
    next_day = partition_key("plant_a", "2026-06-17")
    for key in (KEY, next_day):
        _run(plant, partition=key)
    _trips(plant["folder"] / "equipment_trips.csv",
           "EB1,2026-06-16T22:00:00-05:00,2026-06-17T10:00:00-05:00,")
    first = _tick(plant, None)
    [request] = first.run_requests
    assert request.partition_key == KEY
    _run(plant, request)
    [request] = _tick(plant, first.cursor).run_requests
    assert request.partition_key == next_day
    assert _config(request) == {"replan_at": "2026-06-17T00:00:00-05:00",
                                "tripped_units": ["EB1@2026-06-17T10:00:00-05:00"]}
    replan = _replan(_run(plant, request, partition=next_day))
    assert replan["planned_from"] == "2026-06-17T00:00:00-05:00" and replan["kept"] == []


@pytest.mark.parametrize(("move", "recorded"), [
    ({"move_penalty": 50.0}, 50.0),
    ({"move_penalty_per_priority": [200.0, 50.0, 10.0]}, "200,50,10")])
def test_a_trips_replan_keeps_the_planners_penalties(plant: dict, move: dict, recorded):
    penalties = {"drop_penalty_per_priority": [5000.0, 2000.0, 1000.0, 500.0, 200.0],
                 "late_penalty_per_hour": [500.0, 200.0, 100.0, 50.0, 20.0], **move}
    _run(plant, **penalties)
    _trips(plant["folder"] / "equipment_trips.csv", "EB1,2026-06-16T12:00:00-05:00,,")
    [request] = _tick(plant, None).run_requests
    assert _config(request) == {"replan_at": "2026-06-16T12:00:00-05:00",
                                "tripped_units": ["EB1"], **penalties}
    from definitions import defs

    dg.validate_run_config(defs.resolve_job_def("daily_plan"), request.run_config)
    replanned = _run(plant, request)
    solver = replanned.asset_materializations_for_node("optimized_plan")[0].metadata["solver"]
    assert solver.data["parameters"]["late_penalty_per_hour"] == "500,200,100,50,20"
    assert solver.data["parameters"]["move_penalty"] == recorded
    # A plan that forbids drops passes that on too.
    _run(plant, never_drop=True)
    _trips(plant["folder"] / "equipment_trips.csv", "GB1,2026-06-16T13:00:00-05:00,,")
    [request] = _tick(plant, None).run_requests
    assert _config(request)["never_drop"] is True
