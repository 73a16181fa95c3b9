"""Production jobs that need heat."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from heatcraft.models.instant import Instant


class TimeWindow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end <= self.start:
            raise ValueError("end: must_run_window end must be after its start")
        return self


class Job(BaseModel):
    """A job runs as one block at constant heat power heating_kwh / duration on one unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job_id: str = Field(min_length=1)
    product_id: str
    product_name: str
    quantity: float = Field(ge=0)
    unit: str
    heating_kwh: float = Field(gt=0, description="heat delivered")
    temperature_c: float
    duration_minutes: int = Field(gt=0)
    earliest_start: Instant
    deadline: Instant
    priority: int = Field(default=3, ge=1, le=5, description="1 highest .. 5 lowest")
    allowed_equipment: tuple[str, ...] = ()
    must_run_window: TimeWindow | None = None

    @model_validator(mode="after")
    def _window(self) -> Job:
        if self.deadline <= self.earliest_start:
            raise ValueError(
                f"deadline: deadline ({self.deadline.isoformat()}) is not after earliest_start "
                f"({self.earliest_start.isoformat()})"
            )
        if self.deadline - self.earliest_start < self.duration:
            raise ValueError(
                f"duration_minutes: {self.duration_minutes} min does not fit between "
                "earliest_start and deadline"
            )
        return self

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def heat_kw(self) -> float:
        return self.heating_kwh / (self.duration_minutes / 60.0)

    def window_overlaps(self, start: datetime, end: datetime) -> bool:
        """Does [earliest_start, deadline) meet [start, end)? Such a job belongs to that plan."""
        return self.earliest_start < end and self.deadline > start

    def start_bounds(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """Earliest and latest start inside [start, end) that meet the window and cover the
        must-run window (latest < earliest: no start fits)."""
        first = max(self.earliest_start, start)
        last = min(self.deadline, end) - self.duration
        if self.must_run_window is not None:
            first = max(first, self.must_run_window.end - self.duration)
            last = min(last, self.must_run_window.start)
        return first, last

    def latest_start(self) -> datetime:
        return self.deadline - self.duration
