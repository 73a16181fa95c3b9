"""Real-time price series from CSV (timestamp with UTC offset, price in currency/kWh)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np

from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.model import RealTimePrices
from heatcraft.tariffs.validation import validated


def read_price_csv(path: Path, mode: Literal["replace", "add"]) -> RealTimePrices:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TariffError(f"cannot read price file ({error.strerror})", source=source) from None
    reader = csv.DictReader(text.splitlines())
    expected = {"timestamp", "price"}
    if reader.fieldnames is None or set(reader.fieldnames) != expected:
        raise TariffError(
            f"columns must be exactly timestamp, price; got {reader.fieldnames}", source=source
        )
    times: list[datetime] = []
    prices: list[float] = []
    for row_number, row in enumerate(reader, start=2):
        try:
            moment = datetime.fromisoformat(row["timestamp"])
        except ValueError:
            raise TariffError(
                f"row {row_number}: bad ISO 8601 timestamp {row['timestamp']!r}",
                source=source,
                field="timestamp",
            ) from None
        if moment.tzinfo is None:
            raise TariffError(
                f"row {row_number}: timestamp {row['timestamp']!r} has no UTC offset",
                source=source,
                field="timestamp",
            )
        try:
            price = float(row["price"])
        except ValueError:
            raise TariffError(
                f"row {row_number}: price {row['price']!r} is not a number",
                source=source,
                field="price",
            ) from None
        times.append(moment)
        prices.append(price)
    return validated(
        lambda: RealTimePrices(source=source, mode=mode, times=tuple(times), prices=tuple(prices)),
        source,
    )


def prices_on_steps(
    series: RealTimePrices, step_starts_utc_s: np.ndarray, step_s: int
) -> np.ndarray:
    """Price in force at each step start (epoch seconds); every step must be covered."""
    times = np.array([t.timestamp() for t in series.times], dtype=np.float64)
    prices = np.asarray(series.prices, dtype=np.float64)
    spacing = float(np.median(np.diff(times))) if len(times) > 1 else float(step_s)
    index = np.searchsorted(times, step_starts_utc_s, side="right") - 1
    uncovered = (index < 0) | (step_starts_utc_s + step_s > times[-1] + spacing + 1e-6)
    if uncovered.any():
        first = int(np.argmax(uncovered))
        moment = datetime.fromtimestamp(float(step_starts_utc_s[first])).astimezone()
        raise TariffError(
            f"real-time prices do not cover the step starting {moment.isoformat()}",
            source=series.source,
            field="timestamp",
        )
    return prices[index]
