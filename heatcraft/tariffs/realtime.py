"""Real-time price series from CSV (timestamp with UTC offset, price in currency/kWh)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np

from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.model import RealTimePrices
from heatcraft.tariffs.series_csv import read_timestamped_series
from heatcraft.tariffs.validation import validated


def read_price_csv(path: Path, mode: Literal["replace", "add"]) -> RealTimePrices:
    source = str(path)
    times, prices = read_timestamped_series(path, "price", "price file")
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
