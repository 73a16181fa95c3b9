"""Inventory policy: economic order quantity, safety stock at a cycle service level under
normally distributed daily demand, reorder point, days of supply and an order priority."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist


def economic_order_quantity(
    annual_demand: float, order_cost: float, holding_cost_per_unit_year: float
) -> float:
    """Harris/Wilson EOQ = sqrt(2 D S / H)."""
    if annual_demand < 0 or order_cost < 0:
        raise ValueError("annual_demand and order_cost must not be negative")
    if holding_cost_per_unit_year <= 0:
        raise ValueError("holding_cost_per_unit_year must be positive")
    return math.sqrt(2.0 * annual_demand * order_cost / holding_cost_per_unit_year)


def service_factor(service_level: float) -> float:
    """z such that P(demand over lead time <= mean + z sigma) = service_level."""
    if not 0.5 <= service_level < 1.0:
        raise ValueError("service_level must be in [0.5, 1)")
    return NormalDist().inv_cdf(service_level)


def safety_stock(daily_demand_std: float, lead_time_days: float, service_level: float) -> float:
    """z * sigma_daily * sqrt(L): independent daily demands over a fixed lead time."""
    if daily_demand_std < 0 or lead_time_days < 0:
        raise ValueError("daily_demand_std and lead_time_days must not be negative")
    return service_factor(service_level) * daily_demand_std * math.sqrt(lead_time_days)


def reorder_point(daily_demand_mean: float, lead_time_days: float, safety: float) -> float:
    return daily_demand_mean * lead_time_days + safety


def days_of_supply(on_hand: float, daily_demand_mean: float) -> float | None:
    """None when nothing is used (the stock never runs out)."""
    return None if daily_demand_mean <= 0 else on_hand / daily_demand_mean


@dataclass(frozen=True)
class InventoryPolicy:
    eoq: float
    service_level: float
    z: float
    safety_stock: float
    reorder_point: float
    days_of_supply: float | None
    inventory_position: float | None
    priority: int | None
    priority_reason: str | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def order_priority(
    position: float, safety: float, reorder: float, supply_days: float | None, lead_time: float
) -> tuple[int, str]:
    """1 most urgent. The inventory position (on hand + on order) is compared with the policy."""
    if position <= safety:
        return 1, "at or below safety stock: order now, consider expediting"
    if position <= reorder:
        return 2, "at or below reorder point: order now"
    if supply_days is not None and supply_days <= 2 * lead_time:
        return 3, "within two lead times of the reorder point: plan the next order"
    return 4, "stock sufficient"


def inventory_policy(
    annual_demand: float,
    order_cost: float,
    holding_cost_per_unit_year: float,
    daily_demand_mean: float,
    daily_demand_std: float,
    lead_time_days: float,
    service_level: float,
    on_hand: float | None = None,
    on_order: float = 0.0,
) -> InventoryPolicy:
    safety = safety_stock(daily_demand_std, lead_time_days, service_level)
    reorder = reorder_point(daily_demand_mean, lead_time_days, safety)
    supply = position = priority = reason = None
    if on_hand is not None:
        supply = days_of_supply(on_hand, daily_demand_mean)
        position = on_hand + on_order
        priority, reason = order_priority(position, safety, reorder, supply, lead_time_days)
    return InventoryPolicy(
        eoq=economic_order_quantity(annual_demand, order_cost, holding_cost_per_unit_year),
        service_level=service_level,
        z=service_factor(service_level),
        safety_stock=safety,
        reorder_point=reorder,
        days_of_supply=supply,
        inventory_position=position,
        priority=priority,
        priority_reason=reason,
    )
