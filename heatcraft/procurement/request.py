"""`heatcraft procure FILE` and the site-level procurement function."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from heatcraft.errors import InputError
from heatcraft.fuels.request_errors import RequestError, parse_request, request_error
from heatcraft.fuels.site_files import SiteFuels, load_site_fuels
from heatcraft.procurement.inventory_policy import InventoryPolicy, inventory_policy
from heatcraft.procurement.purchase_plan import PurchasePlan, PurchasePlanInput, plan_purchases


class ProcureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    annual_demand: float = Field(ge=0)
    order_cost: float = Field(ge=0)
    holding_cost_per_unit_year: float = Field(gt=0)
    daily_demand_mean: float = Field(ge=0)
    daily_demand_std: float = Field(ge=0)
    lead_time_days: float = Field(ge=0)
    service_level: float = Field(ge=0.5, lt=1.0)
    on_hand: float | None = Field(default=None, ge=0)
    on_order: float = Field(default=0.0, ge=0, description="already ordered, not yet received")
    # Multi-period plan (all of price_forecast and storage_capacity to get one).
    price_forecast: list[float] | None = Field(default=None, description="price per unit per day")
    demand_forecast: list[float] | None = Field(default=None, description="default: mean daily")
    storage_capacity: float | None = Field(default=None, ge=0)
    arrivals_on_order: dict[int, float] = Field(default_factory=dict, description="day -> qty")
    holding_cost_per_unit_day: float | None = Field(default=None, ge=0)
    max_order_quantity: float | None = Field(default=None, gt=0)
    time_limit_s: float = Field(default=30.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _forecasts_match(self) -> ProcureRequest:
        both = self.demand_forecast is not None and self.price_forecast is not None
        if both and len(self.demand_forecast) != len(self.price_forecast):
            raise ValueError("demand_forecast and price_forecast need the same length")
        return self


@dataclass
class ProcurementResult:
    policy: InventoryPolicy
    plan: PurchasePlan | None

    def to_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "status": self.plan.status if self.plan else "ok",
            "objective": self.plan.objective if self.plan else None,
        }
        result |= self.policy.to_dict()
        if self.plan is not None:
            result["plan"] = self.plan.to_dict()
        return result

    def rows(self) -> list[dict[str, object]]:
        return self.plan.rows() if self.plan else []

    def policy_row(self) -> dict[str, object]:
        return self.policy.to_dict()


def procure_request(request: dict) -> dict:
    """EOQ, safety stock, reorder point, days of supply (with on_hand) and, given a price forecast
    and storage capacity, a multi-period purchase plan. RequestError names a bad field."""
    parsed = parse_request(ProcureRequest, request)
    policy = inventory_policy(
        parsed.annual_demand,
        parsed.order_cost,
        parsed.holding_cost_per_unit_year,
        parsed.daily_demand_mean,
        parsed.daily_demand_std,
        parsed.lead_time_days,
        parsed.service_level,
        parsed.on_hand,
        parsed.on_order,
    )
    plan = None
    if parsed.price_forecast is not None:
        if parsed.storage_capacity is None:
            raise request_error("storage_capacity", "needed with price_forecast")
        if parsed.on_hand is None:
            raise request_error("on_hand", "needed with price_forecast")
        days = len(parsed.price_forecast)
        demand = parsed.demand_forecast or [parsed.daily_demand_mean] * days
        try:
            plan_input = PurchasePlanInput(
                demand=demand,
                price=parsed.price_forecast,
                initial_inventory=parsed.on_hand,
                storage_capacity=parsed.storage_capacity,
                safety_stock=policy.safety_stock,
                lead_time_days=_whole_days(parsed.lead_time_days),
                order_cost=parsed.order_cost,
                holding_cost_per_unit_day=(
                    parsed.holding_cost_per_unit_day
                    if parsed.holding_cost_per_unit_day is not None
                    else parsed.holding_cost_per_unit_year / 365.0
                ),
                on_order=parsed.arrivals_on_order,
                max_order_quantity=parsed.max_order_quantity,
                time_limit_s=parsed.time_limit_s,
            )
        except ValueError as exc:
            raise request_error("price_forecast", str(exc)) from None
        plan = plan_purchases(plan_input)
    return ProcurementResult(policy, plan).to_dict()


def _whole_days(lead_time_days: float) -> int:
    """The plan runs in whole days: a delivery is usable from the day it has fully arrived."""
    return int(-(-lead_time_days // 1))


def site_procurement_plan(
    site: SiteFuels | str | Path,
    fuel_id: str,
    daily_demand_kg: Sequence[float],
    price_forecast_per_kg: Sequence[float] | None = None,
    daily_demand_std_kg: float | None = None,
    service_level: float = 0.95,
    days_per_year: float = 365.0,
) -> ProcurementResult:
    """Policy and purchase plan for one stored fuel from inventory.csv and fuel_prices.csv.

    Holding cost per kg and year = holding_cost_pct x today's price per kg. Without a price
    forecast, today's price is used for every day. Demand std defaults to the sample std of
    `daily_demand_kg`."""
    loaded = site if isinstance(site, SiteFuels) else _load(site)
    if fuel_id not in loaded.inventory:
        raise KeyError(f"fuel {fuel_id!r} has no row in inventory.csv")
    stock = loaded.inventory[fuel_id]
    fuel = loaded.fuels[fuel_id]
    price_per_kg = loaded.price_per_gj_net(fuel_id) * fuel.lhv_mj_kg / 1000.0
    demand = [float(value) for value in daily_demand_kg]
    if not demand:
        raise ValueError("daily_demand_kg needs at least one day")
    mean = sum(demand) / len(demand)
    if daily_demand_std_kg is None:
        spread = sum((value - mean) ** 2 for value in demand) / max(1, len(demand) - 1)
        daily_demand_std_kg = spread**0.5
    holding_year = stock.holding_cost_pct / 100.0 * price_per_kg
    policy = inventory_policy(
        annual_demand=mean * days_per_year,
        order_cost=stock.order_cost,
        holding_cost_per_unit_year=max(holding_year, 1e-12),
        daily_demand_mean=mean,
        daily_demand_std=daily_demand_std_kg,
        lead_time_days=stock.lead_time_days,
        service_level=service_level,
        on_hand=stock.quantity_kg,
    )
    prices = list(price_forecast_per_kg) if price_forecast_per_kg else [price_per_kg] * len(demand)
    plan = plan_purchases(
        PurchasePlanInput(
            demand=demand,
            price=prices,
            initial_inventory=stock.quantity_kg,
            storage_capacity=stock.storage_capacity_kg,
            safety_stock=policy.safety_stock,
            lead_time_days=_whole_days(stock.lead_time_days),
            order_cost=stock.order_cost,
            holding_cost_per_unit_day=holding_year / days_per_year,
        )
    )
    return ProcurementResult(policy, plan)


def _load(site_dir: str | Path) -> SiteFuels:
    try:
        return load_site_fuels(site_dir)
    except InputError as exc:
        raise RequestError(exc.issues) from None
