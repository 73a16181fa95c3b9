"""Emission factor database: IPCC 2006 (net basis) and EPA GHG Emission Factors Hub (gross basis).

Every factor keeps its source, table, year and heating-value basis; `per_gj_net` converts it to the
engine's convention (kg per GJ net) with the fuel's own HHV/LHV ratio.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from heatcraft.fuels.properties import FuelProperties

FactorSource = Literal["ipcc2006", "epa_hub"]
Sector = Literal["manufacturing", "energy_industries"]
GreenhouseGas = Literal["co2", "ch4", "n2o"]
GREENHOUSE_GASES: tuple[GreenhouseGas, ...] = ("co2", "ch4", "n2o")
_DATA_PACKAGE = "heatcraft.data.emission_factors"
IPCC_FILE = "ipcc2006_stationary_combustion.csv"
EPA_FILE = "epa_ghg_hub_stationary_combustion.csv"
GJ_PER_MMBTU = 1.055056

# Site fuel ids that are not spelled like a reference row. Biomethane is chemically natural gas:
# its combustion factors are those of natural gas, and its CO2 is biogenic (fuels.csv says so).
IPCC_ALIASES = {
    "biomethane": "natural_gas",
    "distillate_fuel_oil_2": "diesel_oil",
    "fuel_oil_2": "diesel_oil",
    "gas_oil": "diesel_oil",
    "residual_fuel_oil_6": "residual_fuel_oil",
    "propane": "lpg",
    "propane_gas": "lpg",
    "propane_liquid": "lpg",
    "wood_chips": "wood",
    "wood_pellets": "wood",
    "biomass_pellets": "other_solid_biomass",
}
EPA_ALIASES = {
    "biomethane": "natural_gas",
    "fuel_oil_2": "distillate_fuel_oil_2",
    "diesel_oil": "distillate_fuel_oil_2",
    "residual_fuel_oil": "residual_fuel_oil_6",
    "propane": "propane_gas",
    "lpg": "propane_liquid",
    "wood_chips": "wood",
    "wood_pellets": "wood",
}
_IPCC_TABLE = {
    "co2": "Vol. 2 Ch. 1 Table 1.4",
    ("ch4", "manufacturing"): "Vol. 2 Ch. 2 Table 2.3",
    ("n2o", "manufacturing"): "Vol. 2 Ch. 2 Table 2.3",
    ("ch4", "energy_industries"): "Vol. 2 Ch. 2 Table 2.2",
    ("n2o", "energy_industries"): "Vol. 2 Ch. 2 Table 2.2",
}


@dataclass(frozen=True)
class EmissionFactor:
    """One published factor, in its own units, plus its value in kg per GJ on its stated basis."""

    reference_fuel: str
    reference_name: str
    gas: GreenhouseGas
    value: float
    unit: str
    kg_per_gj: float
    basis: Literal["net", "gross"]
    source: str
    table: str
    year: int

    def per_gj_net(self, fuel: FuelProperties) -> float:
        """kg per GJ net for this fuel (gross-basis factors times HHV/LHV)."""
        ratio = fuel.gross_to_net_ratio if self.basis == "gross" else 1.0
        return self.kg_per_gj * ratio

    def citation(self) -> str:
        return f"{self.source}, {self.table} ({self.year})"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=2)
def _ipcc(sector: Sector) -> dict[tuple[str, str], EmissionFactor]:
    factors: dict[tuple[str, str], EmissionFactor] = {}
    for row in _read(IPCC_FILE):
        columns = {
            "co2": "co2_kg_per_tj",
            "ch4": f"ch4_kg_per_tj_{sector}",
            "n2o": f"n2o_kg_per_tj_{sector}",
        }
        for gas, column in columns.items():
            value = float(row[column])
            factors[(row["fuel"], gas)] = EmissionFactor(
                reference_fuel=row["fuel"],
                reference_name=row["ipcc_name"],
                gas=gas,  # type: ignore[arg-type]
                value=value,
                unit="kg/TJ (net)",
                kg_per_gj=value / 1000.0,
                basis="net",
                source="IPCC 2006 Guidelines",
                table=_IPCC_TABLE["co2"] if gas == "co2" else _IPCC_TABLE[(gas, sector)],
                year=2006,
            )
    return factors


@lru_cache(maxsize=1)
def _epa() -> dict[tuple[str, str], EmissionFactor]:
    factors: dict[tuple[str, str], EmissionFactor] = {}
    for row in _read(EPA_FILE):
        stated = {
            "co2": (float(row["co2_kg_per_mmbtu"]), "kg/mmBtu (HHV)", 1.0, "Table C-1"),
            "ch4": (float(row["ch4_g_per_mmbtu"]), "g/mmBtu (HHV)", 1e-3, "Table C-2"),
            "n2o": (float(row["n2o_g_per_mmbtu"]), "g/mmBtu (HHV)", 1e-3, "Table C-2"),
        }
        for gas, (value, unit, to_kg, table) in stated.items():
            factors[(row["fuel"], gas)] = EmissionFactor(
                reference_fuel=row["fuel"],
                reference_name=row["epa_name"],
                gas=gas,  # type: ignore[arg-type]
                value=value,
                unit=unit,
                kg_per_gj=value * to_kg / GJ_PER_MMBTU,
                basis="gross",
                source="US EPA GHG Emission Factors Hub (40 CFR 98 Subpart C)",
                table=table,
                year=2021,
            )
    return factors


def reference_fuel_id(fuel_id: str, source: FactorSource) -> str:
    aliases = IPCC_ALIASES if source == "ipcc2006" else EPA_ALIASES
    return aliases.get(fuel_id, fuel_id)


def lookup_factor(
    fuel_id: str, gas: GreenhouseGas, source: FactorSource, sector: Sector = "manufacturing"
) -> EmissionFactor | None:
    """The published factor for a site fuel id (via aliases), or None if the table has no row."""
    table = _ipcc(sector) if source == "ipcc2006" else _epa()
    return table.get((reference_fuel_id(fuel_id, source), gas))


def all_factors(source: FactorSource, sector: Sector = "manufacturing") -> list[EmissionFactor]:
    table = _ipcc(sector) if source == "ipcc2006" else _epa()
    return list(table.values())
