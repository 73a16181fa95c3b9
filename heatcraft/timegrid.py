"""Time steps of a planning horizon in a site's local time zone.

Steps are built in UTC between local midnights, so a spring-forward day has 23 hours
(92 quarter hours) and a fall-back day 25 hours (100 quarter hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from datetime import timezone as FixedOffset
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np

UTC = ZoneInfo("UTC")


def fixed_offset(moment: datetime) -> datetime:
    """The same instant with the UTC offset in force instead of its zone's rules.

    Python adds a timedelta to a datetime whose tzinfo is a zone (ZoneInfo) on the wall clock,
    and subtracts or compares two of the same zone on the wall clock too: across a DST change
    a 3-hour job would end an hour early or late. With a fixed offset the wall clock and real
    time agree, so plan and job times are kept this way (the ISO text is the same)."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"{moment!r} has no UTC offset")
    return moment.astimezone(FixedOffset(offset))


def _seconds_between(first: datetime, second: datetime) -> float:
    # Subtracting two datetimes that share a tzinfo object ignores their offsets (wall-clock
    # difference), which makes a DST day 24 h long: convert to UTC first.
    return (second.astimezone(UTC) - first.astimezone(UTC)).total_seconds()


@dataclass(frozen=True)
class TimeGrid:
    """Equal steps from `start` (inclusive) to `end` (exclusive), both timezone-aware."""

    start: datetime
    end: datetime
    step_minutes: int
    timezone: str

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("TimeGrid start and end must be timezone-aware")
        # Arithmetic on the horizon's ends must be in real time (fixed_offset).
        object.__setattr__(self, "start", fixed_offset(self.start))
        object.__setattr__(self, "end", fixed_offset(self.end))
        if self.step_minutes <= 0 or 60 % self.step_minutes != 0:
            raise ValueError(f"step_minutes must divide an hour, got {self.step_minutes}")
        span = _seconds_between(self.start, self.end)
        if span <= 0 or span % (self.step_minutes * 60) != 0:
            raise ValueError("horizon must be a positive whole number of steps")

    @classmethod
    def for_days(
        cls, first_day: date, days: int, timezone: str, step_minutes: int = 15
    ) -> TimeGrid:
        """Local midnight of `first_day` to local midnight `days` later."""
        tz = ZoneInfo(timezone)
        start = datetime.combine(first_day, time(0), tzinfo=tz)
        end = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=tz)
        return cls(start=start, end=end, step_minutes=step_minutes, timezone=timezone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def step_hours(self) -> float:
        return self.step_minutes / 60.0

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.step_minutes)

    @cached_property
    def n_steps(self) -> int:
        return int(_seconds_between(self.start, self.end) // (self.step_minutes * 60))

    def __len__(self) -> int:
        return self.n_steps

    @cached_property
    def starts_utc(self) -> list[datetime]:
        first = self.start.astimezone(UTC)
        return [first + i * self.step for i in range(self.n_steps)]

    @cached_property
    def starts_local(self) -> list[datetime]:
        """Step start times in local time (ISO 8601 with the offset in force)."""
        tz = self.tz
        return [fixed_offset(t.astimezone(tz)) for t in self.starts_utc]

    @cached_property
    def local_dates(self) -> list[date]:
        return [t.date() for t in self.starts_local]

    @cached_property
    def local_hours(self) -> np.ndarray:
        return np.array([t.hour for t in self.starts_local], dtype=np.int16)

    @cached_property
    def billing_months(self) -> list[str]:
        return [f"{t.year:04d}-{t.month:02d}" for t in self.starts_local]

    def index_of(self, moment: datetime) -> float:
        """Step position of an aware moment (fractional when it falls inside a step)."""
        if moment.tzinfo is None:
            raise ValueError(f"{moment!r} has no UTC offset")
        return _seconds_between(self.start, moment) / (self.step_minutes * 60)

    def later(self, moment: datetime, delta: timedelta) -> datetime:
        """`delta` after `moment` in real time, with the offset in force then (fixed_offset)."""
        return fixed_offset((moment.astimezone(UTC) + delta).astimezone(self.tz))

    def moment(self, step_index: int) -> datetime:
        """Local aware time at the start of step `step_index` (may equal the horizon end), with
        the offset in force (fixed_offset)."""
        return self.later(self.start, step_index * self.step)
