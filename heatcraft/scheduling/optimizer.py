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
   Larger days take the LP-guided search (_guided_search), the largest the heuristic alone
   (choose_backend) with LPs of day windows for a bound (window_bound).

Where the options let jobs end late, late starts join the problem only when the jobs do not all
fit by their deadlines (_problem_with_lateness).

Every candidate (FIFO, heuristic, relaxed plan, neighbourhood, engine) is checked by the
independent verifier and priced by the bill engine; the cheapest verified one is returned, so
the result is never worse than the baseline (a re-plan's: the previous plan, kept wherever it
still holds). The engine's best bound gives the proven gap when the model prices the tariff
exactly. Of plans that cost the same, a re-plan returns the one nearest its previous plan.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from heatcraft.models import Plan, SolverReport
from heatcraft.scheduling.backends import SolveOutcome, solve_with
from heatcraft.scheduling.backends.mathopt import solve_mathopt
from heatcraft.scheduling.bill_search import bill_search
from heatcraft.scheduling.commitment_bound import SearchBound, commitment_bound
from heatcraft.scheduling.diagnosis import JobDiagnosis, crowded_out_reason, no_start_reason
from heatcraft.scheduling.evaluation import (
    Solution,
    evaluate,
    left_out_with_starts,
    plan_rank,
    required_left_out,
    unit_heat,
)
from heatcraft.scheduling.formulation import ModelIndex, build_model, decode, hint_values
from heatcraft.scheduling.heuristic import (
    InsertionSearch,
    heuristic_plan,
    insertion_order,
    kept_where_possible,
)
from heatcraft.scheduling.lp_support import lp_guide, search_support
from heatcraft.scheduling.mip_neighbourhood import (
    NeighbourhoodReport,
    improve_by_neighbourhoods,
    place_left_out,
)
from heatcraft.scheduling.options import (
    DEFAULT_DROP_PENALTY,
    FrozenState,
    ScheduleOptions,
    trip_outages,
)
from heatcraft.scheduling.peak_bounds import DemandBounds, demand_bounds
from heatcraft.scheduling.plan_builder import (
    plan_to_solution,
    previous_placement,
    solution_to_plan,
)
from heatcraft.scheduling.problem import Problem, anchored, build_problem
from heatcraft.scheduling.relaxed_plan import RelaxedPlan, relaxed_plan
from heatcraft.scheduling.step_commitment import switch_off_idle
from heatcraft.scheduling.verifier import Verification, verify_plan
from heatcraft.scheduling.window_bound import WindowBound, window_bound
from heatcraft.timegrid import TimeGrid

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
# (_anchored_search; measured in benchmarks/results/replan_anchor.md).
ANCHOR_SHARE = 1.0
# Its moves, as a share of the free search's: it starts near a good plan. On the week's
# re-plans half the moves gave the same plans but one (3.25 $ dearer) in 46-53 s, not 67-79 s.
ANCHORED_BUDGET_SHARE = 0.5
# Above this many start variables the exact model does not pay within usual limits (benchmark).
AUTO_EXACT_MAX_STARTS = 60_000
AUTO_EXACT_MAX_STEPS = 300
# Up to this many jobs the exact engine gets most of the time, after demand-peak bounds from
# the indivisible-job relaxation (CP-SAT); above it, MIP neighbourhoods improve the plan first.
SMALL_JOBS = 40
BOUND_WORK_SHARE = 0.06  # CP-SAT deterministic time per second of limit (small problems)
BOUND_WALL_SHARE = 0.5
# The commitment search (commitment_bound) on small days, on the engine thread after the
# demand-peak bounds: CP-SAT deterministic time per second of limit. On the 20-job day it
# proves its relaxation (13,532.77 $, against 12,832 $ from the peaks and the LP) in 2.8-6.5
# units from the heuristic plans of seeds 0-3 (4.5-8 s alone on a core); on the 30-job day it
# proves nothing in 10 s. At 10 s about 5 s of wall are left to it: 3 units fit (seeds 0 and 2
# proven in 4.4-4.6 s with plans of 13,685 / 13,688 $; seeds 1 and 3 stopped by the count at
# 14,509 / 15,188 $), while 6 units were cut by the clock and made seeds 1 and 3 unrepeatable.
# On session 9's machine (1.5x slower: 2.8 units in 7.1 s alone) the clock cut seeds 0 and 2 too;
# running the search before the peak cuts lost the LP-with-cuts bound where it did not finish
# (s20 gaps 22-26 %), so the order stays. With the min load of a job alone on its unit priced
# (2026-12-04) seed 0 proves 13,580.22 $ in 2.84 units (gap 0.67 %) and seed 2 falls just short
# of 3 (gap 6.1 % from the LP instead of 1.1 %), while the plans fall to 13,671 / 13,782 /
# 13,666 / 13,808 $ (13,685 / 14,509 / 13,688 / 13,808 $ before, paired runs); 0.35 gave the
# clock the last word on seeds 2 and 3 (5.3 s of wall is what is left).
COMMITMENT_WORK_SHARE = 0.3
# The whole bill as an integer CP-SAT model (bill_search) on small days whose commitment search
# proved its relaxation, in place of HiGHS on the linear model: CP-SAT deterministic time per
# second of limit. On the 20-job day it proves the optimum (13,633.77 $) at 30 s on seeds 0-3
# (16.7-22.0 s in all, 4.4-8.8 units from the commitment search's plans), where HiGHS's bound
# stayed at the commitment search's for 120 s. The count is generous (the proofs needed up to
# about 22 units before its probing level was set); where the clock ends it first, the report
# says so. On the 30-job day the commitment search proves nothing and HiGHS runs as before.
BILL_WORK_SHARE = 0.5
# The plan from the indivisible-job relaxation (relaxed_plan) on small days, on the
# neighbourhoods' thread before them: CP-SAT deterministic time per second of limit, and the
# descent's priced moves. On the 30-job day at 10 s (seeds 0-3, two runs) it took the plans
# from 22,397-23,064 $ to 21,378-22,630 $; on the 20-job day, where the commitment search's
# plan wins, they stayed the same in paired runs (13,685-14,509 $). 0.05 gave 21,375-22,686 $
# there, 0.2 20,361-22,630 $ (2 units need about 8 s at the 3.7-4.5 s a unit measured there,
# more than the ~5.9 s of wall it gets: the clock ends it). Starting the neighbourhoods from it
# instead of from the heuristic plan cost the 20-job day's seed 3 600-900 $.
RELAXED_PLAN_WORK_SHARE = 0.1
RELAXED_PLAN_MOVES = 4000
# Neighbourhoods: 12 jobs that may move up to 16 steps, 0.5 units of CP-SAT deterministic time
# each. From the same 47,413 $ plan of the 100-job day a, 30 s with two at a time, mean of 3-5
# seeds: 44,845 $, against 45,139 $ for 16 jobs / 2.0, 45,433 $ for 16 jobs / 1.0 and
# 45,271 $ for 10 jobs moving 12 steps / 0.3 (one seed varies by +-500 $).
NEIGHBOURHOOD_SIZE = 12
NEIGHBOURHOOD_REACH = 16
NEIGHBOURHOOD_WORK = 0.5
# The guided search makes every 8th neighbourhood the shift (every job a step earlier or later
# on its unit, 2 units of work; mip_neighbourhood._shifted). The 100-job days at 60 s, seeds
# 0-7, paired runs (benchmarks/results/scheduling.md, session 34): day b's mean 45,810 ->
# 44,730 $ and day a's 45,578 -> 45,293 $, each lower on 7 of 8; every 4th draw gave day b
# 45,460 $ on seeds 0-3 (against 44,696 $), two steps 45,406 $.
SHIFT_EVERY = 8
SHIFT_REACH = 1
SHIFT_WORK = 2.0
# A job the heuristic left out: CP-SAT deterministic time for the neighbourhood that places
# it, for all of them per second of limit (at least one job's), and how far (steps) the jobs
# around it may move (random site 621 needs 21: a job moves past the one pinned where it sat).
# Where they truly do not fit, the budget is spent in vain: 6 units, 11.4 s on the 200-job
# day of benchmarks/results/left_out.md (8-15 s on 100-200 job days with CP-SAT's presolve).
LEFT_OUT_WORK = 1.0
LEFT_OUT_WORK_SHARE = 0.1
LEFT_OUT_REACH = 48
# Neighbourhood rounds per second of limit beside the exact engine: a count, so that a run
# that ends before the deadline repeats (a neighbourhood takes 0.3-1 s). With the demand
# bounds moved to the engine's thread the neighbourhoods start seconds earlier; 2.0 instead of
# 0.4 rounds per second took s30 from 22,469-23,414 $ to 22,178-22,970 $ (seeds 0-3, 10 s) and
# left s20 and plant_a's proof (15 s) as they were; the engine or the clock ends them now.
NEIGHBOURHOOD_ROUNDS_PER_SECOND = 2.0
# Heuristic seconds per job on large days (capped by heuristic_share of the limit). At 60 s on
# the 100-job days, one run each: 0.2 gave 52,791 / 49,037 $, 0.1 gave 54,876 / 50,382 $.
HEURISTIC_SECONDS_PER_JOB = 0.2
# The guided search (large days, auto): the heuristic only seeds the restricted MIP; the LP
# relaxation gets up to this share of the limit; the last phase's neighbourhood rounds (two
# neighbourhoods each) per second of limit. The restricted MIP's root takes 12-22 s on a
# 100-job day depending on the incumbent (RENS and restarts off; 14-39 s with RENS, 14-32 s
# with restarts), so no count fits every day: the clock usually ends the last phase, and the
# report says so (stopped_by_clock).
GUIDED_HEURISTIC_SECONDS_PER_JOB = 0.06
GUIDE_LP_SHARE = 0.4
GUIDED_ROUNDS_PER_SECOND = 1.0
# The restricted MIP's root runs once per thread, each with its own seed (seed + k * stride),
# and the cheapest plan goes on: its result swings with the seed (day a, one incumbent: 49,538
# / 49,772 / 55,797 / 54,138 $ for seeds 0-3) while two roots side by side take as long as one
# (19.3 and 19.1 s together, 20.9 s alone).
RESTRICTED_SEED_STRIDE = 1000
# Above this many start variables (and below AUTO_EXACT_MAX_STARTS) auto takes the guided
# search: HiGHS proves the example plant_a (5,758 starts) optimal in 15-31 s, but does not
# finish the root of a 100-job benchmark day (9,443 starts) in 60 s.
GUIDED_MIN_STARTS = 7_500
# Late penalties given and greedy insertion leaves out at most this many jobs on time: the
# left-out repair, then on small days the whole on-time model, checks whether they fit before
# late starts are offered (more left out: they are taken not to fit, and the check's time goes
# to the search). On 400 crowded random sites of 1-3 days (late_cap scratch, 2026-12-05)
# greedy left jobs out on 142: on the 31 where HiGHS fits every job on time it left out 1-3,
# on the 111 where none fits 1-9 (91 of them 3 or fewer). On the 100-job benchmark days
# greedy leaves out 2 and 1: the check took 5.7 and 3.0 s there, and placed day b's job.
LATE_CHECK_MAX_LEFT_OUT = 3
# Drops forbidden and no plan found that places every job, where the engine proved nothing
# (the heuristic, or CP-SAT on the grid-rounded model): the day is reported infeasible, and
# says that it is not proven.
UNPROVEN_INFEASIBLE = ("no plan found places every job that may not be dropped, but {engine} "
                       "does not prove that none exists (HiGHS on the whole model does, where "
                       "the day is small enough: --backend highs)")
# Below this many seconds left, an infeasible plan keeps the first search's left-out jobs.
LEAST_DROPS_MIN_SECONDS = 1.0
# Drops forbidden and the best plan so far leaves out a job that has starts: the search stops
# this much sooner (at most LEAST_DROPS_SHARE of the limit), so that the least-drops search
# after it gets its second (with the time kept for pricing: about what the old reserve of a
# second and 20 ms a job gave it by the way, before that was cut to what pricing takes).
LEAST_DROPS_KEEP_S = 1.0
LEAST_DROPS_SHARE = 0.25
# The whole-model engine in a repeatable search (ScheduleOptions.repeatable), where the clock
# may not end it: CP-SAT's deterministic time for each of its two solves (the plan on one
# grid, the bound on the other) and the MIP engines' node count, per second of limit.
REPEATABLE_CPSAT_WORK_SHARE = 0.25
REPEATABLE_NODES_PER_SECOND = 1
# Short limits are kept by shares, not floors: every phase before the engine leaves it
# ENGINE_KEEP_S (a quarter of what is left, where less than four times that is: the LP's
# bound and the plans come first when time is short). With floors of 0.5-1 s a phase, a 2 s
# limit on the 30-job day returned after 3.6 s.
ENGINE_KEEP_S = 1.5
# The demand-peak bounds get at most this share of the time left (1.3 s of the 8.2 s left at
# 10 s is what their count takes on the small days) and are left out below PEAKS_MIN_SECONDS:
# the LP's bound without their cuts comes first (at 2 s on the 30-job day they took 0.6-1.0 s
# and left the LP too little to end; it needs 0.4 s there).
PEAKS_SHARE_OF_LEFT = 0.3
PEAKS_MIN_SECONDS = 0.5
# The time kept after the search to check and price the candidates: FINISH_SECONDS and
# FINISH_SECONDS_PER_JOB, at most FINISH_SHARE of the limit. It takes 0.06-0.19 s on the 20-
# to 100-job days and 1.3 s on the 500-job week (2.6 ms a job); the 1 s and 20 ms a job kept
# before left 1.4-1.6 s of a small day's 10 s unused.
FINISH_SECONDS = 0.5
FINISH_SECONDS_PER_JOB = 0.005
FINISH_SHARE = 0.2
MIN_PHASE_SECONDS = 0.05  # the least a phase's solver is given: it returns at once
# Engine outcomes that end the neighbourhoods beside it: nothing they find can change the answer.
PROVEN = ("optimal", "infeasible")
# The earliest-among-ties stage: priced moves per job (a count, so it is repeatable).
TIE_MOVES_PER_JOB = 40


@dataclass
class PlanResult:
    plan: Plan
    verification: Verification
    diagnosis: list[JobDiagnosis] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    baseline_cost: float | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    late_jobs: list[dict[str, Any]] = field(default_factory=list)  # see late_jobs()

    @property
    def ok(self) -> bool:
        return self.verification.ok

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.model_dump(mode="json"),
                "verification": self.verification.to_dict(),
                "diagnosis": [d.to_dict() for d in self.diagnosis],
                "warnings": list(self.warnings), "baseline_cost": self.baseline_cost,
                "candidates": self.candidates, "late_jobs": self.late_jobs}


def late_jobs(plan: Plan, inputs: Any,
              options: ScheduleOptions | None = None) -> list[dict[str, Any]]:
    """Each job the plan ends after its deadline (late_penalty_per_hour allows it): when,
    by how many minutes, and its penalty (the rate of its priority per hour late; 0 without
    `options`)."""
    options = options or ScheduleOptions()
    jobs = {job.job_id: job for job in inputs.jobs}
    late = []
    for assignment in plan.assignments:
        job = jobs.get(assignment.job_id)
        if job is None or assignment.end <= job.deadline:
            continue
        minutes = (assignment.end - job.deadline).total_seconds() / 60.0
        rate = options.late_penalty(job.priority) or 0.0
        late.append({"job_id": job.job_id, "priority": job.priority,
                     "deadline": job.deadline.isoformat(), "end": assignment.end.isoformat(),
                     "late_minutes": round(minutes, 2), "penalty": round(rate * minutes / 60, 2)})
    return late


def choose_backend(problem: Problem, options: ScheduleOptions) -> str:
    """Where the time-indexed model fits: HiGHS on the whole model for small days (it proves
    them; benchmark: it beats CBC and CP-SAT on the same model at every size we measured;
    up to 40 jobs the whole-bill search may take its place, see _engine_search),
    the LP-guided search for larger ones; above that, the heuristic alone (the 500-job week)."""
    if options.backend != "auto":
        return options.backend
    starts = sum(len(j.candidates) for j in problem.jobs)
    if starts > AUTO_EXACT_MAX_STARTS or problem.n_steps > AUTO_EXACT_MAX_STEPS:
        return "heuristic"
    if starts < GUIDED_MIN_STARTS:
        return "highs"
    return "guided"


@dataclass
class _Candidate:
    source: str
    plan: Plan
    claimed_cost: float | None  # the step model's own price of the plan, if it has one
    penalty: float


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
    candidates: list[_Candidate] = []
    baseline_cost = None
    start_solution = None
    if frozen is None:
        fifo = _fifo(inputs, grid, warnings)
        if fifo is not None:
            candidates.append(_Candidate("fifo", fifo, None, _plan_penalty(fifo, options)))
            start_solution = plan_to_solution(problem, fifo)
    else:
        # What an operator would do without a planner: keep to the previous plan wherever it
        # still holds and put the rest where it costs least. The searches start from it, so
        # a re-plan never costs more than it, and on a tie it is preferred (_rank).
        start_solution = _previous_start(problem, inputs, grid, series, options)
        candidates.append(_solution_candidate("previous plan", problem, start_solution,
                                              inputs))
    if on_time is not None:  # verified with every other candidate
        candidates.append(_solution_candidate("on-time check", problem, on_time, inputs))

    repair: dict[str, Any] = {}  # what the repair of the heuristic's left-out jobs did
    if backend == "guided":
        outcome = _guided_search(problem, inputs, options, began, start_solution, candidates,
                                 warnings, repair, on_time)
    else:
        outcome = _engine_search(problem, inputs, options, began, start_solution, candidates,
                                 warnings, backend, repair, on_time)
    if repair:
        outcome = dataclasses.replace(outcome, parameters=_clock_summary(
            {**outcome.parameters, **repair}))
    result = _finish(problem, inputs, grid, series, options, candidates, outcome, backend,
                     began, warnings, diagnosis, baseline_cost, late_note)
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
            on_time, greedy, deadline=_limit_end(options, began), seed=options.seed,
            size=NEIGHBOURHOOD_SIZE, reach=LEFT_OUT_REACH, work=LEFT_OUT_WORK,
            budget=min(LEFT_OUT_WORK * len(left_out), budget))
        if all(place is not None for place in repaired.placement):
            return on_time, ("not offered: every job fits by its deadline (the exact repair "
                             "placed those greedy insertion left out)"), repaired
        # The repair's neighbourhoods can miss a fit the whole day allows; the whole model
        # answers on small days (on a 100-job day it took 20-23 s and found none).
        if sum(len(j.candidates) for j in on_time.jobs) < GUIDED_MIN_STARTS:
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
    outcome = solve_cpsat(model, time_limit_s=max(_limit_end(options, began)
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


def _engine_search(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
                   start_solution: Solution | None, candidates: list[_Candidate],
                   warnings: list[str], backend: str, repair: dict[str, Any],
                   on_time: Solution | None = None) -> SolveOutcome:
    """The heuristic, then the engine on the whole model (its bound proves small days) beside
    the left-out repair and MIP neighbourhoods on the other core; the heuristic alone for the
    largest problems."""
    share_seconds = options.time_limit_s * (1.0 if backend == "heuristic"
                                            else options.heuristic_share)
    small = len(problem.jobs) <= SMALL_JOBS
    if backend != "heuristic":  # the exact engine and its neighbourhoods pay more per second
        share_seconds = min(share_seconds, (0.05 if small else HEURISTIC_SECONDS_PER_JOB)
                            * len(problem.jobs))
    if backend == "heuristic":
        # Too large for the whole model's LP (the week's takes 226 s): LPs of day windows
        # bound the bill on the other core while the heuristic plans (window_bound).
        with ThreadPoolExecutor(max_workers=1) as pool:
            bounding = pool.submit(window_bound, problem,
                                   deadline=_deadline(problem, options, began))
            _heuristic(problem, inputs, options, began, share_seconds, start_solution,
                       candidates, repair, heuristic_only=True, on_time=on_time)
            return _heuristic_outcome(bounding.result())
    best = _heuristic(problem, inputs, options, began, share_seconds, start_solution, candidates,
                      None, on_time=on_time)
    allow_drops = _drops_may_pay(problem, best)
    with_bounds = small and not allow_drops and problem.exact_tariff
    deadline = _search_deadline(problem, options, began, best)

    def bound_then_solve() -> tuple[ModelIndex, SolveOutcome, SolveOutcome | None,
                                    SearchBound | None, SearchBound | None,
                                    DemandBounds | None]:
        bounds, relaxation, commitment, hint = None, None, None, best
        if with_bounds:
            wall = min(options.wall_seconds(BOUND_WALL_SHARE * options.time_limit_s),
                       PEAKS_SHARE_OF_LEFT * (deadline - time.monotonic()))
            if wall >= PEAKS_MIN_SECONDS:  # else the LP's bound, without their cuts, first
                bounds = demand_bounds(problem, BOUND_WORK_SHARE * options.time_limit_s, wall,
                                       options.seed)
        model, index = build_model(problem, tight_linking=options.tight_linking,
                                   allow_drops=allow_drops, demand_bounds=bounds)
        if with_bounds:
            relaxation = solve_mathopt(model, "highs", relax=True, threads=1, seed=options.seed,
                                       time_limit_s=_phase_seconds(deadline, ENGINE_KEEP_S),
                                       relative_gap=0.0, hint=None)
            commitment = commitment_bound(
                problem, best, work=COMMITMENT_WORK_SHARE * options.time_limit_s,
                wall_seconds=_phase_seconds(deadline, ENGINE_KEEP_S), seed=options.seed)
            if commitment.solution is not None:  # a start is checked by the engine itself
                hint = _best_of(problem, [best, commitment.solution])
            proved = commitment.outcome is not None and commitment.outcome.status == "optimal"
            if options.backend == "auto" and (proved or options.repeatable):
                # The commitment search proved its relaxation: the whole bill is within reach.
                # A repeatable search takes it anyway: HiGHS counts nodes, not the work of its
                # root, which took 33 s on the 30-job day.
                search = bill_search(problem, hint, bounds.peak_kw if bounds else None,
                                     work=BILL_WORK_SHARE * options.time_limit_s,
                                     wall_seconds=_phase_seconds(deadline, 0.0),
                                     seed=options.seed, relative_gap=options.relative_gap)
                if search.outcome is not None:
                    return index, search.outcome, relaxation, commitment, search, bounds
        outcome = solve_with(backend, model, time_limit_s=_phase_seconds(deadline, 0.0),
                             threads=options.threads, seed=options.seed,
                             relative_gap=_engine_gap(problem, hint, options),
                             hint=hint_values(problem, model, index, hint),
                             **_engine_work(options, backend))
        return index, outcome, relaxation, commitment, None, bounds

    # The demand-peak bounds, the LP with their cuts (under a second: a bound that holds when
    # the searches after it are cut short; HiGHS's root with cuts took 8-13 s on the 20-30 job
    # days on a slow machine), the commitment search and then the engine run in a second
    # thread (their native code releases the GIL) while MIP neighbourhoods improve the
    # heuristic plan here: both cores work for the whole limit.
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(bound_then_solve)
        relaxed = RelaxedPlan(None, None, "only on small days with every job placed")
        if with_bounds:
            relaxed = relaxed_plan(problem, work=RELAXED_PLAN_WORK_SHARE * options.time_limit_s,
                                   moves=RELAXED_PLAN_MOVES,
                                   wall_seconds=_phase_seconds(deadline, 2.0),
                                   seed=options.seed)
            if relaxed.solution is not None:  # verified with every other candidate
                candidates.append(_solution_candidate("relaxed plan", problem,
                                                      relaxed.solution, inputs))
        start = _repaired(problem, inputs, options, best, deadline, candidates, repair)
        rounds = int(NEIGHBOURHOOD_ROUNDS_PER_SECOND * options.time_limit_s)
        improved, neighbourhoods = improve_by_neighbourhoods(
            problem, start, rounds=rounds, deadline=deadline - 0.5, seed=options.seed,
            size=NEIGHBOURHOOD_SIZE, reach=NEIGHBOURHOOD_REACH, work=NEIGHBOURHOOD_WORK,
            stop=lambda: running.done() and running.result()[1].status in PROVEN)
        index, outcome, relaxation, commitment, whole_bill, bounds = running.result()
    if relaxation is not None and commitment is not None:  # the small days' bounds ran
        outcome = _with_bounds(outcome, relaxation, commitment, bounds)
        if commitment.solution is not None:  # verified with every other candidate
            candidates.append(_solution_candidate("commitment search", problem,
                                                  commitment.solution, inputs))
    if whole_bill is not None and whole_bill.solution is not None:
        candidates.append(_solution_candidate("whole-bill search", problem, whole_bill.solution,
                                              inputs))
    # A proof ends the neighbourhoods early (PROVEN); an engine stopped by its work count or
    # the clock does not, so that their count, not when the engine ended, decides their plan.
    # Beside a proven optimum their plan cannot win, and leaving it out keeps the choice
    # independent of when they stopped.
    if improved is not start and outcome.status != "optimal":
        candidates.append(_solution_candidate("neighbourhood", problem, improved, inputs))
    if outcome.values is not None:
        engine_solution = decode(problem, index, outcome.values)
        candidates.append(_solution_candidate(outcome.engine, problem, engine_solution, inputs))
    if outcome.status == "error":
        warnings.append(f"{outcome.engine} failed: {outcome.message}")
    return _with_neighbourhoods(outcome, neighbourhoods, relaxed)


def _heuristic_outcome(windows: WindowBound) -> SolveOutcome:
    """The heuristic's report: the window LPs' bound and what they did."""
    parameters = _window_parameters(windows)
    engine = windows.outcomes[0].version if windows.outcomes else "HiGHS"
    return SolveOutcome("heatcraft-heuristic",
                        f"insertion + local search; bound: LP of day windows ({engine})",
                        "feasible", None, None, windows.bound, windows.seconds,
                        _clock_summary(parameters),
                        windows.note or f"{len(windows.windows)} of {windows.planned} windows")


def _window_parameters(windows: WindowBound) -> dict[str, str | int | float | bool | None]:
    """What the day windows' LPs did, for the report (bound.*)."""
    return {"bound.windows": ", ".join(windows.windows) or None,
            "bound.windows_planned": windows.planned,
            "bound.best_window": windows.best,
            "bound.seconds": round(windows.seconds, 3),
            "bound.stopped_by_clock": windows.stopped_by_clock,
            "bound.note": windows.note or None}


def _with_bounds(outcome: SolveOutcome, relaxation: SolveOutcome, commitment: SearchBound,
                 peaks: DemandBounds | None) -> SolveOutcome:
    """The engine's outcome with the best of its bound, the LP relaxation's (with the cuts of
    the demand-peak bounds `peaks`; None: too little time to run them) and the commitment
    search's, and what the three did in the report."""
    parameters = dict(outcome.parameters)
    if peaks is None:
        parameters["peaks.note"] = "not run: too little time left (the LP's bound comes first)"
    else:
        parameters.update({"peaks.seconds": round(peaks.seconds, 3),
                           "peaks.stopped_by_clock": peaks.stopped_by_clock})
    parameters.update({"lp.status": relaxation.status, "lp.bound": relaxation.bound,
                       "lp.seconds": round(relaxation.seconds, 3),
                       "lp.stopped_by_clock": relaxation.parameters.get("stopped_by_clock")})
    parameters["commitment.note"] = commitment.note
    searched = commitment.outcome
    if searched is not None:
        parameters.update({f"commitment.{k}": v for k, v in searched.parameters.items()})
        parameters.update({"commitment.status": searched.status,
                           "commitment.bound": searched.bound,
                           "commitment.seconds": round(searched.seconds, 3)})
    bound = outcome.bound
    lp_source = "LP relaxation" + (" with the peak cuts" if peaks is not None else "") + " (HiGHS)"
    for candidate, source in ((relaxation.bound, lp_source),
                              (commitment.bound, "commitment search (CP-SAT, relaxed objective)")):
        if candidate is not None and (bound is None or candidate > bound):
            bound = candidate
            parameters["bound_from"] = source
    return dataclasses.replace(outcome, bound=bound, parameters=parameters)


def _with_neighbourhoods(outcome: SolveOutcome, neighbourhoods: NeighbourhoodReport,
                         relaxed: RelaxedPlan) -> SolveOutcome:
    """What the relaxed plan's search and the neighbourhoods did beside the engine, and
    whether the clock ended a phase."""
    parameters = {key: value for key, value in outcome.parameters.items()
                  if key != "stopped_by_clock"}
    parameters.update(relaxed.report())
    parameters.update({"mip.stopped_by_clock": outcome.parameters.get("stopped_by_clock"),
                       "neighbourhoods": neighbourhoods.rounds,
                       "neighbourhoods_improved": neighbourhoods.improved,
                       "neighbourhoods.stopped_by_clock": neighbourhoods.clock_stopped})
    return dataclasses.replace(outcome, parameters=_clock_summary(parameters))


def _clock_summary(parameters: dict[str, Any]) -> dict[str, Any]:
    """`stopped_by_clock`: the clock, not a work count, ended some phase whose result went into
    the plan or the bound (each phase reports it as `<phase>.stopped_by_clock`), so another
    machine, or a busier one, may give another result."""
    clocked = any(value for key, value in parameters.items()
                  if key.endswith(".stopped_by_clock"))
    return {**parameters, "stopped_by_clock": clocked}


def _guided_search(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
                   start_solution: Solution | None, candidates: list[_Candidate],
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
    deadline = _search_deadline(problem, options, began, best)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # An LP stopped by the clock proves nothing: LPs of day windows (window_bound, as for
        # the largest days) bound the bill beside the neighbourhoods. On plant_b's two days at
        # 20 s the LP's 8 s share ended it (it needs 15.6 s); the windows took 4.0 s.
        bounding = pool.submit(window_bound, problem, deadline=deadline - 0.5) \
            if root.lp.bound is None else None
        # queued=0: the next neighbourhood is drawn as soon as the older of the two in flight
        # is done. From the same root plans, 30 s gave 30-48 solves against 30-38 in rounds of
        # two; one more drawn ahead gave 41-57, from older plans, and day b's mean rose by
        # 755 $ (session 25); on a faster machine day a's fell by 437 $ and day b's rose by
        # 285 $ (benchmarks/results/neighbourhoods.md, session 26).
        improved, report = improve_by_neighbourhoods(
            problem, best, rounds=int(GUIDED_ROUNDS_PER_SECOND * limit),
            deadline=deadline - 0.5, seed=options.seed + 1, size=NEIGHBOURHOOD_SIZE,
            reach=NEIGHBOURHOOD_REACH, work=NEIGHBOURHOOD_WORK, workers=2, cents=True,
            shift_every=SHIFT_EVERY, shift_reach=SHIFT_REACH, shift_work=SHIFT_WORK)
        windows = bounding.result() if bounding is not None else None
    if improved is not best:
        candidates.append(_solution_candidate("neighbourhood", problem, improved, inputs))
    return _guided_outcome(root.lp, root.restricted, report, windows)


@dataclass
class GuidedRoot:
    """Where the guided search's neighbourhoods start: the cheaper of the heuristic's plan and
    the restricted MIP's, the LP that guided the latter, and each of its roots' outcomes."""
    plan: Solution
    lp: SolveOutcome
    restricted: list[SolveOutcome]


def guided_root(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
                start_solution: Solution | None, candidates: list[_Candidate],
                warnings: list[str], repair: dict[str, Any],
                on_time: Solution | None = None) -> GuidedRoot:
    """The guided search's phases 1 and 2 (see _guided_search), and where the neighbourhood
    benchmark (benchmarks/scheduling/neighbourhoods.py) starts its arms. `candidates`,
    `warnings` and `repair` collect what the report says of them."""
    allow_drops = start_solution is None or _drops_may_pay(problem, start_solution)
    limit = options.time_limit_s
    with ThreadPoolExecutor(max_workers=1) as pool:
        relaxing = pool.submit(lp_guide, problem, allow_drops=allow_drops,
                               time_limit_s=options.wall_seconds(GUIDE_LP_SHARE * limit))
        best = _heuristic(problem, inputs, options, began,
                          min(options.heuristic_share * limit,
                              GUIDED_HEURISTIC_SECONDS_PER_JOB * len(problem.jobs)),
                          start_solution, candidates, repair, on_time=on_time)
        guide = relaxing.result()
    if guide.outcome.status == "error":
        warnings.append(f"the LP relaxation failed: {guide.outcome.message}")
    deadline = _search_deadline(problem, options, began, best)
    restricted: list[SolveOutcome] = []
    if guide.usable:
        seeds = [options.seed + RESTRICTED_SEED_STRIDE * k
                 for k in range(max(1, options.threads))]
        support_solution, restricted = search_support(
            problem, guide, best, allow_drops=allow_drops,
            time_limit_s=_phase_seconds(deadline, 1.0), seeds=seeds)
        if support_solution is not None:
            candidates.append(_solution_candidate("LP support", problem, support_solution,
                                                  inputs))
            best = _best_of(problem, [best, support_solution])
        for outcome in restricted:
            if outcome.status == "error":
                warnings.append(f"the restricted MIP failed: {outcome.message}")
    return GuidedRoot(best, guide.outcome, restricted)


def _guided_outcome(lp: SolveOutcome, restricted: list[SolveOutcome],
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
        parameters.update(_window_parameters(windows))
        if bound is None and windows.bound is not None:
            bound = windows.bound
            parameters["bound_from"] = "LPs of day windows (the LP relaxation proved none)"
    return SolveOutcome("HiGHS (LP bound, restricted MIP) + CP-SAT (neighbourhoods)",
                        lp.version, lp.status, None, None, bound, lp.seconds,
                        _clock_summary(parameters), lp.message)


def _heuristic(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
               share_seconds: float, start_solution: Solution | None,
               candidates: list[_Candidate], repair: dict[str, Any] | None, *,
               heuristic_only: bool = False, on_time: Solution | None = None) -> Solution:
    """The insertion heuristic for about `share_seconds` (counted in moves); returns the best
    of its plan, the on-time check's (`on_time`, a plan with every job on time) and the start
    plan (`start_solution`: FIFO, or a re-plan's previous plan kept where it holds). Where
    the better of the first two leaves out a job that has starts, an exact neighbourhood
    tries to place it, and `repair` gets its report (None: no such repair
    here, where an engine gets the whole model: on a 100-job day on 6 units at 60 s the
    repair's 9 s in front of HiGHS cost it the plan that dropped one job instead of seven;
    `_repaired` runs it beside the engine instead)."""
    now = time.monotonic()
    # The move count is the limit and depends on the options alone (not on how long loading
    # took); the clock (half again as long, but never past the deadline) only guards a slow
    # machine, so that a loaded machine still gives the same plan.
    seconds = max(0.5, min(share_seconds, 0.9 * options.time_limit_s - 2.0))
    rate = HEURISTIC_ONLY_MOVES_PER_SECOND if heuristic_only else MOVES_PER_SECOND
    wall = min(options.wall_seconds(HEURISTIC_WALL_FACTOR * seconds),
               _deadline(problem, options, began) - now)
    budget, wall = int(rate * seconds), max(wall, MIN_PHASE_SECONDS)
    start = on_time if on_time is not None else start_solution
    solution = heuristic_plan(problem, options.seed, budget, wall, start=start)
    candidates.append(_solution_candidate("heuristic", problem, solution, inputs))
    anchored_problem = _anchored_search(problem, start_solution) if heuristic_only else problem
    if anchored_problem is not problem:
        # Where the heuristic is the whole search it has the time for a second one, anchored
        # to the previous plan; the cheaper plan is kept. After a trip at noon on the week
        # the anchored one billed 23,267 $ moving 18 jobs, the free one 24,054 $ moving 150;
        # after a trip at 08:00 the anchor kept a peak the free one lowered (24,425 $ against
        # 23,695 $). On the 100-job days (the guided search) neither was better.
        left = _deadline(problem, options, began) - time.monotonic()
        kept = heuristic_plan(anchored_problem, options.seed,
                              int(ANCHORED_BUDGET_SHARE * budget),
                              max(min(wall, left), MIN_PHASE_SECONDS), start=start)
        candidates.append(_solution_candidate("anchored heuristic", problem, kept, inputs))
        solution = _best_of(problem, [solution, kept])
    if on_time is not None:
        # Greedy left out jobs the check placed: they are not repaired twice. Starting the
        # descent from the check's plan is not enough: on 9 of 54 random sites
        # (benchmarks/results/scheduling.md, session 23) it returned a plan ranked below it.
        solution = _best_of(problem, [solution, on_time])
    if repair is not None:  # it moves one job at a time; some fit only when several move
        solution = _repaired(problem, inputs, options, solution,
                             _deadline(problem, options, began), candidates, repair)
    return _best_of(problem, [solution] + ([start_solution] if start_solution else []))


def _anchored_search(problem: Problem, start_solution: Solution | None) -> Problem:
    """What a re-plan's anchored heuristic searches: each job that had not started pays for a
    move at least ANCHOR_SHARE of the start plan's bill per job, so that its descent stays
    near the previous plan (free, it drifts from its own greedy plan). The anchor scales with
    the site's bill; the plans found are priced without it
    (benchmarks/results/replan_anchor.md)."""
    if problem.frozen is None or start_solution is None or not problem.jobs:
        return problem
    per_job = evaluate(problem, start_solution)[0] / len(problem.jobs)
    return anchored(problem, ANCHOR_SHARE * per_job)


def _repaired(problem: Problem, inputs: Any, options: ScheduleOptions, best: Solution,
              deadline: float, candidates: list[_Candidate], repair: dict[str, Any]) -> Solution:
    """The exact repair of the jobs `best` leaves out that have starts (place_left_out); its
    plan is kept only where it improves on `best`. The heuristic and guided searches run it
    after the heuristic; the engines on the whole model, on the neighbourhoods' core while
    they solve: in front of HiGHS it cost HiGHS the time it needed (see _heuristic), and
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
    candidates.append(_solution_candidate("left-out repair", problem, repaired, inputs))
    return repaired


def _deadline(problem: Problem, options: ScheduleOptions, began: float) -> float:
    """When the search stops: time is kept to verify and price every candidate within the
    limit (FINISH_SECONDS and FINISH_SECONDS_PER_JOB, at most FINISH_SHARE of the limit)."""
    keep = min(FINISH_SECONDS + FINISH_SECONDS_PER_JOB * len(problem.jobs),
               FINISH_SHARE * options.time_limit_s)
    return _limit_end(options, began) - keep


def _search_deadline(problem: Problem, options: ScheduleOptions, began: float,
                     best: Solution) -> float:
    """When the engine and the neighbourhoods stop: _deadline, or sooner where the least-drops
    search may follow them (drops are forbidden and `best` leaves out a job that has starts)."""
    deadline = _deadline(problem, options, began)
    if options.drop_penalty_per_priority is None and not options.repeatable \
            and required_left_out(problem, best.placement):
        deadline -= min(LEAST_DROPS_KEEP_S, LEAST_DROPS_SHARE * options.time_limit_s)
    return deadline


def _phase_seconds(deadline: float, keep: float) -> float:
    """The seconds a phase may take and still leave `keep` to the phases after it before
    `deadline`, or a quarter of what is left where that is less than four times `keep`."""
    left = deadline - time.monotonic()
    return max(left - min(keep, 0.25 * left), MIN_PHASE_SECONDS)


def _limit_end(options: ScheduleOptions, began: float) -> float:
    """When the time limit runs out: for a repeatable search, the backstop's."""
    return began + options.wall_seconds(options.time_limit_s)


def _engine_gap(problem: Problem, start: Solution, options: ScheduleOptions) -> float:
    """The engines' relative gap: the options' share of `start`'s bill, not of its objective,
    which counts the penalties of dropped and late jobs. At the options' 1e-4 of a re-plan
    that dropped jobs (800 k$ of penalties, a 171 $ bill) HiGHS called a plan 1.25 $ dearer
    than the optimum optimal."""
    bill, penalty = evaluate(problem, start)
    if penalty <= 0.0:
        return options.relative_gap
    return options.relative_gap * max(bill, 0.0) / (max(bill, 0.0) + penalty)


def _engine_work(options: ScheduleOptions, backend: str) -> dict[str, Any]:
    """The whole-model engine's work count where the search must repeat (none otherwise: the
    clock ends it): CP-SAT's deterministic time, the MIP engines' nodes, each per second of
    limit."""
    if not options.repeatable:
        return {}
    if backend == "cpsat":
        return {"deterministic_time": REPEATABLE_CPSAT_WORK_SHARE * options.time_limit_s}
    return {"node_limit": max(1, int(REPEATABLE_NODES_PER_SECOND * options.time_limit_s))}


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


def _drops_may_pay(problem: Problem, best: Solution) -> bool:
    """False when `best` places every job for less than any single drop penalty."""
    if any(place is None for place in best.placement):
        return True
    penalties = [j.penalty for j in problem.jobs if j.penalty is not None]
    return bool(penalties) and sum(evaluate(problem, best)) >= min(penalties)


def _best_of(problem: Problem, solutions: list[Solution]) -> Solution:
    return min(solutions, key=lambda s: plan_rank(problem, s))


def _solution_candidate(source: str, problem: Problem, solution: Solution,
                        inputs: Any) -> _Candidate:
    cost, penalty = evaluate(problem, solution)
    if any(p is None and j.penalty is None for j, p in zip(problem.jobs, solution.placement,
                                                           strict=True)):
        penalty = float("inf")
    plan = solution_to_plan(problem, solution, inputs, site_id=inputs.site.id)
    return _Candidate(source, plan, cost if problem.exact_tariff else None, penalty)


def _finish(problem: Problem, inputs: Any, grid: TimeGrid, series: Any, options: ScheduleOptions,
            candidates: list[_Candidate], outcome: SolveOutcome, backend: str,
            began: float, warnings: list[str], diagnosis: list[JobDiagnosis],
            baseline_cost: float | None, late_starts: str = "") -> PlanResult:
    """`late_starts`: whether late starts were offered, and why (_problem_with_lateness)."""
    checked = []
    for candidate in candidates:
        verification = verify_plan(candidate.plan, inputs, grid, series,
                                   claimed_cost=candidate.claimed_cost, frozen=problem.frozen,
                                   allow_late=options.late_penalty_per_hour is not None)
        cost = verification.recomputed_cost
        total = (cost if cost is not None else float("inf")) + candidate.penalty
        checked.append((candidate, verification, total))
        if candidate.source == "fifo" and cost is not None:
            baseline_cost = cost
    summary = [_summary_row(c, v) for c, v, _ in checked]
    for c, v, _ in checked:
        if not v.ok and c.source != "fifo":
            warnings.append(f"{c.source} plan failed verification and was discarded: "
                            + "; ".join(f"{x.rule}: {x.detail}" for x in v.violations[:3]))
    good = [(c, v, t) for c, v, t in checked if v.ok and t < float("inf")]
    seconds = time.monotonic() - began
    if good:
        # Equal costs come out of the bill engine equal only to rounding: a tie is within
        # 1e-9 of the cheapest, and _rank decides among those.
        cheapest = min(total for _, _, total in good)
        tied = [item for item in good if item[2] <= cheapest + 1e-9 * max(1.0, abs(cheapest))]
        chosen, verification, objective = min(tied, key=lambda item: (_rank(item[0]), item[2]))
        # Ties broken after the choice, each plan verified again and kept only if no dearer:
        # jobs as early as they go, then units off where they idle on at no cost.
        # A re-plan moves no job it need not: ties go to the previous plan instead.
        if problem.frozen is not None:
            stages = [_previous_tie, _idle_units_off]
        elif options.prefer_early_ties:
            stages = [_earliest_tie, _idle_units_off]
        else:
            stages = [_idle_units_off]
        if chosen.source == "fifo":  # the baseline stays as FIFO placed it
            stages = []
        for stage in stages:
            tie = stage(problem, chosen)
            if tie is None:
                continue
            candidate = _solution_candidate(tie[0], problem, tie[1], inputs)
            checked_tie = verify_plan(candidate.plan, inputs, grid, series,
                                      claimed_cost=candidate.claimed_cost, frozen=problem.frozen,
                                      allow_late=options.late_penalty_per_hour is not None)
            cost = checked_tie.recomputed_cost
            if checked_tie.ok and cost is not None and \
                    cost + candidate.penalty <= objective + 1e-9 * max(1.0, abs(objective)):
                chosen, verification = candidate, checked_tie
                objective = cost + candidate.penalty
                summary.append(_summary_row(chosen, verification))
    else:
        chosen, verification, objective = min(checked, key=lambda item: (
            not item[1].ok, len(item[1].violations), _rank(item[0])))
    bound = None
    if outcome.bound is not None and problem.exact_tariff:
        bound = min(outcome.bound, objective) if objective < float("inf") else outcome.bound
    gap, bill_gap = None, None
    if bound is not None and objective < float("inf"):
        gap = max(0.0, objective - bound) / max(abs(objective), 1e-9)
        # A proof is judged on the bill: the objective also counts the penalties of dropped,
        # late and moved jobs (100 k$ and more a dropped job at the defaults), beside which
        # any gap looks small. Without penalties the two gaps are one.
        bill_gap = max(0.0, objective - bound) / max(abs(objective - chosen.penalty), 1e-9)
    proven: bool | None = None  # that no plan places every job that may not be dropped
    if not good:
        proven = bool(diagnosis) or outcome.status == "infeasible"
        # Verified plans that each leave out a job that may not be dropped: the search found
        # none with every such job, though without the engine's proof there may be one.
        status = "infeasible" if proven or any(v.ok for _, v, _ in checked) \
            else "failed_verification"
        if status == "infeasible" and not proven:
            warnings.append(UNPROVEN_INFEASIBLE.format(engine=outcome.engine))
    elif bill_gap is not None and bill_gap <= max(options.relative_gap, 1e-6) + 1e-9:
        status = "optimal"
    else:
        status = "feasible"
        if outcome.bound is None and problem.exact_tariff:
            warnings.append(f"{outcome.engine} proves no bound of the exact model "
                            f"({outcome.message}): the best plan found is returned")
        elif outcome.parameters.get("bound_status") == "optimal":
            warnings.append(f"{outcome.engine}'s bound, on the 0.1 kW and cent grid, leaves a "
                            f"gap of {100 * (bill_gap or 0.0):.2f} % of the bill: the best plan "
                            "found is returned")
        elif chosen.penalty > 0 and gap is not None \
                and gap <= max(options.relative_gap, 1e-6) + 1e-9:
            warnings.append(f"{outcome.engine} ended within the gap tolerance of an objective "
                            "that counts the penalties of dropped, late or moved jobs: the bill "
                            f"may be up to {100 * (bill_gap or 0.0):.2f} % above the optimum")
        elif backend != "heuristic":
            ended = "work counts" if options.repeatable and not outcome.parameters.get(
                "stopped_by_clock") else "time limit"
            warnings.append(f"{ended} reached: the best plan found is returned"
                            + (f" (gap {100 * gap:.2f} %)" if gap is not None else "")
                            + (f", {100 * bill_gap:.2f} % of the bill" if chosen.penalty > 0
                               and bill_gap is not None else "")
                            + ("; the clock, not a work count, ended part of the search, so "
                               "a run on a faster or busier machine may return another plan"
                               if outcome.parameters.get("stopped_by_clock") else ""))
    unplaced = {d.job_id for d in diagnosis}
    search = None
    for dropped in chosen.plan.dropped_jobs:
        if dropped.job_id in unplaced:
            continue
        search = search or _search_for(problem, chosen.plan)[0]
        job = next(j for j in problem.jobs if j.job.job_id == dropped.job_id)
        diagnosis.append(crowded_out_reason(search, job))
    reasons = {d.job_id: f"{d.constraint}: {d.detail}" for d in diagnosis}
    parameters = {**options.as_parameters(), "engine_backend": backend,
                  "chosen": chosen.source,
                  **({"late_starts": late_starts} if late_starts else {}),
                  **{f"engine.{k}": v for k, v in outcome.parameters.items()},
                  "engine_status": outcome.status, "engine_objective": outcome.objective,
                  "engine_seconds": round(outcome.seconds, 3),
                  **({"infeasible_proven": proven} if status == "infeasible" else {}),
                  **({"bill_gap": bill_gap} if chosen.penalty > 0 else {})}
    report = SolverReport(engine=outcome.engine, version=outcome.version, status=status,
                          objective=None if objective == float("inf") else objective,
                          bound=bound, gap=gap, seconds=round(seconds, 3),
                          parameters=parameters)
    dropped = tuple(d.model_copy(update={"reason": reasons.get(d.job_id, d.reason)})
                    for d in chosen.plan.dropped_jobs)
    notes = (f"optimized by {outcome.engine} ({backend}); chosen plan: {chosen.source}",)
    plan = chosen.plan.model_copy(update={"kind": "optimized", "solver": report,
                                          "dropped_jobs": dropped, "notes": notes})
    if dropped:
        warnings.append(f"{len(dropped)} job(s) dropped: " + ", ".join(
            f"{d.job_id} (priority {d.priority})" for d in dropped[:20]))
    late = late_jobs(plan, inputs, options)
    if late:
        warnings.append(f"{len(late)} job(s) end after their deadline: " + ", ".join(
            f"{j['job_id']} (priority {j['priority']}, {j['late_minutes']:g} min late, "
            f"penalty {j['penalty']:g})" for j in late[:20]))
    return PlanResult(plan=plan, verification=verification, diagnosis=diagnosis,
                      warnings=warnings, baseline_cost=baseline_cost, candidates=summary,
                      late_jobs=late)


def _earliest_tie(problem: Problem, chosen: _Candidate) -> tuple[str, Solution] | None:
    """The lexicographic second stage: the chosen plan with every job moved as early as it
    goes without raising the bill (units re-committed, so it may also cost less); None if
    nothing moved."""
    search, exact = _search_for(problem, chosen.plan)
    if not exact:
        return None
    if search.shift_earlier(TIE_MOVES_PER_JOB * len(problem.jobs)) == 0:
        return None
    return "earliest tie", search.solution()


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


def _previous_tie(problem: Problem, chosen: _Candidate) -> tuple[str, Solution] | None:
    """A re-plan's second stage: the chosen plan with each job moved back to its unit and
    start in the previous plan wherever that does not raise the bill with penalties (a move
    penalty makes a return that raises the bill by less worth it; InsertionSearch.
    return_to); None if no job moved."""
    search, exact = _search_for(problem, chosen.plan)
    if not exact:
        return None
    targets = previous_placement(problem)
    if search.return_to(targets, TIE_MOVES_PER_JOB * len(problem.jobs)) == 0:
        return None
    return f"{chosen.source}, nearer the previous plan", search.solution()


def _idle_units_off(problem: Problem, chosen: _Candidate) -> tuple[str, Solution] | None:
    """The chosen plan with its units off wherever they idle on and no limit holds them on,
    where the bill does not rise (switch_off_idle); None if no unit changed."""
    solution = plan_to_solution(problem, chosen.plan)
    if solution is None:
        return None
    busy = unit_heat(problem, solution.placement) > 0
    on = solution.on.copy()
    for unit in problem.units:
        def cost_of(unit_on: np.ndarray, u: int = unit.index) -> float:
            trial = on.copy()
            trial[u] = unit_on
            return sum(evaluate(problem, Solution(solution.placement, trial)))
        on[unit.index] = switch_off_idle(unit, on[unit.index], busy[unit.index],
                                         problem.day_of_step, cost_of)
    if (on == solution.on).all():
        return None
    return f"{chosen.source}, idle units off", Solution(solution.placement, on)


def _summary_row(candidate: _Candidate, verification: Verification) -> dict[str, Any]:
    return {"source": candidate.source, "cost": verification.recomputed_cost,
            "penalty": candidate.penalty, "verified": verification.ok,
            "violations": [x.to_dict() for x in verification.violations[:5]]}


def _rank(candidate: _Candidate) -> int:
    """On equal cost prefer a re-plan's previous plan (it moves least), then the engine's
    plan, then the heuristic's, then the baseline."""
    return {"previous plan": -1, "fifo": 3, "heuristic": 2, "anchored heuristic": 2,
            "neighbourhood": 1}.get(candidate.source, 0)


def _search_for(problem: Problem, plan: Plan) -> tuple[InsertionSearch, bool]:
    """A search holding `plan`, and whether it holds it exactly (every job where the plan has
    it; the units are re-committed by the search's own rule)."""
    search = InsertionSearch(problem, 0)
    solution = plan_to_solution(problem, plan)
    if solution is None:
        return search, False
    return search, search.load_solution(solution) and search.placement == solution.placement
