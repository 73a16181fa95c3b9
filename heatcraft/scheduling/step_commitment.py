"""On/off steps of one unit that carry its busy steps and keep the unit-commitment limits.

Step-level and fast (the heuristics call it for every candidate move). Runs only grow: gaps
shorter than min off are bridged (and gaps where idling at min load costs less than a restart),
runs shorter than min run are extended, and days with too many starts get their shortest
gaps bridged. Returns None when maintenance or the initial state makes that impossible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from heatcraft.scheduling.problem import UnitData


def blocks_of(on: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True as (first step, end step exclusive)."""
    padded = np.concatenate([[False], on, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def commit_steps(unit: UnitData, busy: np.ndarray, day_of_step: np.ndarray,
                 idle_cost: np.ndarray | None = None,
                 restart_cost: float = 0.0) -> np.ndarray | None:
    fixed = unit.fixed_on
    if (busy & (fixed == 0)).any():
        return None
    on = busy | (fixed == 1)
    n = len(on)
    for _ in range(4 * n + 4):
        blocks = blocks_of(on)
        state = _bridge_gaps(unit, on, blocks, idle_cost, restart_cost)
        if state is None:
            return None
        if state:
            continue
        state = _extend_short_runs(unit, on, blocks, n)
        if state is None:
            return None
        if state:
            continue
        state = _limit_starts(unit, on, blocks, day_of_step)
        if state is None:
            return None
        if not state:
            return on
    return None


def _gaps(unit: UnitData, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Off gaps that end in a start: between runs, and before the first when initially on."""
    gaps = []
    previous_end = 0 if unit.initial_on else None
    for start, end in blocks:
        if previous_end is not None and start > previous_end:
            gaps.append((previous_end, start))
        previous_end = end
    return gaps


def _bridge_gaps(unit: UnitData, on: np.ndarray, blocks: list[tuple[int, int]],
                 idle_cost: np.ndarray | None, restart_cost: float) -> bool | None:
    """True if a gap was bridged, None if a too-short gap holds maintenance."""
    changed = False
    for lo, hi in _gaps(unit, blocks):
        too_short = hi - lo < unit.min_off
        if (unit.fixed_on[lo:hi] == 0).any():
            if too_short:
                return None
            continue
        cheaper = idle_cost is not None and float(idle_cost[lo:hi].sum()) < restart_cost
        if too_short or cheaper:
            on[lo:hi] = True
            changed = True
    return changed


def _extend_short_runs(unit: UnitData, on: np.ndarray, blocks: list[tuple[int, int]],
                       n: int) -> bool | None:
    changed = False
    for start, end in blocks:
        if end >= n or (start == 0 and unit.initial_on):
            continue  # goes on past the horizon / continues the initial state
        if unit.exempt_min_run_before and end == unit.exempt_min_run_before:
            continue
        need = unit.min_run - (end - start)
        if need <= 0:
            continue
        forward = 0
        while forward < need and end + forward < n and unit.fixed_on[end + forward] != 0:
            forward += 1
        if end + forward >= n:
            on[end:n] = True
            changed = True
            continue
        backward = need - forward
        if start - backward < 0 or (unit.fixed_on[start - backward:start] == 0).any():
            return None
        on[end:end + forward] = True
        on[start - backward:start] = True
        changed = True
    return changed


def _limit_starts(unit: UnitData, on: np.ndarray, blocks: list[tuple[int, int]],
                  day_of_step: np.ndarray) -> bool | None:
    if unit.max_starts is None:
        return False
    starts = [a for a, _ in blocks if not (a == 0 and unit.initial_on)]
    per_day: dict[int, int] = {}
    for a in starts:
        per_day[int(day_of_step[a])] = per_day.get(int(day_of_step[a]), 0) + 1
    for day, count in sorted(per_day.items()):
        if count <= unit.max_starts:
            continue
        gaps = [(hi - lo, lo, hi) for lo, hi in _gaps(unit, blocks)
                if int(day_of_step[hi]) == day and not (unit.fixed_on[lo:hi] == 0).any()]
        if not gaps:
            return None
        _, lo, hi = min(gaps)
        on[lo:hi] = True
        return True
    return False


def commitment_ok(unit: UnitData, on: np.ndarray, day_of_step: np.ndarray) -> bool:
    """Step-level check of min run, min off, starts per day and fixed steps."""
    fixed = unit.fixed_on
    if ((fixed == 0) & on).any() or ((fixed == 1) & ~on).any():
        return False
    n = len(on)
    blocks = blocks_of(on)
    for start, end in blocks:
        if end < n and not (start == 0 and unit.initial_on) and end - start < unit.min_run \
                and end != unit.exempt_min_run_before:
            return False
    for lo, hi in _gaps(unit, blocks):
        if hi - lo < unit.min_off:
            return False
    if unit.max_starts is not None:
        days = [int(day_of_step[a]) for a, _ in blocks if not (a == 0 and unit.initial_on)]
        if days and max(np.bincount(days)) > unit.max_starts:
            return False
    return True


def switch_off_idle(unit: UnitData, on: np.ndarray, busy: np.ndarray, day_of_step: np.ndarray,
                    cost_of: Callable[[np.ndarray], float]) -> np.ndarray:
    """`on` with the unit off in as many of its idle on-steps (on, no job, not held on) as the
    limits allow without raising `cost_of` (the plan's cost with these on-steps), stretch by
    stretch from the start of the horizon: the whole stretch, else all but up to min run steps
    next to the job before or after it. An engine may keep a unit on without a job where that
    costs nothing (no min load, no startup energy): a tie that no search breaks, which a
    planner reads as a unit left on."""
    on = on.copy()
    idle = on & ~busy & (unit.fixed_on != 1)
    if not idle.any():
        return on
    cost = cost_of(on)
    for lo, hi in blocks_of(idle):
        # Fewest steps kept first (a kept step only serves a min run); on equal counts, those
        # after the job before the stretch.
        trials = [(lo, hi)] + [trial for keep in range(1, min(unit.min_run, hi - lo - 1) + 1)
                               for trial in ((lo + keep, hi), (lo, hi - keep))]
        for a, b in trials:
            trial = on.copy()
            trial[a:b] = False
            if not commitment_ok(unit, trial, day_of_step):
                continue
            trial_cost = cost_of(trial)
            if trial_cost <= cost + 1e-9 * max(1.0, abs(cost)):
                on, cost = trial, trial_cost
                break
    return on
