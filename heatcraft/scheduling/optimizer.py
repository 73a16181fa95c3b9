"""optimize_plan: heuristic start, exact model on the chosen engine, verified best plan.

1. FIFO baseline (a re-plan's start: the previous plan, kept wherever it still holds) and the
   insertion/local-search heuristic (work counted in moves).
2. If a complete plan costs less than any drop penalty, the model has no drop variables (no
   plan that drops a job can then be optimal, and the huge penalties spoil the LP).
3. A second thread computes, on small days, valid demand-peak cuts from an indivisible-job
   CP-SAT relaxation (peak_bounds), the LP bound with those cuts, and a bound and plan from the
   commitment search (commitment_bound), then runs the exact engine with the best plan as its MIP
   start (with `auto`, where the commitment search proved its relaxation, CP-SAT on the whole
   bill as an integer model instead: bill_search), while on the other core a plan from the same
   relaxation (relaxed_plan, small days)
   and then MIP neighbourhoods (free a few jobs, fix the rest) improve on the heuristic's.
   Larger days take the LP-guided search (guided_search), the largest the heuristic alone
   (choose_backend) with LPs of day windows for a bound (window_bound).

Where the options let jobs end late, late starts join the problem only when the jobs do not all
fit by their deadlines (_problem_with_lateness).

Every candidate (FIFO, heuristic, relaxed plan, neighbourhood, engine) is checked by the
independent verifier and priced by the bill engine; the cheapest verified one is returned, so
the result is never worse than the baseline (a re-plan's: the previous plan, kept wherever it
still holds). The engine's best bound gives the proven gap when the model prices the tariff
exactly. Of plans that cost the same, a re-plan returns the one nearest its previous plan.

Each phase has its own module, with the settings measured for it: heuristic_phase (the
insertion heuristic, a re-plan's anchored search, the left-out repair), engine_search (the
whole model on small days; the heuristic alone on the largest), guided_search (larger days),
plan_choice (verification, choice, ties and the report); search_clock says when each stops.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from heatcraft.models import Plan
from heatcraft.scheduling.candidates import Candidate, solution_candidate
from heatcraft.scheduling.diagnosis import no_start_reason
from heatcraft.scheduling.engine_search import engine_search
from heatcraft.scheduling.evaluation import Solution, evaluate
from heatcraft.scheduling.formulation import build_model, decode, hint_values
from heatcraft.scheduling.guided_search import guided_search
from heatcraft.scheduling.heuristic import InsertionSearch, insertion_order, kept_where_possible
from heatcraft.scheduling.mip_neighbourhood import (
    LEFT_OUT_REACH,
    LEFT_OUT_WORK,
    LEFT_OUT_WORK_SHARE,
    NEIGHBOURHOOD_SIZE,
    place_left_out,
)
from heatcraft.scheduling.options import (
    DEFAULT_DROP_PENALTY,
    FrozenState,
    ScheduleOptions,
    trip_outages,
)
from heatcraft.scheduling.plan_builder import plan_to_solution, previous_placement, solution_to_plan
from heatcraft.scheduling.plan_choice import UNPROVEN_INFEASIBLE, PlanResult, choose_plan
from heatcraft.scheduling.problem import Problem, build_problem
from heatcraft.scheduling.search_clock import clock_summary, limit_end
from heatcraft.scheduling.verifier import verify_plan
from heatcraft.timegrid import TimeGrid

# Above this many start variables the exact model does not pay within usual limits (benchmark).
AUTO_EXACT_MAX_STARTS = 60_000
AUTO_EXACT_MAX_STEPS = 300
# Above this many start variables (and below AUTO_EXACT_MAX_STARTS) auto takes the guided
# search: HiGHS proves the example plant_a (5,758 starts) optimal in 15-31 s, but does not
# finish the root of a 100-job benchmark day (9,443 starts) in 60 s. Generated days between
# (benchmarks.scheduling.generate, 60-90 jobs, 6-10 units, 60 s, 2026-12-07): from 6,048 to
# 7,287 starts the guided search's plans were lower on 7 of 10 runs (-2.6 % on average, at
# most 1.2 % higher); from 4,524 to 5,694 lower on 5 of 7 runs, but one 4.8 % higher. A line
# below 6,000 would take plant_a from HiGHS's proof.
GUIDED_MIN_STARTS = 6_000
# Days of this many jobs or more take the guided search from GUIDED_MANY_JOBS_MIN_STARTS: nine
# runs of 75-90-job days of 5,098-5,726 starts (60 s, 2026-12-07) gave lower plans on 8
# (-5.1 % on average) and on the ninth 3 jobs dropped against 5 (objective 652 k$ against
# 1.05 M$); the 60- and 70-job days measured there were even (+2.0 / 0.0 % over two seeds),
# and plant_a has 44 jobs. Below 5,000 starts no such day was run.
GUIDED_MIN_JOBS = 75
GUIDED_MANY_JOBS_MIN_STARTS = 5_000
# Below this many start variables the whole on-time model checks whether the jobs greedy left
# out fit by their deadlines (_problem_with_lateness): the guided search's line when that was
# measured, kept when the line moved.
ON_TIME_MODEL_MAX_STARTS = 7_500
# Late penalties given and greedy insertion leaves out at most this many jobs on time: the
# left-out repair, then on small days the whole on-time model, checks whether they fit before
# late starts are offered (more left out: they are taken not to fit, and the check's time goes
# to the search). On 400 crowded random sites of 1-3 days (late_cap scratch, 2026-12-05)
# greedy left jobs out on 142: on the 31 where HiGHS fits every job on time it left out 1-3,
# on the 111 where none fits 1-9 (91 of them 3 or fewer). On the 100-job benchmark days
# greedy leaves out 2 and 1: the check took 5.7 and 3.0 s there, and placed day b's job.
LATE_CHECK_MAX_LEFT_OUT = 3
# Below this many seconds left, an infeasible plan keeps the first search's left-out jobs.
LEAST_DROPS_MIN_SECONDS = 1.0


def choose_backend(problem: Problem, options: ScheduleOptions) -> str:
    """Where the time-indexed model fits: HiGHS on the whole model for small days (it proves
    them; benchmark: it beats CBC and CP-SAT on the same model at every size we measured;
    up to 40 jobs the whole-bill search may take its place, see engine_search),
    the LP-guided search for larger ones (by start variables, or by jobs where they are many);
    above that, the heuristic alone (the 500-job week)."""
    if options.backend != "auto":
        return options.backend
    starts = sum(len(j.candidates) for j in problem.jobs)
    if starts > AUTO_EXACT_MAX_STARTS or problem.n_steps > AUTO_EXACT_MAX_STEPS:
        return "heuristic"
    many_jobs = len(problem.jobs) >= GUIDED_MIN_JOBS and starts >= GUIDED_MANY_JOBS_MIN_STARTS
    if starts < GUIDED_MIN_STARTS and not many_jobs:
        return "highs"
    return "guided"


def optimize_plan(inputs: Any, grid: TimeGrid, series: Any,
                  options: ScheduleOptions = ScheduleOptions(), *,
                  frozen: FrozenState | None = None) -> PlanResult:
    began = time.monotonic()
    problem, late_note, on_time = _problem_with_lateness(inputs, grid, series, options,
                                                         frozen, began)
    warnings: list[str] = []
    diagnosis = [no_start_reason(problem, j) for j in problem.jobs if not j.candidates]
    if problem.outside:
        warnings.append(f"{len(problem.outside)} job(s) lie outside the horizon and are not "
                        "planned: " + ", ".join(j.job_id for j, _ in problem.outside[:20]))
    for window in trip_outages(inputs, grid, frozen):  # equipment_trips.csv
        warnings.append(f"{window.equipment_id} is kept off from {window.start.isoformat()} "
                        f"to {window.end.isoformat()}: {window.reason}")
    if not problem.exact_tariff:
        warnings.append("the tariff has parts the model prices approximately (energy tiers, "
                        "minimum charges, ratchets or decreasing demand tiers): the plan's cost "
                        "is the bill engine's; the bound is not a proof")
    backend = choose_backend(problem, options)
    candidates: list[Candidate] = []
    start_solution = None
    if frozen is None:
        fifo = _fifo(inputs, grid, warnings)
        if fifo is not None:
            candidates.append(Candidate("fifo", fifo, None, _plan_penalty(fifo, options)))
            start_solution = plan_to_solution(problem, fifo)
    else:
        # What an operator would do without a planner: keep to the previous plan wherever it
        # still holds and put the rest where it costs least. The searches start from it, so
        # a re-plan never costs more than it, and on a tie it is preferred (_rank).
        start_solution = _previous_start(problem, inputs, grid, series, options)
        candidates.append(solution_candidate("previous plan", problem, start_solution,
                                             inputs))
    if on_time is not None:  # verified with every other candidate
        candidates.append(solution_candidate("on-time check", problem, on_time, inputs))

    repair: dict[str, Any] = {}  # what the repair of the heuristic's left-out jobs did
    if backend == "guided":
        outcome = guided_search(problem, inputs, options, began, start_solution, candidates,
                                warnings, repair, on_time)
    else:
        outcome = engine_search(problem, inputs, options, began, start_solution, candidates,
                                warnings, backend, repair, on_time)
    if repair:
        outcome = dataclasses.replace(outcome, parameters=clock_summary(
            {**outcome.parameters, **repair}))
    result = choose_plan(problem, inputs, grid, series, options, candidates, outcome, backend,
                         began, warnings, diagnosis, late_note)
    dropped = {d.job_id for d in result.plan.dropped_jobs}
    crowded = any(j.candidates for j in problem.jobs if j.job.job_id in dropped)
    if options.drop_penalty_per_priority is None and result.plan.solver.status == "infeasible" \
            and crowded:
        return _least_drops(result, inputs, grid, series, options, frozen, began)
    return result


def _least_drops(infeasible: PlanResult, inputs: Any, grid: TimeGrid, series: Any,
                 options: ScheduleOptions, frozen: FrozenState | None,
                 began: float) -> PlanResult:
    """Drops are forbidden and the jobs do not all fit: which ones cannot is the plan that
    leaves out those that cost least to lose at the default penalties (lowest priority first,
    then fewest), searched again with the time left. The first search's left-out jobs are only
    its heuristic's: on a random 7-job site they named a priority-1 job that fits once a
    priority-4 one is left out. Its status stays infeasible."""
    left = options.time_limit_s - (time.monotonic() - began)
    if options.repeatable:  # what is left depends on the clock; the counts must not
        left = options.time_limit_s
    elif left < LEAST_DROPS_MIN_SECONDS:
        return infeasible
    proposal = optimize_plan(inputs, grid, series, dataclasses.replace(
        options, drop_penalty_per_priority=DEFAULT_DROP_PENALTY, time_limit_s=left),
        frozen=frozen)
    if not proposal.ok:
        return infeasible
    # The report keeps the options asked for; the second search's own are under least_drops.
    searched = proposal.plan.solver.parameters
    first = infeasible.plan.solver.parameters
    parameters = {**searched, **options.as_parameters(),
                  "least_drops.drop_penalty_per_priority": searched["drop_penalty_per_priority"],
                  "least_drops.time_limit_s": searched["time_limit_s"],
                  "infeasible_proven": first.get("infeasible_proven")}
    report = proposal.plan.solver.model_copy(update={"status": "infeasible",
                                                     "parameters": parameters})
    note = ("not every job fits and none may be dropped: the plan shown leaves out the jobs "
            "that cost least to lose at the default drop penalties (lowest priority first; "
            "its objective counts them at those penalties)")
    unproven = [UNPROVEN_INFEASIBLE.format(engine=infeasible.plan.solver.engine)] \
        if first.get("infeasible_proven") is False else []
    return dataclasses.replace(proposal, plan=proposal.plan.model_copy(update={"solver": report}),
                               warnings=[note, *unproven, *proposal.warnings])


def _problem_with_lateness(inputs: Any, grid: TimeGrid, series: Any, options: ScheduleOptions,
                           frozen: FrozenState | None, began: float,
                           ) -> tuple[Problem, str, Solution | None]:
    """The problem, with late starts only when the jobs do not all fit on time: a job is
    delayed when not every job can be placed by its deadline (it has no start in time, or
    greedy insertion on the on-time problem leaves it out and the exact left-out repair
    cannot place it either), never only to save energy or demand charges. Late starts widen
    every model: on the 20-job day at 10 s they made the plan 14,440 $ (a job delayed to save
    demand charges) against 13,671 $ on time. Also returns the plan that showed every job fits
    (None where greedy insertion's did or none did), so the search starts from it instead of
    finding those jobs a place again."""
    on_time = build_problem(inputs, grid, series, options, frozen, late_starts=False)
    if options.late_penalty_per_hour is None:
        return on_time, "", None
    search = InsertionSearch(on_time, options.seed)
    search.greedy(insertion_order(on_time))
    left_out = [j for j in on_time.jobs if search.placement[j.index] is None]
    if not left_out:
        return on_time, "not offered: every job fits by its deadline", None
    if len(left_out) <= LATE_CHECK_MAX_LEFT_OUT and all(j.candidates for j in left_out):
        budget = max(LEFT_OUT_WORK, LEFT_OUT_WORK_SHARE * options.time_limit_s)
        greedy = search.solution()
        repaired, _ = place_left_out(
            on_time, greedy, deadline=limit_end(options, began), seed=options.seed,
            size=NEIGHBOURHOOD_SIZE, reach=LEFT_OUT_REACH, work=LEFT_OUT_WORK,
            budget=min(LEFT_OUT_WORK * len(left_out), budget))
        if all(place is not None for place in repaired.placement):
            return on_time, ("not offered: every job fits by its deadline (the exact repair "
                             "placed those greedy insertion left out)"), repaired
        # The repair's neighbourhoods can miss a fit the whole day allows; the whole model
        # answers on small days (on a 100-job day it took 20-23 s and found none).
        if sum(len(j.candidates) for j in on_time.jobs) < ON_TIME_MODEL_MAX_STARTS:
            fitted = _on_time_plan(on_time, greedy, inputs, grid, series, options, began,
                                   budget)
            if fitted is not None:
                return on_time, ("not offered: every job fits by its deadline (the whole "
                                 "on-time model placed those greedy insertion left out)"), fitted
    return build_problem(inputs, grid, series, options, frozen), \
        "offered: not every job fits by its deadline", None


def _on_time_plan(on_time: Problem, partial: Solution, inputs: Any, grid: TimeGrid,
                  series: Any, options: ScheduleOptions, began: float,
                  work: float) -> Solution | None:
    """A plan with every job on time, if CP-SAT on the whole on-time model (fewest jobs left
    out, from greedy insertion's plan, `work` units) finds one the verifier passes. Where the
    left-out repair finds no room: on a 2-day site HiGHS fits on time, its neighbourhoods did
    not (late_cap scratch, site 52; the plan then ended five jobs late). The grid is rounded
    towards the relaxation, since rounded the other way that site had no plan at all, so the
    plan must pass the verifier."""
    from heatcraft.scheduling.backends.cpsat import solve_cpsat

    model, index = build_model(on_time, tight_linking=False, redundant_cumulatives=False,
                               allow_drops=True)
    model.objective, model.objective_constant = dict.fromkeys(index.drop.values(), 1.0), 0.0
    # Without presolve, as in the repair: with it, CP-SAT lost its hint on larger days.
    outcome = solve_cpsat(model, time_limit_s=max(limit_end(options, began)
                                                  - time.monotonic(), 0.1),
                          threads=1, seed=options.seed, relative_gap=0.0,
                          hint=hint_values(on_time, model, index, partial),
                          deterministic_time=work,
                          presolve=False, rounding="relax", decisions=True)
    if outcome.values is None:
        return None
    solution = decode(on_time, index, outcome.values)
    if any(place is None for place in solution.placement):
        return None
    plan = solution_to_plan(on_time, solution, inputs, site_id=inputs.site.id)
    return solution if verify_plan(plan, inputs, grid, series, frozen=on_time.frozen).ok \
        else None


def _fifo(inputs: Any, grid: TimeGrid, warnings: list[str]) -> Plan | None:
    try:
        from heatcraft.scheduling.baseline import fifo_plan
    except ImportError:
        return None
    try:
        return fifo_plan(inputs, grid)
    except Exception as exc:  # the baseline is a start, not a requirement
        warnings.append(f"FIFO baseline unavailable: {exc}")
        return None


def _plan_penalty(plan: Plan, options: ScheduleOptions) -> float:
    total = 0.0
    for dropped in plan.dropped_jobs:
        penalty = options.penalty(dropped.priority)
        total += float("inf") if penalty is None else penalty
    return total


def _previous_start(problem: Problem, inputs: Any, grid: TimeGrid, series: Any,
                    options: ScheduleOptions) -> Solution:
    """A re-plan's start: the previous plan as it was, units' on/off times included, where
    the verifier passes it for the re-plan (no trip under it). Otherwise its jobs where they
    still fit and the others inserted where they cost least (kept_where_possible); each unit
    whose jobs all stay keeps its previous on/off times, where the verifier passes that too.
    The insertion search's own rule for switching units can cost far more: on the 20-job
    benchmark day it switched a unit off for one idle step and paid its restart at a peak,
    16,390 $ for the jobs of a 13,805 $ plan."""
    def holds(solution: Solution) -> bool:
        plan = solution_to_plan(problem, solution, inputs, site_id=inputs.site.id)
        return verify_plan(plan, inputs, grid, series, frozen=problem.frozen,
                           allow_late=options.late_penalty_per_hour is not None).ok

    as_was = plan_to_solution(problem, problem.frozen.previous)
    if as_was is not None and holds(as_was):
        return as_was
    kept = kept_where_possible(problem, previous_placement(problem))
    if as_was is None:
        return kept

    def jobs_on(placement: list[tuple[int, int] | None], u: int) -> set[tuple[int, int]]:
        return {(j, place[1]) for j, place in enumerate(placement)
                if place is not None and place[0] == u}

    on = kept.on.copy()
    for unit in problem.units:
        if jobs_on(kept.placement, unit.index) == jobs_on(as_was.placement, unit.index):
            on[unit.index] = as_was.on[unit.index]
    mixed = Solution(kept.placement, on)
    if (on != kept.on).any() and holds(mixed) and \
            sum(evaluate(problem, mixed)) <= sum(evaluate(problem, kept)):
        return mixed
    return kept
