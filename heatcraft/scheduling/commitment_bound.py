"""A lower bound on the whole bill with unit commitment in it, by CP-SAT's search without LP.

The indivisible-job relaxation (peak_bounds) leaves unit commitment out, and on small days
that is where the gap sits: on the 20-job benchmark day it proves 12,832 $ while the plans
cost 13,6xx-14,2xx $, because with three starts a day jobs must share runs, and a unit kept
on between them draws its min load. Here CP-SAT keeps every row of the exact model (commitment,
min load, startup energy, demand) and searches with propagation alone (one worker, no LP:
the LP is what is weak here); only the objective is relaxed, to small whole coefficients:

- each start pays its job's input energy at the step prices (heat / efficiency; at least the
  min load on a unit that runs one job at a time, where the job is alone), each startup its
  energy, and the demand charges as in the model;
- what the min load adds while a unit idles between jobs, or while jobs that share a unit
  draw less than it together, is left out (it only costs more).

Every plan of the exact model pays at least this objective (prices must not be negative), so
its proven optimum is a bound of the exact model; the model's own objective, with the min-load
energy on continuous outputs, scales CP-SAT's objective to 10^10 and leaves its search stuck.
Measured on the 20-job day (one core, from seed 0's heuristic plan): proven 13,532.77 $ after
2.8 units of work, 4.8 s on session 8's machine and 7.1-9.8 s on session 9's. With the min load
of a job alone on its unit priced (2026-12-04, seeds 0-3 from the heuristic's plans): proven
13,580.22 $, in 4.9-10.2 s alone with 30 units as against 4.7-8.3 s for 13,532.77 $; at 3
units seed 0 proves it (2.84 units) and seed 2 falls just short (13,580.22 $ found, not
proven), and the search's plans cost 13,666-14,820 $ against 13,685-15,188 $. Pricing the min
load on the on-states instead (min_load * on + each job's heat above it, a bound for any
parallelism) proves 13,607.43 $ against a plan of 13,635.56 $, but needs 21.9 units (58 s on
session 9's machine). On the 30-job day neither proves anything in 10 s (the bound stays at
7 k$), so the caller keeps the best of this and its other bounds.

The search's plan satisfies the exact model's integer rows and is returned as a candidate (it
must be verified: the relaxed rounding loosens the continuous rows by a grid step). Work is
CP-SAT's deterministic time on one worker, so the same inputs give the same bound and plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from heatcraft.scheduling.backends import SolveOutcome
from heatcraft.scheduling.evaluation import Solution
from heatcraft.scheduling.formulation import (
    build_model,
    decode,
    hint_values,
    job_energy_objective,
)
from heatcraft.scheduling.problem import Problem

# Cents: the coefficients round down onto them, so the bound loses under a cent per decision
# the plan takes (about a dollar on a 20-job day), and the search's objective stays small.
OBJECTIVE_GRID_PER_CURRENCY = 100.0
# The least wall a search is started with, before building its model and after. From the
# heuristic's plan of seed 0 (2026-12-07), 0.5 s found no plan on the 20- or 30-job day (its
# bound below zero) and 0.8 s gave the 20-job day its hint back with a bound of 9,555 $.
MIN_SEARCH_SECONDS = 0.5


@dataclass
class SearchBound:
    """A CP-SAT search's best plan and its proven bound (this one and bill_search)."""

    solution: Solution | None  # the search's best plan (to verify)
    outcome: SolveOutcome | None  # None: not searched (`note` says why)
    note: str = ""

    @property
    def bound(self) -> float | None:
        """Valid for the exact model when every job must be placed."""
        return self.outcome.bound if self.outcome is not None else None


def commitment_bound(problem: Problem, hint: Solution, *, work: float, wall_seconds: float,
                     seed: int, stop: Callable[[], bool] | None = None) -> SearchBound:
    """`work`: CP-SAT deterministic time (about seconds of one core); the wall is a backstop.
    `stop`: ends the search early when it says so (solve_cpsat).
    The caller must know that every job is placed in an optimal plan (no drop variables)."""
    from heatcraft.scheduling.backends.cpsat import not_started, solve_cpsat

    if not problem.exact_tariff:
        return SearchBound(None, None, "the tariff is priced approximately")
    if wall_seconds < MIN_SEARCH_SECONDS:
        skipped = not_started(wall_seconds, wall_seconds, written=False)
        return SearchBound(None, skipped, skipped.message)
    began = time.monotonic()
    m, ix = build_model(problem, allow_drops=False)
    objective = job_energy_objective(problem, m, ix, min_load_alone=True)
    if objective is None:
        return SearchBound(None, None, "a negative price")
    m.objective = objective
    outcome = solve_cpsat(m, time_limit_s=wall_seconds - (time.monotonic() - began), threads=1,
                          seed=seed, relative_gap=0.0,
                          hint=hint_values(problem, m, ix, hint), deterministic_time=work,
                          linearization_level=0, rounding="relax",
                          objective_scale=OBJECTIVE_GRID_PER_CURRENCY, decisions=True,
                          stop=stop, min_seconds=MIN_SEARCH_SECONDS)
    solution = decode(problem, ix, outcome.values) if outcome.values is not None else None
    return SearchBound(solution, outcome, outcome.message)
