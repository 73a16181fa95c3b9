"""Hand-computed charges: tiers, demand windows, ratchets, real-time prices; where PySAM
differs by design (holidays, demand window), our number is the one the tariff text asks for."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from heatcraft.tariffs import TariffError, bill_load, expand_tariff, load_tariff
from heatcraft.timegrid import TimeGrid
from tests.tariffs.helpers import bill, day_grid, tariff_from_text, write

FIXTURES = Path(__file__).parent / "fixtures"

ONE_PERIOD = """
name: one period
timezone: America/New_York
periods:
  all: {energy: ENERGY}
seasons:
  - {name: all, months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], weekday: {"00-24": all}}
"""


def one_period(tmp_path, energy="0.10", extra=""):
    return tariff_from_text(tmp_path, ONE_PERIOD.replace("ENERGY", energy) + extra)


TIERS = "[{max_kwh: 1000, rate: 0.10}, {max_kwh: 5000, rate: 0.08}, {rate: 0.05}]"


def test_monthly_energy_tiers_whole_and_partial_month(tmp_path):
    tariff = one_period(tmp_path, TIERS)
    june = bill(tariff, day_grid(date(2025, 6, 1), days=30), np.full(720, 10.0))
    # 7200 kWh: 1000 x 0.10 + 4000 x 0.08 + 2200 x 0.05
    assert june.months[0].energy == pytest.approx(530.0)
    # 3 of 30 days: limits shrink to 100 and 500 kWh; 720 kWh
    part = bill(tariff, day_grid(date(2025, 6, 1), days=3), np.full(72, 10.0))
    assert part.months[0].energy == pytest.approx(100 * 0.10 + 400 * 0.08 + 220 * 0.05)


def test_daily_energy_tiers(tmp_path):
    tiers = "[{max_kwh: 50, rate: 0.10}, {rate: 0.20}]\n    energy_tier_unit: kWh daily"
    text = ONE_PERIOD.replace("{energy: ENERGY}", "\n    energy: " + tiers)
    tariff = tariff_from_text(tmp_path, text)
    result = bill(tariff, day_grid(date(2025, 6, 1), days=3), np.full(72, 10.0))
    assert result.months[0].energy == pytest.approx(150 * 0.10 + 570 * 0.20)


def test_tiers_count_the_whole_month_and_share_by_period(tmp_path):
    text = """
name: tiered tou
timezone: America/New_York
periods:
  cheap: {energy: [{max_kwh: 1000, rate: 0.10}, {rate: 0.20}]}
  dear: {energy: [{max_kwh: 1000, rate: 0.30}, {rate: 0.40}]}
seasons:
  - {name: all, months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
     weekday: {"00-12": cheap, "12-24": dear}}
"""
    tariff = tariff_from_text(tmp_path, text)
    result = bill(tariff, day_grid(date(2025, 6, 1), days=30), np.full(720, 10.0))
    # 7200 kWh, half in each period: each pays half of the month through its own prices.
    expected = 0.5 * (1000 * 0.10 + 6200 * 0.20) + 0.5 * (1000 * 0.30 + 6200 * 0.40)
    assert result.months[0].energy == pytest.approx(expected)


FLAT_TIERS = """
flat_demand:
  - {months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
     rate: [{max_kw: 100, rate: 10.0}, {rate: 5.0}]}
"""


def test_demand_tiers_full_and_incremental(tmp_path):
    tariff = one_period(tmp_path, extra=FLAT_TIERS)
    grid = day_grid(date(2025, 6, 2))
    series = expand_tariff(tariff, grid)
    load = np.full(24, 150.0)
    assert bill_load(tariff, series, load).months[0].demand_flat == pytest.approx(1250.0)
    incremental = bill_load(tariff, series, load, billed_peak_kw=120.0, policy="incremental")
    assert incremental.months[0].demand_flat == pytest.approx(1250.0 - 1100.0)


def test_demand_window_block_average(tmp_path):
    tariff = one_period(tmp_path, extra=FLAT_TIERS + "demand_window_minutes: 30\n")
    grid = day_grid(date(2025, 6, 2), step=15)
    load = np.full(96, 20.0)
    load[40] = 500.0  # 10:00-10:15 alone: the 10:00-10:30 block averages 260
    load[61:63] = 300.0  # 15:15-15:45 straddles two blocks: each averages 160
    load[70:72] = 280.0  # 17:30-18:00: one whole block at 280
    result = bill(tariff, grid, load)
    peak = result.months[0].peaks[0]
    assert peak["kw"] == pytest.approx(280.0)
    assert peak["at"] == "2025-06-02T17:30:00-04:00"
    assert result.months[0].demand_flat == pytest.approx(100 * 10.0 + 180 * 5.0)


def test_demand_window_is_what_pysam_does_not_apply():
    pytest.importorskip("PySAM.Utilityrate5")
    from tests.tariffs.loads import industrial_year
    from tests.tariffs.pysam_reference import pysam_monthly

    tariff = load_tariff(FIXTURES / "prairie_lgs_hours_use.json")  # 30-minute demand
    grid = TimeGrid.for_days(date(2018, 1, 1), 365, "America/Phoenix", 15)
    load = industrial_year(2018, 15)
    result = bill_load(tariff, expand_tariff(tariff, grid), load)
    raw = pysam_monthly(tariff, load, window_steps=1)  # PySAM on the raw 15-minute load
    blocks = load.reshape(-1, 2).mean(axis=1)  # the tariff's 30-minute demand, by hand
    months = np.repeat(np.arange(12), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    block_month = np.repeat(months, 48)
    rates = [9.60] * 5 + [14.25] * 4 + [9.60] * 3
    peaks = [blocks[block_month == m].max() for m in range(12)]
    # The tariff's 80% ratchet on the highest earlier 30-minute peak of the year.
    billed = [max(peaks[m], 0.8 * max(peaks[:m], default=0.0)) for m in range(12)]
    by_hand = [billed[m] * rates[m] for m in range(12)]
    ours = [m.demand_flat for m in result.months]
    np.testing.assert_allclose(ours, by_hand, atol=1e-6)
    assert all(r > o + 1.0 for r, o in zip(raw["demand_flat"], ours, strict=True))


def test_holidays_are_what_pysam_does_not_apply(tmp_path):
    pytest.importorskip("PySAM.Utilityrate5")
    from tests.tariffs.pysam_reference import pysam_monthly

    overlay = write(tmp_path, "timezone: America/Phoenix\nholidays: {country: US}\n", "o.yaml")
    tariff = load_tariff(FIXTURES / "sonoran_e32_large_tou.json", overlay)
    grid = TimeGrid.for_days(date(2018, 1, 1), 365, "America/Phoenix", 15)
    load = np.full(35040, 1000.0)
    ours = bill_load(tariff, expand_tariff(tariff, grid), load)
    reference = pysam_monthly(tariff, load)
    # July 2018: Independence Day (Wednesday) is billed off-peak, not 15-19 on-peak: 4 h x
    # 1000 kW x (on-peak - off-peak) less. PySAM knows no holidays.
    on_minus_off = 0.10318 - 0.05921
    july = ours.months[6]
    assert july.energy == pytest.approx(reference["energy"][6] - 4000 * on_minus_off, abs=0.01)
    # Summer on-peak demand (15-19 weekdays): the same peak either way.
    assert july.demand_tou == pytest.approx(reference["demand_tou"][6], abs=0.01)


RATCHET = """
flat_demand:
  - {months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], rate: 10.0}
ratchet: {percent: 0.8, range_months: RANGE, counted_months: COUNTED}
"""


def ratchet_tariff(tmp_path, range_months=11, counted="[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]"):
    extra = RATCHET.replace("RANGE", str(range_months)).replace("COUNTED", counted)
    return one_period(tmp_path, extra=extra)


def test_ratchet_from_prior_peaks(tmp_path):
    tariff = ratchet_tariff(tmp_path)
    grid = day_grid(date(2025, 2, 3))
    series = expand_tariff(tariff, grid, prior_peaks_kw={"2025-01": 100.0})
    load = np.full(24, 50.0)
    result = bill_load(tariff, series, load, prior_peaks_kw={"2025-01": 100.0})
    assert result.months[0].demand_flat == pytest.approx(800.0)  # 80% of 100 kW
    assert result.months[0].peaks[0]["floor_kw"] == pytest.approx(80.0)
    assert bill_load(
        tariff, series, load, prior_peaks_kw={"2025-01": 100.0}, policy="incremental"
    ).months[0].demand_flat == pytest.approx(0.0)


def test_ratchet_within_the_horizon(tmp_path):
    tariff = ratchet_tariff(tmp_path)
    grid = day_grid(date(2025, 1, 31), days=2)
    load = np.full(48, 50.0)
    load[10] = 100.0  # January 31: 100 kW; February floor 80 kW
    result = bill(tariff, grid, load)
    assert [m.demand_flat for m in result.months] == pytest.approx([1000.0, 800.0])


def test_lookback_counts_only_flagged_months_in_range(tmp_path):
    prior = {"2024-07": 200.0, "2024-12": 500.0}
    summer = ratchet_tariff(tmp_path, counted="[6, 7, 8, 9]")
    grid = day_grid(date(2025, 2, 3))
    load = np.full(24, 50.0)
    result = bill_load(summer, expand_tariff(summer, grid), load, prior_peaks_kw=prior)
    assert result.months[0].demand_flat == pytest.approx(0.8 * 200.0 * 10.0)  # July only
    short = ratchet_tariff(tmp_path, range_months=6, counted="[6, 7, 8, 9]")
    result = bill_load(short, expand_tariff(short, grid), load, prior_peaks_kw=prior)
    assert result.months[0].demand_flat == pytest.approx(500.0)  # July is 7 months back


def test_urdb_v7_ratchet_percentage_by_month(tmp_path):
    tariff = load_tariff(FIXTURES / "prairie_lgs_hours_use.json")  # 80%, 11 months
    grid = day_grid(date(2018, 3, 5), tz="America/Phoenix")
    prior = {"2017-07": 3000.0, "2018-02": 1000.0}
    result = bill_load(
        tariff, expand_tariff(tariff, grid), np.full(24, 500.0), prior_peaks_kw=prior
    )
    assert result.months[0].demand_flat == pytest.approx(0.8 * 3000.0 * 9.60)


def write_prices(tmp_path: Path, first: datetime, prices: list[float]) -> Path:
    rows = ["timestamp,price"]
    for hour, price in enumerate(prices):
        rows.append(f"{(first + timedelta(hours=hour)).isoformat()},{price}")
    return write(tmp_path, "\n".join(rows) + "\n", "prices.csv")


@pytest.mark.parametrize(("mode", "adder"), [("replace", 0.0), ("add", 0.10)])
def test_real_time_prices(tmp_path, mode, adder):
    first = datetime(2025, 6, 2, tzinfo=ZoneInfo("America/New_York"))
    prices = [0.02 + 0.01 * h for h in range(24)]
    write_prices(tmp_path, first, prices)
    tariff = one_period(tmp_path, extra=f"real_time_prices: {{file: prices.csv, mode: {mode}}}\n")
    result = bill(tariff, day_grid(date(2025, 6, 2), step=15), np.full(96, 4.0))
    # 4 kW for a quarter hour = 1 kWh; each hour's price holds for its four quarters.
    assert result.months[0].energy == pytest.approx(4 * sum(prices) + 96 * adder)


def test_real_time_prices_must_cover_the_horizon(tmp_path):
    first = datetime(2025, 6, 2, tzinfo=ZoneInfo("America/New_York"))
    write_prices(tmp_path, first, [0.05] * 12)
    tariff = one_period(tmp_path, extra="real_time_prices: {file: prices.csv}\n")
    with pytest.raises(TariffError, match="do not cover"):
        expand_tariff(tariff, day_grid(date(2025, 6, 2)))
