"""A real warehouse per test: a DuckDB file in tmp_path, or a throwaway PostgreSQL schema."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from resources import WarehouseResource


@pytest.fixture
def duckdb_warehouse(tmp_path) -> WarehouseResource:
    return WarehouseResource(duckdb_path=str(tmp_path / "var" / "warehouse.duckdb"))


@pytest.fixture
def postgres_warehouse(postgres_url: str) -> Iterator[WarehouseResource]:
    schema = f"test_warehouse_{uuid.uuid4().hex[:12]}"
    yield WarehouseResource(postgres_url=postgres_url, db_schema=schema)
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(
    params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def warehouse(request) -> WarehouseResource:
    """The same behaviour is required of both backends."""
    return request.getfixturevalue(f"{request.param}_warehouse")
