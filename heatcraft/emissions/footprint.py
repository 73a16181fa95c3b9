"""Carbon footprint: scope 1 (combustion), scope 2 (location-based electricity), scope 3
(upstream fuel supply), biogenic CO2 apart, carbon cost and the reduction against a reference fuel.

Every emission is one line `energy_gj_net x factor_kg_per_gj_net = emission_kg`, and each line
carries its factor's source, table, year and original basis, so totals reconcile by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

from heatcraft.emissions.factor_database import GREENHOUSE_GASES, Sector, lookup_factor
from heatcraft.emissions.gwp import DEFAULT_GWP_SET, GwpValues, gwp_values
from heatcraft.fuels.properties import FuelProperties

FactorSet = Literal["site", "ipcc2006", "epa_hub"]
SCOPE_1 = "scope1"
SCOPE_2 = "scope2"
SCOPE_3 = "scope3"
BIOGENIC = "biogenic_outside_scopes"


@dataclass(frozen=True)
class EmissionLine:
    scope: str
    fuel_id: str
    gas: str
    energy_gj_net: float
    factor_kg_per_gj_net: float
    emission_kg: float
    gwp: float
    co2e_kg: float
    factor_value: float
    factor_unit: str
    factor_basis: str
    basis_conversion: float
    """multiplier that took the factor to a net basis (HHV/LHV for gross factors, else 1)"""
    fraction: float
    """share of the published factor on this line (fossil or biogenic part of CO2, else 1)"""
    source: str
    table: str
    year: int | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class CarbonFootprint:
    gwp: GwpValues
    factor_set: str
    lines: list[EmissionLine] = field(default_factory=list)
    carbon_price_per_t: float = 0.0
    reference: dict[str, object] | None = None

    def co2e_kg(self, scope: str) -> float:
        return sum(line.co2e_kg for line in self.lines if line.scope == scope)

    def gas_kg(self, gas: str, scope: str | None = None) -> float:
        return sum(
            line.emission_kg
            for line in self.lines
            if line.gas == gas and (scope is None or line.scope == scope)
        )

    @property
    def biogenic_co2_kg(self) -> float:
        return sum(line.emission_kg for line in self.lines if line.scope == BIOGENIC)

    @property
    def carbon_cost(self) -> float:
        """Carbon price applies to scope-1 CO2e (direct, fossil); biogenic CO2 is not priced."""
        return self.carbon_price_per_t * self.co2e_kg(SCOPE_1) / 1000.0

    def totals(self) -> dict[str, float]:
        scope1, scope2, scope3 = (self.co2e_kg(s) for s in (SCOPE_1, SCOPE_2, SCOPE_3))
        return {
            "scope1_co2e_kg": scope1,
            "scope2_co2e_kg": scope2,
            "scope3_co2e_kg": scope3,
            "total_co2e_kg": scope1 + scope2 + scope3,
            "scope1_co2_fossil_kg": self.gas_kg("co2_fossil", SCOPE_1),
            "scope1_ch4_kg": self.gas_kg("ch4", SCOPE_1),
            "scope1_n2o_kg": self.gas_kg("n2o", SCOPE_1),
            "biogenic_co2_kg": self.biogenic_co2_kg,
            "carbon_cost": self.carbon_cost,
        }

    def rows(self) -> list[dict[str, object]]:
        """carbon_footprint table: one row per scope, fuel and gas."""
        return [line.to_dict() for line in self.lines]

    def to_dict(self) -> dict[str, object]:
        return {
            "gwp_set": self.gwp.to_dict(),
            "factor_set": self.factor_set,
            "totals": self.totals(),
            "carbon_price_per_t": self.carbon_price_per_t,
            "reduction_vs_reference": self.reference,
            "lines": self.rows(),
            "reconciliation": "each line: energy_gj_net x factor_kg_per_gj_net = emission_kg; "
            "emission_kg x gwp = co2e_kg; totals are sums of lines",
            "notes": [
                "scope 2 is location-based: electricity kWh x the site's grid factor",
                "biogenic CO2 is reported outside the scopes (GHG Protocol); CH4 and N2O from "
                "biomass count in scope 1",
            ],
        }


def carbon_footprint(
    fuel_energy_gj: Mapping[str, float],
    fuels: Mapping[str, FuelProperties],
    electricity_kwh: float = 0.0,
    grid_factor_kg_per_kwh: float = 0.0,
    gwp_set: str = DEFAULT_GWP_SET,
    factor_set: FactorSet = "site",
    sector: Sector = "manufacturing",
    split_fossil_methane: bool = True,
    carbon_price_per_t: float = 0.0,
    reference_fuel: str | None = None,
) -> CarbonFootprint:
    """Footprint of burning `fuel_energy_gj` (GJ net per fuel) and buying `electricity_kwh`.

    factor_set "site" uses the factors in fuels.csv; "ipcc2006"/"epa_hub" use the packaged tables
    (a fuel without a table row falls back to fuels.csv, and its lines say so).
    """
    if electricity_kwh < 0 or grid_factor_kg_per_kwh < 0:
        raise ValueError("electricity_kwh and grid_factor_kg_per_kwh must not be negative")
    gwp = gwp_values(gwp_set)
    footprint = CarbonFootprint(gwp, factor_set, carbon_price_per_t=carbon_price_per_t)
    for fuel_id in sorted(fuel_energy_gj):
        energy = float(fuel_energy_gj[fuel_id])
        if energy < 0:
            raise ValueError(f"negative energy for fuel {fuel_id!r}")
        if fuel_id not in fuels:
            raise KeyError(f"fuel {fuel_id!r} is not in fuels.csv")
        footprint.lines += combustion_lines(
            fuels[fuel_id], energy, gwp, factor_set, sector, split_fossil_methane
        )
        footprint.lines.append(upstream_line(fuels[fuel_id], energy))
    if electricity_kwh:
        footprint.lines.append(electricity_line(electricity_kwh, grid_factor_kg_per_kwh))
    if reference_fuel is not None:
        if reference_fuel not in fuels:
            raise KeyError(f"reference fuel {reference_fuel!r} is not in fuels.csv")
        footprint.reference = _reduction(
            footprint,
            fuels[reference_fuel],
            sum(fuel_energy_gj.values()),
            gwp,
            factor_set,
            sector,
            split_fossil_methane,
        )
    return footprint


def combustion_lines(
    fuel: FuelProperties,
    energy_gj: float,
    gwp: GwpValues,
    factor_set: FactorSet,
    sector: Sector,
    split_fossil_methane: bool,
) -> list[EmissionLine]:
    lines = []
    for gas in GREENHOUSE_GASES:
        value, unit, basis, kg_per_gj_stated, source, table, year = _factor(
            fuel, gas, factor_set, sector
        )
        conversion = fuel.gross_to_net_ratio if basis == "gross" else 1.0
        net = kg_per_gj_stated * conversion
        if gas == "co2":
            parts = [
                ("co2_fossil", SCOPE_1, 1 - fuel.biogenic_fraction, gwp.co2),
                ("co2_biogenic", BIOGENIC, fuel.biogenic_fraction, 0.0),
            ]
        elif gas == "ch4":
            ch4 = gwp.ch4_for(fuel.biogenic_fraction, split_fossil_methane)
            parts = [("ch4", SCOPE_1, 1.0, ch4)]
        else:
            parts = [("n2o", SCOPE_1, 1.0, gwp.n2o)]
        for name, scope, fraction, factor_gwp in parts:
            if fraction == 0:  # an all-fossil fuel has no biogenic line and vice versa
                continue
            per_gj = net * fraction
            emission = energy_gj * per_gj
            lines.append(
                EmissionLine(
                    scope,
                    fuel.fuel_id,
                    name,
                    energy_gj,
                    per_gj,
                    emission,
                    factor_gwp,
                    emission * factor_gwp,
                    value,
                    unit,
                    basis,
                    conversion,
                    fraction,
                    source,
                    table,
                    year,
                )
            )
    return lines


def _factor(fuel: FuelProperties, gas: str, factor_set: FactorSet, sector: Sector):
    if factor_set != "site":
        published = lookup_factor(fuel.fuel_id, gas, factor_set, sector)  # type: ignore[arg-type]
        if published is not None:
            return (
                published.value,
                published.unit,
                published.basis,
                published.kg_per_gj,
                f"{published.source} ({published.reference_name})",
                published.table,
                published.year,
            )
    stated = getattr(fuel, f"{gas}_kg_per_gj")
    fallback = "" if factor_set == "site" else f"; no {factor_set} row, site value used"
    return (
        stated,
        f"kg/GJ ({fuel.factor_basis})",
        fuel.factor_basis,
        stated,
        fuel.factor_source + fallback,
        "fuels.csv",
        None,
    )


def upstream_line(fuel: FuelProperties, energy_gj: float) -> EmissionLine:
    value = fuel.upstream_kgco2e_per_gj
    conversion = fuel.gross_to_net_ratio if fuel.factor_basis == "gross" else 1.0
    emission = energy_gj * value * conversion
    return EmissionLine(
        SCOPE_3,
        fuel.fuel_id,
        "co2e_upstream",
        energy_gj,
        value * conversion,
        emission,
        1.0,
        emission,
        value,
        f"kg CO2e/GJ ({fuel.factor_basis})",
        fuel.factor_basis,
        conversion,
        1.0,
        "fuels.csv upstream_kgco2e_per_gj",
        "fuels.csv",
        None,
    )


def electricity_line(kwh: float, grid_factor: float) -> EmissionLine:
    # Scope 2 has no fuel energy: the "energy" column holds GJ of electricity for completeness,
    # and the factor is restated per GJ so energy x factor still equals the emission.
    gj = kwh * 0.0036
    emission = kwh * grid_factor
    return EmissionLine(
        SCOPE_2,
        "electricity",
        "co2e_grid",
        gj,
        grid_factor / 0.0036,
        emission,
        1.0,
        emission,
        grid_factor,
        "kg CO2e/kWh",
        "delivered",
        1.0,
        1.0,
        "site.yaml grid_emission_factor",
        "location-based grid average",
        None,
    )


def _reduction(footprint, reference, energy_gj, gwp, factor_set, sector, split) -> dict:
    """Scope-1 CO2e had the same fuel energy come from the reference fuel."""
    baseline = sum(
        line.co2e_kg
        for line in combustion_lines(reference, energy_gj, gwp, factor_set, sector, split)
        if line.scope == SCOPE_1
    )
    actual = footprint.co2e_kg(SCOPE_1)
    return {
        "reference_fuel": reference.fuel_id,
        "basis": "same fuel energy (GJ net), scope 1",
        "reference_co2e_kg": baseline,
        "actual_co2e_kg": actual,
        "reduction_kg": baseline - actual,
        "reduction_pct": 100.0 * (baseline - actual) / baseline if baseline else None,
    }
