"""Expansion to per-step arrays: day types, holidays, DST days, fixed-charge proration."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from heatcraft.calendars import ExtraHoliday, HolidayCalendar
from heatcraft.tariffs import expand_tariff
from heatcraft.tariffs.localtime import local_steps
from tests.tariffs.helpers import SIMPLE_TOU, day_grid, tariff_from_text

CHEAP, DEAR = 0, 1


def test_weekday_saturday_sunday_schedules(tmp_path):
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU)
    # 2025-03-07 Friday, 03-08 Saturday: whole hours in New York, before the DST change.
    series = expand_tariff(tariff, day_grid(date(2025, 3, 7), days=2))
    friday, saturday = series.energy_period[:24], series.energy_period[24:]
    assert friday.tolist() == [CHEAP] * 12 + [DEAR] * 12
    assert saturday.tolist() == [CHEAP] * 8 + [DEAR] * 4 + [CHEAP] * 12
    assert series.day_type == ["weekday"] * 24 + ["saturday"] * 24
    assert series.energy_price[:24].tolist() == [0.10] * 12 + [0.30] * 12
    assert series.billing_month == ["2025-03"] * 48


def test_tariff_holidays_use_the_rule_schedule(tmp_path):
    # 2025-07-04 (Friday) is a US holiday: the sunday schedule (all cheap) applies.
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU + "holidays: {country: US, use: sunday}\n")
    series = expand_tariff(tariff, day_grid(date(2025, 7, 3), days=2))
    assert series.energy_period[:24].tolist() == [CHEAP] * 12 + [DEAR] * 12  # Thursday
    assert series.energy_period[24:].tolist() == [CHEAP] * 24
    assert series.day_type[24] == "holiday"
    assert series.holidays == {"2025-07-04": "Independence Day"}


def test_holidays_can_use_the_saturday_schedule(tmp_path):
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU + "holidays: {country: US, use: saturday}\n")
    series = expand_tariff(tariff, day_grid(date(2025, 7, 4)))
    assert series.energy_period.tolist() == [CHEAP] * 8 + [DEAR] * 4 + [CHEAP] * 12


def test_explicit_holiday_schedule(tmp_path):
    text = SIMPLE_TOU.replace(
        '    sunday: {"00-24": cheap}\n',
        '    sunday: {"00-24": cheap}\n    holiday: {"00-23": cheap, "23-24": dear}\n',
    )
    tariff = tariff_from_text(tmp_path, text + "holidays: {country: US, use: holiday}\n")
    series = expand_tariff(tariff, day_grid(date(2025, 12, 25)))
    assert series.energy_period.tolist() == [CHEAP] * 23 + [DEAR]


def test_site_calendar_applies_only_when_the_tariff_has_none(tmp_path):
    site = HolidayCalendar(extra_dates=(ExtraHoliday(date=date(2025, 3, 5), name="Site day"),))
    plain = tariff_from_text(tmp_path, SIMPLE_TOU)
    series = expand_tariff(plain, day_grid(date(2025, 3, 5)), calendar=site)
    assert series.day_type[0] == "holiday" and set(series.energy_period.tolist()) == {CHEAP}
    own = tariff_from_text(
        tmp_path,
        SIMPLE_TOU + "holidays:\n  extra_dates: [{date: 2025-03-06, name: Tariff day}]\n",
    )
    series = expand_tariff(own, day_grid(date(2025, 3, 5), days=2), calendar=site)
    assert series.day_type[0] == "weekday" and series.day_type[24] == "holiday"


def test_spring_forward_day_has_92_quarter_hours_and_no_2am(tmp_path):
    text = SIMPLE_TOU.replace(
        'sunday: {"00-24": cheap}', 'sunday: {"00-02": cheap, "02-03": dear, "03-24": cheap}'
    )
    tariff = tariff_from_text(tmp_path, text)
    grid = day_grid(date(2025, 3, 9), step=15)
    series = expand_tariff(tariff, grid)
    assert len(series.energy_period) == 92
    assert DEAR not in series.energy_period.tolist()  # 02:00-03:00 does not exist that day
    hours = local_steps(grid).hour
    assert hours.tolist() == grid.local_hours.tolist()
    assert 2 not in hours.tolist()


def test_fall_back_day_has_100_quarter_hours_and_two_1am_hours(tmp_path):
    text = SIMPLE_TOU.replace(
        'sunday: {"00-24": cheap}', 'sunday: {"00-01": cheap, "01-02": dear, "02-24": cheap}'
    )
    tariff = tariff_from_text(tmp_path, text)
    grid = day_grid(date(2025, 11, 2), step=15)
    series = expand_tariff(tariff, grid)
    assert len(series.energy_period) == 100
    assert series.energy_period.tolist().count(DEAR) == 8  # both 01:00 hours, 4 quarters each
    assert local_steps(grid).hour.tolist() == grid.local_hours.tolist()


@pytest.mark.parametrize(
    ("charge", "first", "days", "expected"),
    [
        ("{amount: 25, unit: $/day}", date(2025, 3, 9), 1, 25.0),  # a 23-hour day is one day
        ("{amount: 25, unit: $/day}", date(2025, 3, 1), 31, 775.0),
        ("{amount: 310, unit: $/month}", date(2025, 3, 1), 31, 310.0),
        ("{amount: 310, unit: $/month}", date(2025, 1, 10), 1, 10.0),  # 1 of 31 days
        ("{amount: 1200, unit: $/year}", date(2025, 1, 1), 365, 1200.0),
        ("{amount: 1200, unit: $/year}", date(2025, 4, 1), 30, 100.0),
    ],
)
def test_fixed_charge_for_horizon(tmp_path, charge, first, days, expected):
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU + f"fixed_charges:\n  - {charge}\n")
    series = expand_tariff(tariff, day_grid(first, days=days))
    assert series.fixed_charge_for_horizon == pytest.approx(expected, abs=1e-9)


def test_demand_charges_per_month_and_period(tmp_path):
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU)
    series = expand_tariff(tariff, day_grid(date(2025, 3, 30), days=3))  # Sun..Tue, Mar-Apr
    keys = [charge.key for charge in series.demand_charges]
    assert keys == ["2025-03/tou/0", "2025-03/tou/1", "2025-04/tou/0", "2025-04/tou/1"]
    march_dear = series.demand_charges[1]
    assert march_dear.step_mask.sum() == 12 and march_dear.tiers == ((None, 20.0),)
    assert np.all(series.demand_period[march_dear.step_mask] == DEAR)
