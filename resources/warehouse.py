"""The warehouse: where every materialized result table lives.

A DuckDB file by default (nothing to start), PostgreSQL when ``postgres_url`` is set. Assets hand
over whole partitions: ``replace_partition`` validates every row first, then, in one transaction
for all tables of the call, creates what is missing, deletes the partition's old rows and bulk
inserts the new ones. Re-materializing a partition therefore replaces exactly its rows, and a
failure anywhere leaves every table as it was.

DuckDB allows one writing process per file. Each call opens the file and closes it again, so the
Dagster UI and analysts can read between runs; writers in one process are serialized here, and a
writer from another process waits up to ``duckdb_lock_timeout_seconds`` for the file lock. Give
warehouse-writing assets a Dagster pool (or tag concurrency limit) of 1 when steps run in parallel
processes against DuckDB, or use PostgreSQL, where writers to different partitions do not wait
for each other.
"""

import datetime as dt
import json
import math
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union
from urllib.parse import urlsplit, urlunsplit

import dagster as dg
import numpy as np
from pydantic import Field

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

# pandas, duckdb and psycopg are imported where they are used: together they would add about
# a second to loading the code location, and loading must stay fast.

LogicalType = Literal["text", "int", "float", "bool", "date", "timestamptz", "json"]
Rows = Union["pd.DataFrame", Iterable[Mapping[str, Any]]]

# Declared logical type -> (DDL type, type name that information_schema reports) per backend.
_SQL_TYPES: dict[str, dict[str, tuple[str, str]]] = {
    "duckdb": {
        "text": ("VARCHAR", "VARCHAR"),
        "int": ("BIGINT", "BIGINT"),
        "float": ("DOUBLE", "DOUBLE"),
        "bool": ("BOOLEAN", "BOOLEAN"),
        "date": ("DATE", "DATE"),
        "timestamptz": ("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"),
        "json": ("JSON", "JSON"),
    },
    "postgres": {
        "text": ("TEXT", "text"),
        "int": ("BIGINT", "bigint"),
        "float": ("DOUBLE PRECISION", "double precision"),
        "bool": ("BOOLEAN", "boolean"),
        "date": ("DATE", "date"),
        "timestamptz": ("TIMESTAMPTZ", "timestamp with time zone"),
        # JSONB rather than JSON: analysts can index and compare it.
        "json": ("JSONB", "jsonb"),
    },
}
LOGICAL_TYPES: tuple[str, ...] = tuple(_SQL_TYPES["duckdb"])

# Lower-case, unquoted-safe names, so analysts never need quotes in SQL and both backends agree.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _check_identifier(kind: str, name: object) -> None:
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(
            f"{kind} {name!r} must match {_IDENTIFIER.pattern} (lower-case, no quotes)"
        )


@dataclass(frozen=True)
class TableSpec:
    """A result table: its columns with logical types, and the columns that name a partition."""

    name: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[str, ...]
    primary_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists too, but store tuples so the spec stays hashable (it is a dict key).
        object.__setattr__(self, "columns", tuple(tuple(column) for column in self.columns))
        object.__setattr__(self, "partition_keys", tuple(self.partition_keys))
        object.__setattr__(self, "primary_key", tuple(self.primary_key))
        _check_identifier("table name", self.name)
        if not self.columns:
            raise ValueError(f"table {self.name!r}: no columns declared")
        seen: set[str] = set()
        for column in self.columns:
            if len(column) != 2:
                raise ValueError(f"table {self.name!r}: column {column!r} is not (name, type)")
            column_name, logical_type = column
            _check_identifier(f"table {self.name!r}: column name", column_name)
            if column_name in seen:
                raise ValueError(f"table {self.name!r}: column {column_name!r} declared twice")
            if logical_type not in LOGICAL_TYPES:
                raise ValueError(
                    f"table {self.name!r}, column {column_name!r}: type {logical_type!r} "
                    f"is not one of {', '.join(LOGICAL_TYPES)}"
                )
            seen.add(column_name)
        for kind, names in (
            ("partition key", self.partition_keys),
            ("primary key", self.primary_key),
        ):
            for key in names:
                if key not in seen:
                    raise ValueError(
                        f"table {self.name!r}: {kind} {key!r} is not a declared column"
                    )
            if len(set(names)) != len(names):
                raise ValueError(f"table {self.name!r}: {kind} {names!r} repeats a column")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def column_types(self) -> dict[str, str]:
        return dict(self.columns)


class WarehouseValidationError(ValueError):
    """A row that cannot be written; names the table, the row (0-based) and the column."""

    def __init__(self, table: str, row: int | None, column: str | None, problem: str):
        self.table, self.row, self.column, self.problem = table, row, column, problem
        where = [f"table {table!r}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


# --- converting values to what the database stores -------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bytes, list, tuple, dict, set)):
        return False
    import pandas as pd

    try:
        return bool(pd.isna(value))  # NaN, NaT, pd.NA, numpy NaN
    except (TypeError, ValueError):
        return False


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    raise ValueError(f"expected text, got {type(value).__name__} {value!r}")


def _to_int(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"expected int, got bool {value!r}")
    if isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating, Decimal)) and float(value).is_integer():
        number = int(value)  # pandas turns int columns with gaps into floats
    else:
        raise ValueError(f"expected int, got {type(value).__name__} {value!r}")
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise ValueError(f"int {number} does not fit in 64 bits")
    return number


def _to_float(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, Decimal, np.integer, np.floating)
    ):
        raise ValueError(f"expected float, got {type(value).__name__} {value!r}")
    number = float(value)
    if math.isinf(number):
        raise ValueError(f"infinite float {value!r} is not stored")
    return number


def _to_bool(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"expected bool, got {type(value).__name__} {value!r}")


def _to_date(value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}") from None
    if isinstance(value, dt.datetime):  # includes pd.Timestamp
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date()
        raise ValueError(f"expected a date, got the date-time {value!r}")
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"expected a date, got {type(value).__name__} {value!r}")


def _to_timestamptz(value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected an ISO 8601 date-time, got {value!r}") from None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if not isinstance(value, dt.datetime):
        raise ValueError(
            f"expected a timezone-aware datetime, got {type(value).__name__} {value!r}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"timestamp {value.isoformat()} has no time zone (offset) to store it by")
    return value.astimezone(dt.UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")


def _to_json(value: Any) -> str:
    # Every value is a Python value to serialize: a str becomes a JSON string, not parsed JSON.
    try:
        return json.dumps(value, default=_json_default, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"not JSON-serializable: {error}") from None


_CONVERTERS = {
    "text": _to_text,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "date": _to_date,
    "timestamptz": _to_timestamptz,
    "json": _to_json,
}


def _convert(logical_type: str, value: Any) -> Any:
    return None if _is_missing(value) else _CONVERTERS[logical_type](value)


# --- validating a partition before anything is written ----------------------------------------


@dataclass(frozen=True)
class _PreparedTable:
    spec: TableSpec
    key_values: tuple[Any, ...]  # converted, in spec.partition_keys order
    rows: list[tuple[Any, ...]]  # converted, in spec.columns order


def _records(spec: TableSpec, rows: Rows) -> list[Any]:
    import pandas as pd

    if isinstance(rows, pd.DataFrame):
        if not rows.columns.is_unique:
            duplicated = sorted({str(c) for c in rows.columns[rows.columns.duplicated()]})
            raise WarehouseValidationError(spec.name, None, duplicated[0], "column given twice")
        # Checked on the frame itself, so that an empty frame of the wrong shape is refused too.
        first_row = 0 if len(rows) else None
        for column in rows.columns:
            if column not in spec.column_types:
                raise WarehouseValidationError(
                    spec.name, first_row, str(column), "not a declared column"
                )
        for column in spec.column_names:
            if column not in rows.columns:
                raise WarehouseValidationError(spec.name, first_row, column, "missing")
        return rows.to_dict(orient="records")
    if isinstance(rows, (str, bytes, Mapping)):
        raise WarehouseValidationError(
            spec.name, None, None, "rows must be a DataFrame or a list of dicts"
        )
    return list(rows)


def _prepare_table(spec: TableSpec, rows: Rows, keys: Mapping[str, Any]) -> _PreparedTable:
    types = spec.column_types
    key_values: dict[str, Any] = {}
    for key in spec.partition_keys:
        if key not in keys:
            raise WarehouseValidationError(spec.name, None, key, "partition key missing in keys")
        try:
            key_values[key] = _convert(types[key], keys[key])
        except ValueError as error:
            raise WarehouseValidationError(spec.name, None, key, f"key value: {error}") from None
        if key_values[key] is None:
            raise WarehouseValidationError(spec.name, None, key, "partition key value is missing")

    declared = set(spec.column_names)
    prepared_rows: list[tuple[Any, ...]] = []
    seen_primary_keys: dict[tuple[Any, ...], int] = {}
    for index, record in enumerate(_records(spec, rows)):
        if not isinstance(record, Mapping):
            raise WarehouseValidationError(
                spec.name, index, None, f"expected a dict, got {type(record).__name__}"
            )
        for column in record:
            if column not in declared:
                raise WarehouseValidationError(
                    spec.name, index, str(column), "not a declared column"
                )
        values: list[Any] = []
        for column, logical_type in spec.columns:
            if column not in record:
                raise WarehouseValidationError(spec.name, index, column, "missing")
            try:
                values.append(_convert(logical_type, record[column]))
            except ValueError as error:
                raise WarehouseValidationError(spec.name, index, column, str(error)) from None
        row = dict(zip(spec.column_names, values, strict=True))
        for key, expected in key_values.items():
            if row[key] != expected:
                raise WarehouseValidationError(
                    spec.name, index, key, f"{row[key]!r} is not this partition's {expected!r}"
                )
        if spec.primary_key:
            primary_key = tuple(row[column] for column in spec.primary_key)
            for column, value in zip(spec.primary_key, primary_key, strict=True):
                if value is None:
                    raise WarehouseValidationError(
                        spec.name, index, column, "primary key is missing"
                    )
            if primary_key in seen_primary_keys:
                raise WarehouseValidationError(
                    spec.name,
                    index,
                    ", ".join(spec.primary_key),
                    f"primary key {primary_key!r} repeats row {seen_primary_keys[primary_key]}",
                )
            seen_primary_keys[primary_key] = index
        prepared_rows.append(tuple(values))
    return _PreparedTable(spec, tuple(key_values.values()), prepared_rows)


def _prepare(tables: Mapping[TableSpec, Rows], keys: Mapping[str, Any]) -> list[_PreparedTable]:
    if not tables:
        raise ValueError("replace_partition needs at least one table")
    names = [spec.name for spec in tables]
    if len(set(names)) != len(names):
        raise ValueError(f"the same table is given twice: {sorted(names)}")
    used_keys = {key for spec in tables for key in spec.partition_keys}
    unused = sorted(set(keys) - used_keys)
    if unused:  # most likely a typo that would otherwise widen the partition silently
        raise ValueError(f"keys {unused} are not partition keys of any table in this call")
    # Sorted by name: PostgreSQL writers then take their partition locks in one global order.
    return [
        _prepare_table(spec, tables[spec], keys) for spec in sorted(tables, key=lambda s: s.name)
    ]


# --- the resource ------------------------------------------------------------------------------

_DUCKDB_WRITERS: dict[Path, threading.Lock] = {}
_DUCKDB_WRITERS_GUARD = threading.Lock()


def _duckdb_writer_lock(path: Path) -> threading.Lock:
    with _DUCKDB_WRITERS_GUARD:
        return _DUCKDB_WRITERS.setdefault(path, threading.Lock())


def _utc(value: Any) -> Any:
    # Both backends return aware datetimes; give them one tzinfo so results compare alike.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    return value


class WarehouseResource(dg.ConfigurableResource):
    """Result tables in a DuckDB file (default) or PostgreSQL, replaced partition by partition."""

    duckdb_path: str = Field(
        default="var/warehouse.duckdb",
        description="DuckDB file; a relative path resolves against the working directory.",
    )
    postgres_url: str | None = Field(
        default=None,
        description="PostgreSQL URL (e.g. EnvVar HEATCRAFT_POSTGRES_URL); replaces DuckDB if set.",
    )
    db_schema: str = Field(default="heatcraft", description="Schema that holds the tables.")
    duckdb_lock_timeout_seconds: float = Field(
        default=30.0,
        description="How long a DuckDB writer waits for another process to release the file.",
    )

    @property
    def backend(self) -> Literal["duckdb", "postgres"]:
        return "postgres" if self.postgres_url else "duckdb"

    def describe(self) -> str:
        """Where the tables live: the DuckDB file, or the PostgreSQL URL without its password."""
        if self.backend == "duckdb":
            return str(self._duckdb_file())
        return _url_without_password(self.postgres_url)

    def qualified_name(self, table: TableSpec | str) -> str:
        """Quoted ``"schema"."table"`` to put in SQL, e.g. in ``query``."""
        name = table.name if isinstance(table, TableSpec) else table
        _check_identifier("schema name", self.db_schema)
        _check_identifier("table name", name)
        return f"{_quoted(self.db_schema)}.{_quoted(name)}"

    def replace_partition(
        self, tables: Mapping[TableSpec, Rows], keys: Mapping[str, Any]
    ) -> dict[str, int]:
        """Replace the rows of partition ``keys`` in every table, atomically; rows per table.

        ``rows`` per table is a DataFrame or a list of dicts with exactly the declared columns;
        missing values (None, NaN, NaT) are stored as NULL. Raises WarehouseValidationError (a
        ValueError naming table, row and column) before writing anything if a row does not fit.
        """
        _check_identifier("schema name", self.db_schema)
        prepared = _prepare(tables, keys)
        if self.backend == "duckdb":
            self._write_duckdb(prepared)
        else:
            self._write_postgres(prepared)
        return {table.spec.name: len(table.rows) for table in prepared}

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run a read-only query; parameters are ``$1, $2, ...`` on both backends.

        JSON columns come back parsed and timestamps as UTC datetimes on both backends.
        """
        import psycopg
        from psycopg.rows import dict_row

        if self.backend == "postgres":
            with (
                psycopg.connect(self.postgres_url, cursor_factory=psycopg.RawCursor) as connection,
                connection.cursor(row_factory=dict_row) as cursor,
            ):
                connection.read_only = True
                cursor.execute("SET TIME ZONE 'UTC'")
                cursor.execute(sql, params)
                rows = cursor.fetchall() if cursor.description else []
                connection.rollback()
            return [{name: _utc(value) for name, value in row.items()} for row in rows]

        path = self._duckdb_file()
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: nothing has been materialized yet")
        with closing(self._connect_duckdb(path, read_only=True)) as connection:
            connection.execute("SET TimeZone = 'UTC'")
            cursor = connection.execute(sql, params or [])
            if cursor.description is None:
                return []
            names = [column[0] for column in cursor.description]
            json_columns = {
                i for i, column in enumerate(cursor.description) if str(column[1]) == "JSON"
            }
            return [
                {
                    name: (
                        json.loads(value)
                        if i in json_columns and value is not None
                        else _utc(value)
                    )
                    for i, (name, value) in enumerate(zip(names, row, strict=True))
                }
                for row in cursor.fetchall()
            ]

    # --- DuckDB ---------------------------------------------------------------------------------

    def _duckdb_file(self) -> Path:
        return Path(self.duckdb_path).expanduser().absolute()

    def _connect_duckdb(self, path: Path, read_only: bool) -> "duckdb.DuckDBPyConnection":
        import duckdb

        deadline = time.monotonic() + self.duckdb_lock_timeout_seconds
        pause = 0.05
        while True:
            try:
                return duckdb.connect(str(path), read_only=read_only)
            except duckdb.IOException as error:
                # Another process holds the file; it closes it when its call ends.
                if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    def _write_duckdb(self, prepared: list[_PreparedTable]) -> None:
        import duckdb

        path = self._duckdb_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            _duckdb_writer_lock(path),
            closing(self._connect_duckdb(path, read_only=False)) as connection,
        ):
            connection.execute("BEGIN TRANSACTION")
            try:
                connection.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(self.db_schema)}")
                for table in prepared:
                    connection.execute(self._create_table_sql(table.spec, "duckdb"))
                    found = connection.execute(
                        "SELECT column_name, data_type FROM information_schema.columns"
                        " WHERE table_schema = ? AND table_name = ?",
                        [self.db_schema, table.spec.name],
                    ).fetchall()
                    self._check_existing_columns(table.spec, "duckdb", found)
                    delete_sql, key_values = self._delete_sql(table, "?")
                    connection.execute(delete_sql, key_values)
                    if table.rows:
                        self._insert_duckdb(connection, table)
                connection.execute("COMMIT")
            except BaseException:
                with suppress(duckdb.Error):  # keep the original error; closing discards the rest
                    connection.execute("ROLLBACK")
                raise

    def _insert_duckdb(
        self, connection: "duckdb.DuckDBPyConnection", table: _PreparedTable
    ) -> None:
        import pandas as pd

        # A typed DataFrame scanned by DuckDB is a bulk insert; explicit casts settle the types
        # of columns pandas cannot infer (all NULL, dates, JSON text).
        pandas_dtypes = {
            "int": "Int64",
            "float": "Float64",
            "bool": "boolean",
            "timestamptz": "datetime64[us, UTC]",
        }
        columns = list(zip(*table.rows, strict=True))
        frame = pd.DataFrame(
            {
                name: pd.Series(values, dtype=pandas_dtypes.get(logical_type, object))
                for (name, logical_type), values in zip(table.spec.columns, columns, strict=True)
            }
        )
        casts = ", ".join(
            f"CAST({_quoted(name)} AS {_SQL_TYPES['duckdb'][logical_type][0]})"
            for name, logical_type in table.spec.columns
        )
        connection.register("heatcraft_incoming_rows", frame)
        try:
            connection.execute(
                f"INSERT INTO {self.qualified_name(table.spec)}"
                f" ({_column_list(table.spec.column_names)})"
                f" SELECT {casts} FROM heatcraft_incoming_rows"
            )
        finally:
            connection.unregister("heatcraft_incoming_rows")

    # --- PostgreSQL -----------------------------------------------------------------------------

    def _write_postgres(self, prepared: list[_PreparedTable]) -> None:
        import psycopg

        assert self.postgres_url is not None
        with psycopg.connect(self.postgres_url) as connection, connection.transaction():
            cursor = connection.cursor()
            missing = [
                table
                for table in prepared
                if cursor.execute(
                    "SELECT to_regclass(%s)", [self.qualified_name(table.spec)]
                ).fetchone()[0]
                is None
            ]
            if missing:
                # Concurrent first writers would race on CREATE ... IF NOT EXISTS; take turns.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    [f"heatcraft-warehouse-ddl:{self.db_schema}"],
                )
                cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(self.db_schema)}")
                for table in missing:
                    cursor.execute(self._create_table_sql(table.spec, "postgres"))
            for table in prepared:
                # Two writers of one partition would both delete, then both insert: serialize them.
                partition = json.dumps(
                    [self.qualified_name(table.spec), table.key_values], default=str
                )
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [partition])
                found = cursor.execute(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = %s AND table_name = %s",
                    [self.db_schema, table.spec.name],
                ).fetchall()
                self._check_existing_columns(table.spec, "postgres", found)
                delete_sql, key_values = self._delete_sql(table, "%s")
                cursor.execute(delete_sql, key_values)
                if table.rows:
                    copy_sql = (
                        f"COPY {self.qualified_name(table.spec)}"
                        f" ({_column_list(table.spec.column_names)}) FROM STDIN"
                    )
                    with cursor.copy(copy_sql) as copy:
                        for row in table.rows:
                            copy.write_row(row)

    # --- shared SQL ---------------------------------------------------------------------------

    def _create_table_sql(self, spec: TableSpec, backend: str) -> str:
        definitions = [
            f"{_quoted(name)} {_SQL_TYPES[backend][kind][0]}" for name, kind in spec.columns
        ]
        if spec.primary_key:
            definitions.append(f"PRIMARY KEY ({_column_list(spec.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_name(spec)} ({', '.join(definitions)})"

    def _check_existing_columns(
        self, spec: TableSpec, backend: str, found: list[tuple[str, str]]
    ) -> None:
        # An older table of another shape is not silently mixed with new rows: migrate it first.
        expected = {name: _SQL_TYPES[backend][kind][1] for name, kind in spec.columns}
        actual = dict(found)
        if actual != expected:
            raise ValueError(
                f"table {self.qualified_name(spec)} in {self.describe()} has columns {actual},"
                f" but the spec declares {expected}: migrate or drop the table"
            )

    def _delete_sql(self, table: _PreparedTable, placeholder: str) -> tuple[str, list[Any]]:
        conditions = [f"{_quoted(key)} = {placeholder}" for key in table.spec.partition_keys]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""  # no keys: whole table
        return f"DELETE FROM {self.qualified_name(table.spec)}{where}", list(table.key_values)


def _quoted(identifier: str) -> str:
    # Names are validated lower-case identifiers; quoting still lets a column be called "at".
    return f'"{identifier}"'


def _column_list(names: Iterable[str]) -> str:
    return ", ".join(_quoted(name) for name in names)


def _url_without_password(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    if "://" in url:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{parts.username}@{host}" if parts.username else host
        if parts.port is not None:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))
    settings = conninfo_to_dict(url)
    settings.pop("password", None)
    return " ".join(f"{key}={value}" for key, value in settings.items())
