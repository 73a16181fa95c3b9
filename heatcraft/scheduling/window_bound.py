"""A lower bound on the bill for horizons too large for the LP of the whole model (a week).

The time-indexed LP of the 500-job week (127,802 starts, 672 steps) takes 226 s and 1.7 GB
on one core, far beyond its 120 s limit, so the week's plans came without a bound. Here the
horizon is cut into windows of consecutive local days, and for one window at a time:

- the jobs whose every start lies inside the window are placed fractionally (the LP of the
  indivisible-job relaxation: each start's share, unit capacity and parallel jobs per step),
  paying their input energy at the step prices and the demand charges of the window's own
  blocks (a billing month's peak is at least any of its days' peaks);
- every other job pays the least energy any of its starts costs;
- the base load and fixed charges are the problem's constant.

A job's input is at least its heat over the efficiency, and at least the unit's min load on a
unit that runs one job at a time (least_input_kw); unit commitment, startups, idle min load
and the contract limit only add cost, so each window's total is a lower bound on every plan
that places every job, and the bound is the largest of them. Where jobs may be dropped, a plan
that drops one pays at least the smallest penalty on top of the constant, so the bound is
the smaller of the two.

Measured on the benchmark week (2026-12-05): windows of one day give 9.0-14.9 k$ in 1.7-2.4 s
each (141 of the 500 jobs cross a midnight and only pay their least energy); windows of two
days give 10.5-17.2 k$ in 6-11 s each (6 windows, 50-56 s in all, 560 MB), against 17,704 $
for the whole LP and plans of 22-23 k$; the busiest window, solved first, gives the bound.
The one-day windows come first all the same: on a two-day site of 300 jobs on 15 units the
one window of two days (the whole horizon) was not solved within 60 s and the bound was every
job's least energy (3,350 $ against plans of 74 k$), where its two one-day windows give
42,001 $ in 24 s (2026-12-07).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from heatcraft.scheduling.backends import SolveOutcome
from heatcraft.scheduling.backends.mathopt import MIN_LP_SECONDS, solve_mathopt
from heatcraft.scheduling.formulation import least_input_kw, start_energy_cost
from heatcraft.scheduling.linear_model import LinearModel
from heatcraft.scheduling.problem import Problem
from heatcraft.tariffs import tiered_cost

DAYS_PER_WINDOW = 2


@dataclass
class WindowBound:
    bound: float | None
    windows: list[str]  # each solved window's local days ("2026-06-18/2026-06-19"), in order
    planned: int  # windows there are
    best: str | None  # the window that gave the bound (None: every job at its least energy)
    seconds: float
    stopped_by_clock: bool  # the deadline came before every window's LP was solved
    outcomes: list[SolveOutcome] = field(default_factory=list)
    note: str = ""


def window_bound(problem: Problem, *, deadline: float,
                 days_per_window: int = DAYS_PER_WINDOW) -> WindowBound:
    """Windows are solved in order of their jobs' least energy (busiest first) until
    `deadline` (time.monotonic()); the bound holds for any subset of them."""
    began = time.monotonic()
    why = problem.why_no_start_bound()
    if why is not None:
        return WindowBound(None, [], 0, None, 0.0, False, note=why)
    input_kw = [{u: least_input_kw(job, problem.units[u], min_load_alone=True)
                 for u in {u for u, _ in job.candidates}} for job in problem.jobs]
    # Each start's energy cost, once: a job's starts are priced again in every window it is in.
    costs = [{(u, s): start_energy_cost(problem, job, problem.units[u], s, input_kw[j][u])
              + job.placement_cost(u, s) for u, s in job.candidates}
             for j, job in enumerate(problem.jobs)]
    least = np.array([min(job_costs.values()) for job_costs in costs])
    anywhere = problem.constant_cost + float(least.sum())  # every job at its least energy
    penalties = [j.penalty for j in problem.jobs if j.penalty is not None]
    ceiling = problem.constant_cost + min(penalties) if penalties else None
    # One-day windows first, so that a bound comes soon on any horizon, then the longer ones,
    # which price the jobs that cross a midnight: each size busiest first.
    windows = _windows(problem, 1)
    one_day = len(windows)
    windows += [window for window in _windows(problem, days_per_window) if window not in windows]
    inside = [_jobs_inside(problem, lo, hi) for _, lo, hi in windows]
    order = sorted(range(len(windows)),
                   key=lambda w: (w >= one_day, -float(least[inside[w]].sum()), w))
    best_value, best_window = anywhere, None
    solved: list[str] = []
    outcomes: list[SolveOutcome] = []
    notes: list[str] = []
    for w in order:
        if deadline - time.monotonic() < MIN_LP_SECONDS:
            break
        days, lo, hi = windows[w]
        outcome = _window_lp(problem, input_kw, costs, inside[w], lo, hi, deadline)
        outcomes.append(outcome)
        if outcome.status == "error":
            notes.append(f"{days}: the LP failed: {outcome.message}")
        if outcome.bound is None:  # stopped by the clock, or failed: no bound from it
            continue
        solved.append(days)
        value = outcome.bound + anywhere - float(least[inside[w]].sum())
        if value > best_value:
            best_value, best_window = value, days
    bound = best_value if ceiling is None else min(best_value, ceiling)
    clocked = len(outcomes) < len(windows) or any(
        o.parameters.get("stopped_by_clock") for o in outcomes)
    return WindowBound(bound, solved, len(windows), best_window, time.monotonic() - began,
                       clocked, outcomes, "; ".join(notes))


def _windows(problem: Problem, days_per_window: int) -> list[tuple[str, int, int]]:
    """(local days, first step, end step) of each run of `days_per_window` consecutive local
    days; the whole horizon when it has no more days than that."""
    days = np.unique(problem.day_of_step)
    size = max(1, min(days_per_window, len(days)))
    dates = problem.grid.local_dates
    out = []
    for k in range(len(days) - size + 1):
        first, last = int(days[k]), int(days[k + size - 1])
        steps = np.flatnonzero((problem.day_of_step >= first) & (problem.day_of_step <= last))
        lo, hi = int(steps[0]), int(steps[-1]) + 1
        label = dates[lo].isoformat() + ("" if size == 1 else f"/{dates[hi - 1].isoformat()}")
        out.append((label, lo, hi))
    return out


def _jobs_inside(problem: Problem, lo: int, hi: int) -> list[int]:
    return [job.index for job in problem.jobs
            if all(lo <= s and s + job.steps <= hi for _, s in job.candidates)]


def _window_lp(problem: Problem, input_kw: list[dict[int, np.ndarray]],
               costs: list[dict[tuple[int, int], float]], jobs: list[int], lo: int, hi: int,
               deadline: float) -> SolveOutcome:
    """The window's LP: its jobs' energy and the demand charges of its blocks (the charges
    above each term's floor, as the exact model prices them), solved until `deadline` (not
    started where building it left under MIN_LP_SECONDS)."""
    m = LinearModel()
    covering: dict[tuple[int, int], list[tuple[int, float]]] = {}
    electric: dict[int, dict[int, float]] = {}
    for j in jobs:
        job = problem.jobs[j]
        choice = {}
        for u, s in job.candidates:
            unit, draw = problem.units[u], input_kw[j][u]
            var = m.add_variable(f"x[{j},{u},{s}]", 0.0, 1.0, False)
            choice[var] = 1.0
            m.add_objective(var, costs[j][u, s])
            for k in range(job.steps):
                covering.setdefault((u, s + k), []).append((var, job.heat_kw
                                                            * float(job.energy_share[k])))
                if unit.electric:
                    step = electric.setdefault(s + k, {})
                    step[var] = step.get(var, 0.0) + float(draw[k])
        m.add_row(choice, 1.0, 1.0)
    for (u, _), items in sorted(covering.items()):
        unit = problem.units[u]
        m.add_row({var: heat for var, heat in items}, upper=unit.capacity_kw)
        if len(items) > unit.parallel:
            m.add_row(dict.fromkeys((var for var, _ in items), 1.0), upper=unit.parallel)
    for term in problem.demand:
        blocks = [b for b in term.blocks if len(b) and lo <= int(b.min()) and int(b.max()) < hi]
        if not blocks:
            continue
        peak = m.add_variable(f"peak[{term.key}]", term.floor_kw, float("inf"), False)
        charge = m.add_variable(f"charge[{term.key}]", 0.0, float("inf"), False)
        for breakpoint, rate in term.segments():
            m.add_row({charge: 1.0, peak: -rate},
                      lower=tiered_cost(breakpoint, term.tiers) - rate * breakpoint)
        m.add_objective(charge, 1.0)
        m.objective_constant -= tiered_cost(term.floor_kw, term.tiers)
        for block in blocks:
            row = {peak: float(len(block))}
            for t in block:
                for var, kw in electric.get(int(t), {}).items():
                    row[var] = row.get(var, 0.0) - kw
            m.add_row(row, lower=float(problem.base_kw[block].sum()))
    # Building a window's LP takes seconds on large days (1.7 s for a 200-job day on 20 units,
    # and 1.6-2.2 s more to write it for HiGHS): the solve gets what is left after them.
    return solve_mathopt(m, "highs", relax=True, threads=1, seed=0, relative_gap=0.0,
                         hint=None, time_limit_s=deadline - time.monotonic(),
                         min_seconds=MIN_LP_SECONDS)
