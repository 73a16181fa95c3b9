"""Native YAML tariffs: the example site's tariff and clear errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatcraft.tariffs import TariffError, load_tariff
from tests.tariffs.helpers import SIMPLE_TOU, tariff_from_text, write

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plant_a" / "tariff.yaml"


def test_example_tariff_periods_and_schedules():
    tariff = load_tariff(EXAMPLE)
    assert [p.name for p in tariff.energy_periods] == [
        "off_peak",
        "mid_peak",
        "on_peak",
        "critical",
    ]
    assert [p.tiers[0].rate for p in tariff.energy_periods] == [0.045, 0.085, 0.125, 0.145]
    assert [p.tiers[0].rate for p in tariff.demand_periods] == [8.0, 12.0, 18.0, 22.0]
    weekday = tariff.energy_schedule.weekday[6]  # July
    assert weekday == (0,) * 6 + (1,) * 4 + (2,) * 4 + (3,) * 4 + (1,) * 4 + (0,) * 2
    assert tariff.energy_schedule.saturday[0] == (0,) * 10 + (1,) * 8 + (0,) * 6
    assert tariff.energy_schedule.sunday[11] == (0,) * 24
    assert tariff.holiday_schedule == "sunday"
    assert tariff.holidays is not None and tariff.holidays.country == "US"
    assert tariff.fixed_charges[0].amount == 350.0 and tariff.fixed_charges[0].unit == "$/month"
    assert tariff.timezone == "America/Chicago"


def test_sunday_defaults_to_saturday_and_saturday_to_weekday(tmp_path):
    text = SIMPLE_TOU.replace('    saturday: {"00-08": cheap, "08-12": dear, "12-24": cheap}\n', "")
    text = text.replace('    sunday: {"00-24": cheap}\n', "")
    tariff = tariff_from_text(tmp_path, text)
    assert tariff.energy_schedule.sunday == tariff.energy_schedule.weekday


@pytest.mark.parametrize(
    ("old", "new", "field_words"),
    [
        ('"12-24": dear}', '"12-23": dear}', "hours [23] have no period"),
        ('"12-24": dear}', '"12-24": dearest}', "unknown period 'dearest'"),
        ('"12-24": dear}', '"11-24": dear}', "hour 11 is given twice"),
        ('"12-24": dear}', '"noon-24": dear}', "is not like '06-10'"),
        ("months: [1, 2, 3,", "months: [1, 2, 13,", "months must be 1..12"),
        ("months: [1, 2, 3,", "months: [1, 2,", "seasons do not cover months [3]"),
        (
            "energy: 0.10,",
            "energy: [{max_kwh: 100, rate: 0.1}, {max_kwh: 50, rate: 0.2}],",
            "not above the previous limit",
        ),
        ("currency: USD", "currency: USD\nsurprise: 1", "surprise"),
    ],
)
def test_bad_native_tariffs_name_the_field(tmp_path, old, new, field_words):
    assert old in SIMPLE_TOU
    path = write(tmp_path, SIMPLE_TOU.replace(old, new))
    with pytest.raises(TariffError) as caught:
        load_tariff(path)
    assert str(path) in str(caught.value)
    assert field_words in str(caught.value)


def test_unknown_charge_unit_is_an_error(tmp_path):
    text = SIMPLE_TOU + "fixed_charges:\n  - {amount: 5, unit: $/fortnight}\n"
    with pytest.raises(TariffError, match=r"fixed_charges\[0\]\.unit"):
        tariff_from_text(tmp_path, text)


def test_holiday_schedule_rule_needs_holiday_rows(tmp_path):
    text = SIMPLE_TOU + "holidays: {country: US, use: holiday}\n"
    with pytest.raises(TariffError, match="holiday schedule"):
        tariff_from_text(tmp_path, text)


def test_overlay_replaces_only_its_keys(tmp_path):
    base = write(tmp_path, SIMPLE_TOU)
    overlay = write(
        tmp_path,
        "timezone: America/Chicago\nholidays:\n  country: US\n  extra_dates:\n"
        "    - {date: 2025-03-05, name: Plant day}\n  use: saturday\n",
        "overlay.yaml",
    )
    tariff = load_tariff(base, overlay)
    assert tariff.timezone == "America/Chicago"
    assert tariff.holiday_schedule == "saturday"
    assert tariff.holidays is not None and tariff.holidays.extra_dates[0].name == "Plant day"
    assert tariff.energy_periods == load_tariff(base).energy_periods


def test_bad_overlay_names_its_file_and_field(tmp_path):
    base = write(tmp_path, SIMPLE_TOU)
    overlay = write(tmp_path, "holidays: {country: XX}\n", "overlay.yaml")
    with pytest.raises(TariffError, match=r"overlay\.yaml.*unknown holiday country"):
        load_tariff(base, overlay)
