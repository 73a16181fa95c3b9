"""The site: identity, time zone, calendar, currency, grid limits and base load."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from heatcraft.calendars import HolidayCalendar


class Site(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    timezone: str
    holidays: HolidayCalendar = Field(default_factory=HolidayCalendar)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    step_minutes: int = 15
    contract_peak_kw: float | None = Field(default=None, gt=0)
    billed_peak_kw: float = Field(default=0.0, ge=0, description="month-to-date billed peak, kW")
    grid_emission_factor_kg_per_kwh: float = Field(default=0.0, ge=0)
    base_load_kw: float = Field(default=0.0, ge=0, description="constant non-heating load, kW")
    base_load_profile: str | None = Field(
        default=None, description="CSV with columns hour,kw (local hour 0-23) added to base_load_kw"
    )
    multi_fuel_planning_price_per_mwh: float | None = Field(
        default=None, ge=0, description="input-energy price for multi-fuel boilers before the mix"
    )

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("step_minutes")
    @classmethod
    def _divides_hour(cls, value: int) -> int:
        if value <= 0 or 60 % value:
            raise ValueError(f"step_minutes must divide 60, got {value}")
        return value
