"""Bills with hand-computed expectations: TOU energy, demand, fixed, already-billed floors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from heatcraft.tariffs import TariffError, bill_load, expand_tariff
from tests.tariffs.helpers import SIMPLE_TOU, bill, day_grid, tariff_from_text

FLAT = """
name: flat demand
currency: USD
timezone: America/New_York
periods:
  all: {energy: 0.10}
seasons:
  - {name: all, months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], weekday: {"00-24": all}}
flat_demand:
  - {months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], rate: 10.0}
"""


def test_weekday_energy_and_tou_demand(tmp_path):
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU)
    load = np.full(24, 10.0)
    load[15] = 40.0  # a 15:00 peak in the dear period
    result = bill(tariff, day_grid(date(2025, 3, 4)), load)  # Tuesday
    month = result.months[0]
    # energy: 12 h x 10 kW x 0.10 + (11 h x 10 + 40) kWh x 0.30 = 12 + 45
    assert month.energy == pytest.approx(57.0)
    # demand: cheap 10 kW x 5 + dear 40 kW x 20
    assert month.demand_tou == pytest.approx(50.0 + 800.0)
    assert month.total == pytest.approx(907.0)
    dear = next(p for p in month.peaks if p["period"] == 1)
    assert dear["kw"] == 40.0 and dear["at"] == "2025-03-04T15:00:00-05:00"
    assert result.step_energy_cost[15] == pytest.approx(12.0)
    assert result.step_demand_cost[15] == pytest.approx(800.0)
    assert result.step_energy_cost.sum() == pytest.approx(month.energy)


def test_spring_forward_and_fall_back_energy(tmp_path):
    text = SIMPLE_TOU.replace(
        'sunday: {"00-24": cheap}', 'sunday: {"00-01": cheap, "01-03": dear, "03-24": cheap}'
    )
    tariff = tariff_from_text(tmp_path, text)
    # 2025-03-09: 23 hours, 01:00 dear, 02:00 missing -> 1 h dear, 22 h cheap at 10 kW
    spring = bill(tariff, day_grid(date(2025, 3, 9), step=15), np.full(92, 10.0))
    assert spring.months[0].energy == pytest.approx(1 * 10 * 0.30 + 22 * 10 * 0.10)
    assert spring.months[0].energy_kwh == pytest.approx(230.0)
    # 2025-11-02: 25 hours, 01:00 twice and 02:00 dear -> 3 h dear, 22 h cheap
    fall = bill(tariff, day_grid(date(2025, 11, 2), step=15), np.full(100, 10.0))
    assert fall.months[0].energy == pytest.approx(3 * 10 * 0.30 + 22 * 10 * 0.10)


def test_flat_demand_and_fixed_charges_over_two_months(tmp_path):
    tariff = tariff_from_text(
        tmp_path,
        FLAT + "fixed_charges:\n  - {amount: 31, unit: $/month}\n  - {amount: 2, unit: $/day}\n",
    )
    grid = day_grid(date(2025, 1, 31), days=2)  # Jan 31 and Feb 1
    load = np.full(48, 5.0)
    load[30] = 20.0
    result = bill(tariff, grid, load)
    january, february = result.months
    assert january.demand_flat == pytest.approx(50.0)
    assert february.demand_flat == pytest.approx(200.0)
    assert january.fixed == pytest.approx(31 / 31 + 2)
    assert february.fixed == pytest.approx(31 / 28 + 2)
    assert result.total == pytest.approx(sum(m.total for m in result.months))


def test_already_billed_peak_full_and_incremental(tmp_path):
    tariff = tariff_from_text(tmp_path, FLAT)
    grid = day_grid(date(2025, 6, 10))
    series = expand_tariff(tariff, grid)
    above = np.full(24, 10.0)
    above[9] = 40.0
    below = np.full(24, 25.0)
    # Month-to-date billed peak 30 kW at 10 $/kW.
    full = bill_load(tariff, series, above, billed_peak_kw=30.0)
    assert full.months[0].demand_flat == pytest.approx(400.0)
    incremental = bill_load(tariff, series, above, billed_peak_kw=30.0, policy="incremental")
    assert incremental.months[0].demand_flat == pytest.approx(100.0)  # (40 - 30) x 10
    assert bill_load(tariff, series, below, billed_peak_kw=30.0).months[0].demand_flat == 300.0
    assert (
        bill_load(tariff, series, below, billed_peak_kw=30.0, policy="incremental")
        .months[0]
        .demand_flat
        == 0.0
    )
    peak = full.months[0].peaks[0]
    assert peak["floor_kw"] == 30.0 and peak["billed_kw"] == 40.0


def test_billed_peak_by_month_and_by_charge(tmp_path):
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU)
    grid = day_grid(date(2025, 3, 4))
    series = expand_tariff(tariff, grid)
    load = np.full(24, 10.0)
    floors = {"2025-03": 12.0, "2025-03/tou/1": 30.0}
    result = bill_load(tariff, series, load, billed_peak_kw=floors, policy="incremental")
    assert result.months[0].demand_tou == 0.0
    full = bill_load(tariff, series, load, billed_peak_kw=floors)
    assert full.months[0].demand_tou == pytest.approx(12 * 5.0 + 30 * 20.0)


def test_load_of_wrong_length_is_refused(tmp_path):
    tariff = tariff_from_text(tmp_path, SIMPLE_TOU)
    with pytest.raises(TariffError, match="load_kw"):
        bill(tariff, day_grid(date(2025, 3, 4)), np.zeros(23))
