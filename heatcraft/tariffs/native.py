"""Heatcraft's native tariff format (YAML) and the overlay that completes a URDB record.

A native tariff names its periods and says, per season and day type, which period each local
hour belongs to, with hour ranges such as ``"10-14": on_peak`` (from 10:00 to 14:00). Each
period has an energy rate (or tiers) and optionally a time-of-use demand rate (or tiers); the
demand schedule is the energy schedule. Example: ``examples/plant_a/tariff.yaml``.

An overlay (``--overlay``) is a small YAML file with any of: name, currency, timezone,
holidays, real_time_prices, fuel_adjustments_monthly, demand_window_minutes. It fills in what
URDB cannot say (holidays, the site's time zone) or replaces those keys of a native tariff.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from heatcraft.calendars import ExtraHoliday, HolidayCalendar
from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.model import (
    Charge,
    DaySchedules,
    DemandPeriod,
    DemandTier,
    EnergyPeriod,
    EnergyTier,
    EnergyTierUnit,
    HolidayScheduleRule,
    Ratchet,
    Schedule,
    Tariff,
)
from heatcraft.tariffs.realtime import read_price_csv
from heatcraft.tariffs.validation import validated

_HOUR_RANGE = re.compile(r"^(\d{1,2})(?::00)?-(\d{1,2})(?::00)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NativeEnergyTier(_Strict):
    max_kwh: float | None = None
    rate: float
    adj: float = 0.0


class NativeDemandTier(_Strict):
    max_kw: float | None = None
    rate: float
    adj: float = 0.0


class NativePeriod(_Strict):
    energy: float | list[NativeEnergyTier]
    energy_tier_unit: EnergyTierUnit = "kWh"
    demand: float | list[NativeDemandTier] | None = None


class NativeSeason(_Strict):
    name: str
    months: list[int] = Field(min_length=1)
    weekday: dict[str, str]
    saturday: dict[str, str] | None = None  # default: the weekday rules
    sunday: dict[str, str] | None = None  # default: the saturday rules
    holiday: dict[str, str] | None = None  # used when holidays.use is "holiday"

    @field_validator("months")
    @classmethod
    def _months(cls, months: list[int]) -> list[int]:
        bad = [m for m in months if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"months must be 1..12, got {bad}")
        return months


class NativeHolidays(_Strict):
    country: str | None = None
    subdivision: str | None = None
    extra_dates: list[ExtraHoliday] = Field(default_factory=list)
    use: HolidayScheduleRule = "sunday"

    def calendar(self) -> HolidayCalendar:
        return HolidayCalendar(
            country=self.country, subdivision=self.subdivision, extra_dates=tuple(self.extra_dates)
        )


class NativeFlatDemand(_Strict):
    months: list[int] = Field(min_length=1)
    rate: float | list[NativeDemandTier]


class NativeRatchet(_Strict):
    percent: float = Field(gt=0, le=1)  # share of the earlier peak that sets the floor
    range_months: int = Field(default=11, ge=1)
    counted_months: list[int] = Field(default_factory=lambda: list(range(1, 13)))


class NativeRealTimePrices(_Strict):
    file: str
    mode: Literal["replace", "add"] = "replace"


class NativeCharge(_Strict):
    amount: float
    unit: Literal["$/day", "$/month", "$/year", "per day", "per month", "per year"]


class Overlay(_Strict):
    name: str | None = None
    currency: str | None = None
    timezone: str | None = None
    holidays: NativeHolidays | None = None
    real_time_prices: NativeRealTimePrices | None = None
    fuel_adjustments_monthly: list[float] | None = None
    demand_window_minutes: int | None = None


class NativeTariff(Overlay):
    name: str
    currency: str = "USD"
    periods: dict[str, NativePeriod] = Field(min_length=1)
    seasons: list[NativeSeason] = Field(min_length=1)
    flat_demand: list[NativeFlatDemand] = Field(default_factory=list)
    ratchet: NativeRatchet | None = None
    fixed_charges: list[NativeCharge] = Field(default_factory=list)
    minimum_charges: list[NativeCharge] = Field(default_factory=list)

    @model_validator(mode="after")
    def _seasons_cover_year(self) -> NativeTariff:
        seen: dict[int, str] = {}
        for season in self.seasons:
            for month in season.months:
                if month in seen:
                    raise ValueError(
                        f"month {month} is in seasons {seen[month]!r} and {season.name!r}"
                    )
                seen[month] = season.name
        missing = sorted(set(range(1, 13)) - set(seen))
        if missing:
            raise ValueError(f"seasons do not cover months {missing}")
        return self


def _charge(native: NativeCharge) -> Charge:
    unit = native.unit.replace("per ", "$/")
    return Charge(amount=native.amount, unit=unit)  # type: ignore[arg-type]


def _hours_of_day(rules: dict[str, str], names: list[str], where: str) -> list[int]:
    """24 period indexes from {"HH-HH": period_name}; every hour exactly once."""
    hours: list[int | None] = [None] * 24
    for span, period_name in rules.items():
        match = _HOUR_RANGE.match(str(span).strip())
        if not match:
            raise TariffError(f"hour range {span!r} is not like '06-10'", field=where)
        first, end = int(match.group(1)), int(match.group(2))
        if not 0 <= first < end <= 24:
            raise TariffError(
                f"hour range {span!r} must satisfy 0 <= start < end <= 24", field=where
            )
        if period_name not in names:
            raise TariffError(
                f"hour range {span!r} names unknown period {period_name!r} (known: {names})",
                field=where,
            )
        for hour in range(first, end):
            if hours[hour] is not None:
                raise TariffError(f"hour {hour} is given twice", field=where)
            hours[hour] = names.index(period_name)
    missing = [h for h, p in enumerate(hours) if p is None]
    if missing:
        raise TariffError(f"hours {missing} have no period", field=where)
    return [int(p) for p in hours if p is not None]


def _schedules(doc: NativeTariff, names: list[str]) -> DaySchedules:
    rows: dict[str, list[list[int] | None]] = {d: [None] * 12 for d in DAY_TYPE_KEYS}
    for number, season in enumerate(doc.seasons):
        saturday = season.saturday if season.saturday is not None else season.weekday
        sunday = season.sunday if season.sunday is not None else saturday
        by_type = {"weekday": season.weekday, "saturday": saturday, "sunday": sunday}
        if season.holiday is not None:
            by_type["holiday"] = season.holiday
        for day_type, rules in by_type.items():
            hours = _hours_of_day(rules, names, f"seasons[{number}].{day_type}")
            for month in season.months:
                rows[day_type][month - 1] = hours
    has_holiday = all(row is not None for row in rows["holiday"])
    if any(row is not None for row in rows["holiday"]) and not has_holiday:
        raise TariffError("either every season has a holiday schedule or none", field="seasons")

    def table(day_type: str) -> Schedule:
        return tuple(tuple(row) for row in rows[day_type] if row is not None)

    return DaySchedules(
        weekday=table("weekday"),
        saturday=table("saturday"),
        sunday=table("sunday"),
        holiday=table("holiday") if has_holiday else None,
    )


DAY_TYPE_KEYS = ("weekday", "saturday", "sunday", "holiday")


def _energy_period(name: str, period: NativePeriod) -> EnergyPeriod:
    if isinstance(period.energy, list):
        tiers = tuple(EnergyTier(max_kwh=t.max_kwh, rate=t.rate, adj=t.adj) for t in period.energy)
    else:
        tiers = (EnergyTier(rate=period.energy),)
    return EnergyPeriod(name=name, unit=period.energy_tier_unit, tiers=tiers)


def _demand_tiers(rate: float | list[NativeDemandTier] | None) -> tuple[DemandTier, ...]:
    if rate is None:
        return ()
    if isinstance(rate, list):
        return tuple(DemandTier(max_kw=t.max_kw, rate=t.rate, adj=t.adj) for t in rate)
    return (DemandTier(rate=rate),)


def _flat_demand(doc: NativeTariff) -> tuple[tuple[DemandPeriod, ...], tuple[int, ...] | None]:
    if not doc.flat_demand:
        return (), None
    periods = [DemandPeriod(name="no flat demand", tiers=())]
    months = [0] * 12
    for number, entry in enumerate(doc.flat_demand, start=1):
        periods.append(DemandPeriod(name=f"flat {number}", tiers=_demand_tiers(entry.rate)))
        for month in entry.months:
            if months[month - 1] != 0:
                raise TariffError(f"month {month} has two flat demand rates", field="flat_demand")
            months[month - 1] = number
    return tuple(periods), tuple(months)


def _ratchet(native: NativeRatchet | None) -> Ratchet | None:
    if native is None:
        return None
    counted = set(native.counted_months)
    return Ratchet(
        lookback_percent=native.percent,
        lookback_range=native.range_months,
        lookback_months=tuple(m in counted for m in range(1, 13)),
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TariffError(f"cannot read ({error.strerror})", source=str(path)) from None
    except yaml.YAMLError as error:
        raise TariffError(f"not valid YAML ({error})", source=str(path)) from None
    if not isinstance(document, dict):
        raise TariffError("top level must be a mapping", source=str(path))
    return _stringify_dates(document)


def _stringify_dates(value: Any) -> Any:
    # YAML turns 2025-12-24 into a date; hour ranges like 00-06 stay strings.
    if isinstance(value, dict):
        return {str(k): _stringify_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def tariff_from_native(document: dict[str, Any], source: str, base_dir: Path) -> Tariff:
    doc = validated(lambda: NativeTariff.model_validate(document), source)
    names = list(doc.periods)
    try:
        energy_schedule = _schedules(doc, names)
        flat_periods, flat_months = _flat_demand(doc)
    except TariffError as error:
        raise TariffError(str(error), source=source) from None
    has_tou_demand = any(p.demand is not None for p in doc.periods.values())

    def build() -> Tariff:
        return Tariff(
            name=doc.name,
            source=source,
            currency=doc.currency,
            timezone=doc.timezone,
            energy_periods=tuple(_energy_period(n, p) for n, p in doc.periods.items()),
            energy_schedule=energy_schedule,
            fuel_adjustments_monthly=tuple(doc.fuel_adjustments_monthly or (0.0,) * 12),
            demand_periods=tuple(
                DemandPeriod(name=n, tiers=_demand_tiers(p.demand)) for n, p in doc.periods.items()
            )
            if has_tou_demand
            else (),
            demand_schedule=energy_schedule if has_tou_demand else None,
            flat_demand_periods=flat_periods,
            flat_demand_months=flat_months,
            demand_window_minutes=doc.demand_window_minutes,
            ratchet=_ratchet(doc.ratchet),
            fixed_charges=tuple(_charge(c) for c in doc.fixed_charges),
            minimum_charges=tuple(_charge(c) for c in doc.minimum_charges),
            holidays=doc.holidays.calendar() if doc.holidays else None,
            holiday_schedule=doc.holidays.use if doc.holidays else "sunday",
            real_time_prices=(
                read_price_csv(base_dir / doc.real_time_prices.file, doc.real_time_prices.mode)
                if doc.real_time_prices
                else None
            ),
        )

    return validated(build, source)


def load_native(path: Path) -> Tariff:
    return tariff_from_native(_read_yaml(path), str(path), path.parent)


def apply_overlay(tariff: Tariff, path: Path) -> Tariff:
    """Replace the keys the overlay gives; everything else stays as the tariff says."""
    source = str(path)
    overlay = validated(lambda: Overlay.model_validate(_read_yaml(path)), source)
    update: dict[str, Any] = {}
    for key in ("name", "currency", "timezone", "demand_window_minutes"):
        value = getattr(overlay, key)
        if value is not None:
            update[key] = value
    if overlay.fuel_adjustments_monthly is not None:
        update["fuel_adjustments_monthly"] = tuple(overlay.fuel_adjustments_monthly)
    if overlay.holidays is not None:
        update["holidays"] = validated(overlay.holidays.calendar, source)
        update["holiday_schedule"] = overlay.holidays.use
    if overlay.real_time_prices is not None:
        rtp = overlay.real_time_prices
        update["real_time_prices"] = read_price_csv(path.parent / rtp.file, rtp.mode)
    merged = tariff.model_dump() | update
    merged["source"] = f"{tariff.source} + {source}"
    return validated(lambda: Tariff.model_validate(merged), source)
