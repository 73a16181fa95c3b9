"""The LP relaxation as a guide: a proven bound, and a small MIP on the starts it uses.

The LP of the tight model spreads jobs fractionally, so it is only a bound, but the starts it
gives weight to are where good plans put their jobs. The MIP restricted to those starts (plus
the incumbent's, so that it stays feasible) is a few percent of the full model and its root
heuristics find plans that local search does not reach (sub-MIPs around the LP's point, such
as RINS). Measured on the 100-job benchmark day a (benchmarks/results/scheduling.md): the LP
solves in 3.8-6 s (barrier and crossover), its vertex puts weight on 443 of 9,443 starts, and
HiGHS's root on the restricted model turns a 58,846 $ heuristic plan into a 49,538 $ plan in
19 s with RENS off (with it: 48,761 $ in 39 s, time the neighbourhoods after it use better).

The restricted MIP stops after its root node (a node count, not a clock), so the same inputs
give the same plan; it runs once per seed given, side by side, and the cheapest plan goes on.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from heatcraft.scheduling.backends import SolveOutcome
from heatcraft.scheduling.backends.mathopt import MIN_LP_SECONDS, solve_mathopt
from heatcraft.scheduling.evaluation import Solution
from heatcraft.scheduling.formulation import build_model, decode, hint_values
from heatcraft.scheduling.problem import Problem

SUPPORT_EPS = 1e-6
# RENS (a sub-MIP on the root LP's rounding) is the root's longest step on the restricted model:
# on the 100-job day a (seed 0) the root took 39 s, 20 of them in one RENS run (48,761 $); without
# it, 19 s (49,538 $), and the neighbourhoods after it get the time back. A restart (HiGHS
# presolves the model again once the root has fixed some columns, and solves its root again)
# costs more time than it finds plans here. Without it, the 100-job days' roots (a and b, seeds
# 0 and 1000, from one heuristic plan) gave 49,362 / 46,912 / 50,509 / 50,166 $ in 18.9 /
# 17.3 / 14.7 / 13.6 s; with it, 49,780 / 47,380 / 51,133 / 50,337 $ in 18.7 / 21.1 / 17.7 /
# 17.9 s (2026-12-05; a heuristic effort of 0.1 or 0.2 instead of 0.05 changed nothing). In
# the optimizer at 60 s (paired runs, seeds 0-3) the roots took 12.6-21.7 s against 14.1-32.0 s
# and their plans were as often worse as better, but the neighbourhoods after them got the time:
# day a 45,086-46,176 $ against 45,685-46,508 $ (4 of 4 lower), day b 44,647-47,613 $ against
# 44,621-46,828 $ (2 of 4 lower; mean 214 $ lower).
RESTRICTED_HIGHS_OPTIONS = {"mip_heuristic_run_rens": False, "mip_allow_restart": False}


@dataclass
class LpGuide:
    outcome: SolveOutcome  # the LP solve; its objective is a valid bound on the model
    support: list[set[tuple[int, int]]]  # per job: the (unit, start) the LP gives weight to

    @property
    def bound(self) -> float | None:
        return self.outcome.bound

    @property
    def usable(self) -> bool:
        """The LP reached its optimum: its vertex's support guides the restricted MIP."""
        return self.outcome.status == "optimal"


def lp_guide(problem: Problem, *, allow_drops: bool, time_limit_s: float) -> LpGuide:
    began = time.monotonic()
    model, index = build_model(problem, tight_linking=False, redundant_cumulatives=False,
                               allow_drops=allow_drops)
    left = time_limit_s - (time.monotonic() - began)  # building it is part of the limit
    outcome = solve_mathopt(model, "highs", time_limit_s=left, threads=1, seed=0,
                            relative_gap=0.0, hint=None, relax=True,
                            min_seconds=MIN_LP_SECONDS)
    support: list[set[tuple[int, int]]] = [set() for _ in problem.jobs]
    if outcome.status == "optimal":  # a point the clock stopped is no vertex: no support
        for (j, u, s), var in index.x.items():
            if outcome.values[var] > SUPPORT_EPS:
                support[j].add((u, s))
    return LpGuide(outcome, support)


def restricted_to_support(problem: Problem, guide: LpGuide, incumbent: Solution) -> Problem:
    """Each job keeps the starts the LP uses and the one the incumbent uses."""
    jobs = []
    for job in problem.jobs:
        keep = set(guide.support[job.index])
        place = incumbent.placement[job.index]
        if place is not None:
            keep.add(place)
        jobs.append(dataclasses.replace(job, candidates=sorted(keep)))
    return dataclasses.replace(problem, jobs=jobs)


def search_support(problem: Problem, guide: LpGuide, incumbent: Solution, *, allow_drops: bool,
                   time_limit_s: float, seeds: Sequence[int],
                   node_limit: int = 1) -> tuple[Solution | None, list[SolveOutcome]]:
    """The restricted MIP on HiGHS from the incumbent, to the end of its root node, once per
    seed, side by side (one thread each: HiGHS branches on one thread and releases the GIL).
    Returns the cheapest plan (the first seed's on ties) and every seed's outcome."""
    restricted = restricted_to_support(problem, guide, incumbent)
    model, index = build_model(restricted, tight_linking=False, redundant_cumulatives=False,
                               allow_drops=allow_drops)
    hint = hint_values(restricted, model, index, incumbent)

    def root(seed: int) -> SolveOutcome:
        return solve_mathopt(model, "highs", time_limit_s=time_limit_s, threads=1, seed=seed,
                             relative_gap=1e-4, hint=hint, node_limit=node_limit,
                             highs_options=RESTRICTED_HIGHS_OPTIONS)

    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        outcomes = list(pool.map(root, seeds))
    solved = [o for o in outcomes if o.values is not None]
    if not solved:
        return None, outcomes
    best = min(solved, key=lambda o: o.objective)  # min keeps the first of equals
    return decode(restricted, index, best.values), outcomes
