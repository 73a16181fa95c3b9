"""Materialization metadata shared by every asset: rows, schema, hashes, code version, sources."""

from typing import Any

import dagster as dg

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
    *, inputs_sha256: str, output_sha256: str, code_version: str, sources: dict[str, str]
) -> dict[str, Any]:
    return {
        "inputs_sha256": inputs_sha256,
        "output_sha256": output_sha256,
        "code_version": code_version,
        "sources": dg.MetadataValue.json(sources),
    }
