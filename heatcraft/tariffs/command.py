"""`heatcraft bill`: read a tariff (and overlay), a load CSV and prior peaks; return the bill."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from heatcraft.tariffs.bill import bill_load
from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.expand import expand_tariff
from heatcraft.tariffs.loader import load_tariff
from heatcraft.tariffs.series_csv import read_timestamped_series
from heatcraft.timegrid import TimeGrid


def read_load_csv(path: Path, timezone: str) -> tuple[TimeGrid, np.ndarray]:
    """Columns exactly `timestamp` (ISO 8601 with offset, step start) and `kw` (average kW)."""
    source = str(path)
    moments, values = read_timestamped_series(path, "kw", "load file")
    stamps = [moment.timestamp() for moment in moments]
    if len(stamps) < 2:
        raise TariffError("need at least two rows to know the step", source=source)
    gaps = np.diff(np.array(stamps))
    step_s = float(gaps[0])
    if step_s <= 0 or not np.all(gaps == step_s):
        bad = int(np.argmax(gaps != step_s)) + 3 if step_s > 0 else 3
        raise TariffError(
            f"timestamps must be evenly spaced and increasing (row {bad} breaks it)",
            source=source,
            field="timestamp",
        )
    if step_s % 60 != 0:
        raise TariffError(f"step of {step_s} s is not whole minutes", source=source)
    first = moments[0]
    minutes = int(step_s // 60)
    try:
        grid = TimeGrid(
            start=first,
            end=datetime.fromtimestamp(stamps[-1] + step_s, tz=first.tzinfo),
            step_minutes=minutes,
            timezone=timezone,
        )
    except ValueError as error:
        raise TariffError(str(error), source=source, field="timestamp") from None
    return grid, np.array(values)


def read_prior_peaks(path: Path) -> dict[str, float]:
    """A JSON object {"YYYY-MM": kW} or a CSV with columns month, kw."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TariffError(f"cannot read prior peaks ({error.strerror})", source=source) from None
    if text.lstrip().startswith("{"):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise TariffError(f"not valid JSON ({error})", source=source) from None
        items = list(raw.items())
    else:
        reader = csv.DictReader(text.splitlines())
        if reader.fieldnames is None or set(reader.fieldnames) != {"month", "kw"}:
            raise TariffError("columns must be exactly month, kw", source=source)
        items = [(row["month"], row["kw"]) for row in reader]
    peaks: dict[str, float] = {}
    for month, kw in items:
        try:
            datetime.strptime(str(month), "%Y-%m")
            peaks[str(month)] = float(kw)
        except (TypeError, ValueError):
            raise TariffError(
                f"entry {month!r}: {kw!r} is not 'YYYY-MM' with a kW number",
                source=source,
                field="month",
            ) from None
    return peaks


def bill_command(
    tariff: Path, load: Path, overlay: Path | None = None, prior_peaks: Path | None = None
) -> dict[str, Any]:
    """What `heatcraft bill` prints. The site's time zone comes from the tariff or overlay."""
    rate = load_tariff(Path(tariff), Path(overlay) if overlay else None)
    if rate.timezone is None:
        raise TariffError(
            "no time zone: add `timezone: <IANA name>` to the tariff or the overlay",
            source=rate.source,
            field="timezone",
        )
    grid, load_kw = read_load_csv(Path(load), rate.timezone)
    peaks = read_prior_peaks(Path(prior_peaks)) if prior_peaks else None
    series = expand_tariff(rate, grid, prior_peaks_kw=peaks)
    bill = bill_load(rate, series, load_kw, prior_peaks_kw=peaks, policy="full")
    result = bill.to_dict()
    return {
        "currency": result["currency"],
        "tariff": rate.name,
        "timezone": rate.timezone,
        "step_minutes": grid.step_minutes,
        "months": result["months"],
        "total": result["total"],
        "unsupported_fields": list(rate.unsupported_fields),
        "holidays": series.holidays,
    }
