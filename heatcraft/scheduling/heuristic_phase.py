"""The insertion heuristic as a phase of optimize_plan: its move count from the limit, a
re-plan's second search anchored to the previous plan, and the exact repair of the jobs it
left out (each plan it finds offered as a candidate)."""

from __future__ import annotations

import time
from typing import Any

from heatcraft.scheduling.candidates import Candidate, best_of, solution_candidate
from heatcraft.scheduling.evaluation import Solution, evaluate, left_out_with_starts
from heatcraft.scheduling.heuristic import heuristic_plan
from heatcraft.scheduling.mip_neighbourhood import (
    LEFT_OUT_REACH,
    LEFT_OUT_WORK,
    LEFT_OUT_WORK_SHARE,
    NEIGHBOURHOOD_SIZE,
    place_left_out,
)
from heatcraft.scheduling.options import ScheduleOptions
from heatcraft.scheduling.problem import Problem, anchored
from heatcraft.scheduling.search_clock import MIN_PHASE_SECONDS, finish_deadline

# Heuristic work per second of budget, measured on the benchmark machine (2 cores); work is
# counted in priced moves so that the same seed gives the same plan on any machine. A move
# costs more on a longer horizon: about 1,850 per second on a 100-job day, 900 on the
# 500-job week (2026-12-03), so the heuristic-only backend (weeks) counts fewer per second.
MOVES_PER_SECOND = 1500
HEURISTIC_ONLY_MOVES_PER_SECOND = 600
# The clock guards a slow machine: the heuristic may run this much longer than its share, but
# never past the search's deadline.
HEURISTIC_WALL_FACTOR = 1.5
# A re-plan's heuristic prices a move at this share of the start plan's bill per job
# (anchored_search; measured in benchmarks/results/replan_anchor.md).
ANCHOR_SHARE = 1.0
# Its moves, as a share of the free search's: it starts near a good plan. On the week's
# re-plans half the moves gave the same plans but one (3.25 $ dearer) in 46-53 s, not 67-79 s.
ANCHORED_BUDGET_SHARE = 0.5


def run_heuristic(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
                  share_seconds: float, start_solution: Solution | None,
                  candidates: list[Candidate], repair: dict[str, Any] | None, *,
                  heuristic_only: bool = False, on_time: Solution | None = None) -> Solution:
    """The insertion heuristic for about `share_seconds` (counted in moves); returns the best
    of its plan, the on-time check's (`on_time`, a plan with every job on time) and the start
    plan (`start_solution`: FIFO, or a re-plan's previous plan kept where it holds). Where
    the better of the first two leaves out a job that has starts, an exact neighbourhood
    tries to place it, and `repair` gets its report (None: no such repair
    here, where an engine gets the whole model: on a 100-job day on 6 units at 60 s the
    repair's 9 s in front of HiGHS cost it the plan that dropped one job instead of seven;
    `repair_left_out` runs it beside the engine instead)."""
    now = time.monotonic()
    # The move count is the limit and depends on the options alone (not on how long loading
    # took); the clock (half again as long, but never past the deadline) only guards a slow
    # machine, so that a loaded machine still gives the same plan.
    seconds = max(0.5, min(share_seconds, 0.9 * options.time_limit_s - 2.0))
    rate = HEURISTIC_ONLY_MOVES_PER_SECOND if heuristic_only else MOVES_PER_SECOND
    wall = min(options.wall_seconds(HEURISTIC_WALL_FACTOR * seconds),
               finish_deadline(problem, options, began) - now)
    budget, wall = int(rate * seconds), max(wall, MIN_PHASE_SECONDS)
    start = on_time if on_time is not None else start_solution
    solution = heuristic_plan(problem, options.seed, budget, wall, start=start)
    candidates.append(solution_candidate("heuristic", problem, solution, inputs))
    anchored_problem = anchored_search(problem, start_solution) if heuristic_only else problem
    if anchored_problem is not problem:
        # Where the heuristic is the whole search it has the time for a second one, anchored
        # to the previous plan; the cheaper plan is kept. After a trip at noon on the week
        # the anchored one billed 23,267 $ moving 18 jobs, the free one 24,054 $ moving 150;
        # after a trip at 08:00 the anchor kept a peak the free one lowered (24,425 $ against
        # 23,695 $). On the 100-job days (the guided search) neither was better.
        left = finish_deadline(problem, options, began) - time.monotonic()
        kept = heuristic_plan(anchored_problem, options.seed,
                              int(ANCHORED_BUDGET_SHARE * budget),
                              max(min(wall, left), MIN_PHASE_SECONDS), start=start)
        candidates.append(solution_candidate("anchored heuristic", problem, kept, inputs))
        solution = best_of(problem, [solution, kept])
    if on_time is not None:
        # Greedy left out jobs the check placed: they are not repaired twice. Starting the
        # descent from the check's plan is not enough: on 9 of 54 random sites
        # (benchmarks/results/scheduling.md, session 23) it returned a plan ranked below it.
        solution = best_of(problem, [solution, on_time])
    if repair is not None:  # it moves one job at a time; some fit only when several move
        solution = repair_left_out(problem, inputs, options, solution,
                                   finish_deadline(problem, options, began), candidates, repair)
    return best_of(problem, [solution] + ([start_solution] if start_solution else []))


def anchored_search(problem: Problem, start_solution: Solution | None) -> Problem:
    """What a re-plan's anchored heuristic searches: each job that had not started pays for a
    move at least ANCHOR_SHARE of the start plan's bill per job, so that its descent stays
    near the previous plan (free, it drifts from its own greedy plan). The anchor scales with
    the site's bill; the plans found are priced without it
    (benchmarks/results/replan_anchor.md)."""
    if problem.frozen is None or start_solution is None or not problem.jobs:
        return problem
    per_job = evaluate(problem, start_solution)[0] / len(problem.jobs)
    return anchored(problem, ANCHOR_SHARE * per_job)


def repair_left_out(problem: Problem, inputs: Any, options: ScheduleOptions, best: Solution,
                    deadline: float, candidates: list[Candidate],
                    repair: dict[str, Any]) -> Solution:
    """The exact repair of the jobs `best` leaves out that have starts (place_left_out); its
    plan is kept only where it improves on `best`. The heuristic and guided searches run it
    after the heuristic; the engines on the whole model, on the neighbourhoods' core while
    they solve: in front of HiGHS it cost HiGHS the time it needed (see run_heuristic), and
    without it an engine short of time kept the heuristic's left-out jobs (random larger
    site 44: HiGHS at 3 s on a busy machine left out a job that fits, which the repair
    places in under half a unit)."""
    if not left_out_with_starts(problem, best.placement):
        return best
    repaired, report = place_left_out(
        problem, best, deadline=deadline, seed=options.seed, size=NEIGHBOURHOOD_SIZE,
        reach=LEFT_OUT_REACH, work=LEFT_OUT_WORK,
        budget=max(LEFT_OUT_WORK, LEFT_OUT_WORK_SHARE * options.time_limit_s))
    repair.update(report.parameters())
    if repaired is best:
        return best
    candidates.append(solution_candidate("left-out repair", problem, repaired, inputs))
    return repaired
