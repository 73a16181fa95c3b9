"""The fuel side through Dagster: plan -> fuel demand -> mix -> footprint and purchases.

One materialization of the whole graph (plant_a, 2026-06-16) on a temporary DuckDB is shared by
the module; the tests read its tables, checks and metadata, and re-run the fuel assets once.
"""

from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest

from assets import FUEL_ASSETS
from assets.partitions import partition_key
from definitions import defs
from heatcraft.fuels.site_settings import load_site_fuel_inputs
from resources import WarehouseResource
from resources.reports import ReportsResource
from resources.sites import SiteFolderResource

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "examples" / "plant_a"
KEY = partition_key("plant_a", "2026-06-16")
RUN_CONFIG = {"ops": {"optimized_plan": {"config": {"time_limit_s": 10}}}}
FUEL_TABLES = ("fuel_properties", "gas_quality", "fuel_demand", "fuel_mix",
               "fuel_mix_binding_limits", "fuel_mix_pareto", "carbon_footprint",
               "procurement_plan", "procurement_policy")
FUEL_CHECKS = {("fuel_inputs", "fuels_complete"), ("gas_quality", "wobbe_recomputed"),
               ("fuel_mix", "shares_sum_to_one"), ("fuel_mix", "limits_hold"),
               ("fuel_mix", "emissions_recomputed"), ("carbon_footprint", "lines_reconcile"),
               ("procurement_plan", "safety_stock_held")}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    warehouse = WarehouseResource(duckdb_path=str(tmp_path_factory.mktemp("fuels") / "w.duckdb"))
    resources = {"sites": SiteFolderResource(sites_dir=str(ROOT / "examples")),
                 "warehouse": warehouse,
                 "reports": ReportsResource(reports_dir=str(tmp_path_factory.mktemp("reports")))}
    instance = dg.DagsterInstance.ephemeral()  # shared, so a re-run finds the upstream values
    result = dg.materialize(list(defs.assets), partition_key=KEY, resources=resources,
                            run_config=RUN_CONFIG, instance=instance)
    return SimpleNamespace(result=result, warehouse=warehouse, resources=resources,
                           instance=instance)


def _rows(flow, table: str, order_by: str = "1") -> list[dict]:
    w = flow.warehouse
    return w.query(f"SELECT * FROM {w.qualified_name(table)} ORDER BY {order_by}")


def test_whole_graph_materializes_and_every_check_passes(flow):
    assert flow.result.success
    checks = {(c.asset_key.path[-1], c.check_name): c.passed
              for c in flow.result.get_asset_check_evaluations()}
    assert set(checks) >= FUEL_CHECKS
    assert all(checks.values()), checks


def test_every_fuel_table_has_the_partition(flow):
    counts = {t: len(_rows(flow, t)) for t in FUEL_TABLES}
    assert counts["fuel_properties"] == 6  # every fuel of fuels.csv
    assert counts["gas_quality"] == 20  # 5 combustion x 4 metering reference temperatures
    assert counts["fuel_mix"] == len(load_site_fuel_inputs(SITE).mix.fuels)  # one day
    assert counts["fuel_mix_pareto"] == 5
    assert counts["carbon_footprint"] > 0 and counts["procurement_policy"] > 0
    assert counts["procurement_plan"] == 14 * counts["procurement_policy"]
    carriers = {row["carrier"] for row in _rows(flow, "fuel_demand")}
    assert carriers == {"natural_gas", "propane", "multi"}  # electricity is not a fuel


def test_mix_meets_the_heat_the_plan_asks_of_the_multi_fuel_boiler(flow):
    mix_heat = {r["day"]: r["mix_heat_gj"] for r in _rows(flow, "fuel_demand")
                if r["carrier"] == "multi"}
    mix = _rows(flow, "fuel_mix", "day, fuel_id")
    settings = load_site_fuel_inputs(SITE).mix
    for day, heat in mix_heat.items():
        rows = [r for r in mix if r["day"] == day]
        assert heat > 0
        assert sum(r["heat_gj"] for r in rows) == pytest.approx(heat, rel=1e-6)
        assert sum(r["share"] for r in rows) == pytest.approx(1.0, abs=1e-9)
        for row in rows:
            assert row["heat_gj"] == pytest.approx(row["energy_gj"] * row["efficiency"])
            limit = settings.limits.share_limits.get(row["fuel_id"])
            if limit:
                assert row["share"] <= limit.max_share + 1e-9
    metadata = flow.result.asset_materializations_for_node("fuel_mix")[0].metadata
    assert metadata["total_cost"].value == pytest.approx(
        sum(r["fuel_cost"] for r in mix) + metadata["carbon_cost"].value, abs=0.02)


def test_footprint_reconciles_with_plan_mix_and_grid(flow):
    lines = _rows(flow, "carbon_footprint")
    for line in lines:
        assert line["energy_gj_net"] * line["factor_kg_per_gj_net"] == pytest.approx(
            line["emission_kg"], rel=1e-9, abs=1e-9)
        assert line["factor_source"]
    # Fuel energy in scope 1 = the plan's gas and propane + what the mix burns.
    expected = defaultdict(float)
    for row in _rows(flow, "fuel_demand"):
        if row["carrier"] != "multi":
            expected[row["carrier"]] += row["fuel_input_gj"]
    mix = _rows(flow, "fuel_mix")
    for row in mix:
        expected[row["fuel_id"]] += row["energy_gj"]
    burnt = {line["fuel_id"]: line["energy_gj_net"] for line in lines  # one upstream line each
             if line["scope"] == "scope3"}
    assert burnt == pytest.approx({f: gj for f, gj in expected.items() if gj > 0})
    # A fuel only the mix burns has the mix's CO2e in scope 1 (same fuels.csv factors, same GWPs).
    for fuel_id in ("coal_bituminous", "wood"):
        scope1 = sum(line["co2e_kg"] for line in lines
                     if line["scope"] == "scope1" and line["fuel_id"] == fuel_id)
        assert scope1 == pytest.approx(sum(r["co2e_kg"] for r in mix if r["fuel_id"] == fuel_id))
    # Scope 2 = the optimized plan's metered kWh x the site's grid factor (0.385 kg/kWh).
    w = flow.warehouse
    kwh = w.query(f"SELECT sum(electric_kw * step_minutes / 60.0) AS kwh FROM "
                  f"{w.qualified_name('load_profile')} WHERE plan_kind = 'optimized'")[0]["kwh"]
    scope2 = sum(line["co2e_kg"] for line in lines if line["scope"] == "scope2")
    assert scope2 == pytest.approx(kwh * 0.385, rel=1e-9)
    metadata = flow.result.asset_materializations_for_node("carbon_footprint")[0].metadata
    assert metadata["total_co2e_kg"].value == pytest.approx(
        sum(line["co2e_kg"] for line in lines if line["scope"] != "biogenic_outside_scopes"),
        abs=0.01)


def test_purchases_keep_every_stocked_fuel_above_safety_stock(flow):
    site = load_site_fuel_inputs(SITE).fuels
    plans = defaultdict(list)
    for row in _rows(flow, "procurement_plan", "fuel_id, day_index"):
        plans[row["fuel_id"]].append(row)
    policies = {row["fuel_id"]: row for row in _rows(flow, "procurement_policy")}
    assert set(plans) == set(policies) and set(policies) <= set(site.inventory)
    for fuel_id, days in plans.items():
        policy = policies[fuel_id]
        assert policy["plan_feasible"]
        level = site.inventory[fuel_id].quantity_kg
        for day in days:
            level += day["arrival_kg"] - day["demand_kg"]
            assert day["inventory_end_kg"] == pytest.approx(level, abs=1e-6)
            assert day["inventory_end_kg"] >= policy["safety_stock_kg"] - 1e-6
            assert day["inventory_end_kg"] <= policy["storage_capacity_kg"] + 1e-6
        # A stock that cannot last the horizon on its own is topped up.
        if policy["on_hand_kg"] - sum(d["demand_kg"] for d in days) < policy["safety_stock_kg"]:
            assert policy["purchase_kg"] > 0


def test_each_fuel_asset_records_provenance_and_metadata(flow):
    provenance = {row["asset"]: row for row in _rows(flow, "provenance")}
    for asset in FUEL_ASSETS:
        name = asset.key.path[-1]
        assert len(provenance[name]["output_sha256"]) == 64
        metadata = flow.result.asset_materializations_for_node(name)[0].metadata
        for key in ("dagster/row_count", "dagster/column_schema", "inputs_sha256",
                    "output_sha256", "code_version", "sources"):
            assert key in metadata, (name, key)
    assert provenance["fuel_mix"]["solver"]["status"] in ("optimal", "feasible")


def test_rematerializing_the_fuel_assets_replaces_exactly_their_rows(flow):
    before = {t: _rows(flow, t, "ALL") for t in (*FUEL_TABLES, "provenance")}
    again = dg.materialize(list(defs.assets), selection=FUEL_ASSETS, partition_key=KEY,
                           resources=flow.resources, instance=flow.instance)
    assert again.success
    assert all(c.passed for c in again.get_asset_check_evaluations())
    after = {t: _rows(flow, t, "ALL") for t in before}
    for table in FUEL_TABLES:
        assert after[table] == before[table], table

    def hashes(rows):
        return {(r["asset"], r["output_sha256"]) for r in rows}

    assert hashes(after["provenance"]) == hashes(before["provenance"])
    written_by = {r["asset"]: r["run_id"] for r in after["provenance"]}
    assert {written_by[a.key.path[-1]] for a in FUEL_ASSETS} == {again.run_id}
