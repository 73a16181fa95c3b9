"""Production storage: the Dagster instance and the warehouse both on the real PostgreSQL."""

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest

from assets import baseline_plan, site_inputs
from assets.partitions import partition_key
from resources import WarehouseResource
from resources.sites import SiteFolderResource
from tests.foundation.run_queue_limits import PER_PARTITION, partition_limits

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_baseline_on_postgres_instance_and_warehouse(postgres_url, monkeypatch, tmp_path):
    import shutil

    import psycopg

    parts = urlsplit(postgres_url)
    monkeypatch.setenv("DAGSTER_PG_USERNAME", parts.username or "postgres")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", parts.password or "")
    monkeypatch.setenv("DAGSTER_PG_HOST", parts.hostname or "127.0.0.1")
    monkeypatch.setenv("DAGSTER_PG_DB", parts.path.lstrip("/"))
    schema = f"heatcraft_test_{uuid.uuid4().hex[:10]}"
    warehouse = WarehouseResource(postgres_url=postgres_url, db_schema=schema)
    # The instance home holds local artifacts (IO manager outputs): keep them out of the repo.
    shutil.copy(ROOT / "deploy" / "postgres" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        # One run per site and day at a time, at most two runs at once.
        assert partition_limits(instance) == [PER_PARTITION]
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 2
        result = dg.materialize(
            [site_inputs, baseline_plan],
            partition_key=partition_key("plant_a", "2026-06-16"),
            instance=instance,
            resources={
                "sites": SiteFolderResource(sites_dir=str(ROOT / "examples")),
                "warehouse": warehouse,
            },
        )
        assert result.success
        stored = instance.get_run_by_id(result.run_id)
        assert stored is not None and stored.is_success
        rows = warehouse.query(
            f"SELECT count(*) AS n FROM {warehouse.qualified_name('plan_assignments')}"
        )
        assert rows[0]["n"] == 44
        assert result.get_asset_check_evaluations()[0].passed
    finally:
        instance.dispose()
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
