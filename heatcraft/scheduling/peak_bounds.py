"""Lower bounds on the demand-charge peaks from a scheduling relaxation solved by CP-SAT.

The LP of the time-indexed model spreads jobs fractionally, so its peaks are far too low. Here
every job is one indivisible block (an optional interval per candidate start) on a unit with
its capacity and parallelism, and the jobs' electric input must fit under each period's peak;
min load, startup energy and unit commitment are left out, which only lowers the peaks. CP-SAT
proves how low each peak can go (its best bound, valid even when it stops early), and how low
the weighted sum of demand charges can go. Both become valid inequalities of the exact model:
`peak_k >= L_k` and `sum_k charge_k >= D`. They hold only when every job must be placed.

Work is limited in CP-SAT's deterministic time on one worker, so the same inputs give the same
bounds (and hence the same model) on any machine and load; the wall clock is only a backstop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from heatcraft.scheduling.linear_model import LinearModel
from heatcraft.scheduling.redundant_cumulatives import add_redundant_cumulatives
from heatcraft.tariffs import tiered_cost

if TYPE_CHECKING:
    from heatcraft.scheduling.problem import Problem

# CP-SAT keeps demand on a 0.1 kW grid and money on a cent grid; it solves the relaxation
# rounded so that its bound holds for the exact values (cpsat.py, `relax`).
_KW_GRID = 0.1
# Measured on the 20-30 job days: level 0 proves the same bounds in less time than 1 or 2.
LINEARIZATION = 0
# CP-SAT's presolve of thousands of optional intervals costs seconds and proves nothing more.
PRESOLVE = False


@dataclass
class DemandBounds:
    peak_kw: list[float]  # per demand term, >= its floor
    charges: float | None  # lower bound on the sum of demand charges (tiered cost, currency)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    stopped_by_clock: bool = False  # the wall, not the work count, ended or skipped a solve


def demand_bounds(problem: Problem, work: float, wall_seconds: float, seed: int) -> DemandBounds:
    """`work`: CP-SAT deterministic time for all solves together (about seconds of one core)."""
    from heatcraft.scheduling.backends.cpsat import solve_cpsat

    began = time.monotonic()
    floors = [term.floor_kw for term in problem.demand]
    if not problem.demand or any(not j.candidates for j in problem.jobs):
        return DemandBounds(floors, None, 0.0, ["no demand terms or a job without a start"])
    model, peaks, charges, _ = block_relaxation(problem)
    solves = len(peaks) + 1
    bounds = list(floors)
    clocked = False
    for k, peak in enumerate(peaks):
        model.objective, model.objective_constant = {peak: 1.0}, 0.0
        left = wall_seconds - (time.monotonic() - began)
        if left <= 0.2:
            clocked = True
            break
        outcome = solve_cpsat(model, time_limit_s=left / (solves - k), threads=1, seed=seed,
                              relative_gap=0.0, hint=None, deterministic_time=work / solves,
                              linearization_level=LINEARIZATION, presolve=PRESOLVE,
                              rounding="relax")
        clocked = clocked or bool(outcome.parameters.get("stopped_by_clock"))
        if outcome.bound is not None:
            bounds[k] = max(floors[k], outcome.bound)
    for k, peak in enumerate(peaks):  # each peak's own bound tightens the joint solve
        model.lower[peak] = bounds[k]
    model.objective = dict.fromkeys(charges, 1.0)
    total = None
    left = wall_seconds - (time.monotonic() - began)
    if left > 0.2:
        outcome = solve_cpsat(model, time_limit_s=left, threads=1, seed=seed, relative_gap=0.0,
                              hint=None, deterministic_time=work / solves,
                              linearization_level=LINEARIZATION, presolve=PRESOLVE,
                              rounding="relax")
        clocked = clocked or bool(outcome.parameters.get("stopped_by_clock"))
        total = outcome.bound
    else:
        clocked = True
    separate = sum(term.cost(b) + tiered_cost(term.floor_kw, term.tiers)
                   for term, b in zip(problem.demand, bounds, strict=True))
    total = separate if total is None else max(total, separate)
    return DemandBounds(bounds, total, time.monotonic() - began, stopped_by_clock=clocked)


def block_relaxation(problem: Problem) -> tuple[LinearModel, list[int], list[int],
                                                dict[tuple[int, int, int], int]]:
    """The model, its peak and charge variables, and each start's variable by (job, unit,
    start step)."""
    m = LinearModel()
    x: dict[tuple[int, int, int], int] = {}
    for job in problem.jobs:
        row = {}
        for u, s in job.candidates:
            x[job.index, u, s] = var = m.binary(f"x[{job.index},{u},{s}]")
            row[var] = 1.0
        m.add_row(row, 1.0, 1.0)
    electric_max = float(problem.base_kw.max()) + sum(
        u.capacity_kw / u.efficiency for u in problem.units if u.electric)
    if problem.contract_peak_kw is not None:
        electric_max = min(electric_max, max(problem.contract_peak_kw, problem.base_kw.max()))
    peaks, charges = [], []
    for term in problem.demand:
        top = max(electric_max, term.floor_kw)
        peak = m.add_variable(f"peak[{term.key}]", term.floor_kw, top, False, 1 / _KW_GRID)
        z = m.add_variable(f"charge[{term.key}]", tiered_cost(term.floor_kw, term.tiers),
                           term.epigraph_charge(top) + 1.0, False, 100.0)
        for breakpoint, rate in term.segments():
            m.add_row({z: 1.0, peak: -rate},
                      lower=tiered_cost(breakpoint, term.tiers) - rate * breakpoint)
        peaks.append(peak)
        charges.append(z)
    add_redundant_cumulatives(m, problem, x, peaks)
    # Only the peaks' cumulatives and the units' limits matter here: drop nothing else.
    return m, peaks, charges, x
