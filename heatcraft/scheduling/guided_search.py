"""The LP-guided search for days too large for the exact engine within the limit: the LP
relaxation beside the heuristic, the MIP restricted to the LP's starts, then neighbourhoods of
the better plan on both cores until the limit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from heatcraft.scheduling.backends import SolveOutcome
from heatcraft.scheduling.candidates import Candidate, best_of, solution_candidate
from heatcraft.scheduling.engine_search import window_parameters
from heatcraft.scheduling.evaluation import Solution, drops_may_pay
from heatcraft.scheduling.heuristic_phase import run_heuristic
from heatcraft.scheduling.lp_support import lp_guide, search_support
from heatcraft.scheduling.mip_neighbourhood import (
    NEIGHBOURHOOD_REACH,
    NEIGHBOURHOOD_SIZE,
    NEIGHBOURHOOD_WORK,
    NeighbourhoodReport,
    improve_by_neighbourhoods,
)
from heatcraft.scheduling.options import ScheduleOptions
from heatcraft.scheduling.problem import Problem
from heatcraft.scheduling.search_clock import clock_summary, phase_seconds, search_deadline
from heatcraft.scheduling.window_bound import WindowBound, window_bound

# The guided search makes every 8th neighbourhood the shift (every job a step earlier or later
# on its unit, 2 units of work; mip_neighbourhood._shifted). The 100-job days at 60 s, seeds
# 0-7, paired runs (benchmarks/results/scheduling.md, session 34): day b's mean 45,810 ->
# 44,730 $ and day a's 45,578 -> 45,293 $, each lower on 7 of 8; every 4th draw gave day b
# 45,460 $ on seeds 0-3 (against 44,696 $), two steps 45,406 $.
SHIFT_EVERY = 8
SHIFT_REACH = 1
SHIFT_WORK = 2.0
# The guided search (large days, auto): the heuristic only seeds the restricted MIP; the LP
# relaxation gets up to this share of the limit; the last phase's neighbourhood rounds (two
# neighbourhoods each) per second of limit. The restricted MIP's root takes 12-22 s on a
# 100-job day depending on the incumbent (RENS and restarts off; 14-39 s with RENS, 14-32 s
# with restarts), so no count fits every day: the clock usually ends the last phase, and the
# report says so (stopped_by_clock).
GUIDED_HEURISTIC_SECONDS_PER_JOB = 0.06
GUIDE_LP_SHARE = 0.4
GUIDED_ROUNDS_PER_SECOND = 1.0
GUIDED_WORKERS = 2  # the last phase's neighbourhood solves at once, one core each
# The restricted MIP's root runs once per thread, each with its own seed (seed + k * stride),
# and the cheapest plan goes on: its result swings with the seed (day a, one incumbent: 49,538
# / 49,772 / 55,797 / 54,138 $ for seeds 0-3) while two roots side by side take as long as one
# (19.3 and 19.1 s together, 20.9 s alone).
RESTRICTED_SEED_STRIDE = 1000


def guided_search(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
                  start_solution: Solution | None, candidates: list[Candidate],
                  warnings: list[str], repair: dict[str, Any],
                  on_time: Solution | None = None) -> SolveOutcome:
    """Days too large for the exact engine within the limit, in three phases:

    1. the LP relaxation on the engine thread (the proven bound, and the starts it uses)
       beside the insertion heuristic;
    2. the MIP restricted to the LP's starts and the incumbent's, root node only, alone (a
       neighbourhood search beside it slowed it by 5-40 % and never beat it);
    3. neighbourhoods of the better plan, two at a time on both cores, until the limit; every
       SHIFT_EVERY-th of them nudges every job at once instead of moving a few.
    """
    root = guided_root(problem, inputs, options, began, start_solution, candidates, warnings,
                       repair, on_time)
    best, limit = root.plan, options.time_limit_s
    deadline = search_deadline(problem, options, began, best)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # An LP stopped by the clock proves nothing: LPs of day windows (window_bound, as for
        # the largest days) bound the bill beside the neighbourhoods. On plant_b's two days at
        # 20 s the LP's 8 s share ended it (it needs 15.6 s); the windows took 4.0 s.
        cores = threading.Semaphore(GUIDED_WORKERS)
        bounding = None
        if root.lp.bound is None:
            cores.acquire()  # before the neighbourhoods can take both
            bounding = pool.submit(_holding_a_core, cores, problem, deadline - 0.5)
        # queued=0: the next neighbourhood is drawn as soon as the older of the two in flight
        # is done. From the same root plans, 30 s gave 30-48 solves against 30-38 in rounds of
        # two; one more drawn ahead gave 41-57, from older plans, and day b's mean rose by
        # 755 $ (session 25); on a faster machine day a's fell by 437 $ and day b's rose by
        # 285 $ (benchmarks/results/neighbourhoods.md, session 26).
        improved, report = improve_by_neighbourhoods(
            problem, best, rounds=int(GUIDED_ROUNDS_PER_SECOND * limit),
            deadline=deadline - 0.5, seed=options.seed + 1, size=NEIGHBOURHOOD_SIZE,
            reach=NEIGHBOURHOOD_REACH, work=NEIGHBOURHOOD_WORK, workers=GUIDED_WORKERS, cents=True,
            shift_every=SHIFT_EVERY, shift_reach=SHIFT_REACH, shift_work=SHIFT_WORK,
            cores=cores)
        windows = bounding.result() if bounding is not None else None
    if improved is not best:
        candidates.append(solution_candidate("neighbourhood", problem, improved, inputs))
    return guided_outcome(root.lp, root.restricted, report, windows)


def _holding_a_core(cores: threading.Semaphore, problem: Problem,
                    deadline: float) -> WindowBound:
    """The window bound on the core it was given (`cores` held for it): the neighbourhoods
    solve one at a time until it ends (their plan is the same, drawn as for two). Beside two
    of them on 200 jobs x 20 units it did not end by the deadline (every job at its least
    energy: gap 98 %)."""
    try:
        return window_bound(problem, deadline=deadline)
    finally:
        cores.release()


@dataclass
class GuidedRoot:
    """Where the guided search's neighbourhoods start: the cheaper of the heuristic's plan and
    the restricted MIP's, the LP that guided the latter, and each of its roots' outcomes."""
    plan: Solution
    lp: SolveOutcome
    restricted: list[SolveOutcome]


def guided_root(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
                start_solution: Solution | None, candidates: list[Candidate],
                warnings: list[str], repair: dict[str, Any],
                on_time: Solution | None = None) -> GuidedRoot:
    """The guided search's phases 1 and 2 (see guided_search), and where the neighbourhood
    benchmark (benchmarks/scheduling/neighbourhoods.py) starts its arms. `candidates`,
    `warnings` and `repair` collect what the report says of them."""
    allow_drops = start_solution is None or drops_may_pay(problem, start_solution)
    limit = options.time_limit_s
    with ThreadPoolExecutor(max_workers=1) as pool:
        relaxing = pool.submit(lp_guide, problem, allow_drops=allow_drops,
                               time_limit_s=options.wall_seconds(GUIDE_LP_SHARE * limit))
        best = run_heuristic(problem, inputs, options, began,
                             min(options.heuristic_share * limit,
                                 GUIDED_HEURISTIC_SECONDS_PER_JOB * len(problem.jobs)),
                             start_solution, candidates, repair, on_time=on_time)
        guide = relaxing.result()
    if guide.outcome.status == "error":
        warnings.append(f"the LP relaxation failed: {guide.outcome.message}")
    deadline = search_deadline(problem, options, began, best)
    restricted: list[SolveOutcome] = []
    if guide.usable:
        seeds = [options.seed + RESTRICTED_SEED_STRIDE * k
                 for k in range(max(1, options.threads))]
        support_solution, restricted = search_support(
            problem, guide, best, allow_drops=allow_drops,
            time_limit_s=phase_seconds(deadline, 1.0), seeds=seeds)
        if support_solution is not None:
            candidates.append(solution_candidate("LP support", problem, support_solution,
                                                 inputs))
            best = best_of(problem, [best, support_solution])
        for outcome in restricted:
            if outcome.status == "error":
                warnings.append(f"the restricted MIP failed: {outcome.message}")
    return GuidedRoot(best, guide.outcome, restricted)


def guided_outcome(lp: SolveOutcome, restricted: list[SolveOutcome],
                   neighbourhoods: NeighbourhoodReport,
                   windows: WindowBound | None = None) -> SolveOutcome:
    """What the report says of the guided search: the LP's bound (the day windows' where the
    LP proved none), what each phase did (each restricted root under its seed's number)."""
    parameters: dict[str, str | int | float | bool | None] = {
        f"lp.{k}": v for k, v in lp.parameters.items()}
    parameters.update({"lp.status": lp.status, "lp.seconds": round(lp.seconds, 3),
                       "lp.iterations": lp.iterations})
    for number, outcome in enumerate(restricted):
        key = f"restricted.{number}"
        parameters.update({f"{key}.{k}": v for k, v in outcome.parameters.items()})
        parameters.update({f"{key}.status": outcome.status,
                           f"{key}.objective": outcome.objective,
                           f"{key}.seconds": round(outcome.seconds, 3),
                           f"{key}.iterations": outcome.iterations})
    parameters.update({"neighbourhoods": neighbourhoods.rounds,
                       "neighbourhoods_improved": neighbourhoods.improved,
                       "neighbourhoods.shifts": neighbourhoods.shifts,
                       "neighbourhoods.shifts_improved": neighbourhoods.shifts_improved,
                       "neighbourhoods.stopped_by_clock": neighbourhoods.clock_stopped})
    bound = lp.bound
    if windows is not None:
        parameters.update(window_parameters(windows))
        if bound is None and windows.bound is not None:
            bound = windows.bound
            parameters["bound_from"] = "LPs of day windows (the LP relaxation proved none)"
    return SolveOutcome("HiGHS (LP bound, restricted MIP) + CP-SAT (neighbourhoods)",
                        lp.version, lp.status, None, None, bound, lp.seconds,
                        clock_summary(parameters), lp.message)
