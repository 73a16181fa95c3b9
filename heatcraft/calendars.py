"""Holiday calendars: the `holidays` library (country, subdivision) plus named extra dates."""

from __future__ import annotations

from datetime import date

import holidays as holidays_lib
from pydantic import BaseModel, ConfigDict, Field, field_validator


class ExtraHoliday(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    name: str


class HolidayCalendar(BaseModel):
    """Which local dates are holidays for tariff day types and planning."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str | None = None
    subdivision: str | None = None
    extra_dates: tuple[ExtraHoliday, ...] = Field(default_factory=tuple)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None and value not in holidays_lib.list_supported_countries():
            raise ValueError(f"unknown holiday country code {value!r} (holidays library)")
        return value

    def holidays_between(self, first: date, last: date) -> dict[date, str]:
        """Holiday dates (inclusive range) with their names."""
        found: dict[date, str] = {}
        if self.country:
            years = range(first.year, last.year + 1)
            calendar = holidays_lib.country_holidays(
                self.country, subdiv=self.subdivision, years=years
            )
            found.update({d: n for d, n in calendar.items() if first <= d <= last})
        for extra in self.extra_dates:
            if first <= extra.date <= last:
                found[extra.date] = extra.name
        return dict(sorted(found.items()))

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays_between(day, day)
