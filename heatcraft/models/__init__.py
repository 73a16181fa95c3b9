"""Pydantic models of every input."""

from heatcraft.models.equipment import (
    Carrier,
    Equipment,
    EquipmentType,
    MaintenanceWindow,
    UnitState,
    UnitTrip,
)
from heatcraft.models.jobs import Job, TimeWindow
from heatcraft.models.plan import Assignment, DroppedJob, Plan, PlanKind, SolverReport, UnitRun
from heatcraft.models.site import Site

__all__ = [
    "Assignment",
    "DroppedJob",
    "Plan",
    "PlanKind",
    "SolverReport",
    "Carrier",
    "Equipment",
    "EquipmentType",
    "Job",
    "MaintenanceWindow",
    "Site",
    "TimeWindow",
    "UnitRun",
    "UnitState",
    "UnitTrip",
]
