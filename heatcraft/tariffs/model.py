"""The tariff as Heatcraft understands it, independent of the file format it came from.

Periods are 0-based indexes into `energy_periods` / `demand_periods` / `flat_demand_periods`,
as in URDB. Schedules are 12 x 24 (month x local hour) for each day type. Tier upper limits
are cumulative (URDB `max`); `None` means "no limit" (URDB writes 1e38).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from heatcraft.calendars import HolidayCalendar

DayType = Literal["weekday", "saturday", "sunday", "holiday"]
DAY_TYPES: tuple[DayType, ...] = ("weekday", "saturday", "sunday", "holiday")
EnergyTierUnit = Literal["kWh", "kWh daily", "kWh/kW"]
ChargeUnit = Literal["$/day", "$/month", "$/year"]

Schedule = tuple[tuple[int, ...], ...]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_tier_limits(limits: list[float | None], what: str) -> None:
    previous = 0.0
    for number, limit in enumerate(limits):
        if limit is None:
            if number != len(limits) - 1:
                raise ValueError(f"{what} tier {number + 1} has no limit but is not the last tier")
            continue
        if limit <= previous:
            raise ValueError(
                f"{what} tier {number + 1} upper limit {limit} is not above the previous "
                f"limit {previous} (negative or zero tier width)"
            )
        previous = limit


class EnergyTier(_Frozen):
    max_kwh: float | None = None  # cumulative upper limit in the period's unit; None = no limit
    rate: float  # currency/kWh
    adj: float = 0.0  # currency/kWh added to the rate (URDB `adj`)

    @property
    def price(self) -> float:
        return self.rate + self.adj


class EnergyPeriod(_Frozen):
    name: str
    unit: EnergyTierUnit = "kWh"
    tiers: tuple[EnergyTier, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _increasing_limits(self) -> EnergyPeriod:
        _check_tier_limits([t.max_kwh for t in self.tiers], f"energy period {self.name!r}")
        return self


class DemandTier(_Frozen):
    max_kw: float | None = None
    rate: float  # currency/kW
    adj: float = 0.0

    @property
    def price(self) -> float:
        return self.rate + self.adj


class DemandPeriod(_Frozen):
    name: str
    tiers: tuple[DemandTier, ...] = ()  # empty: this period has no demand charge

    @model_validator(mode="after")
    def _increasing_limits(self) -> DemandPeriod:
        _check_tier_limits([t.max_kw for t in self.tiers], f"demand period {self.name!r}")
        return self


def _check_schedule(schedule: Schedule, name: str) -> Schedule:
    if len(schedule) != 12:
        raise ValueError(f"{name} must have 12 rows (months), got {len(schedule)}")
    for month, row in enumerate(schedule, start=1):
        if len(row) != 24:
            raise ValueError(f"{name} month {month} must have 24 hours, got {len(row)}")
    return schedule


class DaySchedules(_Frozen):
    """Period index by (month, local hour) for each day type; holiday is optional."""

    weekday: Schedule
    saturday: Schedule
    sunday: Schedule
    holiday: Schedule | None = None

    @model_validator(mode="after")
    def _shapes(self) -> DaySchedules:
        for day_type in DAY_TYPES:
            schedule = getattr(self, day_type)
            if schedule is not None:
                _check_schedule(schedule, f"{day_type} schedule")
        return self

    def max_period(self) -> int:
        return max(
            max(max(row) for row in schedule)
            for schedule in (self.weekday, self.saturday, self.sunday, self.holiday)
            if schedule is not None
        )

    def check_periods(self, count: int, what: str) -> None:
        for day_type in DAY_TYPES:
            schedule = getattr(self, day_type)
            if schedule is None:
                continue
            for month, row in enumerate(schedule, start=1):
                for hour, period in enumerate(row):
                    if not 0 <= period < count:
                        raise ValueError(
                            f"{what} {day_type} schedule month {month} hour {hour}: period "
                            f"{period} out of range (there are {count} periods, 0-based)"
                        )


class Charge(_Frozen):
    """A fixed or minimum charge."""

    amount: float
    unit: ChargeUnit


class Ratchet(_Frozen):
    """Billing-demand floors from earlier months' peaks (applied to flat demand).

    `percent_by_month[m]`: floor in month m = that share of the highest peak of the previous
    11 months (URDB v7 `demandratchetpercentage`). `lookback_percent` x highest peak of the
    previous `lookback_range` months, counting only months flagged in `lookback_months`
    (URDB v8 lookback). The larger floor applies.
    """

    percent_by_month: tuple[float, ...] = (0.0,) * 12
    lookback_percent: float = 0.0
    lookback_range: int = 0
    lookback_months: tuple[bool, ...] = (True,) * 12

    @field_validator("percent_by_month", "lookback_months")
    @classmethod
    def _twelve(cls, value: tuple) -> tuple:
        if len(value) != 12:
            raise ValueError(f"needs 12 monthly values, got {len(value)}")
        return value

    @property
    def is_active(self) -> bool:
        return any(p > 0 for p in self.percent_by_month) or (
            self.lookback_percent > 0 and self.lookback_range > 0
        )


class RealTimePrices(_Frozen):
    """A price series (currency/kWh) that replaces or adds to the tariff's energy rates.

    Each price holds from its timestamp until the next one; the last holds for one typical
    interval (the most common spacing of the series).
    """

    source: str
    mode: Literal["replace", "add"] = "replace"
    times: tuple[datetime, ...]
    prices: tuple[float, ...]

    @model_validator(mode="after")
    def _aligned(self) -> RealTimePrices:
        if len(self.times) != len(self.prices) or not self.times:
            raise ValueError("real-time prices need one price per timestamp and at least one")
        if any(t.tzinfo is None for t in self.times):
            raise ValueError("real-time price timestamps need a UTC offset")
        if any(b <= a for a, b in zip(self.times, self.times[1:], strict=False)):
            raise ValueError("real-time price timestamps must be strictly increasing")
        return self


HolidayScheduleRule = Literal["weekday", "saturday", "sunday", "holiday"]


class Tariff(_Frozen):
    name: str
    source: str = ""
    currency: str = "USD"
    timezone: str | None = None  # the site's IANA zone, when the tariff file says it

    energy_periods: tuple[EnergyPeriod, ...] = Field(min_length=1)
    energy_schedule: DaySchedules
    fuel_adjustments_monthly: tuple[float, ...] = (0.0,) * 12  # currency/kWh by month

    demand_periods: tuple[DemandPeriod, ...] = ()  # time-of-use demand
    demand_schedule: DaySchedules | None = None
    flat_demand_periods: tuple[DemandPeriod, ...] = ()
    flat_demand_months: tuple[int, ...] | None = None  # flat period index for each month
    demand_window_minutes: int | None = None  # None: demand is the per-step average power
    ratchet: Ratchet | None = None

    fixed_charges: tuple[Charge, ...] = ()
    minimum_charges: tuple[Charge, ...] = ()

    holidays: HolidayCalendar | None = None
    holiday_schedule: HolidayScheduleRule = "sunday"  # which schedule a holiday uses
    real_time_prices: RealTimePrices | None = None
    unsupported_fields: tuple[str, ...] = ()  # present in the source, not billed: reported

    @field_validator("fuel_adjustments_monthly")
    @classmethod
    def _twelve_adjustments(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) != 12:
            raise ValueError(f"needs 12 monthly values, got {len(value)}")
        return value

    @field_validator("demand_window_minutes")
    @classmethod
    def _window(cls, value: int | None) -> int | None:
        if value is not None and (value <= 0 or 60 % value != 0):
            raise ValueError(f"demand window must divide an hour (1..60 minutes), got {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Tariff:
        self.energy_schedule.check_periods(len(self.energy_periods), "energy")
        if self.demand_periods:
            if self.demand_schedule is None:
                raise ValueError("time-of-use demand periods need a demand schedule")
            self.demand_schedule.check_periods(len(self.demand_periods), "demand")
        if self.flat_demand_periods:
            months = self.flat_demand_months
            if months is None or len(months) != 12:
                raise ValueError("flat demand periods need 12 flat_demand_months")
            for month, period in enumerate(months, start=1):
                if not 0 <= period < len(self.flat_demand_periods):
                    raise ValueError(
                        f"flat_demand_months month {month}: period {period} out of range "
                        f"(there are {len(self.flat_demand_periods)} flat periods, 0-based)"
                    )
        if self.holiday_schedule == "holiday":
            for schedules, what in (
                (self.energy_schedule, "energy"),
                (self.demand_schedule, "demand"),
            ):
                if schedules is not None and schedules.holiday is None:
                    raise ValueError(f"holiday_schedule 'holiday' needs a {what} holiday schedule")
        return self

    @property
    def has_energy_tiers(self) -> bool:
        return any(len(p.tiers) > 1 for p in self.energy_periods)
