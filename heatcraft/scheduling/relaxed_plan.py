"""A plan from the indivisible-job relaxation, for days whose bill is mostly demand charges.

The insertion heuristic and the MIP neighbourhoods move a few jobs at a time, and where demand
charges are most of the bill a plan whose peaks sit in the wrong periods stays there: on the
30-job benchmark day (demand charges 21,175 $ of a 22,620 $ plan) 25 s of neighbourhoods end
at 22.4-23.6 k$. Here CP-SAT places every job at once on the relaxation of peak_bounds (each
job one block on one unit, the units' capacity and parallelism and the demand peaks as
cumulatives; no unit commitment), minimising the demand charges. The insertion search then
takes those placements, commits the units by its own rule (min load, startup energy, min run
and off times, starts per day; a job that no longer fits goes where it costs least) and
descends as the heuristic does, energy prices included.

The energy stays out of CP-SAT's objective: with each start's input energy in it (in cents)
the 30-job day's plans came out at 22,662-23,230 $ after 2 units of work, against
21,375-22,631 $ with the demand charges alone after 1 unit (seeds 0-3).

Work is CP-SAT's deterministic time on one worker and the descent's priced moves, so the same
inputs give the same plan; the wall clock is only a backstop, and the report says if it ended
the solve.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from heatcraft.scheduling.backends import SolveOutcome
from heatcraft.scheduling.evaluation import Solution
from heatcraft.scheduling.heuristic import heuristic_from
from heatcraft.scheduling.peak_bounds import LINEARIZATION, PRESOLVE, block_relaxation
from heatcraft.scheduling.problem import Problem

# The least wall the search is started with, and the least its CP-SAT solve is (after building
# the model). From seed 0 (2026-12-07), a wall of 0.5 s gave 17,024 $ on the 20-job day
# (heuristic 19,158 $) and 25,000 $ on the 30-job day (30,730 $), its CP-SAT solve getting
# about 0.245 s (half, the model built in under 0.01 s); 0.45 s is not started.
MIN_SECONDS = 0.5
MIN_CPSAT_SECONDS = 0.2
# The wall the CP-SAT solve leaves the descent (at most half of what is left): the 30-job day's
# 4,000 moves take 0.53-0.55 s.
DESCENT_KEEP_S = 0.5


@dataclass
class RelaxedPlan:
    solution: Solution | None  # None: not searched, or the relaxation found no placement
    outcome: SolveOutcome | None  # None: not searched (`note` says why)
    note: str = ""
    descent_seconds: float = 0.0
    descent_stopped_by_clock: bool = False  # the wall, not the move count, ended the descent

    def report(self) -> dict[str, str | int | float | bool | None]:
        """What the search did, as `relaxed.*` entries of the solver report."""
        if self.outcome is None:
            return {"relaxed.note": self.note}
        return {**{f"relaxed.{k}": v for k, v in self.outcome.parameters.items()},
                "relaxed.status": self.outcome.status,
                "relaxed.objective": self.outcome.objective,
                "relaxed.seconds": round(self.outcome.seconds, 3),
                "relaxed.descent_seconds": round(self.descent_seconds, 3),
                "relaxed.stopped_by_clock": bool(self.outcome.parameters.get("stopped_by_clock")
                                                 or self.descent_stopped_by_clock),
                "relaxed.note": self.note}


def relaxed_plan(problem: Problem, *, work: float, moves: int, wall_seconds: float,
                 seed: int) -> RelaxedPlan:
    """`work`: CP-SAT deterministic time (about seconds of one core); `moves`: the descent's
    priced moves; `wall_seconds`: a backstop for both."""
    from heatcraft.scheduling.backends.cpsat import not_started, solve_cpsat

    if not problem.demand:
        return RelaxedPlan(None, None, "no demand charges")
    if any(not job.candidates for job in problem.jobs):
        return RelaxedPlan(None, None, "a job has no start")
    if wall_seconds < MIN_SECONDS:
        skipped = not_started(wall_seconds, wall_seconds, written=False)
        return RelaxedPlan(None, skipped, skipped.message)
    began = time.monotonic()
    model, _, charges, starts = block_relaxation(problem)
    model.objective = dict.fromkeys(charges, 1.0)
    left = wall_seconds - (time.monotonic() - began)
    outcome = solve_cpsat(model, time_limit_s=left - min(DESCENT_KEEP_S, left / 2),
                          threads=1, seed=seed, relative_gap=0.0, hint=None,
                          deterministic_time=work, linearization_level=LINEARIZATION,
                          presolve=PRESOLVE, rounding="relax", decisions=True,
                          min_seconds=MIN_CPSAT_SECONDS)
    if outcome.values is None:  # found none, or not started (the message says which)
        return RelaxedPlan(None, outcome, f"no placement from the relaxation: {outcome.message}")
    placement: list[tuple[int, int] | None] = [None] * len(problem.jobs)
    for (j, u, s), var in starts.items():
        if outcome.values[var] > 0.5:
            placement[j] = (u, s)
    descent_began = time.monotonic()
    # No floor: with 0.5 s it took the 30-job day's search to 2.7 s at a 2 s limit.
    left = max(wall_seconds - (descent_began - began), 0.0)
    solution = heuristic_from(problem, seed, placement, moves, left)
    took = time.monotonic() - descent_began
    # The descent ends by its moves, by finding nothing more, or by the wall: only the last
    # reaches it (the 30-job day's 4,000 moves took 0.53-0.55 s beside the engine, seeds 0-3).
    return RelaxedPlan(solution, outcome, descent_seconds=took,
                       descent_stopped_by_clock=took >= left)
