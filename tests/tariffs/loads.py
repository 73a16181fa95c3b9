"""A deterministic year of 15-minute industrial load for bill comparisons."""

from __future__ import annotations

from datetime import date

import numpy as np


def industrial_year(year: int = 2018, step_minutes: int = 15, seed: int = 7) -> np.ndarray:
    """kW per step of a two-shift plant: base load, shifts, summer cooling, noise, motor starts."""
    rng = np.random.default_rng(seed)
    steps_per_hour = 60 // step_minutes
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    hour = np.tile(np.repeat(np.arange(24), steps_per_hour), days)
    day = np.repeat(np.arange(days), 24 * steps_per_hour)
    first = date(year, 1, 1).toordinal()
    iso_weekday = np.array([date.fromordinal(first + d).weekday() for d in range(days)])[day]
    day_of_year = day.astype(float)
    load = 850.0 + 40.0 * rng.standard_normal(hour.size)
    shift = (iso_weekday < 5) & (hour >= 6) & (hour < 22)
    saturday_shift = (iso_weekday == 5) & (hour >= 6) & (hour < 14)
    load += np.where(shift, 1350.0, 0.0) + np.where(saturday_shift, 700.0, 0.0)
    cooling = 380.0 * np.clip(np.sin((day_of_year - 100) / 365 * 2 * np.pi), 0, None)
    load += cooling * np.clip(np.sin((hour - 8) / 24 * 2 * np.pi), 0, None)
    for _ in range(40 * days // 30):  # motor and furnace starts: short high blocks
        start = int(rng.integers(0, hour.size - 8))
        length = int(rng.integers(1, 6))
        load[start : start + length] += float(rng.uniform(300.0, 1300.0))
    return np.round(np.clip(load, 0.0, None), 3)
