"""The fuel side of the daily plan: the optimized heat plan flows into fuels.

    site_inputs --> fuel_inputs --> gas_quality
    optimized_plan --> fuel_demand --> fuel_mix --> carbon_footprint, procurement_plan

Each asset loads its inputs, calls one engine, replaces its site-day partition of every table it
owns (and its provenance row) in one transaction, and checks what it wrote by reading it back.
"""

import math
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import dagster as dg

from assets.fuel_tables import (
    CARBON_FOOTPRINT,
    FUEL_DEMAND,
    FUEL_MIX,
    FUEL_MIX_BINDING_LIMITS,
    FUEL_MIX_PARETO,
    FUEL_PROPERTIES,
    GAS_QUALITY,
    PROCUREMENT_PLAN,
    PROCUREMENT_POLICY,
)
from assets.metadata import provenance_metadata, provenance_row, table_metadata
from assets.partitions import site_and_date, site_day_partitions
from assets.tables import PROVENANCE
from heatcraft.provenance import sha256_of
from resources.sites import SiteFolderResource
from resources.warehouse import TableSpec, WarehouseResource

if TYPE_CHECKING:  # engine modules load at run time, keeping the code location fast to load
    from heatcraft.fuels.site_settings import SiteFuelInputs

CODE_VERSION = "1"
GROUP = "fuels"
MULTI_FUEL = "multi"  # equipment.csv fuel of a multi-fuel boiler: fuel_mix.yaml says what it burns
NOT_FUELS = ("electricity",)
RELATIVE_TOLERANCE = 1e-6  # numbers read back from the warehouse must agree to this


def _close(a: float, b: float, rel: float = RELATIVE_TOLERANCE) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def _finite(value: Any) -> Any:
    """JSON and the warehouse refuse infinities (an unbounded limit side): store NULL."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _replace(context: dg.AssetExecutionContext, warehouse: WarehouseResource, site_id: str,
             plan_date: date, tables: dict[TableSpec, list[dict]], *, inputs_sha256: str,
             sources: dict[str, str], solver: dict | None = None) -> tuple[dict[str, int], str]:
    """The asset's tables and its provenance row, replaced in one transaction."""
    asset = context.asset_key.path[-1]
    output_sha256 = sha256_of({spec.name: rows for spec, rows in tables.items()})
    counts = warehouse.replace_partition(
        {**tables, PROVENANCE: [provenance_row(site_id, plan_date, asset, context.run.run_id,
                                               inputs_sha256, output_sha256, sources, solver)]},
        keys={"site_id": site_id, "plan_date": plan_date, "asset": asset},
    )
    return counts, output_sha256


def _stored(warehouse: WarehouseResource, table: TableSpec, site_id: str, plan_date: date,
            order_by: str) -> list[dict]:
    return warehouse.query(
        f"SELECT * FROM {warehouse.qualified_name(table)} WHERE site_id = $1 AND plan_date = $2 "
        f"ORDER BY {order_by}", [site_id, plan_date])


def _spec(asset: str, name: str, description: str, blocking: bool = False) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=asset, blocking=blocking, description=description)


# --- fuel_inputs ---------------------------------------------------------------------------------


@dg.asset(
    group_name=GROUP, partitions_def=site_day_partitions, code_version=CODE_VERSION,
    kinds={"python", "duckdb"},
    check_specs=[_spec("fuel_inputs", "fuels_complete", "Every fuel-fired carrier in "
                       "equipment.csv has a fuel and a price; the mix fuels exist and have prices.",
                       blocking=True)],
    description="fuels.csv, fuel_prices.csv, inventory.csv, gas_composition.csv and "
                "fuel_mix.yaml, loaded and cross-checked against the site's equipment.",
)
def fuel_inputs(context: dg.AssetExecutionContext, sites: SiteFolderResource,
                warehouse: WarehouseResource, site_inputs):
    from heatcraft.fuels.site_settings import load_site_fuel_inputs

    site_id, plan_date = site_and_date(context)
    loaded = load_site_fuel_inputs(sites.folder(site_id))  # InputError -> the run fails
    complete = _fuels_complete_result(loaded, site_inputs)
    if not complete.passed:  # a plan priced with a missing fuel would poison everything after
        return dg.MaterializeResult(value=loaded, check_results=[complete])
    rows = _fuel_property_rows(loaded, site_id, plan_date)
    counts, output_sha256 = _replace(context, warehouse, site_id, plan_date,
                                     {FUEL_PROPERTIES: rows}, inputs_sha256=loaded.sha256,
                                     sources=loaded.source_sha256)
    return dg.MaterializeResult(value=loaded, check_results=[complete], metadata={
        **table_metadata(FUEL_PROPERTIES, counts[FUEL_PROPERTIES.name]),
        "currency": loaded.fuels.currency,
        "mix_fuels": dg.MetadataValue.json(loaded.mix.fuels if loaded.mix else []),
        "stocked_fuels": dg.MetadataValue.json(sorted(loaded.fuels.inventory)),
        "gas_composition": dg.MetadataValue.json(loaded.gas_composition or {}),
        **provenance_metadata(inputs_sha256=loaded.sha256, output_sha256=output_sha256,
                              sources=loaded.source_sha256),
    })


def _fuels_complete_result(loaded: "SiteFuelInputs", site_inputs) -> dg.AssetCheckResult:
    fuels, prices = loaded.fuels.fuels, loaded.fuels.prices
    carriers = sorted({unit.fuel.value for unit in site_inputs.equipment} - set(NOT_FUELS))
    burnt = [c for c in carriers if c != MULTI_FUEL]
    problems = [f"{c}: burnt in equipment.csv, not in fuels.csv" for c in burnt if c not in fuels]
    problems += [f"{c}: burnt in equipment.csv, no price" for c in burnt if c not in prices]
    if MULTI_FUEL in carriers:
        if loaded.mix is None:
            problems.append("a multi_fuel_boiler needs fuel_mix.yaml")
        else:
            problems += [f"{f}: in fuel_mix.yaml, not in fuels.csv" for f in loaded.mix.fuels
                         if f not in fuels]
            problems += [f"{f}: in fuel_mix.yaml, no price" for f in loaded.mix.fuels
                         if f not in prices]
    return dg.AssetCheckResult(asset_key="fuel_inputs", check_name="fuels_complete",
                               passed=not problems, metadata={
                                   "fuel_fired_carriers": dg.MetadataValue.json(carriers),
                                   "problems": dg.MetadataValue.json(problems)})


def _fuel_property_rows(loaded: "SiteFuelInputs", site_id: str, plan_date: date) -> list[dict]:
    site = loaded.fuels
    mix = loaded.mix
    rows = []
    for fuel_id, fuel in sorted(site.fuels.items()):
        price, stock = site.prices[fuel_id], site.inventory.get(fuel_id)
        in_mix = mix is not None and fuel_id in mix.fuels
        rows.append({
            "site_id": site_id, "plan_date": plan_date, **fuel.model_dump(),
            "price": price.price, "price_unit": price.unit, "price_as_of": price.as_of,
            "price_per_gj_net": site.price_per_gj_net(fuel_id), "currency": site.currency,
            "on_hand_kg": stock.quantity_kg if stock else None,
            "storage_capacity_kg": stock.storage_capacity_kg if stock else None,
            "lead_time_days": stock.lead_time_days if stock else None,
            "order_cost": stock.order_cost if stock else None,
            "holding_cost_pct": stock.holding_cost_pct if stock else None,
            "in_mix": in_mix,
            "mix_efficiency": mix.efficiency.get(fuel_id, 1.0) if in_mix else None,
        })
    return rows


# --- gas_quality ---------------------------------------------------------------------------------


@dg.asset(
    group_name=GROUP, partitions_def=site_day_partitions, code_version=CODE_VERSION,
    kinds={"python"},
    check_specs=[_spec("gas_quality", "wobbe_recomputed", "Stored Wobbe indices equal the "
                       "stored calorific value / sqrt(relative density), gross and net.")],
    description="ISO 6976:2016 properties of the site's natural gas (gas_composition.csv) at "
                "every combustion/metering reference pair the standard tabulates.",
)
def gas_quality(context: dg.AssetExecutionContext, warehouse: WarehouseResource, fuel_inputs):
    from heatcraft.gas import gas_properties, reference_pairs
    from heatcraft.gas.iso6976_data import DATA_CITATION

    site_id, plan_date = site_and_date(context)
    composition = fuel_inputs.gas_composition
    rows = [] if composition is None else [
        {"site_id": site_id, "plan_date": plan_date, "fuel_id": "natural_gas",
         **gas_properties(composition, combustion_temperature_c=combustion,
                          metering_temperature_c=metering).to_dict()}
        for combustion, metering in reference_pairs()
    ]
    sources = {name: digest for name, digest in fuel_inputs.source_sha256.items()
               if name == "gas_composition.csv"} | {"reference": DATA_CITATION}
    counts, output_sha256 = _replace(
        context, warehouse, site_id, plan_date, {GAS_QUALITY: rows},
        inputs_sha256=sha256_of(composition), sources=sources)
    stored = _stored(warehouse, GAS_QUALITY, site_id, plan_date,
                     "combustion_temperature_c, metering_temperature_c")
    metadata = {**table_metadata(GAS_QUALITY, counts[GAS_QUALITY.name]),
                **provenance_metadata(inputs_sha256=sha256_of(composition),
                                      output_sha256=output_sha256,
                                      sources=sources)}
    standard = next((r for r in rows if (r["combustion_temperature_c"],
                                         r["metering_temperature_c"]) == (15.0, 15.0)), None)
    if standard:
        # fuels.csv prices and emissions use its own LHV: show how far the measured gas is off.
        listed_lhv = fuel_inputs.fuels.fuels.get("natural_gas")
        metadata |= {
            "gross_cv_mj_per_m3_15_15": round(standard["gross_calorific_value_mj_per_m3"], 4),
            "wobbe_gross_mj_per_m3_15_15": round(standard["wobbe_index_gross_mj_per_m3"], 4),
            "net_cv_mj_per_kg_15": round(standard["net_calorific_value_mj_per_kg"], 4),
            "fuels_csv_lhv_mj_per_kg": listed_lhv.lhv_mj_kg if listed_lhv else "n/a",
        }
    return dg.MaterializeResult(value=rows, metadata=metadata,
                                check_results=[_wobbe_result(stored)])


def _wobbe_result(stored: list[dict]) -> dg.AssetCheckResult:
    worst = 0.0
    for row in stored:
        root_d = math.sqrt(row["relative_density"])
        for basis in ("gross", "net"):
            expected = row[f"{basis}_calorific_value_mj_per_m3"] / root_d
            worst = max(worst, abs(row[f"wobbe_index_{basis}_mj_per_m3"] - expected) / expected)
    return dg.AssetCheckResult(asset_key="gas_quality", check_name="wobbe_recomputed",
                               passed=worst <= RELATIVE_TOLERANCE,
                               metadata={"pairs": len(stored), "worst_relative_error": worst})


# --- fuel_demand ---------------------------------------------------------------------------------


@dg.asset(
    group_name=GROUP, partitions_def=site_day_partitions, code_version=CODE_VERSION,
    kinds={"python"},
    description="GJ of fuel input per fuel-fired carrier and day from the optimized plan; for "
                "multi-fuel boilers also the heat their fuel mix must supply.",
)
def fuel_demand(context: dg.AssetExecutionContext, warehouse: WarehouseResource, site_inputs,
                optimized_plan):
    from heatcraft.fuels import fuel_demand_by_day

    site_id, plan_date = site_and_date(context)
    profile = optimized_plan.profile
    grid = profile.grid
    days = [day.isoformat() for day in grid.local_dates]
    units: dict[str, list[int]] = defaultdict(list)
    for index, carrier in enumerate(profile.carrier_of_unit):
        if carrier not in NOT_FUELS:
            units[carrier].append(index)
    efficiency = [site_inputs.equipment_by_id[unit].efficiency for unit in profile.unit_ids]

    def per_day(per_unit_kw) -> dict[str, list[float]]:
        # Plain floats (not numpy) so the values serialize into Dagster metadata and pickles.
        by_carrier = {carrier: sum(per_unit_kw(i) for i in rows).tolist()
                      for carrier, rows in units.items()}
        return fuel_demand_by_day(by_carrier, grid.step_hours, days).gj

    fuel_input = fuel_demand_by_day(
        {carrier: profile.input_kw[rows].sum(axis=0).tolist() for carrier, rows in units.items()},
        grid.step_hours, days)
    heat_output = per_day(lambda i: profile.output_kw[i])
    # Heat the mix must raise: the output plus the start-up warm-up, i.e. the planned input at
    # the boiler's rated efficiency; the mix then buys that heat at each fuel's own efficiency.
    mix_heat = per_day(lambda i: profile.input_kw[i] * efficiency[i])
    rows = [
        {"site_id": site_id, "plan_date": plan_date, "day": day, "carrier": carrier,
         "equipment_ids": ";".join(profile.unit_ids[i] for i in units[carrier]),
         "fuel_input_gj": gj, "fuel_input_mwh": gj / 3.6,
         "heat_output_gj": heat_output[carrier][position],
         "mix_heat_gj": mix_heat[carrier][position] if carrier == MULTI_FUEL else None}
        for carrier, values in fuel_input.gj.items()
        for position, (day, gj) in enumerate(zip(fuel_input.days, values, strict=True))
    ]
    demand = {"days": fuel_input.days, "fuel_input_gj": fuel_input.gj,
              "heat_output_gj": heat_output,
              "mix_heat_gj": mix_heat.get(MULTI_FUEL, [0.0] * len(fuel_input.days))}
    inputs_sha256 = optimized_plan.sha256
    counts, output_sha256 = _replace(context, warehouse, site_id, plan_date, {FUEL_DEMAND: rows},
                                     inputs_sha256=inputs_sha256, sources={})
    return dg.MaterializeResult(value=demand, metadata={
        **table_metadata(FUEL_DEMAND, counts[FUEL_DEMAND.name]),
        "fuel_input_gj": dg.MetadataValue.json(
            {carrier: round(fuel_input.total_gj(carrier), 3) for carrier in fuel_input.gj}),
        "mix_heat_gj": round(sum(demand["mix_heat_gj"]), 3),
        **provenance_metadata(inputs_sha256=inputs_sha256, output_sha256=output_sha256,
                              sources={}),
    })


# --- fuel_mix ------------------------------------------------------------------------------------


@dg.asset(
    group_name=GROUP, partitions_def=site_day_partitions, code_version=CODE_VERSION,
    kinds={"python", "ortools"},
    check_specs=[
        _spec("fuel_mix", "shares_sum_to_one", "Stored fuel-energy shares sum to 1 in every "
              "period with demand.", blocking=True),
        _spec("fuel_mix", "limits_hold", "The stored mix, re-evaluated against every limit of "
              "fuel_mix.yaml (shares, caps, blend averages, quality, pairs, stock), breaks none."),
        _spec("fuel_mix", "emissions_recomputed", "Stored CO2e = quantity x LHV x the fuels.csv "
              "factors (GWP-weighted), row by row and in total."),
    ],
    description="Cheapest (or greenest, per fuel_mix.yaml) mix of fuels for the multi-fuel "
                "boiler's heat, with binding limits, shadow prices and a cost-CO2e frontier.",
)
def fuel_mix(context: dg.AssetExecutionContext, warehouse: WarehouseResource, fuel_inputs,
             fuel_demand):
    from heatcraft.fuels import site_fuel_mix

    site_id, plan_date = site_and_date(context)
    settings = fuel_inputs.mix
    inputs_sha256 = sha256_of({"fuel_inputs": fuel_inputs.sha256, "fuel_demand": fuel_demand})
    report = None
    if settings is not None and any(gj > 0 for gj in fuel_demand["mix_heat_gj"]):
        report = site_fuel_mix(fuel_inputs.fuels,
                               dict(zip(fuel_demand["days"], fuel_demand["mix_heat_gj"],
                                        strict=True)),
                               settings.fuels, settings.efficiency, settings.limits,
                               settings.gwp_set)
        if not report.mix.ok:  # nothing written: the blocking check stops footprint and purchases
            diagnosis = report.to_dict()["diagnosis"]
            context.log.error(f"no fuel mix satisfies every limit: {diagnosis}")
            return dg.MaterializeResult(value=report, check_results=[
                dg.AssetCheckResult(asset_key="fuel_mix", check_name=name, passed=False,
                                    metadata={"diagnosis": dg.MetadataValue.json(diagnosis)})
                for name in ("shares_sum_to_one", "limits_hold", "emissions_recomputed")])
    tables = _mix_tables(report, site_id, plan_date, fuel_inputs.fuels.currency)
    solver = _mix_solver(report) if report else None
    counts, output_sha256 = _replace(context, warehouse, site_id, plan_date, tables,
                                     inputs_sha256=inputs_sha256,
                                     sources=fuel_inputs.source_sha256, solver=solver)
    stored = _stored(warehouse, FUEL_MIX, site_id, plan_date, "day, fuel_id")
    checks = [_shares_result(stored, fuel_demand), _limits_result(stored, report),
              _mix_emissions_result(stored, report, fuel_inputs)]
    metadata = {
        **table_metadata(FUEL_MIX, counts[FUEL_MIX.name]),
        "binding_limit_rows": counts[FUEL_MIX_BINDING_LIMITS.name],
        "pareto_rows": counts[FUEL_MIX_PARETO.name],
        **provenance_metadata(inputs_sha256=inputs_sha256, output_sha256=output_sha256,
                              sources=fuel_inputs.source_sha256),
    }
    if report is not None:
        summary = report.to_dict()
        metadata |= {
            "status": report.mix.status,
            "total_cost": dg.MetadataValue.float(round(summary["totals"]["total_cost"], 2)),
            "fuel_cost": round(summary["totals"]["fuel_cost"], 2),
            "carbon_cost": round(summary["totals"]["carbon_cost"], 2),
            "co2e_kg": round(summary["emissions_kg"]["co2e"], 1),
            "shares": dg.MetadataValue.json({f["fuel_id"]: round(f["share_of_fuel_energy"], 4)
                                             for f in summary["fuels"]}),
            "binding_limits": dg.MetadataValue.json(
                [limit["name"] for limit in summary["binding_limits"]]),
            "greedy_baseline": dg.MetadataValue.json(summary.get("greedy_baseline") or {}),
            "solver": dg.MetadataValue.json(solver),
        }
    return dg.MaterializeResult(value=report, metadata=metadata, check_results=checks)


def _mix_tables(report, site_id: str, plan_date: date, currency: str) -> dict[TableSpec, list]:
    if report is None:  # no multi-fuel boiler or no heat for it: empty partitions
        return {FUEL_MIX: [], FUEL_MIX_BINDING_LIMITS: [], FUEL_MIX_PARETO: []}
    keys = {"site_id": site_id, "plan_date": plan_date}
    options = {option.fuel_id: option for option in report.problem.options}
    mix_rows = [
        keys | {k: v for k, v in row.items() if k != "period"} | {
            "day": row["period"], "efficiency": options[row["fuel_id"]].efficiency,
            "price_per_gj": options[row["fuel_id"]].price_per_gj, "currency": currency}
        for row in report.rows()
    ]
    return {FUEL_MIX: mix_rows,
            FUEL_MIX_BINDING_LIMITS: [keys | row for row in report.binding_limit_rows()],
            FUEL_MIX_PARETO: [keys | row for row in report.pareto_rows()]}


def _mix_solver(report) -> dict:
    mix = report.mix
    return {"name": mix.solver, "model_type": mix.model_type, "status": mix.status,
            "objective": report.problem.objective, "objective_value": _finite(mix.objective_value),
            "best_bound": _finite(mix.best_bound), "gap": _finite(mix.relative_gap),
            "seconds": mix.wall_time_s}


def _shares_result(stored: list[dict], fuel_demand: dict) -> dg.AssetCheckResult:
    demand = dict(zip(fuel_demand["days"], fuel_demand["mix_heat_gj"], strict=True))
    sums: dict[str, float] = defaultdict(float)
    for row in stored:
        sums[row["day"].isoformat()] += row["share"]
    # A day with heat to raise must be fully covered; a day without has no mix at all.
    bad = {day: total for day, total in sums.items()
           if not (_close(total, 1.0) if demand.get(day, 0.0) > 0 else total == 0.0)}
    missing = [day for day, gj in demand.items() if gj > 0 and day not in sums]
    return dg.AssetCheckResult(asset_key="fuel_mix", check_name="shares_sum_to_one",
                               passed=not bad and not missing, metadata={
                                   "share_sums": dg.MetadataValue.json(dict(sums)),
                                   "days_without_mix": dg.MetadataValue.json(missing)})


def _limits_result(stored: list[dict], report) -> dg.AssetCheckResult:
    from heatcraft.fuels.mix_evaluation import violations

    if report is None:
        return dg.AssetCheckResult(asset_key="fuel_mix", check_name="limits_hold", passed=True,
                                   metadata={"note": "no multi-fuel heat to mix"})
    problem = report.problem
    period = {problem.label(t): t for t in problem.periods}
    energies = {option.fuel_id: [0.0] * len(problem.demand_gj) for option in problem.options}
    for row in stored:
        energies[row["fuel_id"]][period[row["day"].isoformat()]] = row["energy_gj"]
    broken = violations(problem, energies)
    return dg.AssetCheckResult(asset_key="fuel_mix", check_name="limits_hold", passed=not broken,
                               metadata={"violations": dg.MetadataValue.json(broken)})


def _mix_emissions_result(stored: list[dict], report, fuel_inputs) -> dg.AssetCheckResult:
    # Independent of the optimizer's coefficients: straight from fuels.csv and the GWP table.
    from heatcraft.fuels.site_options import direct_co2e_per_gj_net

    if report is None:
        return dg.AssetCheckResult(asset_key="fuel_mix", check_name="emissions_recomputed",
                                   passed=True, metadata={"note": "no multi-fuel heat to mix"})
    fuels, upstream = fuel_inputs.fuels.fuels, report.problem.include_upstream_in_co2e
    mismatched, recomputed_total = [], 0.0
    for row in stored:
        fuel = fuels[row["fuel_id"]]
        per_gj = direct_co2e_per_gj_net(fuel, report.gwp_set or fuel_inputs.mix.gwp_set)
        if upstream:
            per_gj += fuel.per_gj_net(fuel.upstream_kgco2e_per_gj)
        recomputed = row["quantity_kg"] * fuel.lhv_mj_kg / 1000.0 * per_gj
        recomputed_total += recomputed
        if not _close(recomputed, row["co2e_kg"]):
            mismatched.append({"day": row["day"].isoformat(), "fuel_id": row["fuel_id"],
                               "stored": row["co2e_kg"], "recomputed": recomputed})
    reported = report.to_dict()["emissions_kg"]["co2e"]
    return dg.AssetCheckResult(
        asset_key="fuel_mix", check_name="emissions_recomputed",
        passed=not mismatched and _close(recomputed_total, reported), metadata={
            "recomputed_co2e_kg": recomputed_total, "reported_co2e_kg": reported,
            "mismatched_rows": dg.MetadataValue.json(mismatched)})


# --- carbon_footprint ----------------------------------------------------------------------------


@dg.asset(
    group_name=GROUP, partitions_def=site_day_partitions, code_version=CODE_VERSION,
    kinds={"python"},
    check_specs=[_spec("carbon_footprint", "lines_reconcile", "Every stored line: energy x "
                       "factor = emission, emission x GWP = CO2e, a factor source; the lines sum "
                       "to the scope totals.")],
    description="Scope 1 (natural gas, propane and the mix fuels burnt), scope 2 (the optimized "
                "plan's electricity x the site's grid factor) and scope 3 (upstream fuel supply), "
                "biogenic CO2 apart, one line per scope, fuel and gas.",
)
def carbon_footprint(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                     site_inputs, fuel_inputs, fuel_demand, fuel_mix, optimized_plan):
    from heatcraft.emissions import site_carbon_footprint
    from heatcraft.emissions.gwp import GWP_SOURCE

    site_id, plan_date = site_and_date(context)
    energy: dict[str, float] = defaultdict(float)
    for carrier, values in fuel_demand["fuel_input_gj"].items():
        if carrier != MULTI_FUEL:  # the multi-fuel boiler burns what the mix says
            energy[carrier] += sum(values)
    if fuel_mix is not None:
        for fuel_id, values in fuel_mix.mix.energies.items():
            energy[fuel_id] += sum(values)
    burnt = {fuel_id: gj for fuel_id, gj in energy.items() if gj > 0}
    profile = optimized_plan.profile
    # What the meter sees: the heaters' electricity and the site's base load.
    electricity_kwh = float(profile.electric_kw.sum() * profile.grid.step_hours)
    settings = fuel_inputs.mix
    gwp_set = settings.gwp_set if settings else "AR6"
    footprint = site_carbon_footprint(
        fuel_inputs.fuels, burnt, electricity_kwh,
        site_inputs.site.grid_emission_factor_kg_per_kwh, gwp_set=gwp_set,
        factor_set=settings.factor_set if settings else "site",
        carbon_price_per_t=settings.limits.carbon_price_per_t if settings else 0.0)
    rows = [
        {"site_id": site_id, "plan_date": plan_date, "gwp_set": gwp_set,
         **{k: v for k, v in line.items() if k not in ("source", "table", "year")},
         "factor_source": line["source"], "factor_table": line["table"],
         "factor_year": line["year"]}
        for line in footprint.rows()
    ]
    inputs_sha256 = sha256_of({"fuel_energy_gj": burnt, "electricity_kwh": electricity_kwh,
                                  "grid_factor": site_inputs.site.grid_emission_factor_kg_per_kwh,
                                  "fuel_inputs": fuel_inputs.sha256})
    sources = {name: digest for name, digest in fuel_inputs.source_sha256.items()
               if name == "fuels.csv"} | {"gwp": GWP_SOURCE[gwp_set]}
    counts, output_sha256 = _replace(context, warehouse, site_id, plan_date,
                                     {CARBON_FOOTPRINT: rows}, inputs_sha256=inputs_sha256,
                                     sources=sources)
    stored = _stored(warehouse, CARBON_FOOTPRINT, site_id, plan_date, "scope, fuel_id, gas")
    totals = footprint.totals()
    return dg.MaterializeResult(
        value=footprint, check_results=[_footprint_result(stored, totals)], metadata={
            **table_metadata(CARBON_FOOTPRINT, counts[CARBON_FOOTPRINT.name]),
            **{key: round(value, 3) for key, value in totals.items()},
            "fuel_energy_gj": dg.MetadataValue.json({f: round(gj, 3) for f, gj in burnt.items()}),
            "electricity_kwh": round(electricity_kwh, 1),
            **provenance_metadata(inputs_sha256=inputs_sha256, output_sha256=output_sha256,
                                  sources=sources),
        })


def _footprint_result(stored: list[dict], totals: dict[str, float]) -> dg.AssetCheckResult:
    broken = []
    by_scope: dict[str, float] = defaultdict(float)
    for row in stored:
        by_scope[row["scope"]] += row["co2e_kg"]
        line = f"{row['scope']}/{row['fuel_id']}/{row['gas']}"
        if not _close(row["energy_gj_net"] * row["factor_kg_per_gj_net"], row["emission_kg"]):
            broken.append(f"{line}: energy x factor != emission")
        if not _close(row["emission_kg"] * row["gwp"], row["co2e_kg"]):
            broken.append(f"{line}: emission x gwp != co2e")
        if not (row["factor_source"] or "").strip():
            broken.append(f"{line}: no factor source")
    for scope in ("scope1", "scope2", "scope3"):
        if not _close(by_scope[scope], totals[f"{scope}_co2e_kg"]):
            broken.append(f"{scope}: lines sum to {by_scope[scope]}, total says "
                          f"{totals[f'{scope}_co2e_kg']}")
    return dg.AssetCheckResult(asset_key="carbon_footprint", check_name="lines_reconcile",
                               passed=not broken, metadata={
                                   "lines": len(stored),
                                   "co2e_kg_by_scope": dg.MetadataValue.json(dict(by_scope)),
                                   "problems": dg.MetadataValue.json(broken)})


# --- procurement_plan ----------------------------------------------------------------------------


@dg.asset(
    group_name=GROUP, partitions_def=site_day_partitions, code_version=CODE_VERSION,
    kinds={"python", "ortools"},
    check_specs=[_spec("procurement_plan", "safety_stock_held", "In every feasible plan the "
                       "stored inventory balances day by day and never falls below safety stock.")],
    description="Daily purchase plan and inventory policy (EOQ, safety stock, reorder point) for "
                "each stocked fuel that the mix or the plan burns, the planned day repeated over "
                "the procurement horizon of fuel_mix.yaml.",
)
def procurement_plan(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                     fuel_inputs, fuel_demand, fuel_mix):
    from heatcraft.fuels.site_settings import ProcurementSettings
    from heatcraft.procurement import site_procurement_plan

    site_id, plan_date = site_and_date(context)
    site = fuel_inputs.fuels
    settings = fuel_inputs.mix.procurement if fuel_inputs.mix else ProcurementSettings()
    use_kg, used_by = _stocked_fuel_use(site, fuel_demand, fuel_mix)
    plan_rows, policy_rows = [], []
    for fuel_id in sorted(use_kg):
        pattern = use_kg[fuel_id]
        demand = [pattern[day % len(pattern)] for day in range(settings.horizon_days)]
        mean = sum(demand) / len(demand)
        result = site_procurement_plan(site, fuel_id, demand,
                                       daily_demand_std_kg=settings.demand_cv * mean,
                                       service_level=settings.service_level)
        price_per_kg = site.price_per_gj_net(fuel_id) * site.fuels[fuel_id].lhv_mj_kg / 1000.0
        plan, policy, stock = result.plan, result.policy, site.inventory[fuel_id]
        keys = {"site_id": site_id, "plan_date": plan_date, "fuel_id": fuel_id}
        plan_rows += [keys | {
            "day_index": row["day"], "day": plan_date + timedelta(days=row["day"]),
            "demand_kg": demand[row["day"]], "price_per_kg": price_per_kg,
            "order_kg": row["order_quantity"], "arrival_kg": row["arrival_quantity"],
            "inventory_end_kg": row["inventory_end"], "safety_stock_kg": policy.safety_stock,
            "shortfall_kg": row["shortfall_below_safety_stock"], "feasible": plan.feasible,
        } for row in result.rows()]
        policy_rows.append(keys | {
            "used_by": "+".join(sorted(used_by[fuel_id])), "mean_daily_demand_kg": mean,
            "on_hand_kg": stock.quantity_kg, "storage_capacity_kg": stock.storage_capacity_kg,
            "lead_time_days": stock.lead_time_days, "eoq_kg": policy.eoq,
            "service_level": policy.service_level, "z": policy.z,
            "safety_stock_kg": policy.safety_stock, "reorder_point_kg": policy.reorder_point,
            "days_of_supply": policy.days_of_supply,
            "inventory_position_kg": policy.inventory_position, "priority": policy.priority,
            "priority_reason": policy.priority_reason, "plan_status": plan.status,
            "plan_feasible": plan.feasible, "plan_message": plan.message,
            "purchase_kg": sum(plan.orders), "purchase_cost": plan.purchase_cost,
            "order_cost": plan.order_cost, "holding_cost": plan.holding_cost,
            "currency": site.currency,
        })
    inputs_sha256 = sha256_of({"fuel_inputs": fuel_inputs.sha256, "use_kg": use_kg,
                                  "settings": settings})
    sources = {name: digest for name, digest in fuel_inputs.source_sha256.items()
               if name in ("inventory.csv", "fuel_prices.csv", "fuel_mix.yaml")}
    solver = {row["fuel_id"]: row["plan_status"] for row in policy_rows}
    counts, output_sha256 = _replace(
        context, warehouse, site_id, plan_date,
        {PROCUREMENT_PLAN: plan_rows, PROCUREMENT_POLICY: policy_rows},
        inputs_sha256=inputs_sha256, sources=sources, solver=solver)
    stored = _stored(warehouse, PROCUREMENT_PLAN, site_id, plan_date, "fuel_id, day_index")
    return dg.MaterializeResult(
        value=policy_rows, check_results=[_safety_stock_result(stored, site)], metadata={
            **table_metadata(PROCUREMENT_PLAN, counts[PROCUREMENT_PLAN.name]),
            "policy_rows": counts[PROCUREMENT_POLICY.name],
            "horizon_days": settings.horizon_days,
            "purchases": dg.MetadataValue.json({
                row["fuel_id"]: {"kg": round(row["purchase_kg"], 1),
                                 "cost": round(row["purchase_cost"] + row["order_cost"], 2),
                                 "feasible": row["plan_feasible"], "priority": row["priority"]}
                for row in policy_rows}),
            **provenance_metadata(inputs_sha256=inputs_sha256, output_sha256=output_sha256,
                                  sources=sources),
        })


def _stocked_fuel_use(site, fuel_demand: dict, fuel_mix) -> tuple[dict, dict]:
    """kg per planned day of each fuel in inventory.csv that the plan or the mix burns."""
    days = len(fuel_demand["days"])
    use_kg: dict[str, list[float]] = {}
    used_by: dict[str, set[str]] = defaultdict(set)

    def add(fuel_id: str, gj_by_day, user: str) -> None:
        if fuel_id not in site.inventory or sum(gj_by_day) <= 0:
            return  # pipeline gas and electricity are not stocked
        kg = [site.fuels[fuel_id].kg_from_gj_net(gj) for gj in gj_by_day]
        use_kg[fuel_id] = [a + b for a, b in zip(use_kg.get(fuel_id, [0.0] * days), kg,
                                                  strict=True)]
        used_by[fuel_id].add(user)

    for carrier, gj_by_day in fuel_demand["fuel_input_gj"].items():
        if carrier != MULTI_FUEL:
            add(carrier, gj_by_day, "plan")
    if fuel_mix is not None:
        for fuel_id, gj_by_day in fuel_mix.mix.energies.items():
            add(fuel_id, gj_by_day, "mix")
    return use_kg, used_by


def _safety_stock_result(stored: list[dict], site) -> dg.AssetCheckResult:
    problems, infeasible = [], set()
    previous: dict[str, float] = {}
    for row in stored:
        fuel_id = row["fuel_id"]
        if not row["feasible"]:
            infeasible.add(fuel_id)  # the engine already says so, with the least shortfall
            continue
        opening = previous.get(fuel_id, site.inventory[fuel_id].quantity_kg)
        expected = opening + row["arrival_kg"] - row["demand_kg"]
        if not _close(expected, row["inventory_end_kg"]):
            problems.append(f"{fuel_id} day {row['day_index']}: inventory does not balance")
        if row["inventory_end_kg"] < row["safety_stock_kg"] - RELATIVE_TOLERANCE * max(
                1.0, row["safety_stock_kg"]):
            problems.append(f"{fuel_id} day {row['day_index']}: below safety stock")
        previous[fuel_id] = row["inventory_end_kg"]
    return dg.AssetCheckResult(asset_key="procurement_plan", check_name="safety_stock_held",
                               passed=not problems, metadata={
                                   "fuels": len({row["fuel_id"] for row in stored}),
                                   "infeasible_plans": dg.MetadataValue.json(sorted(infeasible)),
                                   "problems": dg.MetadataValue.json(problems)})


FUEL_ASSETS = [fuel_inputs, gas_quality, fuel_demand, fuel_mix, carbon_footprint,
               procurement_plan]
