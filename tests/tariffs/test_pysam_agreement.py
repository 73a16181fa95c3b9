"""Monthly bills agree with NREL's PySAM Utilityrate5 within $0.01 for five URDB records.

A year of 15-minute load in a zone without DST (PySAM has none), 2018 (PySAM's year starts
on a Monday). Fixed charges PySAM cannot express ($/day, $/year) are checked against hand
arithmetic instead, and left out of the PySAM comparison.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySAM.Utilityrate5")

from heatcraft.tariffs import bill_load, expand_tariff, load_tariff  # noqa: E402
from heatcraft.timegrid import TimeGrid  # noqa: E402
from tests.tariffs.loads import industrial_year  # noqa: E402
from tests.tariffs.pysam_reference import pysam_monthly  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
RECORDS = sorted(p.name for p in FIXTURES.glob("*.json"))
PRIOR_PEAK_KW = 3300.0  # every month of 2017: makes the ratchets bind in some months
KEYS = ("energy", "demand_flat", "demand_tou", "minimum_adjustment")


@cache
def year_grid() -> TimeGrid:
    return TimeGrid.for_days(date(2018, 1, 1), 365, "America/Phoenix", 15)


@cache
def year_load() -> np.ndarray:
    return industrial_year(2018, 15)


def ours_and_pysam(name: str, load: np.ndarray, prior_peak_kw: float = PRIOR_PEAK_KW):
    tariff = load_tariff(FIXTURES / name)
    prior = {f"2017-{m:02d}": prior_peak_kw for m in range(1, 13)}
    series = expand_tariff(tariff, year_grid(), prior_peaks_kw=prior)
    bill = bill_load(tariff, series, load, prior_peaks_kw=prior)
    reference = pysam_monthly(
        tariff, load, window_steps=series.window_steps, year_zero_peak_kw=prior_peak_kw
    )
    return tariff, bill, reference


def expected_fixed(tariff, month: int) -> float:
    days = calendar.monthrange(2018, month)[1]
    rates = {"$/day": days, "$/month": 1.0, "$/year": 1 / 12}
    return sum(c.amount * rates[c.unit] for c in tariff.fixed_charges)


def test_there_are_five_records_with_the_required_features():
    tariffs = [load_tariff(FIXTURES / name) for name in RECORDS]
    assert len(tariffs) >= 5
    assert any(t.has_energy_tiers for t in tariffs)
    assert any(t.demand_periods for t in tariffs)
    assert any(len({*t.flat_demand_months}) > 1 for t in tariffs if t.flat_demand_months)
    assert {30, 60} & {t.demand_window_minutes for t in tariffs}
    assert {c.unit for t in tariffs for c in t.fixed_charges} == {"$/day", "$/month", "$/year"}


@pytest.mark.parametrize("name", RECORDS)
def test_monthly_bills_match_pysam_within_a_cent(name):
    tariff, bill, reference = ours_and_pysam(name, year_load())
    assert [m.month for m in bill.months] == [f"2018-{m:02d}" for m in range(1, 13)]
    for key in KEYS:
        ours = np.array([getattr(m, key) for m in bill.months])
        np.testing.assert_allclose(ours, reference[key], rtol=0, atol=0.01, err_msg=key)
    fixed = np.array([m.fixed for m in bill.months])
    np.testing.assert_allclose(fixed, [expected_fixed(tariff, m) for m in range(1, 13)], atol=1e-9)
    # PySAM's fixed charge is $/month only: compare totals with its own fixed charge in place.
    totals = np.array([m.total for m in bill.months]) - fixed + reference["fixed"]
    np.testing.assert_allclose(totals, reference["total"], rtol=0, atol=0.01)
    assert bill.total > 1e6  # an industrial year: the comparison is not of small numbers


def test_monthly_minimum_binds_like_pysam():
    load = np.full(35040, 0.5)  # a site that is nearly idle
    _, bill, reference = ours_and_pysam("prairie_lgs_hours_use.json", load, prior_peak_kw=0.0)
    ours = np.array([m.minimum_adjustment for m in bill.months])
    assert (ours > 0).all()
    np.testing.assert_allclose(ours, reference["minimum_adjustment"], atol=0.01)
    np.testing.assert_allclose([m.total for m in bill.months], reference["total"], atol=0.01)


def test_annual_minimum_settles_in_december_like_pysam():
    load = np.full(35040, 20.0)
    _, bill, reference = ours_and_pysam(
        "bluegrass_lgs_declining_block.json", load, prior_peak_kw=0.0
    )
    adjustments = [m.minimum_adjustment for m in bill.months]
    assert adjustments[:11] == [0.0] * 11 and adjustments[11] > 0
    np.testing.assert_allclose(adjustments, reference["minimum_adjustment"], atol=0.01)
    assert bill.total == pytest.approx(36000.0)
