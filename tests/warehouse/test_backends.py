"""What is particular to each backend: where the file goes, locks, types, descriptions."""

import datetime as dt
import subprocess
import sys
import time

import dagster as dg
import duckdb
import psycopg
import pytest

from resources import TableSpec, WarehouseResource

READINGS = TableSpec(
    "readings",
    (("site_id", "text"), ("read_at", "timestamptz"), ("value", "float"), ("extra", "json")),
    ("site_id",),
)
ROWS = [
    {
        "site_id": "plant_a",
        "read_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "value": 1.0,
        "extra": {"ok": True},
    }
]


def test_duckdb_is_the_default_and_a_relative_path_resolves_against_the_working_directory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    warehouse = WarehouseResource()

    warehouse.replace_partition({READINGS: ROWS}, {"site_id": "plant_a"})

    assert warehouse.backend == "duckdb"
    assert warehouse.describe() == str(tmp_path / "var" / "warehouse.duckdb")
    assert (tmp_path / "var" / "warehouse.duckdb").is_file()


def test_duckdb_columns_get_timestamptz_and_json_types(duckdb_warehouse):
    duckdb_warehouse.replace_partition({READINGS: ROWS}, {"site_id": "plant_a"})

    types = duckdb_warehouse.query(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'heatcraft' AND table_name = 'readings' ORDER BY ordinal_position"
    )
    assert [row["data_type"] for row in types] == [
        "VARCHAR",
        "TIMESTAMP WITH TIME ZONE",
        "DOUBLE",
        "JSON",
    ]


def test_duckdb_writer_waits_for_a_reader_in_another_process(duckdb_warehouse):
    duckdb_warehouse.replace_partition({READINGS: ROWS}, {"site_id": "plant_a"})
    # The reader can only open the file because the call above closed it again.
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "connection = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print('holding', flush=True)\n"
            "time.sleep(0.5)\n",
            duckdb_warehouse.describe(),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "holding"
        started = time.monotonic()

        counts = duckdb_warehouse.replace_partition({READINGS: ROWS * 0}, {"site_id": "plant_a"})

        assert counts == {"readings": 0}
        assert time.monotonic() - started > 0.2  # it waited for the lock rather than failing
    finally:
        reader.wait(timeout=60)


def test_duckdb_writer_gives_up_after_its_lock_timeout(duckdb_warehouse):
    duckdb_warehouse.replace_partition({READINGS: ROWS}, {"site_id": "plant_a"})
    impatient = duckdb_warehouse.model_copy(update={"duckdb_lock_timeout_seconds": 0.1})
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys\n"
            "connection = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print('holding', flush=True)\n"
            "sys.stdin.readline()\n",
            duckdb_warehouse.describe(),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException, match="lock"):
            impatient.replace_partition({READINGS: []}, {"site_id": "plant_a"})
    finally:
        reader.communicate("done\n", timeout=60)

    assert len(duckdb_warehouse.query("SELECT * FROM heatcraft.readings")) == 1


def test_query_before_anything_was_materialized_says_so(duckdb_warehouse):
    with pytest.raises(FileNotFoundError, match="nothing has been materialized"):
        duckdb_warehouse.query("SELECT 1")


def test_the_resource_works_inside_a_dagster_run(duckdb_warehouse):
    @dg.asset
    def readings(warehouse: WarehouseResource) -> dg.MaterializeResult:
        counts = warehouse.replace_partition({READINGS: ROWS}, {"site_id": "plant_a"})
        return dg.MaterializeResult(metadata={"rows": counts["readings"]})

    result = dg.materialize([readings], resources={"warehouse": duckdb_warehouse})

    assert result.success
    assert duckdb_warehouse.query("SELECT value FROM heatcraft.readings") == [{"value": 1.0}]


def test_describe_hides_the_postgres_password():
    url = "postgresql://planner:s3cret@db.example:5432/heatcraft?sslmode=require"

    warehouse = WarehouseResource(postgres_url=url)

    assert warehouse.backend == "postgres"
    assert warehouse.describe() == "postgresql://planner@db.example:5432/heatcraft?sslmode=require"


@pytest.mark.postgres
def test_postgres_columns_get_timestamptz_and_jsonb_types(postgres_warehouse):
    postgres_warehouse.replace_partition({READINGS: ROWS}, {"site_id": "plant_a"})

    types = postgres_warehouse.query(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = $1 AND table_name = 'readings' ORDER BY ordinal_position",
        [postgres_warehouse.db_schema],
    )
    assert [row["data_type"] for row in types] == [
        "text",
        "timestamp with time zone",
        "double precision",
        "jsonb",
    ]


@pytest.mark.postgres
def test_postgres_url_can_come_from_the_environment(postgres_warehouse, monkeypatch):
    monkeypatch.setenv("HEATCRAFT_POSTGRES_URL", postgres_warehouse.postgres_url)

    @dg.asset
    def readings(warehouse: WarehouseResource) -> None:
        warehouse.replace_partition({READINGS: ROWS}, {"site_id": "plant_a"})

    warehouse = WarehouseResource(
        postgres_url=dg.EnvVar("HEATCRAFT_POSTGRES_URL"), db_schema=postgres_warehouse.db_schema
    )
    assert dg.materialize([readings], resources={"warehouse": warehouse}).success

    with psycopg.connect(postgres_warehouse.postgres_url) as connection:
        stored = connection.execute(
            f"SELECT count(*) FROM {postgres_warehouse.qualified_name(READINGS)}"
        ).fetchone()
    assert stored == (1,)
