"""Materialization metadata shared by every asset: rows, schema, hashes, code version, sources."""

from typing import Any

import dagster as dg

from heatcraft.provenance import CODE_VERSION as ENGINE_VERSION
from resources.warehouse import TableSpec

_DAGSTER_TYPES = {
    "text": "string",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "date": "date",
    "timestamptz": "timestamp",
    "json": "json",
}


def table_metadata(spec: TableSpec, row_count: int) -> dict[str, Any]:
    return {
        "dagster/row_count": row_count,
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, _DAGSTER_TYPES[kind]) for name, kind in spec.columns]
        ),
        "dagster/table_name": spec.name,
    }


def provenance_metadata(
    *, inputs_sha256: str, output_sha256: str, sources: dict[str, str]
) -> dict[str, Any]:
    """The audit trail in Dagster; the same values go to the provenance table."""
    return {
        "inputs_sha256": inputs_sha256,
        "output_sha256": output_sha256,
        "code_version": ENGINE_VERSION,
        "sources": dg.MetadataValue.json(sources),
    }


def provenance_row(
    site_id, plan_date, asset, run_id, inputs_sha256, output_sha256, sources, solver
) -> dict[str, Any]:
    """One row of the `provenance` table."""
    return {
        "site_id": site_id,
        "plan_date": plan_date,
        "asset": asset,
        "run_id": run_id,
        "code_version": ENGINE_VERSION,
        "inputs_sha256": inputs_sha256,
        "output_sha256": output_sha256,
        "sources": sources,
        "solver": solver,
    }
