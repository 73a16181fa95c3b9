"""NREL's independent bill calculator (PySAM Utilityrate5) fed with one of our tariffs.

PySAM has a year of 8760 hours starting on a Monday, no DST, no holidays, no demand window, no
fuel adjustment and only $/month fixed charges. This module translates what PySAM can say:
  * monthly fuel adjustments: one PySAM energy period per (period, distinct adjustment), with
    the adjustment added to every tier price;
  * differing tier counts: periods without tiers get the common tier limits at one price;
  * demand window: PySAM measures per step, so it is given the load averaged over each
    demand-window block (the same energy in every block, which lies inside one hour);
  * ratchets: PySAM's billing demand with the month's own peak considered.
Fixed charges other than $/month and minimum charges other than $/month or $/year are left to
the caller to compare separately.
"""

from __future__ import annotations

import numpy as np
import PySAM.Utilityrate5 as Utilityrate5

from heatcraft.tariffs.model import Tariff

UNIT_CODE = {"kWh": 0, "kWh/kW": 1, "kWh daily": 2}
NO_LIMIT = 1e38


def block_average(load_kw: np.ndarray, window_steps: int) -> np.ndarray:
    if window_steps <= 1:
        return load_kw
    blocks = load_kw.reshape(-1, window_steps).mean(axis=1)
    return np.repeat(blocks, window_steps)


def _energy_inputs(tariff: Tariff) -> tuple[list[list[float]], list[list[int]], list[list[int]]]:
    periods = tariff.energy_periods
    tiered = [p for p in periods if len(p.tiers) > 1]
    limits: list[float | None] = [None]
    unit = "kWh"
    if tiered:
        limits = [t.max_kwh for t in tiered[0].tiers]
        unit = tiered[0].unit
        for period in tiered:
            assert [t.max_kwh for t in period.tiers] == limits and period.unit == unit
    fuel_values = sorted(set(tariff.fuel_adjustments_monthly))
    rows: list[list[float]] = []
    for group, fuel in enumerate(fuel_values):
        for number, period in enumerate(periods):
            for tier_number, limit in enumerate(limits):
                tier = period.tiers[min(tier_number, len(period.tiers) - 1)]
                rows.append(
                    [
                        group * len(periods) + number + 1,
                        tier_number + 1,
                        NO_LIMIT if limit is None else limit,
                        UNIT_CODE[unit],
                        tier.price + fuel,
                        0.0,
                    ]
                )

    def schedule(table) -> list[list[int]]:
        return [
            [
                fuel_values.index(tariff.fuel_adjustments_monthly[m]) * len(periods) + p + 1
                for p in row
            ]
            for m, row in enumerate(table)
        ]

    schedules = tariff.energy_schedule
    assert schedules.saturday == schedules.sunday, "PySAM has one weekend schedule"
    return rows, schedule(schedules.weekday), schedule(schedules.saturday)


def pysam_monthly(
    tariff: Tariff,
    load_kw: np.ndarray,
    *,
    window_steps: int = 1,
    year_zero_peak_kw: float = 0.0,
) -> dict[str, np.ndarray]:
    """PySAM's monthly energy, flat demand, TOU demand, fixed, minimum and total.

    PySAM applies its billing demand (ratchet) to the TOU periods it flags and needs at least
    one flagged; our ratchets floor flat demand only (the billing demand of URDB's
    demandratchetpercentage and lookback). With both a ratchet and TOU demand, the TOU demand
    charges come from a second PySAM run without the ratchet.
    """
    result = _run(tariff, load_kw, window_steps, year_zero_peak_kw, ratchet=True)
    if tariff.ratchet is not None and tariff.ratchet.is_active and tariff.demand_periods:
        plain = _run(tariff, load_kw, window_steps, year_zero_peak_kw, ratchet=False)
        result["total"] = result["total"] - result["demand_tou"] + plain["demand_tou"]
        result["demand_tou"] = plain["demand_tou"]
    return result


def _run(
    tariff: Tariff,
    load_kw: np.ndarray,
    window_steps: int,
    year_zero_peak_kw: float,
    *,
    ratchet: bool,
) -> dict[str, np.ndarray]:
    model = Utilityrate5.new()
    model.Lifetime.analysis_period = 1
    model.Lifetime.system_use_lifetime_output = 0
    model.Lifetime.inflation_rate = 0.0
    load = block_average(np.asarray(load_kw, dtype=float), window_steps)
    model.Load.load = load.tolist()
    model.SystemOutput.gen = [0.0] * load.size
    model.SystemOutput.degradation = [0.0]
    rates = model.ElectricityRates
    rates.en_electricity_rates = 1
    rates.ur_metering_option = 0
    rates.rate_escalation = [0.0]
    rates.ur_sell_eq_buy = 0
    rates.ur_nm_yearend_sell_rate = 0.0
    rates.ur_ec_tou_mat, rates.ur_ec_sched_weekday, rates.ur_ec_sched_weekend = _energy_inputs(
        tariff
    )

    tou_rows = [[1, 1, NO_LIMIT, 0.0]]
    weekday = weekend = [[1] * 24 for _ in range(12)]
    if tariff.demand_periods and tariff.demand_schedule is not None:
        tou_rows = []
        # PySAM wants the same tier limits in every period: pad untiered periods.
        tiered = [p.tiers for p in tariff.demand_periods if len(p.tiers) > 1]
        limits = [t.max_kw for t in tiered[0]] if tiered else [None]
        for number, period in enumerate(tariff.demand_periods):
            for tier_number, limit in enumerate(limits):
                price = 0.0
                if period.tiers:
                    price = period.tiers[min(tier_number, len(period.tiers) - 1)].price
                    if len(period.tiers) > 1:
                        assert period.tiers[tier_number].max_kw == limit
                top = NO_LIMIT if limit is None else limit
                tou_rows.append([number + 1, tier_number + 1, top, price])
        weekday = [[p + 1 for p in row] for row in tariff.demand_schedule.weekday]
        weekend = [[p + 1 for p in row] for row in tariff.demand_schedule.saturday]
    flat_rows = []
    for month in range(12):
        tiers = ()
        if tariff.flat_demand_periods and tariff.flat_demand_months is not None:
            tiers = tariff.flat_demand_periods[tariff.flat_demand_months[month]].tiers
        if not tiers:
            flat_rows.append([month, 1, NO_LIMIT, 0.0])
        for tier_number, tier in enumerate(tiers):
            limit = NO_LIMIT if tier.max_kw is None else tier.max_kw
            flat_rows.append([month, tier_number + 1, limit, tier.price])
    rates.ur_dc_enable = 1
    rates.ur_dc_tou_mat = tou_rows
    rates.ur_dc_sched_weekday = weekday
    rates.ur_dc_sched_weekend = weekend
    rates.ur_dc_flat_mat = flat_rows

    rule = tariff.ratchet
    if ratchet and rule is not None and rule.is_active:
        assert all(rule.lookback_months), "PySAM counts every month in the lookback"
        if rule.lookback_percent > 0:
            percents = [rule.lookback_percent] * 12
            lookback = rule.lookback_range
        else:
            percents, lookback = list(rule.percent_by_month), 11
        rates.ur_enable_billing_demand = 1
        rates.ur_billing_demand_lookback_percentages = [[100.0 * p, 1] for p in percents]
        rates.ur_billing_demand_lookback_period = lookback
        rates.ur_billing_demand_minimum = 0.0
        periods = max(1, len(tariff.demand_periods))
        rates.ur_dc_billing_demand_periods = [[p + 1, 1] for p in range(periods)]
        rates.ur_yearzero_usage_peaks = [year_zero_peak_kw] * 12
    else:
        rates.ur_enable_billing_demand = 0

    rates.ur_monthly_fixed_charge = sum(
        c.amount for c in tariff.fixed_charges if c.unit == "$/month"
    )
    rates.ur_monthly_min_charge = sum(
        c.amount for c in tariff.minimum_charges if c.unit == "$/month"
    )
    rates.ur_annual_min_charge = sum(c.amount for c in tariff.minimum_charges if c.unit == "$/year")
    model.execute(0)
    out = model.Outputs
    return {
        "energy": np.array(out.year1_monthly_ec_charge_without_system),
        "demand_flat": np.array(out.year1_monthly_dc_fixed_without_system),
        "demand_tou": np.array(out.year1_monthly_dc_tou_without_system),
        "fixed": np.array(out.year1_monthly_fixed_without_system),
        "minimum_adjustment": np.array(out.year1_monthly_minimum_without_system),
        "total": np.array(out.year1_monthly_utility_bill_wo_sys),
    }
