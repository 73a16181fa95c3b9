"""The naive first-in-first-out plan that every optimized plan is compared with.

Jobs in order of earliest start (then file order) each go as early as possible on the first
unit (in equipment-file order) where they fit, with no regard for prices. It still honours
every hard limit: windows, must-run windows, capacity and parallel jobs, maintenance, the
unit-commitment limits (runs grown to min run, short gaps bridged) and the contract peak.
A job that fits nowhere is listed with the reason instead of failing the plan.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from heatcraft.costs.load_profile import load_profile
from heatcraft.intake.site_folder import SiteInputs
from heatcraft.models import (
    Assignment,
    DroppedJob,
    Equipment,
    Job,
    MaintenanceWindow,
    Plan,
    UnitRun,
)
from heatcraft.scheduling.commitment import CommitmentError, Interval, commit_unit
from heatcraft.timegrid import TimeGrid


def jobs_in_horizon(jobs: tuple[Job, ...], grid: TimeGrid) -> list[Job]:
    return [job for job in jobs if job.window_overlaps(grid.start, grid.end)]


def candidate_starts(job: Job, grid: TimeGrid) -> list[datetime]:
    """Step-aligned starts inside the job's window, the horizon and its must-run window."""
    first, last = job.start_bounds(grid.start, grid.end)
    first_step = math.ceil(grid.index_of(first) - 1e-9)
    last_step = math.floor(grid.index_of(last) + 1e-9)
    return [grid.moment(step) for step in range(first_step, last_step + 1)]


def allowed_units(job: Job, equipment: tuple[Equipment, ...]) -> list[Equipment]:
    return [
        u for u in equipment if not job.allowed_equipment or u.equipment_id in job.allowed_equipment
    ]


def fifo_plan(inputs: SiteInputs, grid: TimeGrid) -> Plan:
    order = {job.job_id: i for i, job in enumerate(inputs.jobs)}
    jobs = sorted(
        jobs_in_horizon(inputs.jobs, grid), key=lambda j: (j.earliest_start, order[j.job_id])
    )
    placed: list[Assignment] = []
    dropped: list[DroppedJob] = []
    windows = list(inputs.unavailable(grid.start, grid.end))  # maintenance and tripped units
    runs: dict[str, list[Interval]] = {}
    for unit in inputs.equipment:
        # A unit on at the horizon start inside its min run stays on without work too, and
        # each placement's contract check must count its load (random larger site 351: a
        # unit held on until 01:45 and a startup at 01:00 on another broke the contract).
        held = commit_unit(unit, [], grid, windows)
        if held:
            runs[unit.equipment_id] = held
    for job in jobs:
        outcome = _place_first_fit(job, inputs, grid, placed, runs, windows)
        if isinstance(outcome, str):
            dropped.append(DroppedJob(job_id=job.job_id, priority=job.priority, reason=outcome))
        else:
            assignment, unit_runs = outcome
            placed.append(assignment)
            runs[assignment.equipment_id] = unit_runs
    unit_runs = tuple(
        UnitRun(equipment_id=unit_id, start=start, end=end)
        for unit_id in sorted(runs)
        for start, end in runs[unit_id]
    )
    notes = ["FIFO baseline: earliest start on the first unit that fits; no tariff awareness"]
    if dropped:
        notes.append(
            f"{len(dropped)} job(s) could not be placed by FIFO: "
            + ", ".join(d.job_id for d in dropped)
        )
    return Plan(
        site_id=inputs.site.id,
        kind="baseline",
        horizon_start=grid.start,
        horizon_end=grid.end,
        step_minutes=grid.step_minutes,
        assignments=tuple(sorted(placed, key=lambda a: (a.start, a.job_id))),
        runs=unit_runs,
        dropped_jobs=tuple(dropped),
        notes=tuple(notes),
    )


def _place_first_fit(
    job: Job,
    inputs: SiteInputs,
    grid: TimeGrid,
    placed: list[Assignment],
    runs: dict[str, list[Interval]],
    windows: list[MaintenanceWindow],
) -> tuple[Assignment, list[Interval]] | str:
    units = allowed_units(job, inputs.equipment)
    starts = candidate_starts(job, grid)
    if not starts:
        return "its window (and must-run window) leaves no start inside the horizon"
    last_reason = "no unit is free inside its window"
    for start in starts:
        end = grid.later(start, job.duration)
        for unit in units:
            reason = _blocked(job, unit, start, end, windows, placed)
            if reason:
                last_reason = reason
                continue
            busy = [(a.start, a.end) for a in placed if a.equipment_id == unit.equipment_id]
            try:
                unit_runs = commit_unit(unit, [*busy, (start, end)], grid, windows)
            except CommitmentError as exc:
                last_reason = str(exc)
                continue
            assignment = Assignment(
                job_id=job.job_id,
                equipment_id=unit.equipment_id,
                start=start,
                end=end,
                heat_kw=job.heat_kw,
                input_kw=job.heat_kw / unit.efficiency,
                carrier=unit.fuel,
            )
            if not _within_contract_peak(
                inputs, grid, [*placed, assignment], {**runs, unit.equipment_id: unit_runs}
            ):
                last_reason = "the contract peak limit would be exceeded"
                continue
            return assignment, unit_runs
    return f"no feasible start on {', '.join(u.equipment_id for u in units)} ({last_reason})"


def _blocked(
    job: Job,
    unit: Equipment,
    start: datetime,
    end: datetime,
    windows: list[MaintenanceWindow],
    placed: list[Assignment],
) -> str | None:
    for window in windows:
        if window.equipment_id == unit.equipment_id and window.overlaps(start, end):
            return f"{unit.equipment_id} is unavailable ({window.reason or 'maintenance'})"
    concurrent = [
        a for a in placed if a.equipment_id == unit.equipment_id and a.start < end and start < a.end
    ]
    if not concurrent:
        return None if job.heat_kw <= unit.capacity_kw + 1e-9 else f"{unit.equipment_id} too small"
    # Check load and count at every change point inside [start, end).
    points = sorted({start, *(a.start for a in concurrent if a.start > start)})
    for moment in points:
        active = [a for a in concurrent if a.start <= moment < a.end]
        if len(active) + 1 > unit.max_parallel_jobs:
            return f"{unit.equipment_id} already runs {len(active)} job(s)"
        if sum(a.heat_kw for a in active) + job.heat_kw > unit.capacity_kw + 1e-9:
            return f"{unit.equipment_id} capacity is taken"
    return None


def _within_contract_peak(
    inputs: SiteInputs,
    grid: TimeGrid,
    assignments: list[Assignment],
    runs: dict[str, list[Interval]],
) -> bool:
    limit = inputs.site.contract_peak_kw
    if limit is None:
        return True
    plan = Plan(
        site_id=inputs.site.id,
        kind="baseline",
        horizon_start=grid.start,
        horizon_end=grid.end,
        step_minutes=grid.step_minutes,
        assignments=tuple(assignments),
        runs=tuple(
            UnitRun(equipment_id=u, start=s, end=e)
            for u, intervals in runs.items()
            for s, e in intervals
        ),
    )
    profile = load_profile(plan, inputs.equipment, grid, inputs.base_load_by_hour)
    return bool(np.all(profile.electric_kw <= limit + 1e-6))


__all__ = ["allowed_units", "candidate_starts", "fifo_plan", "jobs_in_horizon"]
