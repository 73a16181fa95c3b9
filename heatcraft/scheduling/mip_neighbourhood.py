"""Large-neighbourhood search with the exact model: free a few jobs, fix the rest, solve.

The insertion heuristic moves one job at a time and cannot see that moving three jobs together
lowers a peak. Here each neighbourhood frees the jobs around one moment (the current demand
peak, or a moment drawn from the seeded generator) or around several moments of a peak reached
more than once (`_plateau`), keeps every other job where it is, and lets the MIP engine
re-place the freed jobs and re-commit every unit exactly (demand charges included). A result is
accepted only if its plan costs less. Each sub-model is small, so it solves fast. Those
neighbourhoods are narrow and deep (a few jobs, hours of reach, any unit); where the search
asks for it, every few draws is a wide and shallow one instead (`_shifted`: every job a step
earlier or later on its own unit), which lowers a peak reached at many moments at once.

Work is counted in rounds and each sub-model is limited in work (CP-SAT's deterministic time,
or a node count for the MIP engines), so the same seed gives the same plan; the wall clock only
stops the search early. CP-SAT is the default engine: from the same start on the 100-job day a,
40 s of neighbourhoods reached 52,459 $ with CP-SAT (2 units of deterministic time each) and
53,920 $ with HiGHS (node limit 50), whose sub-solves also ran into the 10 s round limit.

`place_left_out` uses the same sub-models for another end: a job the insertion search left
out, with the jobs around its window, so that several may move at once to make room.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from heatcraft.scheduling.backends import solve_with
from heatcraft.scheduling.evaluation import (
    Solution,
    better_rank,
    electric_kw,
    evaluate,
    left_out_with_starts,
    plan_rank,
)
from heatcraft.scheduling.formulation import (
    ModelIndex,
    build_model,
    decode,
    hint_values,
    job_energy_objective,
)
from heatcraft.scheduling.linear_model import LinearModel
from heatcraft.scheduling.problem import JobData, Problem

IMPROVE = 1e-6
# The plateau neighbourhood: up to this many moments within NEAR_PEAK of the most expensive
# term's peak, each more than PLATEAU_GAP steps from the others. From the same restricted-root
# plans of the 100-job days, 30 rounds of two (seeds 0-5, benchmarks/results/scheduling.md,
# session 21): 4 moments gave day a / b means of 45,673 / 46,190 $, 3 moments 45,509 /
# 45,857 $, none (the peak alone) 45,789 / 46,557 $. NEAR_PEAK and PLATEAU_GAP were not varied:
# 3 % and an hour of 15-minute steps are a first choice.
NEAR_PEAK = 0.97
PLATEAU_MOMENTS = 3
PLATEAU_GAP = 4
# Neighbourhoods: 12 jobs that may move up to 16 steps, 0.5 units of CP-SAT deterministic time
# each. From the same 47,413 $ plan of the 100-job day a, 30 s with two at a time, mean of 3-5
# seeds: 44,845 $, against 45,139 $ for 16 jobs / 2.0, 45,433 $ for 16 jobs / 1.0 and
# 45,271 $ for 10 jobs moving 12 steps / 0.3 (one seed varies by +-500 $).
NEIGHBOURHOOD_SIZE = 12
NEIGHBOURHOOD_REACH = 16
NEIGHBOURHOOD_WORK = 0.5
# A job the heuristic left out: CP-SAT deterministic time for the neighbourhood that places
# it, for all of them per second of limit (at least one job's), and how far (steps) the jobs
# around it may move (random site 621 needs 21: a job moves past the one pinned where it sat).
# Where they truly do not fit, the budget is spent in vain: 6 units, 11.4 s on the 200-job
# day of benchmarks/results/left_out.md (8-15 s on 100-200 job days with CP-SAT's presolve).
LEFT_OUT_WORK = 1.0
LEFT_OUT_WORK_SHARE = 0.1
LEFT_OUT_REACH = 48


@dataclasses.dataclass
class NeighbourhoodReport:
    rounds: int = 0
    improved: int = 0
    start_cost: float = 0.0
    end_cost: float = 0.0
    solves: list[tuple[str, float]] = dataclasses.field(default_factory=list)  # status, seconds
    clock_stopped: bool = False  # the deadline, not the round count, ended the search or a solve
    shifts: int = 0  # of the rounds, shift neighbourhoods (_shifted)
    shifts_improved: int = 0


def _shifted(problem: Problem, solution: Solution, reach: int) -> Problem:
    """Every placed job that may move keeps its unit and may start up to `reach` steps
    earlier or later; a job left out keeps all its starts (as in _restricted); every unit is
    committed afresh over the whole horizon. The local neighbourhoods of the 100-job day b
    stall where the peak is reached at many moments; there 45 of 52 shift solves lowered the
    plan, by up to 1,080 $ at once (benchmarks/results/scheduling.md, session 34)."""
    jobs = []
    for job in problem.jobs:
        place = solution.placement[job.index]
        if place is None:
            jobs.append(job)
            continue
        near = [(u, s) for u, s in job.candidates
                if u == place[0] and abs(s - place[1]) <= reach]
        jobs.append(dataclasses.replace(job, candidates=near))
    return dataclasses.replace(problem, jobs=jobs)


def _restricted(problem: Problem, solution: Solution, free: set[int], reach: int,
                opened: frozenset[int] = frozenset()) -> Problem:
    """Fixed jobs keep their place; freed jobs may move `reach` steps (any allowed unit); every
    unit keeps its current on/off state outside the span the freed jobs can touch, and units
    that no freed job can use keep it everywhere (the current plan satisfies all limits there).
    A job left out keeps all its starts, but only those in `opened` widen that span."""
    jobs, touched, lo, hi = [], set(), problem.n_steps, 0
    for job in problem.jobs:
        place = solution.placement[job.index]
        if job.index in opened:
            near = list(job.candidates)
        elif job.index not in free or place is None:
            jobs.append(job if place is None else dataclasses.replace(job, candidates=[place]))
            continue
        else:
            near = [(u, s) for u, s in job.candidates if abs(s - place[1]) <= reach]
        jobs.append(dataclasses.replace(job, candidates=near))
        for u, s in near:
            touched.add(u)
            lo, hi = min(lo, s), max(hi, s + job.steps)
    margin = max((max(u.min_run, u.min_off) for u in problem.units), default=0) + 1
    lo, hi = max(0, lo - margin), min(problem.n_steps, hi + margin)
    units = []
    for unit in problem.units:
        fixed = solution.on[unit.index].astype(np.int8)
        if unit.index in touched:
            fixed[lo:hi] = unit.fixed_on[lo:hi]
        units.append(dataclasses.replace(unit, fixed_on=fixed))
    return dataclasses.replace(problem, jobs=jobs, units=units)


def _peak_moments(problem: Problem, solution: Solution, limit: int) -> list[int]:
    """The first steps of up to `limit` blocks within NEAR_PEAK of the peak of the most
    expensive demand term, dearest first, each more than PLATEAU_GAP steps from the others."""
    elec = electric_kw(problem, solution)
    dearest, moments = -1.0, []
    for term in problem.demand:
        values = [float(elec[block].mean()) for block in term.blocks]
        order = sorted(range(len(values)), key=lambda i: (-values[i], i))
        charge = term.cost(values[order[0]])
        if charge <= dearest:
            continue
        dearest, moments = charge, []
        for i in order:
            if values[i] < NEAR_PEAK * values[order[0]] or len(moments) == limit:
                break
            step = int(term.blocks[i][0])
            if all(abs(step - m) > PLATEAU_GAP for m in moments):
                moments.append(step)
    return moments


def _centre(problem: Problem, solution: Solution, rng: np.random.Generator, kind: int) -> int:
    if kind == 0 and problem.demand:
        # The most expensive peak: its step is where moving jobs pays most.
        return _peak_moments(problem, solution, 1)[0]
    return int(rng.integers(problem.n_steps))


def _plateau(problem: Problem, solution: Solution, size: int,
             rng: np.random.Generator) -> set[int]:
    """Jobs around up to PLATEAU_MOMENTS moments of the dearest term's near-peak plateau at
    once, `size` shared among them: where a peak is reached at several moments of the day,
    lowering one of them alone saves nothing."""
    centres = _peak_moments(problem, solution, PLATEAU_MOMENTS)
    share = max(1, size // len(centres))
    return set().union(*(_freed(problem, solution, centre, share, rng) for centre in centres))


def _neighbourhood(problem: Problem, solution: Solution, number: int, size: int,
                   rng: np.random.Generator) -> set[int]:
    """The jobs freed by the `number`-th neighbourhood: in turn around the most expensive
    peak, a moment drawn from the seeded generator, the most expensive term's plateau (several
    moments), a drawn moment: the even-numbered ones alternate the peak and the plateau. The
    peak alone stalls where the peak is reached at several moments: on day a at 60 s it freed
    the same jobs in vain from round 10 to round 33."""
    if number % 4 == 2 and problem.demand:
        return _plateau(problem, solution, size, rng)
    return _freed(problem, solution, _centre(problem, solution, rng, number % 2), size, rng)


def _freed(problem: Problem, solution: Solution, centre: int, size: int,
           rng: np.random.Generator) -> set[int]:
    def distance(job) -> float:
        place = solution.placement[job.index]
        if place is None:
            return 0.0
        return abs(place[1] + job.steps / 2 - centre)
    movable = [j for j in problem.jobs if j.fixed is None and len(j.candidates) > 1]
    noise = rng.random(len(movable))  # ties and variety, from the seeded generator
    ranked = sorted(zip(movable, noise, strict=True),
                    key=lambda item: (distance(item[0]) + 2.0 * item[1], item[0].index))
    return {job.index for job, _ in ranked[:size]}


def _search_objective(problem: Problem, model: LinearModel, index: ModelIndex) -> None:
    """CP-SAT searches a neighbourhood on the jobs' energy and the demand charges in whole
    cents (job_energy_objective); each plan is still priced exactly before it is accepted.
    16 paired runs of the 100-job days at 60 s (seeds 0-7, 2026-12-04): mean 281 $ lower than
    with the exact objective, 10 of 16 lower; day b's dearest seed 46,547 $ against 46,887 $.
    On the 30-job day (10 s) it cost 3 % more (23,124-23,419 $ against 22,397-22,970 $, seeds
    0-3), so small days keep the exact objective."""
    objective = job_energy_objective(problem, model, index)
    if objective is not None:
        model.objective = {var: round(cost, 2) for var, cost in objective.items()}


def improve_by_neighbourhoods(problem: Problem, start: Solution, *, rounds: int, deadline: float,
                              seed: int, backend: str = "cpsat", size: int = 16,
                              node_limit: int = 50, reach: int = 16, work: float = 2.0,
                              workers: int = 1, queued: int = 0, round_seconds: float = 10.0,
                              stop: Callable[[], bool] | None = None,
                              cents: bool = False, shift_every: int = 0,
                              shift_reach: int = 1, shift_work: float = 2.0,
                              cores: threading.Semaphore | None = None,
                              ) -> tuple[Solution, NeighbourhoodReport]:
    """Solves `rounds` x `workers` neighbourhoods, `workers` at a time (one engine thread
    each), and keeps each result that costs less than the plan so far, in the order drawn.
    Neighbourhood k is drawn from the plan as it stands after the first k - workers - queued
    results, so the plan depends on the seed alone, not on which solve ends first (one worker
    with `queued` 1 gives two workers' plan); a worker whose solve ends before an older one
    waits for it only when `queued` is 0. `work` is
    CP-SAT's deterministic time per neighbourhood, `node_limit` the MIP engines' node count.
    `stop`: checked before each draw; the engine that proved optimality ends the search.
    `cents`: CP-SAT searches on `_search_objective` instead of the model's own objective.
    `shift_every` > 0: every `shift_every`-th draw is the shift neighbourhood (`_shifted`,
    `shift_reach` steps, `shift_work` units) instead of a drawn moment's; it searches the
    model's own objective, since with every unit's commitment free the cents objective, blind
    to min-load energy, kept units on idle (day b: 46,998 $ from a 43,811 $ plan, 44,909 $ on
    the exact one). `cores`: each solve holds one while it runs, so that work beside the search
    can hold one too; the plan does not change, only how many solves run at once."""
    rng = np.random.default_rng(seed + 7919)
    current = start
    cost = sum(evaluate(problem, current))
    report = NeighbourhoodReport(start_cost=cost)
    allow_drops = any(place is None for place in current.placement)
    in_flight = max(1, workers + queued)

    def explore(free: set[int] | None, base: Solution):
        """`free`: the jobs freed around moments; None: the shift neighbourhood."""
        shift = free is None
        sub = _shifted(problem, base, shift_reach) if shift \
            else _restricted(problem, base, free, reach)
        model, index = build_model(sub, tight_linking=False, redundant_cumulatives=False,
                                   allow_drops=allow_drops)
        if cents and backend == "cpsat" and not shift:
            _search_objective(sub, model, index)
        with cores if cores is not None else contextlib.nullcontext():
            left = deadline - time.monotonic()  # when it starts: a queued one has waited
            outcome = solve_with(backend, model,
                                 time_limit_s=max(min(round_seconds, left - 0.5), 0.1),
                                 threads=1, seed=seed, relative_gap=1e-4,
                                 hint=hint_values(sub, model, index, base),
                                 node_limit=node_limit,
                                 deterministic_time=shift_work if shift else work,
                                 bounded=False)
        if outcome.values is None:
            return outcome, None, None
        candidate = decode(sub, index, outcome.values)
        return outcome, candidate, sum(evaluate(problem, candidate))

    pending: deque[tuple[bool, Future]] = deque()  # (a shift, its solve), in draw order
    drawn, drawing = 0, True
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while True:
            # The seeded choices are made here, in order, from the plan as it stands; each
            # worker then builds, solves and prices its neighbourhood (one worker's Python
            # overlaps the other's engine).
            while drawing and drawn < rounds * workers and len(pending) < in_flight:
                if stop is not None and stop():
                    drawing = False
                elif deadline - time.monotonic() < 1.0:
                    report.clock_stopped, drawing = True, False
                else:
                    shift = shift_every > 0 and drawn % shift_every == shift_every - 1
                    free = None if shift else _neighbourhood(problem, current, drawn, size, rng)
                    pending.append((shift, pool.submit(explore, free, current)))
                    drawn += 1
            if not pending:
                break
            shifted, solving = pending.popleft()
            outcome, candidate, candidate_cost = solving.result()
            report.rounds += 1
            report.solves.append((outcome.status, round(outcome.seconds, 2)))
            # A solve cut by its wall (round_seconds, or the deadline) did less than its work.
            report.clock_stopped |= bool(outcome.parameters.get("stopped_by_clock"))
            report.shifts += shifted
            if candidate is not None and candidate_cost < cost - IMPROVE * max(1.0, abs(cost)):
                current, cost = candidate, candidate_cost
                report.improved += 1
                report.shifts_improved += shifted
    report.end_cost = cost
    return current, report


@dataclasses.dataclass
class LeftOutReport:
    tried: list[str] = dataclasses.field(default_factory=list)
    placed: list[str] = dataclasses.field(default_factory=list)
    without_plan: int = 0  # solves that found no plan, not even the one they were hinted
    clock_stopped: bool = False  # the deadline ended a solve or left a job untried
    work_used: float = 0.0  # CP-SAT deterministic time
    seconds: float = 0.0

    def parameters(self) -> dict[str, str | int | float | bool | None]:
        return {"left_out.tried": ", ".join(self.tried) or None,
                "left_out.placed": ", ".join(self.placed) or None,
                "left_out.solves_without_plan": self.without_plan,
                "left_out.work_used": round(self.work_used, 3),
                "left_out.seconds": round(self.seconds, 3),
                "left_out.stopped_by_clock": self.clock_stopped}


def place_left_out(problem: Problem, start: Solution, *, deadline: float, seed: int,
                   size: int, reach: int, work: float, budget: float,
                   presolve: bool = False) -> tuple[Solution, LeftOutReport]:
    """The insertion search moves one job at a time, so it leaves out a job that fits only
    when several others move together (random site 259: on its one heater a job that may
    start between 19:00 and 22:00 sits where the 3-hour job of 19:00-21:00 needs to be, and
    neither moves alone). For each job
    left out that has a start (priority first, while `budget` lasts): the exact model on the
    job with all its starts and the `size` placed jobs nearest its window (each within `reach`
    steps of its place), every other job fixed, drops priced at their penalties (a job that
    may not be dropped must be placed). Kept when fewer such jobs are left out, or as many and
    the bill plus penalties is lower. `work`: CP-SAT deterministic time per job, `budget` for
    them all (a day where they truly do not fit spends it in vain: 1.9 s a unit on the 200-job
    day of benchmarks/results/left_out.md). `presolve`: CP-SAT's presolve, off unless a
    benchmark compares. Returns the plan (`start` itself where nothing improved) and what was
    tried and placed."""
    began = time.monotonic()
    current = start
    report = LeftOutReport()
    rank = plan_rank(problem, current)
    left_out = sorted(left_out_with_starts(problem, current.placement),
                      key=lambda job: (job.priority, job.index))
    for job in left_out:
        if current.placement[job.index] is not None:  # placed with an earlier one
            continue
        if not _may_solve(deadline, budget, report):
            break
        report.tried.append(job.job.job_id)
        near = _nearest_to_window(problem, current, job, size)
        current, rank, settled = _solve_around(problem, current, rank, job, near, deadline,
                                               seed, reach, min(work, budget - report.work_used),
                                               presolve, report)
        # Where that proved it cannot place the job, once more with the few other jobs on the
        # units it may use, however far in time: a unit's starts per day or maintenance can
        # tie its evening to a job at midnight (random larger site 295: one start a day, J0's
        # unit taken at 00:00). Only a few: on the overloaded 160-job day a neighbourhood with
        # most of a unit's jobs found no plan in its unit of work. Not after a solve its count
        # ended: the wider one would not do better.
        if not settled or current.placement[job.index] is not None:
            continue
        units = {u for u, _ in job.candidates}
        extra = {other.index for other in _movable_placed(problem, current)
                 if current.placement[other.index][0] in units} - near
        if 0 < len(extra) <= size // 2 and _may_solve(deadline, budget, report):
            current, rank, _ = _solve_around(problem, current, rank, job, near | extra,
                                             deadline, seed, reach,
                                             min(work, budget - report.work_used), presolve,
                                             report)
    report.placed = [job.job.job_id for job in left_out
                     if current.placement[job.index] is not None]
    report.seconds = time.monotonic() - began
    return current, report


def _may_solve(deadline: float, budget: float, report: LeftOutReport) -> bool:
    """Whether a left-out job's solve still fits the clock (it says so where not) and the
    budget of work."""
    if deadline - time.monotonic() < 1.0:
        report.clock_stopped = True
        return False
    return budget - report.work_used >= 0.01


def _solve_around(problem: Problem, current: Solution, rank: tuple[int, float], job: JobData,
                  free: set[int], deadline: float, seed: int, reach: int, work: float,
                  presolve: bool, report: LeftOutReport) -> tuple[Solution, tuple[int, float],
                                                                  bool]:
    """The exact model on the left-out `job` with all its starts and the jobs `free`: the plan
    (`current` where it did not improve), its rank, and whether CP-SAT settled its model
    (proved its optimum or that it has no plan) rather than stopping at its count."""
    # On first use, as in peak_bounds: CP-SAT at import added 0.17 s to loading the optimizer.
    from heatcraft.scheduling.backends.cpsat import solve_cpsat

    sub = _restricted(problem, current, free, reach, opened=frozenset({job.index}))
    model, index = build_model(sub, tight_linking=False, redundant_cumulatives=False,
                               allow_drops=True)
    # Without presolve: with it, CP-SAT lost the hint (the current plan, a feasible point of
    # this sub-model) on the larger overloaded days and spent each job's unit without finding
    # any plan (benchmarks/results/left_out.md).
    outcome = solve_cpsat(model, time_limit_s=min(10.0, deadline - time.monotonic() - 0.5),
                          threads=1, seed=seed, relative_gap=1e-4,
                          hint=hint_values(sub, model, index, current),
                          deterministic_time=work, presolve=presolve)
    report.work_used += float(outcome.parameters.get("deterministic_time_used") or 0.0)
    report.clock_stopped |= bool(outcome.parameters.get("stopped_by_clock"))
    settled = outcome.parameters.get("grid_model_status") in ("OPTIMAL", "INFEASIBLE")
    if outcome.values is None:
        report.without_plan += 1
        return current, rank, settled
    candidate = decode(sub, index, outcome.values)
    candidate_rank = plan_rank(problem, candidate)
    if better_rank(candidate_rank, rank, IMPROVE * max(1.0, abs(rank[1]))):
        return candidate, candidate_rank, settled
    return current, rank, settled


def _movable_placed(problem: Problem, solution: Solution) -> list[JobData]:
    """The placed jobs a neighbourhood may move: not fixed, with more than one start."""
    return [other for other in problem.jobs if other.fixed is None
            and solution.placement[other.index] is not None and len(other.candidates) > 1]


def _nearest_to_window(problem: Problem, solution: Solution, job, size: int) -> set[int]:
    """The `size` placed, movable jobs whose runs lie nearest the window of `job`'s starts."""
    first = min(s for _, s in job.candidates)
    last = max(s for _, s in job.candidates) + job.steps

    def distance(other) -> int:
        _, s = solution.placement[other.index]
        return max(0, first - (s + other.steps), s - last)
    ranked = sorted(_movable_placed(problem, solution),
                    key=lambda other: (distance(other), other.index))
    return {other.index for other in ranked[:size]}
