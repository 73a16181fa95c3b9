"""ISO 6976:2016 Annex A component table and constants, loaded from the packaged CSV files.

The files live in `heatcraft/data/` and are read through importlib.resources so that an installed
wheel finds them as well as a source checkout. See `heatcraft/data/ISO6976_SOURCES.md`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

COMPONENTS_FILE = "iso6976_2016_components.csv"
CONSTANTS_FILE = "iso6976_2016_constants.csv"
DATA_CITATION = (
    "ISO 6976:2016 Natural gas - Calculation of calorific values, density, relative density and "
    "Wobbe indices from composition, Annex A tables A.2-A.4 and clause 5 constants "
    "(heatcraft/data/ISO6976_SOURCES.md)"
)

# Column suffixes used by the CSV for each tabulated reference temperature (degC).
COMBUSTION_TEMPERATURES_C: tuple[float, ...] = (0.0, 15.0, 15.55, 20.0, 25.0)
METERING_TEMPERATURES_C: tuple[float, ...] = (0.0, 15.0, 15.55, 20.0)
_SUFFIX = {0.0: "0C", 15.0: "15C", 15.55: "15_55C", 20.0: "20C", 25.0: "25C"}


def temperature_suffix(temperature_c: float) -> str:
    """CSV column suffix of a tabulated temperature (the caller has validated it)."""
    return _SUFFIX[temperature_c]


@dataclass(frozen=True)
class Component:
    """One row of ISO 6976:2016 Annex A (ideal-gas values; s_i for the compression factor)."""

    index: int
    name: str
    molar_mass_kg_per_kmol: float
    hydrogen_atoms: int
    summation_factor: Mapping[float, float]  # by metering temperature, degC
    gross_calorific_value_kj_per_mol: Mapping[float, float]  # ideal gas, by combustion temperature


@dataclass(frozen=True)
class Iso6976Constants:
    reference_pressure_kpa: float
    molar_gas_constant_j_per_mol_k: float
    molar_mass_dry_air_kg_per_kmol: float
    compression_factor_air: Mapping[float, float]  # by metering temperature, degC
    water_vaporisation_enthalpy_kj_per_mol: Mapping[float, float]  # by combustion temperature


def _read_text(file_name: str) -> str:
    # heatcraft/data has no __init__.py: address it from the heatcraft package (package-data).
    return resources.files("heatcraft").joinpath("data", file_name).read_text(encoding="utf-8")


@cache
def components() -> Mapping[str, Component]:
    """All 60 ISO 6976:2016 components keyed by their ISO name (e.g. "methane", "n-butane")."""
    table: dict[str, Component] = {}
    for row in csv.DictReader(io.StringIO(_read_text(COMPONENTS_FILE))):
        table[row["component"]] = Component(
            index=int(row["index"]),
            name=row["component"],
            molar_mass_kg_per_kmol=float(row["molar_mass_kg_per_kmol"]),
            hydrogen_atoms=int(row["n_H"]),
            summation_factor=MappingProxyType(
                {t: float(row[f"s_{_SUFFIX[t]}"]) for t in METERING_TEMPERATURES_C}
            ),
            gross_calorific_value_kj_per_mol=MappingProxyType(
                {t: float(row[f"hcg_{_SUFFIX[t]}_kJ_per_mol"]) for t in COMBUSTION_TEMPERATURES_C}
            ),
        )
    return MappingProxyType(table)


@cache
def constants() -> Iso6976Constants:
    values = {
        row["name"]: float(row["value"])
        for row in csv.DictReader(io.StringIO(_read_text(CONSTANTS_FILE)))
    }
    return Iso6976Constants(
        reference_pressure_kpa=values["reference_pressure"],
        molar_gas_constant_j_per_mol_k=values["molar_gas_constant"],
        molar_mass_dry_air_kg_per_kmol=values["molar_mass_dry_air"],
        compression_factor_air=MappingProxyType(
            {t: values[f"z_air_{_SUFFIX[t]}"] for t in METERING_TEMPERATURES_C}
        ),
        water_vaporisation_enthalpy_kj_per_mol=MappingProxyType(
            {
                t: values[f"water_vaporisation_enthalpy_{_SUFFIX[t]}"]
                for t in COMBUSTION_TEMPERATURES_C
            }
        ),
    )
