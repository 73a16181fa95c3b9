"""Heating plans: which job runs where and when, and how the plan was found."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from heatcraft.models.equipment import Carrier
from heatcraft.models.instant import Instant

PlanKind = Literal["baseline", "optimized"]


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    job_id: str
    equipment_id: str
    start: Instant
    end: Instant
    heat_kw: float = Field(gt=0)
    input_kw: float = Field(gt=0, description="heat_kw / efficiency (or COP)")
    carrier: Carrier


class UnitRun(BaseModel):
    """An interval in which a unit is on: it delivers at least its min load the whole time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    equipment_id: str
    start: Instant
    end: Instant


class DroppedJob(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    job_id: str
    priority: int
    reason: str


class SolverReport(BaseModel):
    """How a plan was found and how far it may be from the proven optimum."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: str
    version: str
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    parameters: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    site_id: str
    kind: PlanKind
    horizon_start: Instant
    horizon_end: Instant
    step_minutes: int
    assignments: tuple[Assignment, ...]
    runs: tuple[UnitRun, ...] = Field(
        default=(), description="unit on-intervals; each assignment lies inside one of its unit's"
    )
    dropped_jobs: tuple[DroppedJob, ...] = ()
    solver: SolverReport | None = None
    notes: tuple[str, ...] = ()

    def by_equipment(self) -> dict[str, list[Assignment]]:
        grouped: dict[str, list[Assignment]] = {}
        for assignment in sorted(self.assignments, key=lambda a: (a.equipment_id, a.start)):
            grouped.setdefault(assignment.equipment_id, []).append(assignment)
        return grouped
