"""Redundant interval constraints on the scheduling model, for CP-SAT's scheduling reasoning.

The LP relaxation of a time-indexed model spreads a job fractionally over its starts, so its
demand peak looks flat and its bound is weak. The same limits written as cumulative
constraints over optional intervals (one per candidate start) let CP-SAT apply timetabling
and energetic reasoning, which respects that a job is one indivisible block. Every constraint
here is implied by the linear rows, so it never removes a feasible plan:

- unit capacity (heat) and parallelism per unit;
- electric demand per demand-charge period: the jobs' input power at each step of the period
  stays under the period's peak variable minus the base load; min load and startup energy only
  add to the load, so leaving them out keeps the constraint valid;
- the contract peak limit over every step.
"""

from __future__ import annotations

import numpy as np

from heatcraft.scheduling.linear_model import Cumulative, LinearModel
from heatcraft.scheduling.problem import Problem


def add_redundant_cumulatives(m: LinearModel, problem: Problem, x: dict[tuple[int, int, int], int],
                              peaks: list[int]) -> None:
    for unit in problem.units:
        items = [(var, s, s + problem.jobs[j].steps, problem.jobs[j].heat_kw)
                 for (j, u, s), var in x.items() if u == unit.index]
        if not items:
            continue
        m.cumulatives.append(Cumulative(items, capacity=unit.capacity_kw))
        if unit.parallel < len(items):
            m.cumulatives.append(Cumulative([(v, a, b, 1.0) for v, a, b, _ in items],
                                            capacity=float(unit.parallel)))
    for term, peak in zip(problem.demand, peaks, strict=True):
        if any(len(block) != 1 for block in term.blocks):
            continue  # averaged demand windows are not a per-step limit
        steps = np.sort(np.concatenate(term.blocks))
        for first, last in _segments(steps):
            m.cumulatives.append(_electric_cumulative(problem, x, first, last + 1, 0.0, peak))
    if problem.contract_peak_kw is not None:
        m.cumulatives.append(_electric_cumulative(problem, x, 0, problem.n_steps,
                                                  problem.contract_peak_kw, None))


def _segments(steps: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive steps, as (first, last)."""
    breaks = np.flatnonzero(np.diff(steps) != 1)
    firsts = np.concatenate([[0], breaks + 1])
    lasts = np.concatenate([breaks, [len(steps) - 1]])
    return [(int(steps[a]), int(steps[b])) for a, b in zip(firsts, lasts, strict=True)]


def _electric_cumulative(problem: Problem, x: dict[tuple[int, int, int], int], lo: int, hi: int,
                         limit: float, peak: int | None) -> Cumulative:
    """Jobs' electric input within [lo, hi) under `limit` (or the peak variable) minus base."""
    base = problem.base_kw[lo:hi]
    floor = float(base.min())
    # Base load above its minimum enters as fixed items, so the capacity is peak - min base.
    items: list[tuple[int | None, int, int, float]] = [
        (None, lo + k, lo + k + 1, float(b - floor)) for k, b in enumerate(base) if b > floor]
    for (j, u, s), var in x.items():
        unit = problem.units[u]
        if not unit.electric:
            continue
        job = problem.jobs[j]
        # A partial last step carries less than the full power: leave it out.
        full = job.steps - (1 if job.energy_share[-1] < 1.0 - 1e-9 else 0)
        a, b = max(s, lo), min(s + full, hi)
        if a < b:
            items.append((var, a, b, job.heat_kw / unit.efficiency))
    if peak is None:
        return Cumulative(items, capacity=limit - floor)
    return Cumulative(items, capacity=floor, capacity_variable=peak)
