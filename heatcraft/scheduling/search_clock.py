"""The search's clock: when each phase of optimize_plan must stop so that the candidates can
still be checked and priced within the time limit, and whether the clock ended a phase."""

from __future__ import annotations

import time
from typing import Any

from heatcraft.scheduling.evaluation import Solution, required_left_out
from heatcraft.scheduling.options import ScheduleOptions
from heatcraft.scheduling.problem import Problem

# Drops forbidden and the best plan so far leaves out a job that has starts: the search stops
# this much sooner (at most LEAST_DROPS_SHARE of the limit), so that the least-drops search
# after it gets its second (with the time kept for pricing: about what the old reserve of a
# second and 20 ms a job gave it by the way, before that was cut to what pricing takes).
LEAST_DROPS_KEEP_S = 1.0
LEAST_DROPS_SHARE = 0.25
# The time kept after the search to check and price the candidates: FINISH_SECONDS and
# FINISH_SECONDS_PER_JOB, at most FINISH_SHARE of the limit. It takes 0.06-0.19 s on the 20-
# to 100-job days and 1.3 s on the 500-job week (2.6 ms a job); the 1 s and 20 ms a job kept
# before left 1.4-1.6 s of a small day's 10 s unused.
FINISH_SECONDS = 0.5
FINISH_SECONDS_PER_JOB = 0.005
FINISH_SHARE = 0.2
MIN_PHASE_SECONDS = 0.05  # the least a phase's solver is given: it returns at once


def clock_summary(parameters: dict[str, Any]) -> dict[str, Any]:
    """`stopped_by_clock`: the clock, not a work count, ended some phase whose result went into
    the plan or the bound (each phase reports it as `<phase>.stopped_by_clock`), so another
    machine, or a busier one, may give another result."""
    clocked = any(value for key, value in parameters.items()
                  if key.endswith(".stopped_by_clock"))
    return {**parameters, "stopped_by_clock": clocked}


def finish_deadline(problem: Problem, options: ScheduleOptions, began: float) -> float:
    """When the search stops: time is kept to verify and price every candidate within the
    limit (FINISH_SECONDS and FINISH_SECONDS_PER_JOB, at most FINISH_SHARE of the limit)."""
    keep = min(FINISH_SECONDS + FINISH_SECONDS_PER_JOB * len(problem.jobs),
               FINISH_SHARE * options.time_limit_s)
    return limit_end(options, began) - keep


def search_deadline(problem: Problem, options: ScheduleOptions, began: float,
                    best: Solution) -> float:
    """When the engine and the neighbourhoods stop: finish_deadline, or sooner where the
    least-drops search may follow them (drops are forbidden and `best` leaves out a job that
    has starts)."""
    deadline = finish_deadline(problem, options, began)
    if options.drop_penalty_per_priority is None and not options.repeatable \
            and required_left_out(problem, best.placement):
        deadline -= min(LEAST_DROPS_KEEP_S, LEAST_DROPS_SHARE * options.time_limit_s)
    return deadline


def phase_seconds(deadline: float, keep: float) -> float:
    """The seconds a phase may take and still leave `keep` to the phases after it before
    `deadline`, or a quarter of what is left where that is less than four times `keep`."""
    left = deadline - time.monotonic()
    return max(left - min(keep, 0.25 * left), MIN_PHASE_SECONDS)


def limit_end(options: ScheduleOptions, began: float) -> float:
    """When the time limit runs out: for a repeatable search, the backstop's."""
    return began + options.wall_seconds(options.time_limit_s)
