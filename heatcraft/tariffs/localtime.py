"""Vectorised local-time fields of a TimeGrid.

`TimeGrid.starts_local` builds one datetime per step, which is fine for a day of quarter hours
but slow for a year of minutes. Offsets only change at quarter-hour boundaries in every IANA
zone in use, so we ask zoneinfo once per quarter hour and derive the rest with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from heatcraft.timegrid import TimeGrid

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class LocalSteps:
    utc_s: np.ndarray  # step start, epoch seconds (int64)
    offset_s: np.ndarray  # UTC offset in force at the step start (int64 seconds)
    day_index: np.ndarray  # index into `days` per step
    days: tuple[date, ...]  # local dates the horizon touches, ascending
    hour: np.ndarray  # local hour 0..23
    month_index: np.ndarray  # index into `months` per step
    months: tuple[str, ...]  # "YYYY-MM" billing months, ascending
    day_seconds: np.ndarray  # length of each local day in `days` (82800/86400/90000 at DST)
    month_seconds: np.ndarray  # length of each billing month in `months`
    step_s: int


def _offsets(grid: TimeGrid, utc_s: np.ndarray) -> np.ndarray:
    step_s = grid.step_minutes * 60
    sample_s = 900 if 900 % step_s == 0 else step_s
    first = int(utc_s[0])
    sample_count = int((int(utc_s[-1]) - first) // sample_s) + 1
    tz = grid.tz
    base = datetime.fromtimestamp(first, tz=_UTC)
    samples = np.fromiter(
        (
            (base + timedelta(seconds=i * sample_s)).astimezone(tz).utcoffset().total_seconds()  # type: ignore[union-attr]
            for i in range(sample_count)
        ),
        dtype=np.int64,
        count=sample_count,
    )
    return samples[(utc_s - first) // sample_s]


def _local_midnight_s(day: date, tz: ZoneInfo) -> int:
    return int(datetime.combine(day, time(0), tzinfo=tz).timestamp())


def local_steps(grid: TimeGrid) -> LocalSteps:
    step_s = grid.step_minutes * 60
    utc_s = int(grid.start.timestamp()) + step_s * np.arange(grid.n_steps, dtype=np.int64)
    offset_s = _offsets(grid, utc_s)
    local_s = utc_s + offset_s
    day_number = local_s // 86400  # days since 1970-01-01 in local time
    hour = ((local_s % 86400) // 3600).astype(np.int16)
    unique_days, day_index = np.unique(day_number, return_inverse=True)
    days = tuple(date.fromordinal(int(d) + _EPOCH_ORDINAL) for d in unique_days)
    month_of_day = [f"{d.year:04d}-{d.month:02d}" for d in days]
    months = tuple(sorted(set(month_of_day)))
    month_index = np.array([months.index(m) for m in month_of_day], dtype=np.int64)[day_index]
    tz = grid.tz
    day_seconds = np.array(
        [_local_midnight_s(d + timedelta(days=1), tz) - _local_midnight_s(d, tz) for d in days],
        dtype=np.float64,
    )
    month_seconds = np.array([_month_seconds(m, tz) for m in months], dtype=np.float64)
    return LocalSteps(
        utc_s=utc_s,
        offset_s=offset_s,
        day_index=day_index,
        days=days,
        hour=hour,
        month_index=month_index,
        months=months,
        day_seconds=day_seconds,
        month_seconds=month_seconds,
        step_s=step_s,
    )


def _month_seconds(month: str, tz: ZoneInfo) -> float:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return float(_local_midnight_s(following, tz) - _local_midnight_s(first, tz))


def block_ids(steps: LocalSteps, window_minutes: int) -> np.ndarray:
    """Consecutive demand-window block number per step, blocks aligned to the local clock.

    A block never spans an offset change, so the repeated 01:00 hour of a fall-back day
    forms its own blocks.
    """
    local_minute = (steps.utc_s + steps.offset_s) // 60
    key = local_minute // window_minutes
    changed = (np.diff(key) != 0) | (np.diff(steps.offset_s) != 0)
    return np.concatenate(([0], np.cumsum(changed))).astype(np.int64)
