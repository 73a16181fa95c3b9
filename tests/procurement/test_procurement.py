import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatcraft.fuels import RequestError
from heatcraft.procurement import (
    PurchasePlanInput,
    economic_order_quantity,
    plan_purchases,
    procure_request,
    site_procurement_plan,
)

ROOT = Path(__file__).resolve().parents[2]


def test_textbook_eoq_safety_stock_and_reorder_point():
    # Hand calculation: D = 1000 units/yr, S = 10 per order, H = 0.50 per unit-year:
    # EOQ = sqrt(2 * 1000 * 10 / 0.5) = sqrt(40 000) = 200.
    # Daily demand 20 +- 5, lead time 4 d, 95 % cycle service level (z = 1.645):
    # SS = 1.645 * 5 * sqrt(4) = 16.45; ROP = 20 * 4 + 16.45 = 96.45.
    result = procure_request(
        {
            "annual_demand": 1000,
            "order_cost": 10,
            "holding_cost_per_unit_year": 0.5,
            "daily_demand_mean": 20,
            "daily_demand_std": 5,
            "lead_time_days": 4,
            "service_level": 0.95,
            "on_hand": 90,
        }
    )
    assert result["eoq"] == pytest.approx(200.0)
    assert result["safety_stock"] == pytest.approx(16.45, abs=0.01)
    assert result["reorder_point"] == pytest.approx(96.45, abs=0.01)
    assert result["days_of_supply"] == pytest.approx(4.5)
    assert result["priority"] == 2  # 90 is below the reorder point


def test_eoq_rejects_zero_holding_cost():
    with pytest.raises(ValueError):
        economic_order_quantity(100, 10, 0)


def verify_plan(case: PurchasePlanInput, plan) -> None:
    level = case.initial_inventory
    for day, demand in enumerate(case.demand):
        arrival = case.on_order.get(day, 0.0)
        if day - case.lead_time_days >= 0:
            arrival += plan.orders[day - case.lead_time_days]
        assert level + arrival <= case.storage_capacity + 1e-6
        level = level + arrival - demand
        assert plan.inventory[day] == pytest.approx(level, abs=1e-6)
        assert level >= case.safety_stock - 1e-6
    assert all(
        plan.orders[d] == 0 for d in range(len(case.demand) - case.lead_time_days, len(case.demand))
    )


@settings(max_examples=40, deadline=None)
@given(
    demand=st.lists(st.floats(0, 100), min_size=3, max_size=10),
    prices=st.data(),
    initial=st.floats(0, 400),
    capacity=st.floats(50, 600),
    safety=st.floats(0, 60),
    lead=st.integers(0, 3),
    order_cost=st.sampled_from([0.0, 25.0]),
)
def test_plan_never_below_safety_stock_or_says_so(
    demand, prices, initial, capacity, safety, lead, order_cost
):
    price = prices.draw(st.lists(st.floats(1, 5), min_size=len(demand), max_size=len(demand)))
    case = PurchasePlanInput(
        demand=demand,
        price=price,
        initial_inventory=min(initial, capacity),
        storage_capacity=capacity,
        safety_stock=safety,
        lead_time_days=lead,
        order_cost=order_cost,
        holding_cost_per_unit_day=0.01,
    )
    plan = plan_purchases(case)
    # Feasible iff the stock lasts until the first delivery and storage can hold a day's need.
    level, possible = case.initial_inventory, True
    for day, need in enumerate(demand):
        if day < lead:
            level -= need
            possible &= level >= safety - 1e-9
        else:
            possible &= capacity - need >= safety - 1e-9
    assert plan.feasible == possible
    if plan.feasible:
        verify_plan(case, plan)
    else:
        assert "no plan keeps inventory at or above safety stock" in plan.message
        assert any(s > 0 for s in plan.shortfall)


def test_plan_buys_on_cheap_days():
    case = PurchasePlanInput(
        demand=[10] * 6,
        price=[5, 1, 5, 5, 5, 5],
        initial_inventory=15,
        storage_capacity=100,
        safety_stock=5,
        lead_time_days=1,
    )
    plan = plan_purchases(case)
    verify_plan(case, plan)
    # Day 0 must order 10 at price 5 (stock 15 covers day 0 only); everything else (40 units to
    # end at safety stock) is ordered on the cheap day 1.
    assert plan.orders[0] == pytest.approx(10.0)
    assert plan.orders[1] == pytest.approx(40.0)


def test_example_request_and_site_plan():
    request = json.loads((ROOT / "examples/requests/procure.json").read_text())
    result = procure_request(request)
    assert result["status"] == "optimal" and result["plan"]["feasible"]
    assert min(d["inventory_end"] for d in result["plan"]["days"]) >= result["safety_stock"] - 1e-6
    assert result["plan"]["relative_gap"] == pytest.approx(0.0, abs=1e-6)
    site = site_procurement_plan(ROOT / "examples/plant_a", "wood", [9000.0] * 7)
    assert site.plan.feasible and len(site.rows()) == 7
    assert math.isfinite(site.policy.eoq)


def test_bad_procure_request_names_the_field():
    with pytest.raises(RequestError) as caught:
        procure_request({"annual_demand": 1})
    assert "order_cost" in {i.field for i in caught.value.issues}
    with pytest.raises(RequestError) as caught:
        procure_request(
            {
                "annual_demand": 1,
                "order_cost": 1,
                "holding_cost_per_unit_year": 1,
                "daily_demand_mean": 1,
                "daily_demand_std": 0,
                "lead_time_days": 1,
                "service_level": 0.95,
                "price_forecast": [1, 2],
            }
        )
    assert caught.value.issues[0].field == "storage_capacity"
