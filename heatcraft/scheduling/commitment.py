"""Unit on/off runs that carry a set of jobs and respect the unit-commitment limits.

Used by the FIFO baseline and by heuristics: given the jobs placed on one unit, find the
smallest set of runs that covers them and meets min run, min off, starts per local day,
the initial state and maintenance. Runs only grow (extend to min run, bridge short gaps),
so the result is the cheapest commitment of this simple kind, not an optimized one.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta

from heatcraft.models import Equipment, MaintenanceWindow, UnitState
from heatcraft.timegrid import TimeGrid

Interval = tuple[datetime, datetime]


class CommitmentError(ValueError):
    """No run set of this kind can carry the jobs."""


def merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def commit_unit(
    unit: Equipment, busy: list[Interval], grid: TimeGrid, maintenance: list[MaintenanceWindow]
) -> list[Interval]:
    """Runs covering `busy` for `unit`, or CommitmentError saying which limit blocks."""
    min_run = timedelta(minutes=unit.min_run_minutes)
    min_off = timedelta(minutes=unit.min_off_minutes)
    runs = list(busy)
    initially_on = unit.initial_state == UnitState.ON
    held = (
        timedelta(minutes=unit.initial_state_minutes)
        if unit.initial_state_minutes is not None
        else None
    )
    # Still inside its minimum run: it must stay on a while into the horizon, unless
    # maintenance stops it first.
    hold_end = initial_hold_end(unit, grid, maintenance)
    if hold_end is not None:
        runs.append((grid.start, hold_end))
    if initially_on:
        # An instant at the horizon start: a run that starts within min off of it is cheaper
        # to keep running than to stop and restart, so bridging merges them.
        runs.append((grid.start, grid.start))
    for _ in range(len(runs) + 2):
        before = runs
        runs = merge(runs)
        runs = [
            run
            if run[1] == run[0] == grid.start
            else _extend_to_min_run(run, min_run, grid, initially_on, hold_end)
            for run in runs
        ]
        runs = _bridge_short_gaps(merge(runs), min_off)
        if runs == before:
            break
    runs = [run for run in runs if run[1] > run[0]]
    runs = _limit_starts_per_day(runs, unit, grid, initially_on)
    _check_against_state_and_maintenance(unit, runs, grid, maintenance, initially_on, held, min_off)
    return runs


def initial_hold_end(
    unit: Equipment, grid: TimeGrid, maintenance: list[MaintenanceWindow]
) -> datetime | None:
    """Until when a unit on at the horizon start must stay on for its min run (None: it need
    not). Maintenance stops it sooner: at the start of the step its first window begins in,
    as the optimization model has it (every step a window overlaps is off)."""
    held = unit.initial_state_minutes
    if unit.initial_state != UnitState.ON or held is None or held >= unit.min_run_minutes:
        return None
    end = grid.start + timedelta(minutes=unit.min_run_minutes - held)
    for window in maintenance:
        if window.equipment_id == unit.equipment_id and window.start < end \
                and window.end > grid.start:
            step = max(0, math.floor(grid.index_of(window.start) + 1e-9))
            end = min(end, grid.moment(step))
    return end


def _extend_to_min_run(
    run: Interval, min_run: timedelta, grid: TimeGrid, initially_on: bool,
    hold_end: datetime | None,
) -> Interval:
    start, end = run
    if start <= grid.start and initially_on:
        return (start, max(end, hold_end or grid.start))
    return (start, max(end, start + min_run))


def _bridge_short_gaps(runs: list[Interval], min_off: timedelta) -> list[Interval]:
    bridged: list[Interval] = []
    for run in runs:
        if bridged and run[0] - bridged[-1][1] < min_off:
            bridged[-1] = (bridged[-1][0], max(bridged[-1][1], run[1]))
        else:
            bridged.append(run)
    return bridged


def _is_start(run: Interval, grid: TimeGrid, initially_on: bool) -> bool:
    return not (initially_on and run[0] <= grid.start)


def _limit_starts_per_day(
    runs: list[Interval], unit: Equipment, grid: TimeGrid, initially_on: bool
) -> list[Interval]:
    if unit.max_starts_per_day is None:
        return runs
    while True:
        per_day = Counter(
            run[0].astimezone(grid.tz).date() for run in runs if _is_start(run, grid, initially_on)
        )
        crowded = [day for day, count in per_day.items() if count > unit.max_starts_per_day]
        if not crowded:
            return runs
        day = min(crowded)
        # Bridge the shortest gap that removes a start on the crowded day.
        gaps = [
            (runs[i][0] - runs[i - 1][1], i)
            for i in range(1, len(runs))
            if runs[i][0].astimezone(grid.tz).date() == day
        ]
        if not gaps:
            raise CommitmentError(
                f"{unit.equipment_id}: more than {unit.max_starts_per_day} starts on {day}"
            )
        _, i = min(gaps)
        runs = runs[: i - 1] + [(runs[i - 1][0], runs[i][1])] + runs[i + 1 :]


def _check_against_state_and_maintenance(
    unit: Equipment,
    runs: list[Interval],
    grid: TimeGrid,
    maintenance: list[MaintenanceWindow],
    initially_on: bool,
    held: timedelta | None,
    min_off: timedelta,
) -> None:
    for window in maintenance:
        if window.equipment_id != unit.equipment_id:
            continue
        for start, end in runs:
            if window.overlaps(start, end):
                raise CommitmentError(
                    f"{unit.equipment_id}: on during maintenance "
                    f"{window.start.isoformat()}..{window.end.isoformat()}"
                )
    if runs and not initially_on and held is not None and held < min_off:
        earliest = grid.start + (min_off - held)
        if runs[0][0] < earliest:
            raise CommitmentError(
                f"{unit.equipment_id}: min off time since the last stop runs "
                f"until {earliest.isoformat()}"
            )
