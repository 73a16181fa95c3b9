"""Loaders for a site's `gas_composition.csv` and `fuel_mix.yaml`, and the bundle of every fuel
input a pipeline needs (fuels, prices, inventory, gas composition, mix settings).

`fuel_mix.yaml` says which fuels the multi-fuel boiler may burn, at what efficiency, under which
limits (the `MixLimits` fields, nested under `limits`), and how far ahead to plan purchases.
Problems are raised as one `InputError` naming file, row and field, like the other site files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from heatcraft.emissions.gwp import DEFAULT_GWP_SET
from heatcraft.errors import InputError, InputIssue
from heatcraft.fuels.mix_request import MixLimits
from heatcraft.fuels.site_files import SiteFuels, load_site_fuels
from heatcraft.provenance import sha256_of, sha256_of_file

GAS_COMPOSITION_FILE = "gas_composition.csv"
FUEL_MIX_FILE = "fuel_mix.yaml"
GAS_COMPOSITION_COLUMNS = ("component", "mole_fraction")


class ProcurementSettings(BaseModel):
    """How the day's fuel use becomes a purchase plan: the day repeats over the horizon."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_days: int = Field(default=14, ge=1, le=366)
    service_level: float = Field(default=0.95, ge=0.5, lt=1.0)
    demand_cv: float = Field(
        default=0.2, ge=0, description="std / mean of daily use, for the safety stock"
    )


class FuelMixSettings(BaseModel):
    """One `fuel_mix.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fuels: list[str] = Field(min_length=1, description="fuels the multi-fuel boiler may burn")
    efficiency: dict[str, float] = Field(
        default_factory=dict, description="heat out / fuel energy in (net) per fuel; default 1"
    )
    gwp_set: Literal["AR6", "AR5", "AR4"] = DEFAULT_GWP_SET
    factor_set: Literal["site", "ipcc2006", "epa_hub"] = Field(
        default="site", description="emission factors of the carbon footprint"
    )
    limits: MixLimits = Field(default_factory=MixLimits)
    procurement: ProcurementSettings = Field(default_factory=ProcurementSettings)

    @model_validator(mode="after")
    def _names_are_mix_fuels(self) -> FuelMixSettings:
        known = set(self.fuels)
        if len(known) != len(self.fuels):
            raise ValueError(f"fuels lists a fuel twice: {self.fuels}")
        limits = self.limits
        named = {
            "efficiency": list(self.efficiency),
            "limits.share_limits": list(limits.share_limits),
            "limits.fuel_emission_caps": list(limits.fuel_emission_caps),
            "limits.incompatible_pairs": [f for pair in limits.incompatible_pairs for f in pair],
            "limits.quality_limits.fuels": list(
                (limits.quality_limits.fuels or []) if limits.quality_limits else []
            ),
        }
        for where, names in named.items():
            unknown = sorted(set(names) - known)
            if unknown:
                raise ValueError(f"{where} names {unknown}, not in fuels {self.fuels}")
        for fuel, value in self.efficiency.items():
            if not 0 < value <= 1.5:
                raise ValueError(f"efficiency of {fuel!r} must be in (0, 1.5], got {value}")
        return self


def load_gas_composition(path: str | Path) -> dict[str, float]:
    """Mole fractions by ISO 6976 component name (formulas accepted), summing to 1."""
    from heatcraft.gas.composition import canonical_component_name, validate_composition
    from heatcraft.gas.errors import CompositionError

    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError([InputIssue(name, None, None, f"file not found: {path}")])
    issues: list[InputIssue] = []
    fractions: dict[str, float] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [column.strip() for column in (reader.fieldnames or [])]
        issues += [InputIssue(name, 1, c, "unknown column") for c in header
                   if c not in GAS_COMPOSITION_COLUMNS]
        issues += [InputIssue(name, 1, c, "missing required column")
                   for c in GAS_COMPOSITION_COLUMNS if c not in header]
        if issues:
            raise InputError(issues)
        for offset, raw in enumerate(reader):
            row = offset + 2
            cells = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
            try:
                component = canonical_component_name(cells["component"])
            except CompositionError as exc:
                issues.append(InputIssue(name, row, "component", str(exc)))
                continue
            if component in fractions:
                issues.append(InputIssue(name, row, "component", f"{component!r} given twice"))
                continue
            try:
                fractions[component] = float(cells["mole_fraction"])
            except ValueError:
                issues.append(InputIssue(name, row, "mole_fraction",
                                         f"not a number: {cells['mole_fraction']!r}"))
    if not fractions and not issues:
        issues.append(InputIssue(name, None, None, "no data rows"))
    if issues:
        raise InputError(issues)
    try:
        return validate_composition(fractions)
    except CompositionError as exc:  # negative fraction, or a sum that is not 1
        raise InputError([InputIssue(name, None, "mole_fraction", str(exc))]) from None


def load_fuel_mix_settings(path: str | Path) -> FuelMixSettings:
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError([InputIssue(name, None, None, f"file not found: {path}")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError([InputIssue(name, None, None, f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputError([InputIssue(name, None, None, "expected a mapping at the top level")])
    try:
        return FuelMixSettings.model_validate(data)
    except ValidationError as exc:
        raise InputError([
            InputIssue(name, None, ".".join(str(part) for part in error["loc"]) or None,
                       error["msg"])
            for error in exc.errors()
        ]) from None


@dataclass(frozen=True)
class SiteFuelInputs:
    """Every fuel input of a site folder; optional files are None when absent."""

    fuels: SiteFuels
    mix: FuelMixSettings | None
    gas_composition: dict[str, float] | None
    source_sha256: dict[str, str]

    @property
    def sha256(self) -> str:
        """Fingerprint of the loaded content, so equal meaning gives an equal hash."""
        return sha256_of({
            "fuels": self.fuels.fuels, "prices": self.fuels.prices,
            "inventory": self.fuels.inventory, "currency": self.fuels.currency,
            "mix": self.mix, "gas_composition": self.gas_composition,
        })


def load_site_fuel_inputs(site_dir: str | Path) -> SiteFuelInputs:
    """fuels.csv, fuel_prices.csv, inventory.csv (engine loader) plus the two optional files."""
    folder = Path(site_dir)
    fuels = load_site_fuels(folder)
    gas_path, mix_path = folder / GAS_COMPOSITION_FILE, folder / FUEL_MIX_FILE
    used = [folder / n for n in ("fuels.csv", "fuel_prices.csv", "inventory.csv", gas_path.name,
                                 mix_path.name) if (folder / n).is_file()]
    return SiteFuelInputs(
        fuels=fuels,
        mix=load_fuel_mix_settings(mix_path) if mix_path.is_file() else None,
        gas_composition=load_gas_composition(gas_path) if gas_path.is_file() else None,
        source_sha256={p.name: sha256_of_file(p) for p in used},
    )
