"""Declared schemas of the fuel-side warehouse tables, partitioned by site and plan date.

Energy is GJ net (lower heating value) unless a column says otherwise; money is in the site's
currency (the `currency` column where a table has money in it).
"""

from __future__ import annotations

from assets.tables import SITE_DAY
from resources.warehouse import TableSpec

_KEYS = (("site_id", "text"), ("plan_date", "date"))

FUEL_PROPERTIES = TableSpec(
    name="fuel_properties",
    columns=(*_KEYS, ("fuel_id", "text"), ("lhv_mj_kg", "float"), ("hhv_mj_kg", "float"),
             ("moisture_pct", "float"), ("ash_pct", "float"), ("sulfur_pct", "float"),
             ("carbon_pct", "float"), ("renewable", "bool"), ("biogenic_fraction", "float"),
             ("factor_basis", "text"), ("co2_kg_per_gj", "float"), ("ch4_kg_per_gj", "float"),
             ("n2o_kg_per_gj", "float"), ("nox_g_per_gj", "float"), ("sox_g_per_gj", "float"),
             ("pm_g_per_gj", "float"), ("supply_security", "float"),
             ("upstream_kgco2e_per_gj", "float"), ("factor_source", "text"), ("price", "float"),
             ("price_unit", "text"), ("price_as_of", "text"), ("price_per_gj_net", "float"),
             ("currency", "text"), ("on_hand_kg", "float"), ("storage_capacity_kg", "float"),
             ("lead_time_days", "float"), ("order_cost", "float"), ("holding_cost_pct", "float"),
             ("in_mix", "bool"), ("mix_efficiency", "float")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "fuel_id"),
)
GAS_QUALITY = TableSpec(
    name="gas_quality",
    columns=(*_KEYS, ("fuel_id", "text"), ("combustion_temperature_c", "float"),
             ("metering_temperature_c", "float"), ("reference_pressure_kpa", "float"),
             ("molar_mass_kg_per_kmol", "float"), ("compression_factor", "float"),
             ("gross_calorific_value_kj_per_mol", "float"),
             ("net_calorific_value_kj_per_mol", "float"),
             ("gross_calorific_value_mj_per_kg", "float"),
             ("net_calorific_value_mj_per_kg", "float"),
             ("gross_calorific_value_mj_per_m3", "float"),
             ("net_calorific_value_mj_per_m3", "float"), ("density_kg_per_m3", "float"),
             ("relative_density", "float"), ("wobbe_index_gross_mj_per_m3", "float"),
             ("wobbe_index_net_mj_per_m3", "float"), ("data_source", "text")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "combustion_temperature_c", "metering_temperature_c"),
)
FUEL_DEMAND = TableSpec(
    name="fuel_demand",
    columns=(*_KEYS, ("day", "date"), ("carrier", "text"), ("equipment_ids", "text"),
             ("fuel_input_gj", "float"), ("fuel_input_mwh", "float"), ("heat_output_gj", "float"),
             ("mix_heat_gj", "float")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "day", "carrier"),
)
FUEL_MIX = TableSpec(
    name="fuel_mix",
    columns=(*_KEYS, ("day", "date"), ("fuel_id", "text"), ("energy_gj", "float"),
             ("heat_gj", "float"), ("share", "float"), ("quantity_kg", "float"),
             ("fuel_cost", "float"), ("co2e_kg", "float"), ("efficiency", "float"),
             ("price_per_gj", "float"), ("currency", "text")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "day", "fuel_id"),
)
FUEL_MIX_BINDING_LIMITS = TableSpec(
    name="fuel_mix_binding_limits",
    columns=(*_KEYS, ("name", "text"), ("kind", "text"), ("unit", "text"),
             ("shadow_price", "float"), ("shadow_price_unit", "text")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "name"),
)
FUEL_MIX_PARETO = TableSpec(
    name="fuel_mix_pareto",
    columns=(*_KEYS, ("point", "int"), ("co2e_cap_t", "float"), ("status", "text"),
             ("total_cost", "float"), ("co2e_t", "float"),
             ("marginal_abatement_cost_per_t", "float")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "point"),
)
CARBON_FOOTPRINT = TableSpec(
    name="carbon_footprint",
    columns=(*_KEYS, ("scope", "text"), ("fuel_id", "text"), ("gas", "text"),
             ("energy_gj_net", "float"), ("factor_kg_per_gj_net", "float"),
             ("emission_kg", "float"), ("gwp", "float"), ("co2e_kg", "float"),
             ("factor_value", "float"), ("factor_unit", "text"), ("factor_basis", "text"),
             ("basis_conversion", "float"), ("fraction", "float"), ("factor_source", "text"),
             ("factor_table", "text"), ("factor_year", "int"), ("gwp_set", "text")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "scope", "fuel_id", "gas"),
)
PROCUREMENT_PLAN = TableSpec(
    name="procurement_plan",
    columns=(*_KEYS, ("fuel_id", "text"), ("day_index", "int"), ("day", "date"),
             ("demand_kg", "float"), ("price_per_kg", "float"), ("order_kg", "float"),
             ("arrival_kg", "float"), ("inventory_end_kg", "float"), ("safety_stock_kg", "float"),
             ("shortfall_kg", "float"), ("feasible", "bool")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "fuel_id", "day_index"),
)
PROCUREMENT_POLICY = TableSpec(
    name="procurement_policy",
    columns=(*_KEYS, ("fuel_id", "text"), ("used_by", "text"), ("mean_daily_demand_kg", "float"),
             ("on_hand_kg", "float"), ("storage_capacity_kg", "float"),
             ("lead_time_days", "float"), ("eoq_kg", "float"), ("service_level", "float"),
             ("z", "float"), ("safety_stock_kg", "float"), ("reorder_point_kg", "float"),
             ("days_of_supply", "float"), ("inventory_position_kg", "float"),
             ("priority", "int"), ("priority_reason", "text"), ("plan_status", "text"),
             ("plan_feasible", "bool"), ("plan_message", "text"), ("purchase_kg", "float"),
             ("purchase_cost", "float"), ("order_cost", "float"), ("holding_cost", "float"),
             ("currency", "text")),
    partition_keys=SITE_DAY,
    primary_key=("site_id", "plan_date", "fuel_id"),
)
