"""Fuel demand per carrier and day from a heat plan's per-step fuel input power.

Takes plain numbers (kW per step, hours per step, the day of each step) rather than plan objects,
so any plan representation can feed it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

GJ_PER_KWH = 0.0036
ELECTRICITY = "electricity"


@dataclass(frozen=True)
class FuelDemand:
    """GJ of fuel input (net) per carrier and day; days keep their first-seen order."""

    days: list[str]
    gj: dict[str, list[float]] = field(default_factory=dict)

    def for_carrier(self, carrier: str) -> list[float]:
        return list(self.gj.get(carrier, [0.0] * len(self.days)))

    def total_gj(self, carrier: str) -> float:
        return sum(self.gj.get(carrier, []))

    def rows(self) -> list[dict[str, object]]:
        """fuel_demand table: day, carrier, energy_gj, energy_mwh."""
        return [
            {"day": day, "carrier": carrier, "energy_gj": gj, "energy_mwh": gj / 3.6}
            for carrier, values in self.gj.items()
            for day, gj in zip(self.days, values, strict=True)
        ]

    def to_dict(self) -> dict[str, object]:
        return {"days": self.days, "energy_gj": self.gj, "basis": "fuel input, GJ"}


def fuel_demand_by_day(
    fuel_input_kw: Mapping[str, Sequence[float]],
    step_hours: float | Sequence[float],
    step_days: Sequence[str] | None = None,
    steps_per_day: int | None = None,
) -> FuelDemand:
    """Sum per-step fuel input (kW) of each fuel-fired carrier into GJ per day.

    Give the day of every step (`step_days`, e.g. local ISO dates, which handles 92- and 100-step
    DST days) or a fixed `steps_per_day`. Electricity is skipped: it is not a fuel.
    """
    carriers = {c: list(v) for c, v in fuel_input_kw.items() if c != ELECTRICITY}
    lengths = {len(values) for values in carriers.values()}
    if len(lengths) > 1:
        raise ValueError(f"carriers have different step counts: {sorted(lengths)}")
    steps = lengths.pop() if lengths else 0
    hours = (
        [float(step_hours)] * steps
        if isinstance(step_hours, int | float)
        else [float(h) for h in step_hours]
    )
    if len(hours) != steps:
        raise ValueError(f"step_hours has {len(hours)} values for {steps} steps")
    labels = _day_labels(steps, step_days, steps_per_day)
    days = list(dict.fromkeys(labels))
    index = {day: position for position, day in enumerate(days)}
    gj: dict[str, list[float]] = {}
    for carrier, values in carriers.items():
        if any(value < 0 for value in values):
            raise ValueError(f"negative fuel input for carrier {carrier!r}")
        per_day = [0.0] * len(days)
        for value, hour, day in zip(values, hours, labels, strict=True):
            per_day[index[day]] += value * hour * GJ_PER_KWH
        gj[carrier] = per_day
    return FuelDemand(days=days, gj=gj)


def _day_labels(
    steps: int, step_days: Sequence[str] | None, steps_per_day: int | None
) -> list[str]:
    if step_days is not None:
        if len(step_days) != steps:
            raise ValueError(f"step_days has {len(step_days)} labels for {steps} steps")
        return [str(day) for day in step_days]
    if not steps_per_day or steps_per_day <= 0:
        raise ValueError("give step_days or a positive steps_per_day")
    return [str(step // steps_per_day) for step in range(steps)]
