"""`heatcraft emissions FILE` and the site-level footprint function."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from heatcraft.emissions.footprint import CarbonFootprint, FactorSet, carbon_footprint
from heatcraft.emissions.gwp import DEFAULT_GWP_SET
from heatcraft.errors import InputError
from heatcraft.fuels.properties import FuelProperties
from heatcraft.fuels.request_errors import RequestError, parse_request, request_error
from heatcraft.fuels.site_files import FUELS_FILE, SiteFuels, read_rows


class EmissionsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_dir: str = Field(description="folder with fuels.csv (prices and inventory not needed)")
    fuel_energy_gj: dict[str, float] | None = Field(default=None, description="GJ net per fuel")
    fuel_quantity_kg: dict[str, float] | None = Field(default=None, description="kg per fuel")
    electricity_kwh: float = Field(default=0.0, ge=0)
    grid_factor_kg_per_kwh: float = Field(default=0.0, ge=0)
    gwp_set: Literal["AR6", "AR5", "AR4"] = DEFAULT_GWP_SET
    factor_set: FactorSet = "ipcc2006"
    sector: Literal["manufacturing", "energy_industries"] = "manufacturing"
    split_fossil_methane: bool = True
    carbon_price_per_t: float = Field(default=0.0, ge=0)
    reference_fuel: str | None = None


def emissions_request(request: dict) -> dict:
    """Footprint of a fuel use (energy or mass per fuel) plus electricity; RequestError on bad
    fields."""
    parsed = parse_request(EmissionsRequest, request)
    if (parsed.fuel_energy_gj is None) == (parsed.fuel_quantity_kg is None):
        raise request_error(
            "fuel_energy_gj", "give exactly one of fuel_energy_gj or fuel_quantity_kg"
        )
    fuels = _load_fuels(parsed.site_dir)
    given_field = "fuel_energy_gj" if parsed.fuel_energy_gj is not None else "fuel_quantity_kg"
    given = parsed.fuel_energy_gj or parsed.fuel_quantity_kg or {}
    for fuel_id, amount in given.items():
        if fuel_id not in fuels:
            raise request_error(f"{given_field}.{fuel_id}", f"unknown fuel; known: {sorted(fuels)}")
        if amount < 0:
            raise request_error(f"{given_field}.{fuel_id}", "must not be negative")
    if parsed.reference_fuel is not None and parsed.reference_fuel not in fuels:
        raise request_error("reference_fuel", f"unknown fuel; known: {sorted(fuels)}")
    energy = (
        dict(given)
        if parsed.fuel_energy_gj is not None
        else {f: kg * fuels[f].lhv_mj_kg / 1000.0 for f, kg in given.items()}
    )
    footprint = carbon_footprint(
        energy,
        fuels,
        electricity_kwh=parsed.electricity_kwh,
        grid_factor_kg_per_kwh=parsed.grid_factor_kg_per_kwh,
        gwp_set=parsed.gwp_set,
        factor_set=parsed.factor_set,
        sector=parsed.sector,
        split_fossil_methane=parsed.split_fossil_methane,
        carbon_price_per_t=parsed.carbon_price_per_t,
        reference_fuel=parsed.reference_fuel,
    )
    return {"status": "ok"} | footprint.to_dict()


def site_carbon_footprint(
    site: SiteFuels | str | Path,
    fuel_energy_gj: Mapping[str, float],
    electricity_kwh: float,
    grid_factor_kg_per_kwh: float,
    **options: object,
) -> CarbonFootprint:
    """Site-level footprint: fuel energy (GJ net per fuel, e.g. summed from the mix and the gas
    boilers' carriers) and the plan's electricity kWh times the site's grid factor. `options` are
    carbon_footprint's keyword arguments (gwp_set, factor_set, carbon_price_per_t, ...)."""
    fuels = site.fuels if isinstance(site, SiteFuels) else _load_fuels(str(site))
    return carbon_footprint(
        fuel_energy_gj,
        fuels,
        electricity_kwh,
        grid_factor_kg_per_kwh,
        **options,  # type: ignore[arg-type]
    )


def _load_fuels(site_dir: str) -> dict[str, FuelProperties]:
    try:
        rows = read_rows(Path(site_dir) / FUELS_FILE, FuelProperties)
    except InputError as exc:
        raise RequestError(exc.issues) from None
    return {row.fuel_id: row for row in rows}
