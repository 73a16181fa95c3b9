"""Bill a load profile (average kW per step) against an expanded tariff.

Energy: tier limits count the billing month's whole consumption (all periods together), and
each period pays for its proportional share of every tier at its own tier prices: a period with
share s of the month's kWh pays s x tiered(month kWh, that period's tiers). When every period
has the same limits this is the usual "first N kWh a month at ..., by time of use"; it is also
how NREL's SAM bills tiered TOU rates. Tier limits are per billing month: a "kWh daily" limit
counts once per local day covered, "kWh/kW" is multiplied by the month's billing demand (peak
over the demand window, raised to the ratchet and already-billed floors), and a horizon that
covers part of a month gets that share of a monthly kWh limit. Each step's energy cost is its
kWh times the average tiered price of its month and period, plus the month's fuel adjustment
(and the real-time price, if it adds).

Demand: each DemandCharge measures the maximum over its steps of the demand-window block
averages (blocks aligned to the local clock). The billed demand is the larger of that peak and
the charge's floor (ratchet/lookback from earlier peaks, and the peak already billed this month
before the horizon). Policy "full" bills the whole charge; "incremental" bills only the cost of
raising the billed demand above the floor: tiered(max(peak, floor)) - tiered(floor).

Minimum charge: if energy + demand + fixed of a month is below its (prorated) $/day and $/month
minimum, the difference is added as `minimum_adjustment`; a $/year minimum (prorated by the
share of the year covered) is compared with the year's bills and any shortfall is added to the
year's last billed month. Policy "incremental" applies no minimum (a day's plan does not settle
the month).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.expand import DemandCharge, TariffSeries, ratchet_floor
from heatcraft.tariffs.model import Tariff

Policy = Literal["incremental", "full"]


@dataclass(frozen=True)
class Peak:
    kind: str  # "flat" | "tou"
    period: int | None
    period_name: str
    kw: float  # measured peak in the horizon (window average)
    at: str | None  # ISO start of the step/window that set it (None when no steps)
    floor_kw: float  # ratchet/lookback and already-billed floor
    billed_kw: float  # max(kw, floor_kw)
    charge: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MonthBill:
    month: str
    energy: float
    demand_flat: float
    demand_tou: float
    fixed: float
    minimum_adjustment: float
    total: float
    energy_kwh: float = 0.0
    peaks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        money = ("energy", "demand_flat", "demand_tou", "fixed", "minimum_adjustment", "total")
        out: dict[str, Any] = {"month": self.month}
        out.update({key: round(getattr(self, key), 2) for key in money})
        out["energy_kwh"] = round(self.energy_kwh, 3)
        out["peaks"] = self.peaks
        return out


@dataclass
class Bill:
    currency: str
    months: list[MonthBill]
    total: float
    step_energy_cost: np.ndarray  # currency per step (energy incl. fuel adjustment)
    step_energy_period: np.ndarray
    step_demand_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))  # charge on its peak
    policy: Policy = "full"
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "policy": self.policy,
            "months": [month.to_dict() for month in self.months],
            "total": round(self.total, 2),
            "warnings": list(self.warnings),
        }


def tiered_cost(amount: float, tiers: tuple[tuple[float | None, float], ...]) -> float:
    """Cost of `amount` through cumulative tiers ((upper limit or None, price), ...)."""
    cost = 0.0
    lower = 0.0
    for upper, price in tiers:
        top = amount if upper is None else min(amount, upper)
        if top > lower:
            cost += (top - lower) * price
        if upper is None or amount <= upper:
            break
        lower = upper
    else:
        # Past the last limited tier: the last tier's price continues (URDB convention).
        if tiers and amount > lower:
            cost += (amount - lower) * tiers[-1][1]
    return cost


def _measure(charge: DemandCharge, load_kw: np.ndarray, blocks: np.ndarray) -> tuple[float, int]:
    """(peak kW, first step index of the step/window that set it); (0, -1) for no steps."""
    steps = np.flatnonzero(charge.step_mask)
    if steps.size == 0:
        return 0.0, -1
    values = load_kw[steps]
    if charge.window_steps <= 1:
        best = int(np.argmax(values))
        return float(values[best]), int(steps[best])
    block_of = blocks[steps]
    first_block = int(block_of[0])
    relative = block_of - first_block
    sums = np.bincount(relative, weights=values)
    counts = np.bincount(relative)
    present = counts > 0
    averages = np.full(sums.shape, -np.inf)
    averages[present] = sums[present] / counts[present]
    best_block = int(np.argmax(averages))
    first_step = int(steps[np.searchsorted(relative, best_block)])
    return float(averages[best_block]), first_step


def _billed_floor(
    billed_peak_kw: float | dict[str, float], charge: DemandCharge, first: str
) -> float:
    if isinstance(billed_peak_kw, dict):
        for key in (charge.key, charge.month):
            if key in billed_peak_kw:
                return float(billed_peak_kw[key])
        return 0.0
    return float(billed_peak_kw) if charge.month == first else 0.0


def _energy_cost(
    tariff: Tariff, series: TariffSeries, kwh: np.ndarray, billing_kw: np.ndarray
) -> np.ndarray:
    """Currency per step for energy, with tiers per (month, period)."""
    if series.real_time_mode == "replace":
        return kwh * series.energy_price
    months = len(series.months)
    periods = len(tariff.energy_periods)
    group = series.month_index * periods + series.energy_period
    first_price = np.array([p.tiers[0].price for p in tariff.energy_periods])
    rate = np.tile(first_price, months)  # average tiered price per (month, period)
    if tariff.has_energy_tiers:
        month_kwh = np.bincount(series.month_index, weights=kwh, minlength=months)
        for index in range(months):
            total = month_kwh[index]
            if total <= 0:
                continue
            for number, period in enumerate(tariff.energy_periods):
                if len(period.tiers) == 1:
                    continue
                if period.unit == "kWh":
                    scale = series.month_share[index]
                elif period.unit == "kWh daily":
                    scale = series.days_covered[index]
                else:  # kWh/kW: limits are hours of use of the month's billing demand
                    scale = billing_kw[index]
                tiers = tuple(
                    (None if t.max_kwh is None else t.max_kwh * scale, t.price)
                    for t in period.tiers
                )
                # Tier limits count the month's whole consumption; each period pays for
                # its proportional share of every tier at its own tier prices.
                rate[index * periods + number] = tiered_cost(total, tiers) / total
    cost = kwh * (rate[group] + series.fuel_adjustment)
    if series.real_time_mode == "add" and series.real_time_price is not None:
        cost += kwh * series.real_time_price
    return cost


def bill_load(
    tariff: Tariff,
    series: TariffSeries,
    load_kw: np.ndarray,
    *,
    billed_peak_kw: float | dict[str, float] = 0.0,
    prior_peaks_kw: dict[str, float] | None = None,
    policy: Policy = "full",
) -> Bill:
    """Bill `load_kw` (average kW per step of `series.grid`).

    billed_peak_kw: demand already billed this month before the horizon, a floor. One number
    applies to every demand charge of the horizon's first month; a dict is keyed by month
    ("2025-07": all charges of that month) or by charge ("2025-07/flat", "2025-07/tou/2").
    prior_peaks_kw: "YYYY-MM" -> the month's measured peak kW, for ratchets and lookbacks;
    months billed in this horizon add their own peaks as the bill proceeds.
    """
    load = np.asarray(load_kw, dtype=np.float64)
    if load.shape != (series.grid.n_steps,):
        raise TariffError(
            f"load has shape {load.shape}, the horizon has {series.grid.n_steps} steps",
            field="load_kw",
        )
    if not np.all(np.isfinite(load)):
        raise TariffError("load contains NaN or infinite values", field="load_kw")
    if policy not in ("incremental", "full"):
        raise TariffError(f"policy must be 'incremental' or 'full', got {policy!r}", field="policy")
    kwh = load * series.step_hours
    first_month = series.months[0]
    blocks = series.demand_block
    month_masks = [series.month_index == index for index in range(len(series.months))]
    # The month's overall peak (over the demand window): kWh/kW tiers and later ratchets.
    month_peaks = np.array(
        [
            _measure(DemandCharge("flat", m, None, mask, (), series.window_steps), load, blocks)[0]
            for m, mask in zip(series.months, month_masks, strict=True)
        ]
    )
    # Ratchet floors in month order: each month's peak feeds the later months' floors.
    peaks_history = dict(prior_peaks_kw or {})
    ratchets: list[float] = []
    billing_kw: list[float] = []  # the month's billing demand: kWh/kW tiers count hours of it
    for index, month in enumerate(series.months):
        ratchets.append(ratchet_floor(tariff, month, peaks_history))
        whole_month = DemandCharge("flat", month, None, month_masks[index], (), 1)
        already = _billed_floor(billed_peak_kw, whole_month, first_month)
        peaks_history[month] = max(
            float(month_peaks[index]), already, peaks_history.get(month, 0.0)
        )
        billing_kw.append(max(peaks_history[month], ratchets[index]))
    step_energy = _energy_cost(tariff, series, kwh, np.array(billing_kw))
    step_demand = np.zeros_like(load)
    energy_by_month = np.bincount(
        series.month_index, weights=step_energy, minlength=len(series.months)
    )
    kwh_by_month = np.bincount(series.month_index, weights=kwh, minlength=len(series.months))
    charges_by_month: dict[str, list[DemandCharge]] = {}
    for charge in series.demand_charges:
        charges_by_month.setdefault(charge.month, []).append(charge)

    months: list[MonthBill] = []
    for index, month in enumerate(series.months):
        ratchet = ratchets[index]
        flat_cost = tou_cost = 0.0
        peaks: list[dict[str, Any]] = []
        for charge in charges_by_month.get(month, []):
            peak, at_step = _measure(charge, load, blocks)
            already = _billed_floor(billed_peak_kw, charge, first_month)
            floor = max(charge.floor_kw, already, ratchet if charge.kind == "flat" else 0.0)
            billed = max(peak, floor)
            cost = tiered_cost(billed, charge.tiers)
            if policy == "incremental":
                cost -= tiered_cost(floor, charge.tiers)
            if charge.kind == "flat":
                flat_cost += cost
            else:
                tou_cost += cost
            if at_step >= 0 and peak >= floor and cost != 0.0:
                window = slice(at_step, at_step + charge.window_steps)
                share = charge.step_mask[window]
                step_demand[window][share] += cost / max(int(share.sum()), 1)
            peaks.append(
                Peak(
                    kind=charge.kind,
                    period=charge.period,
                    period_name=charge.period_name,
                    kw=peak,
                    at=series.grid.moment(at_step).isoformat() if at_step >= 0 else None,
                    floor_kw=floor,
                    billed_kw=billed,
                    charge=cost,
                ).to_dict()
            )
        fixed = series.fixed_charge_by_month.get(month, 0.0)
        subtotal = float(energy_by_month[index]) + flat_cost + tou_cost + fixed
        minimum = series.minimum_charge_by_month.get(month, 0.0)
        adjustment = max(0.0, minimum - subtotal) if policy == "full" else 0.0
        months.append(
            MonthBill(
                month=month,
                energy=float(energy_by_month[index]),
                demand_flat=flat_cost,
                demand_tou=tou_cost,
                fixed=fixed,
                minimum_adjustment=adjustment,
                total=subtotal + adjustment,
                energy_kwh=float(kwh_by_month[index]),
                peaks=peaks,
            )
        )
    if policy == "full":
        _apply_annual_minimum(months, series.annual_minimum_by_year)
    warnings = [f"not billed (unsupported): {name}" for name in tariff.unsupported_fields]
    return Bill(
        currency=series.currency,
        months=months,
        total=float(sum(m.total for m in months)),
        step_energy_cost=step_energy,
        step_energy_period=series.energy_period,
        step_demand_cost=step_demand,
        policy=policy,
        warnings=warnings,
    )


def _apply_annual_minimum(months: list[MonthBill], minimum_by_year: dict[str, float]) -> None:
    """A $/year minimum is settled in the last billed month of each calendar year."""
    for year, minimum in minimum_by_year.items():
        in_year = [m for m in months if m.month.startswith(year)]
        shortfall = minimum - sum(m.total for m in in_year)
        if in_year and shortfall > 0:
            in_year[-1].minimum_adjustment += shortfall
            in_year[-1].total += shortfall
