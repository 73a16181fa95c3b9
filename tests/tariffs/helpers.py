"""Small tariffs written for the tests, and a one-call bill."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from heatcraft.tariffs import Bill, Tariff, bill_load, expand_tariff, load_tariff
from heatcraft.timegrid import TimeGrid

# Two periods: cheap 00-12, dear 12-24 on weekdays; saturday dear only 08-12; sunday all cheap.
SIMPLE_TOU = """
name: test tou
currency: USD
timezone: America/New_York
periods:
  cheap: {energy: 0.10, demand: 5.0}
  dear: {energy: 0.30, demand: 20.0}
seasons:
  - name: all
    months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    weekday: {"00-12": cheap, "12-24": dear}
    saturday: {"00-08": cheap, "08-12": dear, "12-24": cheap}
    sunday: {"00-24": cheap}
"""


def write(tmp_path: Path, text: str, name: str = "tariff.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tariff_from_text(tmp_path: Path, text: str) -> Tariff:
    return load_tariff(write(tmp_path, text))


def day_grid(first: date, days: int = 1, step: int = 60, tz: str = "America/New_York") -> TimeGrid:
    return TimeGrid.for_days(first, days, tz, step)


def bill(tariff: Tariff, grid: TimeGrid, load: np.ndarray, **kwargs) -> Bill:
    return bill_load(tariff, expand_tariff(tariff, grid), load, **kwargs)
