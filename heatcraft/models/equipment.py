"""Heaters and boilers, and their maintenance windows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from heatcraft.models.instant import Instant


class EquipmentType(StrEnum):
    ELECTRIC_HEATER = "electric_heater"
    ELECTRIC_BOILER = "electric_boiler"
    HEAT_PUMP = "heat_pump"
    GAS_BOILER = "gas_boiler"
    OIL_BOILER = "oil_boiler"
    MULTI_FUEL_BOILER = "multi_fuel_boiler"


class Carrier(StrEnum):
    """What a unit consumes. Only electricity counts towards the electric demand."""

    ELECTRICITY = "electricity"
    NATURAL_GAS = "natural_gas"
    PROPANE = "propane"
    FUEL_OIL = "fuel_oil"
    MULTI = "multi"


class UnitState(StrEnum):
    ON = "on"
    OFF = "off"


_ELECTRIC_TYPES = {
    EquipmentType.ELECTRIC_HEATER,
    EquipmentType.ELECTRIC_BOILER,
    EquipmentType.HEAT_PUMP,
}
_FUEL_FOR_TYPE = {
    EquipmentType.GAS_BOILER: {Carrier.NATURAL_GAS, Carrier.PROPANE},
    EquipmentType.OIL_BOILER: {Carrier.FUEL_OIL},
    EquipmentType.MULTI_FUEL_BOILER: {Carrier.MULTI},
}


class Equipment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    equipment_id: str = Field(min_length=1)
    name: str
    type: EquipmentType
    capacity_kw: float = Field(gt=0, description="heat out")
    min_load_kw: float = Field(default=0.0, ge=0, description="heat out while on")
    efficiency: float = Field(gt=0, description="heat out / energy in; the COP for heat pumps")
    fuel: Carrier
    min_run_minutes: int = Field(default=0, ge=0)
    min_off_minutes: int = Field(default=0, ge=0)
    max_starts_per_day: int | None = Field(default=None, ge=1)
    startup_energy_kwh: float = Field(default=0.0, ge=0, description="input energy per start")
    max_parallel_jobs: int = Field(default=1, ge=1)
    initial_state: UnitState = UnitState.OFF
    initial_state_minutes: int | None = Field(
        default=None, ge=0, description="how long the unit has been in initial_state; blank = long"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Equipment:
        if self.min_load_kw > self.capacity_kw:
            raise ValueError(
                f"min_load_kw: min_load_kw ({self.min_load_kw}) exceeds capacity_kw "
                f"({self.capacity_kw})"
            )
        if self.type == EquipmentType.HEAT_PUMP:
            if self.efficiency <= 1:
                raise ValueError(
                    f"efficiency: a heat pump's efficiency is its COP (> 1), got {self.efficiency}"
                )
        elif self.efficiency > 1:
            raise ValueError(
                f"efficiency: efficiency of a {self.type.value} is a fraction <= 1, "
                f"got {self.efficiency}"
            )
        if self.type in _ELECTRIC_TYPES and self.fuel != Carrier.ELECTRICITY:
            raise ValueError(f"fuel: a {self.type.value} uses electricity, not {self.fuel.value}")
        allowed = _FUEL_FOR_TYPE.get(self.type)
        if allowed is not None and self.fuel not in allowed:
            names = ", ".join(sorted(c.value for c in allowed))
            raise ValueError(f"fuel: a {self.type.value} burns {names}, not {self.fuel.value}")
        return self

    @property
    def is_electric(self) -> bool:
        return self.fuel == Carrier.ELECTRICITY


class MaintenanceWindow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    equipment_id: str = Field(min_length=1)
    start: Instant
    end: Instant
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceWindow:
        if self.end <= self.start:
            raise ValueError(f"end: end ({self.end}) must be after start ({self.start})")
        return self

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


class UnitTrip(BaseModel):
    """A unit that stopped unplanned at `tripped_at`; `back_at` is its expected or actual
    return (None while nobody knows: it stays off for the rest of the day)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    equipment_id: str = Field(min_length=1)
    tripped_at: Instant
    back_at: Instant | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> UnitTrip:
        if self.back_at is not None and self.back_at <= self.tripped_at:
            raise ValueError(f"back_at: back_at ({self.back_at}) must be after tripped_at "
                             f"({self.tripped_at})")
        return self

    @property
    def key(self) -> str:
        """The trip's identity: its unit and moment (a return filled in later is the same
        trip)."""
        return f"{self.equipment_id}@{self.tripped_at.isoformat()}"

    def down_at(self, moment: datetime) -> bool:
        return self.tripped_at <= moment and (self.back_at is None or moment < self.back_at)
