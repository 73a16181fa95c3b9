"""Partition replacement on both backends: idempotence, isolation, validation and atomicity."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from resources import TableSpec, WarehouseResource, WarehouseValidationError

PLAN_STEPS = TableSpec(
    name="plan_steps",
    columns=(
        ("site_id", "text"),
        ("plan_date", "date"),
        ("step", "int"),
        ("power_kw", "float"),
        ("heater_on", "bool"),
        ("starts_at", "timestamptz"),
        ("details", "json"),
    ),
    partition_keys=("site_id", "plan_date"),
    primary_key=("site_id", "plan_date", "step"),
)
# Sorts after plan_steps, so it is also written second: its failures test the rollback.
PLAN_SUMMARY = TableSpec(
    name="plan_summary",
    columns=(
        ("site_id", "text"),
        ("plan_date", "date"),
        ("total_cost", "float"),
        ("solver", "text"),
    ),
    partition_keys=("site_id", "plan_date"),
)
DAY_1, DAY_2 = dt.date(2025, 3, 3), dt.date(2025, 3, 4)
UTC = dt.UTC


def steps(site_id: str, plan_date: dt.date, count: int = 4, power_kw: float = 10.0) -> list[dict]:
    midnight = dt.datetime.combine(plan_date, dt.time(0), tzinfo=UTC)
    return [
        {
            "site_id": site_id,
            "plan_date": plan_date,
            "step": step,
            "power_kw": power_kw * step,
            "heater_on": step % 2 == 0,
            "starts_at": midnight + dt.timedelta(minutes=15 * step),
            "details": {"step": step, "units": ["h1", "h2"]},
        }
        for step in range(count)
    ]


def summary(site_id: str, plan_date: dt.date, total_cost: float = 123.5) -> list[dict]:
    return [
        {"site_id": site_id, "plan_date": plan_date, "total_cost": total_cost, "solver": "cpsat"}
    ]


def plan(site_id: str, plan_date: dt.date, power_kw: float = 10.0, cost: float = 123.5):
    return {
        PLAN_STEPS: steps(site_id, plan_date, power_kw=power_kw),
        PLAN_SUMMARY: summary(site_id, plan_date, cost),
    }


def keys(site_id: str, plan_date: dt.date) -> dict:
    return {"site_id": site_id, "plan_date": plan_date}


def table_rows(warehouse: WarehouseResource, spec: TableSpec) -> list[dict]:
    order = ", ".join(
        name for name in ("site_id", "plan_date", "step") if name in spec.column_names
    )
    return warehouse.query(f"SELECT * FROM {warehouse.qualified_name(spec)} ORDER BY {order}")


def test_first_call_creates_the_tables_and_returns_row_counts(warehouse):
    counts = warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))

    assert counts == {"plan_steps": 4, "plan_summary": 1}
    assert len(table_rows(warehouse, PLAN_STEPS)) == 4
    assert table_rows(warehouse, PLAN_SUMMARY) == summary("plant_a", DAY_1)


def test_every_logical_type_round_trips(warehouse):
    warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))

    assert table_rows(warehouse, PLAN_STEPS) == steps("plant_a", DAY_1)


def test_materializing_twice_gives_the_same_rows_without_duplicates(warehouse):
    warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))
    first = {spec: table_rows(warehouse, spec) for spec in (PLAN_STEPS, PLAN_SUMMARY)}

    counts = warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))

    assert counts == {"plan_steps": 4, "plan_summary": 1}
    assert {spec: table_rows(warehouse, spec) for spec in (PLAN_STEPS, PLAN_SUMMARY)} == first


def test_replacing_one_partition_leaves_the_others_untouched(warehouse):
    for site_id, plan_date in [("plant_a", DAY_1), ("plant_a", DAY_2), ("plant_b", DAY_1)]:
        warehouse.replace_partition(plan(site_id, plan_date), keys(site_id, plan_date))

    warehouse.replace_partition(
        {PLAN_STEPS: steps("plant_a", DAY_1, count=2, power_kw=99.0), PLAN_SUMMARY: []},
        keys("plant_a", DAY_1),
    )

    assert table_rows(warehouse, PLAN_STEPS) == (
        steps("plant_a", DAY_1, count=2, power_kw=99.0)
        + steps("plant_a", DAY_2)
        + steps("plant_b", DAY_1)
    )
    assert table_rows(warehouse, PLAN_SUMMARY) == summary("plant_a", DAY_2) + summary(
        "plant_b", DAY_1
    )


def test_dataframe_rows_with_gaps_are_stored_as_null(warehouse):
    frame = pd.DataFrame(steps("plant_a", DAY_1, count=3))
    frame["power_kw"] = [1.5, np.nan, 3.0]
    frame["step"] = frame["step"].astype("int64")
    frame["starts_at"] = pd.to_datetime(frame["starts_at"], utc=True)
    frame.loc[1, "starts_at"] = pd.NaT
    frame["details"] = [None, {"a": np.int64(1)}, [1.5, "x"]]

    warehouse.replace_partition({PLAN_STEPS: frame}, {"site_id": "plant_a", "plan_date": DAY_1})

    rows = table_rows(warehouse, PLAN_STEPS)
    assert [row["power_kw"] for row in rows] == [1.5, None, 3.0]
    assert rows[1]["starts_at"] is None
    assert rows[2]["starts_at"] == dt.datetime(2025, 3, 3, 0, 30, tzinfo=UTC)
    assert [row["details"] for row in rows] == [None, {"a": 1}, [1.5, "x"]]


def test_a_dataframe_of_the_wrong_shape_is_refused_even_when_empty(warehouse):
    empty = pd.DataFrame(columns=["site_id", "plan_date", "total_cost"])

    with pytest.raises(ValueError, match="table 'plan_summary', column 'solver': missing"):
        warehouse.replace_partition({PLAN_SUMMARY: empty}, keys("plant_a", DAY_1))


def _extra_column(rows):
    rows[0]["surprise"] = 1


def _missing_column(rows):
    del rows[0]["solver"]


def _wrong_type(rows):
    rows[0]["total_cost"] = "cheap"


def _other_partition(rows):
    rows[0]["plan_date"] = DAY_2


@pytest.mark.parametrize(
    ("spoil", "column", "says"),
    [
        (_extra_column, "surprise", "not a declared column"),
        (_missing_column, "solver", "missing"),
        (_wrong_type, "total_cost", "expected float"),
        (_other_partition, "plan_date", "not this partition"),
    ],
)
def test_a_bad_row_names_table_row_and_column_and_changes_nothing(warehouse, spoil, column, says):
    warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))
    before = {spec: table_rows(warehouse, spec) for spec in (PLAN_STEPS, PLAN_SUMMARY)}
    bad_summary = summary("plant_a", DAY_1, 1.0) + summary("plant_a", DAY_1, 2.0)
    spoil(bad_summary[1:])  # the second row, so the index in the message is checked

    with pytest.raises(ValueError) as raised:
        warehouse.replace_partition(
            {PLAN_STEPS: steps("plant_a", DAY_1, count=1), PLAN_SUMMARY: bad_summary},
            keys("plant_a", DAY_1),
        )

    assert isinstance(raised.value, WarehouseValidationError)
    assert (raised.value.table, raised.value.row, raised.value.column) == (
        "plan_summary",
        1,
        column,
    )
    assert f"table 'plan_summary', row 1, column '{column}'" in str(raised.value)
    assert says in str(raised.value)
    assert {spec: table_rows(warehouse, spec) for spec in (PLAN_STEPS, PLAN_SUMMARY)} == before


def test_a_failure_inside_the_transaction_rolls_back_every_table(warehouse):
    warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))
    before = {spec: table_rows(warehouse, spec) for spec in (PLAN_STEPS, PLAN_SUMMARY)}
    # Same table name, another shape: only the database can tell, after plan_steps was rewritten.
    reshaped_summary = TableSpec(
        name="plan_summary",
        columns=PLAN_SUMMARY.columns + (("currency", "text"),),
        partition_keys=PLAN_SUMMARY.partition_keys,
    )

    with pytest.raises(ValueError, match="migrate or drop"):
        warehouse.replace_partition(
            {
                PLAN_STEPS: steps("plant_a", DAY_1, count=1, power_kw=7.0),
                reshaped_summary: [summary("plant_a", DAY_1)[0] | {"currency": "EUR"}],
            },
            keys("plant_a", DAY_1),
        )

    assert {spec: table_rows(warehouse, spec) for spec in (PLAN_STEPS, PLAN_SUMMARY)} == before


def test_duplicate_primary_keys_are_rejected_before_writing(warehouse):
    rows = steps("plant_a", DAY_1, count=3)
    rows[2]["step"] = 0

    with pytest.raises(ValueError, match=r"table 'plan_steps', row 2, .*repeats row 0"):
        warehouse.replace_partition({PLAN_STEPS: rows}, keys("plant_a", DAY_1))


def test_timestamps_keep_their_instant_and_come_back_in_utc(warehouse):
    berlin = ZoneInfo("Europe/Berlin")
    rows = steps("plant_a", DAY_1, count=4)
    rows[0]["starts_at"] = dt.datetime(2025, 3, 30, 1, 45, tzinfo=berlin)  # before spring-forward
    rows[1]["starts_at"] = dt.datetime(2025, 3, 30, 3, 0, tzinfo=berlin)  # after it
    rows[2]["starts_at"] = "2025-10-26T02:30:00+01:00"  # ISO 8601 with offset
    rows[3]["starts_at"] = pd.Timestamp("2025-07-01 12:00", tz="America/Chicago")

    warehouse.replace_partition({PLAN_STEPS: rows}, keys("plant_a", DAY_1))

    stored = [row["starts_at"] for row in table_rows(warehouse, PLAN_STEPS)]
    assert stored == [
        dt.datetime(2025, 3, 30, 0, 45, tzinfo=UTC),
        dt.datetime(2025, 3, 30, 1, 0, tzinfo=UTC),
        dt.datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
        dt.datetime(2025, 7, 1, 17, 0, tzinfo=UTC),
    ]
    assert all(value.tzinfo is UTC for value in stored)


def test_a_timestamp_without_offset_is_rejected(warehouse):
    rows = steps("plant_a", DAY_1, count=2)
    rows[1]["starts_at"] = dt.datetime(2025, 3, 3, 6, 0)

    with pytest.raises(ValueError, match=r"row 1, column 'starts_at': .*no time zone"):
        warehouse.replace_partition({PLAN_STEPS: rows}, keys("plant_a", DAY_1))


def test_json_column_keeps_nested_values(warehouse):
    values = [
        {"solver": {"name": "cpsat", "gap": 0.0, "proven": True}, "warnings": []},
        ["Wärmepumpe", 3, None, {"nested": [1, 2.5]}],
        "just a string",
        None,
    ]
    rows = steps("plant_a", DAY_1, count=len(values))
    for row, value in zip(rows, values, strict=True):
        row["details"] = value

    warehouse.replace_partition({PLAN_STEPS: rows}, keys("plant_a", DAY_1))

    assert [row["details"] for row in table_rows(warehouse, PLAN_STEPS)] == values


def test_keys_must_match_the_partition_keys(warehouse):
    with pytest.raises(ValueError, match="not partition keys of any table"):
        warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1) | {"day": 1})
    with pytest.raises(ValueError, match="column 'plan_date': partition key missing"):
        warehouse.replace_partition(plan("plant_a", DAY_1), {"site_id": "plant_a"})


def test_key_values_are_converted_like_column_values(warehouse):
    warehouse.replace_partition(
        plan("plant_a", DAY_1), {"site_id": "plant_a", "plan_date": "2025-03-03"}
    )

    assert len(table_rows(warehouse, PLAN_STEPS)) == 4


def test_a_second_call_right_after_the_first_sees_its_rows(warehouse):
    warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))
    # A fresh resource, as the next run's step would get: nothing is held open between calls.
    again = warehouse.model_copy()

    again.replace_partition(plan("plant_a", DAY_2), keys("plant_a", DAY_2))
    warehouse.replace_partition(plan("plant_a", DAY_1, cost=1.0), keys("plant_a", DAY_1))

    assert [row["total_cost"] for row in table_rows(again, PLAN_SUMMARY)] == [1.0, 123.5]


def test_writers_in_parallel_threads_all_land_once(warehouse):
    # No primary key here, so only the write serialization prevents duplicated rows.
    events = TableSpec("events", (("site_id", "text"), ("seq", "int")), ("site_id",))
    errors: list[BaseException] = []

    def write(site_id: str) -> None:
        try:
            for _ in range(2):
                rows = [{"site_id": site_id, "seq": seq} for seq in range(50)]
                warehouse.replace_partition({events: rows}, {"site_id": site_id})
        except BaseException as error:  # surfaced below; a thread cannot fail the test itself
            errors.append(error)

    warehouse.replace_partition({events: []}, {"site_id": "a"})  # create the table first
    threads = [threading.Thread(target=write, args=(site,)) for site in ("a", "b", "a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counts = warehouse.query(
        f"SELECT site_id, count(*) AS n FROM {warehouse.qualified_name(events)}"
        " GROUP BY site_id ORDER BY site_id"
    )
    assert counts == [{"site_id": "a", "n": 50}, {"site_id": "b", "n": 50}]


def test_query_takes_dollar_parameters(warehouse):
    warehouse.replace_partition(plan("plant_a", DAY_1), keys("plant_a", DAY_1))

    rows = warehouse.query(
        f"SELECT step FROM {warehouse.qualified_name(PLAN_STEPS)}"
        " WHERE site_id = $1 AND step >= $2 ORDER BY step",
        ["plant_a", 2],
    )

    assert rows == [{"step": 2}, {"step": 3}]
