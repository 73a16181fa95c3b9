"""Fuel properties, prices and inventory rows as pydantic models (one model per input file row).

Energy convention for the whole fuels package: fuel energy is in GJ on a **net** (lower heating
value) basis unless a name says `gross`. Per-GJ columns of `fuels.csv` are on the row's
`factor_basis` and are converted to net with the fuel's own HHV/LHV ratio.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HeatingValueBasis = Literal["net", "gross"]


class FuelProperties(BaseModel):
    """One row of `fuels.csv`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fuel_id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    lhv_mj_kg: float = Field(gt=0)
    hhv_mj_kg: float = Field(gt=0)
    moisture_pct: float = Field(ge=0, le=100)
    ash_pct: float = Field(ge=0, le=100)
    sulfur_pct: float = Field(ge=0, le=100)
    carbon_pct: float = Field(ge=0, le=100)
    renewable: bool
    biogenic_fraction: float = Field(ge=0, le=1, description="share of the CO2 that is biogenic")
    factor_basis: HeatingValueBasis = Field(description="basis of every per-GJ column")
    co2_kg_per_gj: float = Field(ge=0)
    ch4_kg_per_gj: float = Field(ge=0)
    n2o_kg_per_gj: float = Field(ge=0)
    nox_g_per_gj: float = Field(ge=0)
    sox_g_per_gj: float = Field(ge=0)
    pm_g_per_gj: float = Field(ge=0)
    supply_security: float = Field(ge=0, le=1)
    upstream_kgco2e_per_gj: float = Field(ge=0)
    factor_source: str = Field(default="fuels.csv", description="citation of the row's factors")

    @model_validator(mode="after")
    def _gross_not_below_net(self) -> FuelProperties:
        if self.hhv_mj_kg < self.lhv_mj_kg:
            raise ValueError(
                f"hhv_mj_kg ({self.hhv_mj_kg}) must not be below lhv_mj_kg ({self.lhv_mj_kg})"
            )
        return self

    @property
    def gross_to_net_ratio(self) -> float:
        """GJ gross per GJ net: multiply a per-GJ-gross factor by this to get per GJ net."""
        return self.hhv_mj_kg / self.lhv_mj_kg

    def per_gj_net(self, value_on_factor_basis: float) -> float:
        """Convert a per-GJ value stated on this row's factor_basis to per GJ net."""
        if self.factor_basis == "net":
            return value_on_factor_basis
        return value_on_factor_basis * self.gross_to_net_ratio

    def kg_from_gj_net(self, energy_gj: float) -> float:
        return energy_gj * 1000.0 / self.lhv_mj_kg


class FuelPrice(BaseModel):
    """One row of `fuel_prices.csv`. `basis` defaults to gross for MMBtu/therm prices (US
    convention), net otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fuel_id: str = Field(min_length=1)
    price: float = Field(ge=0)
    unit: str = Field(min_length=3, description="CURRENCY/UNIT, e.g. USD/kg, USD/GJ, USD/MMBtu")
    as_of: str = Field(min_length=1, description="ISO 8601 date or date-time")
    basis: HeatingValueBasis | None = None


class InventoryItem(BaseModel):
    """One row of `inventory.csv`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fuel_id: str = Field(min_length=1)
    quantity_kg: float = Field(ge=0)
    storage_capacity_kg: float = Field(ge=0)
    lead_time_days: float = Field(ge=0)
    order_cost: float = Field(ge=0, description="fixed cost per order, site currency")
    holding_cost_pct: float = Field(ge=0, description="holding cost, % of fuel value per year")

    @model_validator(mode="after")
    def _stock_fits(self) -> InventoryItem:
        if self.quantity_kg > self.storage_capacity_kg:
            raise ValueError(
                f"quantity_kg ({self.quantity_kg}) exceeds storage_capacity_kg "
                f"({self.storage_capacity_kg})"
            )
        return self
