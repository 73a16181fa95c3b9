"""The fuel-mix problem statement: per-fuel coefficients (per GJ net) and the limits to respect.

Decision: the net fuel energy x[f, t] (GJ) of each fuel in each period; useful heat delivered is
sum_f efficiency_f * x[f, t] and must equal the period's demand. Shares are shares of fuel energy.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Objective = Literal["cost", "co2e", "weighted", "renewable_share", "supply_security"]
InventoryMode = Literal["unlimited", "on_hand", "with_procurement"]
# Totals over the horizon; the unit is in the name so shadow prices read "$ per <unit>".
CapKey = Literal["co2e_t", "co2_fossil_t", "ch4_kg", "n2o_kg", "nox_kg", "sox_kg", "pm_kg"]
# Blend averages per GJ of net fuel energy.
AverageKey = Literal[
    "co2e_kg_per_gj", "co2_fossil_kg_per_gj", "nox_g_per_gj", "sox_g_per_gj", "pm_g_per_gj"
]


class FuelOption(BaseModel):
    """One fuel as the optimizer sees it: every per-GJ coefficient on a net basis."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fuel_id: str = Field(min_length=1)
    price_per_gj: float = Field(ge=0)
    efficiency: float = Field(default=1.0, gt=0, le=1.5)
    lhv_mj_kg: float = Field(gt=0)
    co2_fossil_kg_per_gj: float = Field(default=0.0, ge=0)
    co2_biogenic_kg_per_gj: float = Field(default=0.0, ge=0)
    ch4_kg_per_gj: float = Field(default=0.0, ge=0)
    n2o_kg_per_gj: float = Field(default=0.0, ge=0)
    co2e_kg_per_gj: float = Field(ge=0, description="fossil CO2 + GWP-weighted CH4 and N2O")
    upstream_kgco2e_per_gj: float = Field(default=0.0, ge=0)
    nox_g_per_gj: float = Field(default=0.0, ge=0)
    sox_g_per_gj: float = Field(default=0.0, ge=0)
    pm_g_per_gj: float = Field(default=0.0, ge=0)
    moisture_pct: float = Field(default=0.0, ge=0, le=100)
    ash_pct: float = Field(default=0.0, ge=0, le=100)
    sulfur_pct: float = Field(default=0.0, ge=0, le=100)
    renewable: bool = False
    supply_security: float = Field(default=1.0, ge=0, le=1)
    on_hand_kg: float | None = Field(default=None, ge=0, description="None: not stock-limited")
    purchasable_kg: float = Field(default=0.0, ge=0, description="extra that can be delivered")
    lead_time_days: float = Field(default=0.0, ge=0)
    order_cost: float = Field(default=0.0, ge=0)

    def kg_per_gj(self) -> float:
        return 1000.0 / self.lhv_mj_kg

    def cap_coefficient(self, key: str, include_upstream: bool) -> float:
        """Amount of `key` (in the cap's unit) per GJ net of this fuel."""
        co2e = self.co2e_kg_per_gj + (self.upstream_kgco2e_per_gj if include_upstream else 0.0)
        return {
            "co2e_t": co2e / 1000.0,
            "co2_fossil_t": self.co2_fossil_kg_per_gj / 1000.0,
            "ch4_kg": self.ch4_kg_per_gj,
            "n2o_kg": self.n2o_kg_per_gj,
            "nox_kg": self.nox_g_per_gj / 1000.0,
            "sox_kg": self.sox_g_per_gj / 1000.0,
            "pm_kg": self.pm_g_per_gj / 1000.0,
        }[key]

    def average_coefficient(self, key: str, include_upstream: bool) -> float:
        co2e = self.co2e_kg_per_gj + (self.upstream_kgco2e_per_gj if include_upstream else 0.0)
        return {
            "co2e_kg_per_gj": co2e,
            "co2_fossil_kg_per_gj": self.co2_fossil_kg_per_gj,
            "nox_g_per_gj": self.nox_g_per_gj,
            "sox_g_per_gj": self.sox_g_per_gj,
            "pm_g_per_gj": self.pm_g_per_gj,
        }[key]


class ShareLimit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_share: float = Field(default=0.0, ge=0, le=1)
    max_share: float = Field(default=1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> ShareLimit:
        if self.min_share > self.max_share:
            raise ValueError(f"min_share {self.min_share} > max_share {self.max_share}")
        return self


class QualityLimits(BaseModel):
    """Mass-weighted blend quality limits (as fired), over `fuels` or every fuel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_moisture_pct: float | None = Field(default=None, ge=0, le=100)
    max_ash_pct: float | None = Field(default=None, ge=0, le=100)
    max_sulfur_pct: float | None = Field(default=None, ge=0, le=100)
    min_lhv_mj_kg: float | None = Field(default=None, gt=0)
    fuels: list[str] | None = None


class Weights(BaseModel):
    """Weights of the normalised cost and CO2e terms (each scaled to 0..1 over its range)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cost: float = Field(default=0.5, ge=0)
    co2e: float = Field(default=0.5, ge=0)


class MixSettings(BaseModel):
    """Objective and limits of a fuel mix, whoever asks for it (request, site, benchmark)."""

    model_config = ConfigDict(extra="forbid")

    objective: Objective = "cost"
    weights: Weights = Field(default_factory=Weights)
    carbon_price_per_t: float = Field(default=0.0, ge=0, description="per t CO2e (fossil)")
    include_upstream_in_co2e: bool = False
    share_limits: dict[str, ShareLimit] = Field(default_factory=dict)
    emission_caps: dict[CapKey, float] = Field(default_factory=dict)
    fuel_emission_caps: dict[str, dict[CapKey, float]] = Field(default_factory=dict)
    blend_average_limits: dict[AverageKey, float] = Field(default_factory=dict)
    quality_limits: QualityLimits | None = None
    incompatible_pairs: list[tuple[str, str]] = Field(default_factory=list)
    inventory_mode: InventoryMode = "unlimited"
    time_limit_s: float = Field(default=30.0, gt=0, le=3600)


class FuelMixProblem(MixSettings):
    model_config = ConfigDict(extra="forbid", frozen=True)

    options: list[FuelOption] = Field(min_length=1)
    demand_gj: list[float] = Field(min_length=1, description="useful heat per period, GJ")
    period_labels: list[str] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FuelMixProblem:
        ids = [option.fuel_id for option in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate fuel_id in options: {ids}")
        known = set(ids)
        named = list(self.share_limits) + list(self.fuel_emission_caps)
        named += [fuel for pair in self.incompatible_pairs for fuel in pair]
        if self.quality_limits and self.quality_limits.fuels:
            named += self.quality_limits.fuels
        unknown = sorted(set(named) - known)
        if unknown:
            raise ValueError(f"unknown fuel ids {unknown}; known: {sorted(known)}")
        if any(demand < 0 for demand in self.demand_gj):
            raise ValueError("demand_gj must not be negative")
        if self.period_labels is not None and len(self.period_labels) != len(self.demand_gj):
            raise ValueError("period_labels must have one label per demand_gj value")
        if any(a == b for a, b in self.incompatible_pairs):
            raise ValueError("an incompatible pair names the same fuel twice")
        return self

    @property
    def periods(self) -> range:
        return range(len(self.demand_gj))

    def label(self, period: int) -> str:
        return self.period_labels[period] if self.period_labels else str(period)

    def option(self, fuel_id: str) -> FuelOption:
        return next(option for option in self.options if option.fuel_id == fuel_id)

    def share_limit(self, fuel_id: str) -> ShareLimit:
        return self.share_limits.get(fuel_id, ShareLimit())

    def quality_fuels(self) -> list[str]:
        if self.quality_limits is None:
            return []
        return self.quality_limits.fuels or [option.fuel_id for option in self.options]

    def purchase_available_from(self, option: FuelOption) -> int | None:
        """First period in which a purchase can be used, None if none arrives within the horizon.
        Period t covers day t; an order placed now arrives after `lead_time_days`."""
        if self.inventory_mode != "with_procurement" or option.purchasable_kg <= 0:
            return None
        first = int(-(-option.lead_time_days // 1))  # ceil without importing math
        return first if first < len(self.demand_gj) else None
