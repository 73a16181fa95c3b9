"""Timestamped value series from CSV (load profiles, real-time prices): exact columns
`timestamp` (ISO 8601 with a UTC offset) and one value column; errors name the row and field."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from heatcraft.tariffs.errors import TariffError


def read_timestamped_series(
    path: Path, value_column: str, what: str
) -> tuple[list[datetime], list[float]]:
    source = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise TariffError(f"cannot read {what} ({error.strerror})", source=source) from None
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or set(reader.fieldnames) != {"timestamp", value_column}:
        raise TariffError(
            f"columns must be exactly timestamp, {value_column}; got {reader.fieldnames}",
            source=source,
        )
    times: list[datetime] = []
    values: list[float] = []
    for row_number, row in enumerate(reader, start=2):
        text = row["timestamp"]
        try:
            moment = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            raise TariffError(
                f"row {row_number}: bad ISO 8601 timestamp {text!r}",
                source=source,
                field="timestamp",
            ) from None
        if moment.tzinfo is None:
            raise TariffError(
                f"row {row_number}: timestamp {text!r} has no UTC offset",
                source=source,
                field="timestamp",
            )
        try:
            values.append(float(row[value_column]))
        except (TypeError, ValueError):
            raise TariffError(
                f"row {row_number}: {value_column} {row[value_column]!r} is not a number",
                source=source,
                field=value_column,
            ) from None
        times.append(moment)
    return times, values
