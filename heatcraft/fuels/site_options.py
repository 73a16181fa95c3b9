"""Turn a site's fuel files into optimizer options (per-GJ-net coefficients, price, stock)."""

from __future__ import annotations

from collections.abc import Mapping

from heatcraft.emissions.gwp import DEFAULT_GWP_SET, gwp_values
from heatcraft.fuels.mix_problem import FuelOption
from heatcraft.fuels.properties import FuelProperties
from heatcraft.fuels.site_files import SiteFuels


def direct_co2e_per_gj_net(
    fuel: FuelProperties, gwp_set: str = DEFAULT_GWP_SET, split_fossil_methane: bool = True
) -> float:
    """Scope-1 kg CO2e per GJ net: fossil CO2 plus GWP-weighted CH4 and N2O (biogenic CO2 is
    reported separately and not counted, per the GHG Protocol)."""
    gwp = gwp_values(gwp_set)
    fossil_co2 = fuel.per_gj_net(fuel.co2_kg_per_gj) * (1 - fuel.biogenic_fraction)
    ch4 = fuel.per_gj_net(fuel.ch4_kg_per_gj) * gwp.ch4_for(
        fuel.biogenic_fraction, split_fossil_methane
    )
    n2o = fuel.per_gj_net(fuel.n2o_kg_per_gj) * gwp.n2o
    return fossil_co2 + ch4 + n2o


def fuel_option(
    site: SiteFuels,
    fuel_id: str,
    efficiency: float = 1.0,
    gwp_set: str = DEFAULT_GWP_SET,
    purchasable_kg: float | None = None,
) -> FuelOption:
    """One optimizer option. Stock and purchases come from inventory.csv when the fuel has a row:
    by default a delivery may fill the store up to its capacity."""
    fuel = site.fuels[fuel_id]
    stock = site.inventory.get(fuel_id)
    net = fuel.per_gj_net
    co2 = net(fuel.co2_kg_per_gj)
    return FuelOption(
        fuel_id=fuel_id,
        price_per_gj=site.price_per_gj_net(fuel_id),
        efficiency=efficiency,
        lhv_mj_kg=fuel.lhv_mj_kg,
        co2_fossil_kg_per_gj=co2 * (1 - fuel.biogenic_fraction),
        co2_biogenic_kg_per_gj=co2 * fuel.biogenic_fraction,
        ch4_kg_per_gj=net(fuel.ch4_kg_per_gj),
        n2o_kg_per_gj=net(fuel.n2o_kg_per_gj),
        co2e_kg_per_gj=direct_co2e_per_gj_net(fuel, gwp_set),
        upstream_kgco2e_per_gj=net(fuel.upstream_kgco2e_per_gj),
        nox_g_per_gj=net(fuel.nox_g_per_gj),
        sox_g_per_gj=net(fuel.sox_g_per_gj),
        pm_g_per_gj=net(fuel.pm_g_per_gj),
        moisture_pct=fuel.moisture_pct,
        ash_pct=fuel.ash_pct,
        sulfur_pct=fuel.sulfur_pct,
        renewable=fuel.renewable,
        supply_security=fuel.supply_security,
        on_hand_kg=stock.quantity_kg if stock else None,
        purchasable_kg=(
            purchasable_kg
            if purchasable_kg is not None
            else (stock.storage_capacity_kg - stock.quantity_kg if stock else 0.0)
        ),
        lead_time_days=stock.lead_time_days if stock else 0.0,
        order_cost=stock.order_cost if stock else 0.0,
    )


def site_fuel_options(
    site: SiteFuels,
    fuel_ids: list[str] | None = None,
    efficiency: Mapping[str, float] | None = None,
    gwp_set: str = DEFAULT_GWP_SET,
) -> list[FuelOption]:
    chosen = fuel_ids or sorted(site.fuels)
    unknown = [fuel for fuel in chosen if fuel not in site.fuels]
    if unknown:
        raise KeyError(f"fuels not in fuels.csv: {unknown}")
    efficiency = efficiency or {}
    return [fuel_option(site, fuel, efficiency.get(fuel, 1.0), gwp_set) for fuel in chosen]
