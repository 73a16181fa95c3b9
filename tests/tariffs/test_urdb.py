"""URDB import: what is read, what is reported, and clear errors for bad records."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from heatcraft.tariffs import TariffError, bill_load, expand_tariff, load_tariff
from tests.tariffs.helpers import day_grid, write

FIXTURES = Path(__file__).parent / "fixtures"


def record(name: str = "sonoran_e32_large_tou.json") -> dict:
    return json.loads((FIXTURES / name).read_text())["items"][0]


def load_record(tmp_path: Path, rec: dict, wrap: bool = True):
    path = tmp_path / "rate.json"
    path.write_text(json.dumps({"items": [rec]} if wrap else rec))
    return load_tariff(path)


def test_v7_record_is_read_with_tiers_and_no_limit_convention():
    tariff = load_tariff(FIXTURES / "sonoran_e32_large_tou.json")
    assert len(tariff.energy_periods) == 4
    assert tariff.energy_periods[1].tiers[0].price == pytest.approx(0.10318 + 0.00312)
    flat = tariff.flat_demand_periods[0].tiers
    assert flat[0].max_kw == 100 and flat[1].max_kw is None  # 1e38 means no limit
    assert tariff.flat_demand_months[5] == 0 and tariff.flat_demand_months[0] == 1
    assert tariff.energy_schedule.saturday == tariff.energy_schedule.sunday
    assert tariff.fixed_charges[0].unit == "$/day"
    assert tariff.unsupported_fields == ()


def test_v8_lookback_fields_and_differing_tier_counts():
    tariff = load_tariff(FIXTURES / "lakeshore_ltou_industrial_v8.json")
    assert tariff.ratchet is not None
    assert tariff.ratchet.lookback_percent == 0.6 and tariff.ratchet.lookback_range == 11
    assert [len(p.tiers) for p in tariff.energy_periods] == [1, 1, 2]
    assert tariff.energy_periods[2].unit == "kWh daily"
    assert tariff.demand_window_minutes == 60


def test_bare_record_and_list_are_accepted(tmp_path):
    assert load_record(tmp_path, record(), wrap=False).name.startswith("Sonoran Valley Electric")


def test_unsupported_fields_are_reported_by_name(tmp_path):
    rec = record()
    rec["coincidentratestructure"] = [[{"rate": 3.1}]]
    rec["demandreactivepowercharge"] = 0.45
    rec["energyattrs"] = [{"Power factor adjustment": "applies"}]
    rec["energyratestructure"][0][0]["sell"] = 0.03
    tariff = load_record(tmp_path, rec)
    assert tariff.unsupported_fields == (
        "coincidentratestructure",
        "demandreactivepowercharge",
        "energyattrs",
        "energyratestructure[0][0].sell",
    )
    grid = day_grid(date(2025, 7, 1))
    bill = bill_load(tariff, expand_tariff(tariff, grid), np.zeros(24))
    assert "not billed (unsupported): coincidentratestructure" in bill.warnings


def _broken(mutate):
    rec = record()
    mutate(rec)
    return rec


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (
            lambda r: r["energyweekdayschedule"][6].__setitem__(15, 4),
            "energyweekdayschedule[6][15]",
            "out of range",
        ),
        (
            lambda r: r["energyweekendschedule"][2].pop(),
            "energyweekendschedule[2]",
            "must have 24 hours, got 23",
        ),
        (
            lambda r: r["demandweekdayschedule"][0].__setitem__(3, -1),
            "demandweekdayschedule[0][3]",
            "out of range",
        ),
        (lambda r: r["flatdemandmonths"].__setitem__(0, 2), "flatdemandmonths[0]", "out of range"),
        (
            lambda r: r["flatdemandstructure"][0][1].__setitem__("max", 50),
            "flatdemandstructure[0][1].max",
            "negative or zero tier width",
        ),
        (
            lambda r: r["energyratestructure"][0][0].__setitem__("unit", "therms"),
            "energyratestructure[0][0].unit",
            "unknown energy tier unit",
        ),
        (lambda r: r.__setitem__("fixedchargeunits", "$/week"), "fixedchargeunits", "unknown unit"),
        (
            lambda r: (
                r.__setitem__("minchargeunits", "$/fortnight") or r.__setitem__("mincharge", 9)
            ),
            "minchargeunits",
            "unknown unit",
        ),
        (lambda r: r.__setitem__("demandrateunit", "kVA"), "demandrateunit", "unknown demand unit"),
        (lambda r: r.__setitem__("demandwindow", 45), "demandwindow", "does not divide an hour"),
        (
            lambda r: r.__setitem__("fueladjustmentsmonthly", [0.01] * 11),
            "fueladjustmentsmonthly",
            "12 monthly values",
        ),
        (
            lambda r: r["energyratestructure"][1][0].__setitem__("rate", "cheap"),
            "energyratestructure[1][0].rate",
            "expected a number",
        ),
    ],
)
def test_bad_records_name_the_field(tmp_path, mutate, field, words):
    with pytest.raises(TariffError) as caught:
        load_record(tmp_path, _broken(mutate))
    message = str(caught.value)
    assert "rate.json" in message and field in message and words in message


def test_twelve_by_twenty_three_schedule_is_refused(tmp_path):
    rec = record()
    rec["energyweekdayschedule"] = [row[:23] for row in rec["energyweekdayschedule"]]
    with pytest.raises(TariffError, match=r"energyweekdayschedule\[0\].*24 hours, got 23"):
        load_record(tmp_path, rec)


def test_not_a_rate_record(tmp_path):
    path = write(tmp_path, json.dumps({"items": [{"label": "x"}]}), "x.json")
    with pytest.raises(TariffError, match="not a URDB rate record"):
        load_tariff(path)


def test_overlay_gives_a_urdb_record_holidays_and_time_zone(tmp_path):
    overlay = write(
        tmp_path,
        "timezone: America/Phoenix\nholidays:\n  country: US\n  use: sunday\n",
        "overlay.yaml",
    )
    tariff = load_tariff(FIXTURES / "sonoran_e32_large_tou.json", overlay)
    assert tariff.timezone == "America/Phoenix"
    # 2025-07-04 is a Friday: on-peak 15-19 normally; the holiday makes it all off-peak.
    series = expand_tariff(tariff, day_grid(date(2025, 7, 4), tz="America/Phoenix"))
    assert set(series.energy_period.tolist()) == {0}
    plain = load_tariff(FIXTURES / "sonoran_e32_large_tou.json")
    series = expand_tariff(plain, day_grid(date(2025, 7, 4), tz="America/Phoenix"))
    assert series.energy_period.tolist().count(1) == 4


def test_example_copy_is_the_fixture():
    example = Path(__file__).resolve().parents[2] / "examples" / "tariffs"
    copy_of = json.loads((example / "sonoran_e32_large_tou.urdb.json").read_text())
    assert copy_of == json.loads((FIXTURES / "sonoran_e32_large_tou.json").read_text())
    tariff = load_tariff(example / "sonoran_e32_large_tou.urdb.json", example / "overlay.yaml")
    assert tariff.timezone is not None and tariff.holidays is not None
    assert copy.deepcopy(tariff) == tariff
