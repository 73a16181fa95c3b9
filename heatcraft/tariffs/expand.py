"""Expand a tariff to per-step arrays over a TimeGrid (the site's local time zone).

Fixed charges over a horizon (`fixed_charge_for_horizon`, and per month in
`fixed_charge_by_month`): a $/day charge is paid for each local day the horizon covers, a
partly covered day pro rata by duration (a 23-hour DST day counts as one day when covered
whole); $/month is paid in proportion to the share of the billing month's duration the horizon
covers; $/year is billed as one twelfth per month, prorated the same way. A whole month
therefore pays exactly days x $/day + $/month + $/year / 12. $/day and $/month minimum charges
are prorated the same way; a $/year minimum is kept per calendar year (prorated by the share
of the year covered) and settled by the bill engine against the year's bills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from heatcraft.calendars import HolidayCalendar
from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.localtime import LocalSteps, block_ids, local_steps
from heatcraft.tariffs.model import DaySchedules, DayType, DemandPeriod, Tariff
from heatcraft.tariffs.realtime import prices_on_steps
from heatcraft.timegrid import TimeGrid

# Order of day-type codes used in the per-step arrays.
_DAY_TYPE_CODES: tuple[DayType, ...] = ("weekday", "saturday", "sunday", "holiday")


@dataclass(frozen=True)
class DemandCharge:
    kind: Literal["flat", "tou"]
    month: str  # "YYYY-MM"
    period: int | None  # flat or TOU period index (0-based)
    step_mask: np.ndarray  # bool per step of the horizon: the steps this charge measures
    tiers: tuple[tuple[float | None, float], ...]  # (upper kW or None, currency/kW), in order
    window_steps: int  # demand = max of block averages over this many steps; 1 = per step
    floor_kw: float = 0.0  # ratchet/lookback floor known when expanding; 0 if none
    period_name: str = ""

    @property
    def key(self) -> str:
        """Stable name, also used for `billed_peak_kw` dict keys: 2025-07/flat, 2025-07/tou/2."""
        return f"{self.month}/flat" if self.kind == "flat" else f"{self.month}/tou/{self.period}"


@dataclass(frozen=True)
class TariffSeries:
    grid: TimeGrid
    currency: str
    energy_price: np.ndarray  # currency/kWh: first-tier rate + adj + fuel adjustment, or RTP
    energy_period: np.ndarray  # int energy period per step
    day_type: list[str]
    billing_month: list[str]
    demand_charges: list[DemandCharge]
    fixed_charge_for_horizon: float
    # Beyond the shared contract: what the bill engine needs without recomputing.
    demand_period: np.ndarray = field(repr=False)  # TOU demand period per step, -1 if none
    months: tuple[str, ...] = ()
    month_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    month_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # covered share per month
    days_covered: np.ndarray = field(default_factory=lambda: np.zeros(0))  # local days per month
    fixed_charge_by_month: dict[str, float] = field(default_factory=dict)
    minimum_charge_by_month: dict[str, float] = field(default_factory=dict)  # $/day, $/month
    annual_minimum_by_year: dict[str, float] = field(default_factory=dict)  # $/year, prorated
    fuel_adjustment: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    real_time_price: np.ndarray | None = field(default=None, repr=False)
    real_time_mode: Literal["replace", "add"] | None = None
    demand_block: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False
    )
    holidays: dict[str, str] = field(default_factory=dict)  # ISO date -> name, in the horizon
    window_steps: int = 1  # steps per demand-window block

    @property
    def step_hours(self) -> float:
        return self.grid.step_hours


def _schedule_table(schedules: DaySchedules, holiday_rule: str) -> np.ndarray:
    """(4 day types, 12 months, 24 hours) period index; the holiday row follows the rule."""
    holiday = schedules.holiday if holiday_rule == "holiday" else getattr(schedules, holiday_rule)
    rows = (schedules.weekday, schedules.saturday, schedules.sunday, holiday)
    return np.array(rows, dtype=np.int64)


def _window_steps(window_minutes: int | None, step_minutes: int, source: str) -> int:
    if window_minutes is None or window_minutes <= step_minutes:
        return 1  # a step is the finest demand we can measure
    if window_minutes % step_minutes != 0:
        raise TariffError(
            f"demand window of {window_minutes} min is not a whole number of "
            f"{step_minutes}-min steps",
            source=source,
            field="demand_window_minutes",
        )
    return window_minutes // step_minutes


def _tiers(period: DemandPeriod) -> tuple[tuple[float | None, float], ...]:
    return tuple((tier.max_kw, tier.price) for tier in period.tiers)


def _day_type_codes(steps: LocalSteps, holidays: set) -> np.ndarray:
    codes = []
    for day in steps.days:
        if day in holidays:
            codes.append(3)
        elif day.weekday() == 5:
            codes.append(1)
        elif day.weekday() == 6:
            codes.append(2)
        else:
            codes.append(0)
    return np.array(codes, dtype=np.int64)


def _prorated(steps: LocalSteps, per_day: float, per_month: float) -> np.ndarray:
    """Charge per billing month for the share the horizon covers (see module doc)."""
    day_share = steps.step_s / steps.day_seconds[steps.day_index]
    month_share = steps.step_s / steps.month_seconds[steps.month_index]
    per_step = per_day * day_share + per_month * month_share
    return np.bincount(steps.month_index, weights=per_step, minlength=len(steps.months))


def _charge_rates(charges, *, yearly_as_monthly: bool = True) -> tuple[float, float]:
    per_day = sum(c.amount for c in charges if c.unit == "$/day")
    per_month = sum(c.amount for c in charges if c.unit == "$/month")
    if yearly_as_monthly:
        per_month += sum(c.amount for c in charges if c.unit == "$/year") / 12.0
    return per_day, per_month


def _annual_minimum(steps: LocalSteps, charges) -> dict[str, float]:
    per_year = sum(c.amount for c in charges if c.unit == "$/year")
    if per_year == 0:
        return {}
    # Share of each calendar year covered = sum over covered months of covered share / 12.
    share = np.bincount(steps.month_index, minlength=len(steps.months)) * steps.step_s
    share = share / steps.month_seconds / 12.0
    years: dict[str, float] = {}
    for month, month_share in zip(steps.months, share.tolist(), strict=True):
        years[month[:4]] = years.get(month[:4], 0.0) + per_year * month_share
    return years


def expand_tariff(
    tariff: Tariff,
    grid: TimeGrid,
    calendar: HolidayCalendar | None = None,
    *,
    prior_peaks_kw: dict[str, float] | None = None,
) -> TariffSeries:
    """Per-step prices, periods and demand charges of `tariff` over `grid`.

    Holidays: the tariff's own calendar wins, else `calendar` (the site's), else none.
    `prior_peaks_kw` ("YYYY-MM" -> kW before the horizon) fills ratchet floors of flat demand.
    """
    steps = local_steps(grid)
    used_calendar = tariff.holidays or calendar
    holidays = (
        used_calendar.holidays_between(steps.days[0], steps.days[-1]) if used_calendar else {}
    )
    day_codes = _day_type_codes(steps, set(holidays))[steps.day_index]
    month_number = np.array([int(m[5:]) for m in steps.months], dtype=np.int64)[steps.month_index]
    hour = steps.hour.astype(np.int64)

    energy_table = _schedule_table(tariff.energy_schedule, tariff.holiday_schedule)
    energy_period = energy_table[day_codes, month_number - 1, hour]
    first_tier_price = np.array([p.tiers[0].price for p in tariff.energy_periods])
    fuel = np.asarray(tariff.fuel_adjustments_monthly, dtype=np.float64)[month_number - 1]
    energy_price = first_tier_price[energy_period] + fuel

    real_time = None
    mode = None
    if tariff.real_time_prices is not None:
        real_time = prices_on_steps(tariff.real_time_prices, steps.utc_s, steps.step_s)
        mode = tariff.real_time_prices.mode
        energy_price = real_time.copy() if mode == "replace" else energy_price + real_time

    window_steps = _window_steps(tariff.demand_window_minutes, grid.step_minutes, tariff.source)
    window_minutes = tariff.demand_window_minutes or grid.step_minutes
    demand_block = block_ids(steps, max(window_minutes, grid.step_minutes))

    charges: list[DemandCharge] = []
    demand_period = np.full(grid.n_steps, -1, dtype=np.int64)
    if tariff.demand_schedule is not None and tariff.demand_periods:
        demand_table = _schedule_table(tariff.demand_schedule, tariff.holiday_schedule)
        demand_period = demand_table[day_codes, month_number - 1, hour]
    ratchet_floors = _ratchet_floors_from_prior(tariff, steps.months, prior_peaks_kw or {})
    for index, month in enumerate(steps.months):
        in_month = steps.month_index == index
        if tariff.flat_demand_periods and tariff.flat_demand_months is not None:
            flat = tariff.flat_demand_months[int(month[5:]) - 1]
            period = tariff.flat_demand_periods[flat]
            if period.tiers:
                charges.append(
                    DemandCharge(
                        kind="flat",
                        month=month,
                        period=flat,
                        step_mask=in_month,
                        tiers=_tiers(period),
                        window_steps=window_steps,
                        floor_kw=ratchet_floors.get(month, 0.0),
                        period_name=period.name,
                    )
                )
        for number in np.unique(demand_period[in_month]):
            if number < 0 or not tariff.demand_periods[number].tiers:
                continue
            period = tariff.demand_periods[number]
            charges.append(
                DemandCharge(
                    kind="tou",
                    month=month,
                    period=int(number),
                    step_mask=in_month & (demand_period == number),
                    tiers=_tiers(period),
                    window_steps=window_steps,
                    period_name=period.name,
                )
            )

    fixed = _prorated(steps, *_charge_rates(tariff.fixed_charges))
    minimum = _prorated(steps, *_charge_rates(tariff.minimum_charges, yearly_as_monthly=False))
    covered_s = np.bincount(steps.month_index, minlength=len(steps.months)) * steps.step_s
    days_covered = np.bincount(
        steps.month_index,
        weights=steps.step_s / steps.day_seconds[steps.day_index],
        minlength=len(steps.months),
    )
    return TariffSeries(
        grid=grid,
        currency=tariff.currency,
        energy_price=energy_price,
        energy_period=energy_period,
        day_type=[_DAY_TYPE_CODES[c] for c in day_codes.tolist()],
        billing_month=[steps.months[i] for i in steps.month_index.tolist()],
        demand_charges=charges,
        fixed_charge_for_horizon=float(fixed.sum()),
        demand_period=demand_period,
        months=steps.months,
        month_index=steps.month_index,
        month_share=covered_s / steps.month_seconds,
        days_covered=days_covered,
        fixed_charge_by_month=dict(zip(steps.months, fixed.tolist(), strict=True)),
        minimum_charge_by_month=dict(zip(steps.months, minimum.tolist(), strict=True)),
        annual_minimum_by_year=_annual_minimum(steps, tariff.minimum_charges),
        fuel_adjustment=fuel,
        real_time_price=real_time,
        real_time_mode=mode,
        demand_block=demand_block,
        holidays={d.isoformat(): name for d, name in holidays.items()},
        window_steps=window_steps,
    )


def month_offset(month: str, back: int) -> str:
    year, number = int(month[:4]), int(month[5:])
    serial = year * 12 + (number - 1) - back
    return f"{serial // 12:04d}-{serial % 12 + 1:02d}"


def ratchet_floor(tariff: Tariff, month: str, peaks_kw: dict[str, float]) -> float:
    """Billing-demand floor for `month` from earlier months' peaks (see `Ratchet`)."""
    ratchet = tariff.ratchet
    if ratchet is None or not ratchet.is_active:
        return 0.0
    floor = 0.0
    percent = ratchet.percent_by_month[int(month[5:]) - 1]
    if percent > 0:
        earlier = [peaks_kw.get(month_offset(month, back), 0.0) for back in range(1, 12)]
        floor = max(floor, percent * max(earlier))
    if ratchet.lookback_percent > 0 and ratchet.lookback_range > 0:
        counted = []
        for back in range(1, ratchet.lookback_range + 1):
            earlier_month = month_offset(month, back)
            if ratchet.lookback_months[int(earlier_month[5:]) - 1]:
                counted.append(peaks_kw.get(earlier_month, 0.0))
        if counted:
            floor = max(floor, ratchet.lookback_percent * max(counted))
    return floor


def _ratchet_floors_from_prior(
    tariff: Tariff, months: tuple[str, ...], prior_peaks_kw: dict[str, float]
) -> dict[str, float]:
    return {month: ratchet_floor(tariff, month, prior_peaks_kw) for month in months}
