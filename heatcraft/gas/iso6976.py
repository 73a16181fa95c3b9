"""Real-gas properties of a natural gas from its composition, per ISO 6976:2016.

Equations (clause numbers of ISO 6976:2016):
- molar mass M = sum x_i M_i;
- compression factor at the metering temperature t2 and 101.325 kPa: Z = 1 - (sum x_i s_i)^2;
- molar gross calorific value at the combustion temperature t1: Hc_G = sum x_i Hc_G,i (on the
  molar basis the standard takes real = ideal);
- molar net calorific value, Eq. (3): Hc_N = Hc_G - (sum x_i n_H,i / 2) L(t1);
- mass basis H_m = Hc / M (independent of metering conditions);
- volumetric basis H_v = Hc p2 / (Z R T2); density rho = M p2 / (Z R T2);
- relative density d = (M / M_air) Z_air(t2) / Z; Wobbe index W = H_v / sqrt(d).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from heatcraft.gas.composition import validate_composition
from heatcraft.gas.errors import CompositionError, ReferenceConditionError
from heatcraft.gas.iso6976_data import (
    COMBUSTION_TEMPERATURES_C,
    DATA_CITATION,
    METERING_TEMPERATURES_C,
    components,
    constants,
)

KELVIN_OFFSET = 273.15
# ISO 6976 is valid for gases that are nearly ideal at reference conditions; below this the
# summation-factor method is outside its range (heavy vapours that would condense anyway).
MINIMUM_COMPRESSION_FACTOR = 0.9


@dataclass(frozen=True)
class GasProperties:
    """ISO 6976:2016 real-gas properties at one combustion/metering reference pair."""

    combustion_temperature_c: float
    metering_temperature_c: float
    reference_pressure_kpa: float
    molar_mass_kg_per_kmol: float
    compression_factor: float
    gross_calorific_value_kj_per_mol: float
    net_calorific_value_kj_per_mol: float
    gross_calorific_value_mj_per_kg: float
    net_calorific_value_mj_per_kg: float
    gross_calorific_value_mj_per_m3: float
    net_calorific_value_mj_per_m3: float
    density_kg_per_m3: float
    relative_density: float
    wobbe_index_gross_mj_per_m3: float
    wobbe_index_net_mj_per_m3: float
    data_source: str = DATA_CITATION

    def to_dict(self) -> dict[str, float | str]:
        return asdict(self)


def _tabulated(temperature_c: float, allowed: tuple[float, ...], role: str) -> float:
    """Snap a requested temperature to the tabulated value it names (e.g. 15.55 for 60 degF)."""
    try:
        value = float(temperature_c)
    except (TypeError, ValueError):
        raise ReferenceConditionError(
            f"{role} temperature is not a number: {temperature_c!r}"
        ) from None
    for candidate in allowed:
        if abs(value - candidate) <= 1e-9:
            return candidate
    listed = ", ".join(f"{t:g}" for t in allowed)
    raise ReferenceConditionError(
        f"{role} temperature {value:g} degC is not tabulated by ISO 6976:2016; use one of {listed}"
    )


def combustion_temperature(temperature_c: float) -> float:
    return _tabulated(temperature_c, COMBUSTION_TEMPERATURES_C, "combustion")


def metering_temperature(temperature_c: float) -> float:
    return _tabulated(temperature_c, METERING_TEMPERATURES_C, "metering")


def gas_properties(
    composition: Mapping[str, float],
    *,
    combustion_temperature_c: float = 15.0,
    metering_temperature_c: float = 15.0,
    normalize: bool = False,
) -> GasProperties:
    """ISO 6976:2016 real-gas properties of `composition` (mole fractions by ISO name)."""
    t1 = combustion_temperature(combustion_temperature_c)
    t2 = metering_temperature(metering_temperature_c)
    fractions = validate_composition(composition, normalize=normalize)
    table = components()
    const = constants()

    molar_mass = math.fsum(x * table[n].molar_mass_kg_per_kmol for n, x in fractions.items())
    summation = math.fsum(x * table[n].summation_factor[t2] for n, x in fractions.items())
    compression_factor = 1.0 - summation**2
    if compression_factor < MINIMUM_COMPRESSION_FACTOR:
        raise CompositionError(
            f"compression factor {compression_factor:.4f} at {t2:g} degC is below "
            f"{MINIMUM_COMPRESSION_FACTOR}: the composition is outside the ISO 6976 range "
            "(too much heavy hydrocarbon or vapour)"
        )
    gross_molar = math.fsum(
        x * table[n].gross_calorific_value_kj_per_mol[t1] for n, x in fractions.items()
    )
    hydrogen_atoms = math.fsum(x * table[n].hydrogen_atoms for n, x in fractions.items())
    # Eq. (3): each mole of H atoms leaves half a mole of water as vapour instead of liquid.
    net_molar = (
        gross_molar - hydrogen_atoms / 2.0 * const.water_vaporisation_enthalpy_kj_per_mol[t1]
    )

    # mol/m3 of an ideal gas at t2 and p2; the real gas holds 1/Z times as many moles.
    ideal_molar_density = (const.reference_pressure_kpa * 1000.0) / (
        const.molar_gas_constant_j_per_mol_k * (t2 + KELVIN_OFFSET)
    )
    real_molar_density = ideal_molar_density / compression_factor
    relative_density = (
        molar_mass
        / const.molar_mass_dry_air_kg_per_kmol
        * const.compression_factor_air[t2]
        / compression_factor
    )
    gross_volumetric = gross_molar * real_molar_density / 1000.0
    net_volumetric = net_molar * real_molar_density / 1000.0
    root_d = math.sqrt(relative_density)
    return GasProperties(
        combustion_temperature_c=t1,
        metering_temperature_c=t2,
        reference_pressure_kpa=const.reference_pressure_kpa,
        molar_mass_kg_per_kmol=molar_mass,
        compression_factor=compression_factor,
        gross_calorific_value_kj_per_mol=gross_molar,
        net_calorific_value_kj_per_mol=net_molar,
        gross_calorific_value_mj_per_kg=gross_molar / molar_mass,
        net_calorific_value_mj_per_kg=net_molar / molar_mass,
        gross_calorific_value_mj_per_m3=gross_volumetric,
        net_calorific_value_mj_per_m3=net_volumetric,
        density_kg_per_m3=molar_mass * real_molar_density / 1000.0,
        relative_density=relative_density,
        wobbe_index_gross_mj_per_m3=gross_volumetric / root_d,
        wobbe_index_net_mj_per_m3=net_volumetric / root_d,
    )


def reference_pairs() -> list[tuple[float, float]]:
    """Every (combustion, metering) temperature pair the ISO 6976:2016 tables support."""
    return [(t1, t2) for t1 in COMBUSTION_TEMPERATURES_C for t2 in METERING_TEMPERATURES_C]
