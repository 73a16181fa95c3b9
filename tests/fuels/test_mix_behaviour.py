import json
import random
from pathlib import Path

import pytest

from heatcraft.fuels import (
    FuelMixProblem,
    FuelOption,
    RequestError,
    fuel_demand_by_day,
    fuel_mix_request,
    greedy_mix,
    optimize_mix,
    pareto_frontier,
    site_fuel_mix,
)
from heatcraft.fuels.mix_evaluation import evaluate, violations
from heatcraft.fuels.random_instances import random_problem

ROOT = Path(__file__).resolve().parents[2]

COAL = FuelOption(
    fuel_id="coal",
    price_per_gj=3,
    lhv_mj_kg=25,
    co2e_kg_per_gj=95,
    efficiency=0.85,
    sox_g_per_gj=900,
    moisture_pct=8,
)
GAS = FuelOption(fuel_id="gas", price_per_gj=8, lhv_mj_kg=48, co2e_kg_per_gj=56, efficiency=0.92)
WOOD = FuelOption(
    fuel_id="wood",
    price_per_gj=6,
    lhv_mj_kg=12.5,
    co2e_kg_per_gj=2,
    efficiency=0.8,
    renewable=True,
    moisture_pct=30,
    supply_security=0.6,
)


def problem(**limits) -> FuelMixProblem:
    return FuelMixProblem(options=[COAL, GAS, WOOD], demand_gj=[1000.0], **limits)


def test_exact_never_costlier_than_greedy_on_random_instances():
    rng = random.Random(2024)
    compared = 0
    for _ in range(200):
        instance = random_problem(rng)
        exact, greedy = optimize_mix(instance), greedy_mix(instance)
        if exact.ok:
            assert violations(instance, exact.energies) == []
        if greedy.feasible:
            assert exact.ok, "greedy found a mix the exact model calls infeasible"
            exact_cost = evaluate(instance, exact.energies).total_cost
            assert exact_cost <= greedy.total_cost + 1e-6 * max(1.0, exact_cost)
            compared += 1
    assert compared >= 80


@pytest.mark.parametrize(
    ("limits", "row", "perturb"),
    [
        (
            {"emission_caps": {"co2e_t": 60.0}},
            "emission_cap[co2e_t]",
            lambda d, h: {"emission_caps": {"co2e_t": 60.0 + h}},
        ),
        (
            {"share_limits": {"wood": {"max_share": 0.3}}, "carbon_price_per_t": 100.0},
            "max_share[wood][0]",
            lambda d, h: {
                "share_limits": {"wood": {"max_share": 0.3 + h / 100}},
                "carbon_price_per_t": 100.0,
            },
        ),
        (
            {"blend_average_limits": {"co2e_kg_per_gj": 50.0}},
            "blend_average[co2e_kg_per_gj][0]",
            lambda d, h: {"blend_average_limits": {"co2e_kg_per_gj": 50.0 + h}},
        ),
        (
            {
                "quality_limits": {"max_moisture_pct": 15.0, "fuels": ["coal", "wood"]},
                "emission_caps": {"co2e_t": 80.0},
            },
            "quality[max_moisture_pct][0]",
            lambda d, h: {
                "quality_limits": {"max_moisture_pct": 15.0 + h, "fuels": ["coal", "wood"]},
                "emission_caps": {"co2e_t": 80.0},
            },
        ),
    ],
)
def test_shadow_price_equals_finite_difference(limits, row, perturb):
    base = optimize_mix(problem(**limits))
    limit = next(b for b in base.binding_limits if b.name == row)
    step = 1e-3
    moved = optimize_mix(problem(**perturb(None, step)))
    assert limit.shadow_price == pytest.approx(
        (moved.objective_value - base.objective_value) / step, rel=1e-3, abs=1e-6
    )
    assert limit.shadow_price < 0  # relaxing a binding limit saves money here


def test_milp_shadow_prices_come_from_the_fixed_binary_lp():
    result = optimize_mix(
        problem(emission_caps={"co2e_t": 60.0}, incompatible_pairs=[("gas", "wood")])
    )
    assert result.model_type == "MILP"
    assert "binaries fixed" in result.shadow_price_method
    assert any(b.name == "emission_cap[co2e_t]" for b in result.binding_limits)


def test_objectives_pick_their_extreme():
    greenest = optimize_mix(problem(objective="co2e"))
    assert greenest.energies["wood"][0] == pytest.approx(1000 / 0.8, rel=1e-6)
    renewable = optimize_mix(
        problem(objective="renewable_share", share_limits={"wood": {"max_share": 0.5}})
    )
    assert renewable.energies["wood"][0] > 0
    secure = optimize_mix(problem(objective="supply_security"))
    assert secure.energies["wood"][0] == pytest.approx(0.0, abs=1e-9)
    weighted = optimize_mix(problem(objective="weighted", weights={"cost": 1.0, "co2e": 0.0}))
    cheapest = optimize_mix(problem())
    for fuel, energies in cheapest.energies.items():
        assert weighted.energies[fuel] == pytest.approx(energies, abs=1e-6)


def test_infeasible_mix_names_the_limits_to_relax():
    result = optimize_mix(
        problem(emission_caps={"co2e_t": 1.0}, share_limits={"wood": {"max_share": 0.5}})
    )
    assert result.status == "infeasible"
    names = {r.name for r in result.relaxations}
    assert names & {"emission_cap[co2e_t]", "max_share[wood][0]"}


def test_purchase_only_after_lead_time_and_pays_order_cost():
    wood = WOOD.model_copy(
        update={
            "on_hand_kg": 20_000.0,
            "purchasable_kg": 500_000.0,
            "lead_time_days": 1,
            "order_cost": 100.0,
        }
    )
    two_days = FuelMixProblem(
        options=[GAS, wood], demand_gj=[500.0, 500.0], inventory_mode="with_procurement"
    )
    result = optimize_mix(two_days)
    kg_day0 = result.energies["wood"][0] * wood.kg_per_gj()
    assert kg_day0 <= 20_000.0 + 1e-6  # the delivery cannot help on day 0
    assert result.energies["wood"][1] == pytest.approx(500 / 0.8)  # bought for day 1
    assert evaluate(two_days, result.energies).order_cost == 100.0


def test_pareto_frontier_trades_cost_for_co2e():
    frontier = pareto_frontier(problem(share_limits={"wood": {"max_share": 0.6}}), 5)
    assert len(frontier) == 5
    costs = [p.total_cost for p in frontier]
    co2e = [p.co2e_t for p in frontier]
    assert all(a <= b + 1e-6 for a, b in zip(costs, costs[1:], strict=False))
    assert all(a >= b - 1e-6 for a, b in zip(co2e, co2e[1:], strict=False))
    assert co2e[0] > co2e[-1]


def test_fuel_demand_sums_kw_times_hours_per_day():
    demand = fuel_demand_by_day(
        {"natural_gas": [1000.0] * 4, "multi": [0, 500, 500, 0], "electricity": [9, 9, 9, 9]},
        step_hours=0.25,
        step_days=["d1", "d1", "d2", "d2"],
    )
    assert demand.days == ["d1", "d2"]
    assert demand.for_carrier("natural_gas") == pytest.approx([1.8, 1.8])  # 500 kWh = 1.8 GJ
    assert demand.for_carrier("multi") == pytest.approx([0.45, 0.45])
    assert "electricity" not in demand.gj
    assert len(demand.rows()) == 4


def test_example_request_and_site_function():
    request = json.loads((ROOT / "examples/requests/fuel_mix.json").read_text())
    request["site_dir"] = str(ROOT / request["site_dir"])
    result = fuel_mix_request(request)
    assert result["status"] == "optimal"
    assert sum(f["share_of_fuel_energy"] for f in result["fuels"]) == pytest.approx(1.0)
    assert result["emissions_kg"]["co2e"] <= 70_000 + 1e-3
    assert len(result["pareto_frontier"]) == 5
    report = site_fuel_mix(
        ROOT / "examples/plant_a", {"2026-11-23": 400.0}, fuels=["natural_gas", "wood"]
    )
    rows = report.rows()
    assert {r["fuel_id"] for r in rows} == {"natural_gas", "wood"}
    assert report.summary_row()["status"] == "optimal"


def test_bad_request_names_the_field():
    with pytest.raises(RequestError) as caught:
        fuel_mix_request({"options": [GAS.model_dump()], "demand_gj": 10, "objective": "cheap"})
    assert caught.value.issues[0].field == "objective"
    with pytest.raises(RequestError) as caught:
        fuel_mix_request(
            {"options": [GAS.model_dump()], "demand_gj": 10, "share_limits": {"coal": {}}}
        )
    assert caught.value.issues[0].field == "share_limits.coal"
    assert isinstance(caught.value, ValueError)
