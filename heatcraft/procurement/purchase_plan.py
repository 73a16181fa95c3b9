"""Multi-period purchase plan (MILP; an LP when orders have no fixed cost).

Day t: inventory[t] = inventory[t-1] + arrivals[t] - demand[t], where an order placed on day t
arrives on day t + lead_time and is paid at day t's forecast price. Inventory must stay at or
above the safety stock at every day's end, and a delivery must fit in storage before that day's
use. When no plan can do that, the plan says so and returns the plan with the least shortfall
(elastic model) with the days and amounts below safety stock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from heatcraft.fuels.linear_model import INF, LinearModel, Row, Variable, solve

# Shortfall below safety stock costs this much more than any purchase in the elastic model, so
# the fallback plan first minimises shortfall, then cost.
_SHORTFALL_WEIGHT = 1e6


@dataclass(frozen=True)
class PurchasePlanInput:
    demand: Sequence[float]
    price: Sequence[float]
    initial_inventory: float
    storage_capacity: float
    safety_stock: float
    lead_time_days: int
    order_cost: float = 0.0
    holding_cost_per_unit_day: float = 0.0
    on_order: Mapping[int, float] = field(default_factory=dict)
    """arrivals already ordered: day index -> quantity"""
    max_order_quantity: float | None = None
    time_limit_s: float = 30.0

    def __post_init__(self) -> None:
        if len(self.demand) != len(self.price) or not self.demand:
            raise ValueError("demand and price need one value per day (at least one day)")
        if min(self.demand) < 0 or min(self.price) < 0:
            raise ValueError("demand and price must not be negative")
        if self.lead_time_days < 0:
            raise ValueError("lead_time_days must not be negative")
        if self.initial_inventory < 0 or self.storage_capacity < 0 or self.safety_stock < 0:
            raise ValueError("inventory, capacity and safety stock must not be negative")


@dataclass
class PurchasePlan:
    feasible: bool
    status: str
    solver: str
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    orders: list[float] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    inventory: list[float] = field(default_factory=list)
    shortfall: list[float] = field(default_factory=list)
    purchase_cost: float = 0.0
    order_cost: float = 0.0
    holding_cost: float = 0.0
    message: str = ""

    def rows(self) -> list[dict[str, object]]:
        """purchase_plan table: one row per day."""
        return [
            {
                "day": day,
                "order_quantity": self.orders[day],
                "arrival_quantity": self.arrivals[day],
                "inventory_end": self.inventory[day],
                "shortfall_below_safety_stock": self.shortfall[day],
            }
            for day in range(len(self.orders))
        ]

    def to_dict(self) -> dict[str, object]:
        return {
            "feasible": self.feasible,
            "status": self.status,
            "solver": self.solver,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "relative_gap": self.relative_gap,
            "message": self.message,
            "purchase_cost": self.purchase_cost,
            "order_cost": self.order_cost,
            "holding_cost": self.holding_cost,
            "days": self.rows(),
        }


def plan_purchases(plan: PurchasePlanInput) -> PurchasePlan:
    model, cost = _model(plan, elastic=False)
    solution = solve(model, cost, time_limit_s=plan.time_limit_s)
    if solution.ok:
        return _result(plan, solution, True, "")
    if solution.status != "infeasible":
        return PurchasePlan(
            False,
            solution.status,
            solution.solver,
            None,
            None,
            None,
            message=f"solver ended with status {solution.status}",
        )
    elastic, elastic_cost = _model(plan, elastic=True)
    fallback = solve(elastic, elastic_cost, time_limit_s=plan.time_limit_s)
    if not fallback.ok:  # pragma: no cover - the elastic model is always feasible
        return PurchasePlan(
            False, fallback.status, fallback.solver, None, None, None, message="no plan found"
        )
    return _result(plan, fallback, False, _explain(plan, fallback))


def _model(plan: PurchasePlanInput, elastic: bool) -> tuple[LinearModel, dict[str, float]]:
    model = LinearModel()
    days = len(plan.demand)
    lead = plan.lead_time_days
    cost: dict[str, float] = {}
    most = plan.max_order_quantity if plan.max_order_quantity is not None else plan.storage_capacity
    for day in range(days):
        arrives_in_horizon = day + lead < days
        order = model.add_variable(
            Variable(f"order[{day}]", 0.0, most if arrives_in_horizon else 0.0)
        )
        cost[order] = plan.price[day]
        if plan.order_cost > 0 and arrives_in_horizon:
            placed = model.add_variable(Variable(f"placed[{day}]", 0.0, 1.0, binary=True))
            cost[placed] = plan.order_cost
            model.add_row(Row(f"order_link[{day}]", {order: 1.0, placed: -most}, -INF, 0.0))
        stock = model.add_variable(Variable(f"inventory[{day}]", 0.0, plan.storage_capacity))
        cost[stock] = plan.holding_cost_per_unit_day
    for day in range(days):
        incoming = plan.on_order.get(day, 0.0)
        arrival = {f"order[{day - lead}]": 1.0} if day - lead >= 0 else {}
        previous = {f"inventory[{day - 1}]": 1.0} if day > 0 else {}
        opening = plan.initial_inventory if day == 0 else 0.0
        # inventory[t] - inventory[t-1] - arrivals[t] = opening + on_order[t] - demand[t]
        balance = {f"inventory[{day}]": 1.0} | {n: -c for n, c in (previous | arrival).items()}
        rhs = opening + incoming - plan.demand[day]
        model.add_row(Row(f"balance[{day}]", balance, rhs, rhs))
        # A delivery must fit in storage before the day's use.
        fits = {n: c for n, c in (previous | arrival).items()}
        model.add_row(
            Row(f"storage[{day}]", fits, -INF, plan.storage_capacity - opening - incoming)
        )
        floor = {f"inventory[{day}]": 1.0}
        if elastic:
            short = model.add_variable(Variable(f"short[{day}]"))
            floor[short] = 1.0
            cost[short] = _SHORTFALL_WEIGHT
        model.add_row(Row(f"safety[{day}]", floor, plan.safety_stock, INF, True, "safety", "unit"))
    if elastic:
        # Inventory may not go negative in reality, but the fallback must always exist: let
        # inventory fall to -infinity only through the shortfall variables.
        for day in range(days):
            name = f"inventory[{day}]"
            model.variables[name] = Variable(name, -INF, plan.storage_capacity)
    return model, cost


def _result(plan: PurchasePlanInput, solution, feasible: bool, message: str) -> PurchasePlan:
    days = len(plan.demand)
    lead = plan.lead_time_days
    values = solution.values
    orders = [max(0.0, values[f"order[{d}]"]) for d in range(days)]
    arrivals = [
        (orders[d - lead] if d - lead >= 0 else 0.0) + plan.on_order.get(d, 0.0)
        for d in range(days)
    ]
    inventory = [values[f"inventory[{d}]"] for d in range(days)]
    shortfall = [max(0.0, plan.safety_stock - level) for level in inventory]
    shortfall = [0.0 if s < 1e-6 else s for s in shortfall]
    placed = sum(1 for quantity in orders if quantity > 1e-9)
    purchase = sum(q * p for q, p in zip(orders, plan.price, strict=True))
    holding = sum(max(0.0, level) for level in inventory) * plan.holding_cost_per_unit_day
    return PurchasePlan(
        feasible=feasible,
        status=solution.status if feasible else "infeasible",
        solver=solution.solver,
        objective=solution.objective if feasible else None,
        best_bound=solution.best_bound if feasible else None,
        relative_gap=solution.relative_gap if feasible else None,
        orders=orders,
        arrivals=arrivals,
        inventory=inventory,
        shortfall=shortfall,
        purchase_cost=purchase,
        order_cost=placed * plan.order_cost,
        holding_cost=holding,
        message=message,
    )


def _explain(plan: PurchasePlanInput, solution) -> str:
    days = len(plan.demand)
    short_days = [d for d in range(days) if solution.values[f"short[{d}]"] > 1e-6]
    reasons = []
    if plan.storage_capacity < plan.safety_stock:
        reasons.append("storage capacity is below the safety stock")
    first_delivery = plan.lead_time_days
    early = [d for d in short_days if d < first_delivery]
    if early:
        reasons.append(
            f"stock on hand and on order runs below safety stock on day {early[0]}, before the "
            f"first possible delivery (day {first_delivery}, lead time {plan.lead_time_days} d)"
        )
    late = [d for d in short_days if d >= first_delivery]
    if late and not early:
        reasons.append(
            f"storage capacity {plan.storage_capacity:g} cannot hold enough to cover demand plus "
            f"safety stock (first short day {late[0]})"
        )
    listed = ", ".join(str(d) for d in short_days)
    return (
        "no plan keeps inventory at or above safety stock; "
        + "; ".join(reasons or ["limits conflict"])
        + f". Returned the plan with the least shortfall (short on days {listed})."
    )
