"""The whole model on an engine (small days), or the heuristic alone (the largest), as
optimize_plan's search: the heuristic first, then on small days the demand-peak bounds, the LP
with their cuts, the commitment search and the engine (or the whole-bill search) on one core,
while a plan from the indivisible-job relaxation, a second commitment search and MIP
neighbourhoods work on the other."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from heatcraft.scheduling.backends import SolveOutcome, solve_with
from heatcraft.scheduling.backends.mathopt import solve_mathopt
from heatcraft.scheduling.bill_search import bill_search
from heatcraft.scheduling.candidates import Candidate, best_of, solution_candidate
from heatcraft.scheduling.commitment_bound import SearchBound, commitment_bound
from heatcraft.scheduling.evaluation import Solution, drops_may_pay, evaluate
from heatcraft.scheduling.formulation import ModelIndex, build_model, decode, hint_values
from heatcraft.scheduling.heuristic_phase import repair_left_out, run_heuristic
from heatcraft.scheduling.mip_neighbourhood import (
    NEIGHBOURHOOD_REACH,
    NEIGHBOURHOOD_SIZE,
    NEIGHBOURHOOD_WORK,
    NeighbourhoodReport,
    improve_by_neighbourhoods,
)
from heatcraft.scheduling.options import ScheduleOptions
from heatcraft.scheduling.peak_bounds import DemandBounds, demand_bounds
from heatcraft.scheduling.problem import Problem
from heatcraft.scheduling.relaxed_plan import RelaxedPlan, relaxed_plan
from heatcraft.scheduling.search_clock import (
    clock_summary,
    finish_deadline,
    phase_seconds,
    search_deadline,
)
from heatcraft.scheduling.window_bound import WindowBound, window_bound

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
# A second commitment search (another seed, from the better of the heuristic's and the relaxed
# plan) on the neighbourhoods' core, before them, with at most what the first gets at 10 s.
# On the 20-job day at 10 s the neighbourhoods from the heuristic's plan ended at 14.2-16.0 k$
# and the first search, which the clock ends there, gave 13.6-15.2 k$ (seed 1: 13,752 $ and
# 15,127 $ in two runs 40 minutes apart). Paired runs (2026-12-07, seeds 0-3, two rounds): 20-job
# day 13,646 / 13,646 / 13,785 / 13,734 $ and 13,646 / 13,646 / 13,646 / 13,653 $ against
# 13,646 / 14,504 / 13,640 / 14,249 $ and 13,646 / 14,882 / 13,646 / 13,798 $ (means 13,703 and
# 13,648 $ against 14,010 and 13,993 $); 30-job day the same plans but seed 1 (21,379 $ against
# 21,429 $) and seed 3 (within 3 $). Starting the neighbourhoods from the relaxed plan instead
# lost 950 $ on the 20-job day's seed 3 in both rounds. With the cap, longer limits keep their
# plans: the 20-job day at 30 s is proven in 19.6 / 21.5 s (seeds 0 / 1; 16.7-22.0 s before)
# and the 30-job day at 60 s gives the same four plans as before.
SECOND_COMMITMENT_MAX_WORK = 3.0
SECOND_COMMITMENT_SEED = 1000
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
# Neighbourhood rounds per second of limit beside the exact engine: a count, so that a run
# that ends before the deadline repeats (a neighbourhood takes 0.3-1 s). With the demand
# bounds moved to the engine's thread the neighbourhoods start seconds earlier; 2.0 instead of
# 0.4 rounds per second took s30 from 22,469-23,414 $ to 22,178-22,970 $ (seeds 0-3, 10 s) and
# left s20 and plant_a's proof (15 s) as they were; the engine or the clock ends them now.
NEIGHBOURHOOD_ROUNDS_PER_SECOND = 2.0
# Heuristic seconds per job on large days (capped by heuristic_share of the limit). At 60 s on
# the 100-job days, one run each: 0.2 gave 52,791 / 49,037 $, 0.1 gave 54,876 / 50,382 $.
HEURISTIC_SECONDS_PER_JOB = 0.2
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
# Engine outcomes that end the neighbourhoods beside it: nothing they find can change the answer.
PROVEN = ("optimal", "infeasible")


def engine_search(problem: Problem, inputs: Any, options: ScheduleOptions, began: float,
                  start_solution: Solution | None, candidates: list[Candidate],
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
                                   deadline=finish_deadline(problem, options, began))
            run_heuristic(problem, inputs, options, began, share_seconds, start_solution,
                          candidates, repair, heuristic_only=True, on_time=on_time)
            return heuristic_outcome(bounding.result())
    best = run_heuristic(problem, inputs, options, began, share_seconds, start_solution, candidates,
                         None, on_time=on_time)
    allow_drops = drops_may_pay(problem, best)
    with_bounds = small and not allow_drops and problem.exact_tariff
    deadline = search_deadline(problem, options, began, best)

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
                                       time_limit_s=phase_seconds(deadline, ENGINE_KEEP_S),
                                       relative_gap=0.0, hint=None)
            commitment = commitment_bound(
                problem, best, work=COMMITMENT_WORK_SHARE * options.time_limit_s,
                wall_seconds=phase_seconds(deadline, ENGINE_KEEP_S), seed=options.seed)
            if commitment.solution is not None:  # a start is checked by the engine itself
                hint = best_of(problem, [best, commitment.solution])
            proved = commitment.outcome is not None and commitment.outcome.status == "optimal"
            if options.backend == "auto" and (proved or options.repeatable):
                # The commitment search proved its relaxation: the whole bill is within reach.
                # A repeatable search takes it anyway: HiGHS counts nodes, not the work of its
                # root, which took 33 s on the 30-job day.
                search = bill_search(problem, hint, bounds.peak_kw if bounds else None,
                                     work=BILL_WORK_SHARE * options.time_limit_s,
                                     wall_seconds=phase_seconds(deadline, 0.0),
                                     seed=options.seed, relative_gap=options.relative_gap)
                if search.outcome is not None:
                    return index, search.outcome, relaxation, commitment, search, bounds
        gap = _engine_gap(problem, hint, options)
        outcome = solve_with(backend, model, time_limit_s=phase_seconds(deadline, 0.0),
                             threads=options.threads, seed=options.seed, relative_gap=gap,
                             hint=hint_values(problem, model, index, hint),
                             **_engine_work(options, backend))
        if with_bounds:
            outcome = _proved_by_small_day_bounds(problem, index, outcome, gap,
                                                  [relaxation.bound, commitment.bound])
        return index, outcome, relaxation, commitment, None, bounds

    # The demand-peak bounds, the LP with their cuts (under a second: a bound that holds when
    # the searches after it are cut short; HiGHS's root with cuts took 8-13 s on the 20-30 job
    # days on a slow machine), the commitment search and then the engine run in a second
    # thread (their native code releases the GIL) while the relaxed plan, a second commitment
    # search and MIP neighbourhoods work here: both cores work for the whole limit.
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(bound_then_solve)
        relaxed = RelaxedPlan(None, None, "only on small days with every job placed")
        if with_bounds:
            relaxed = relaxed_plan(problem, work=RELAXED_PLAN_WORK_SHARE * options.time_limit_s,
                                   moves=RELAXED_PLAN_MOVES,
                                   wall_seconds=phase_seconds(deadline, 2.0),
                                   seed=options.seed)
            if relaxed.solution is not None:  # verified with every other candidate
                candidates.append(solution_candidate("relaxed plan", problem,
                                                     relaxed.solution, inputs))
        start = repair_left_out(problem, inputs, options, best, deadline, candidates, repair)

        def engine_proved() -> bool:  # its failure is raised by running.result() below
            return running.done() and running.exception() is None \
                and running.result()[1].status in PROVEN

        second = None
        if with_bounds:
            starts = [start] + ([relaxed.solution] if relaxed.solution is not None else [])
            second = commitment_bound(
                problem, best_of(problem, starts),
                work=min(COMMITMENT_WORK_SHARE * options.time_limit_s,
                         SECOND_COMMITMENT_MAX_WORK),
                wall_seconds=phase_seconds(deadline, 0.5),
                seed=options.seed + SECOND_COMMITMENT_SEED, stop=engine_proved)
        rounds = int(NEIGHBOURHOOD_ROUNDS_PER_SECOND * options.time_limit_s)
        improved, neighbourhoods = improve_by_neighbourhoods(
            problem, start, rounds=rounds, deadline=deadline - 0.5, seed=options.seed,
            size=NEIGHBOURHOOD_SIZE, reach=NEIGHBOURHOOD_REACH, work=NEIGHBOURHOOD_WORK,
            stop=engine_proved)
        index, outcome, relaxation, commitment, whole_bill, bounds = running.result()
    if second is not None and outcome.status in PROVEN:
        # Ended by the engine's proof, when that came: its plan and bound would depend on it.
        second = dataclasses.replace(second, solution=None, outcome=None,
                                     note="not used: the engine proved its outcome")
    if relaxation is not None and commitment is not None:  # the small days' bounds ran
        outcome = with_small_day_bounds(outcome, relaxation, commitment, bounds, second)
        for source, search in (("commitment search", commitment),
                               ("second commitment search", second)):
            if search is not None and search.solution is not None:  # verified with the rest
                candidates.append(solution_candidate(source, problem, search.solution, inputs))
    if whole_bill is not None and whole_bill.solution is not None:
        candidates.append(solution_candidate("whole-bill search", problem, whole_bill.solution,
                                             inputs))
    # A proof ends the neighbourhoods early (PROVEN); an engine stopped by its work count or
    # the clock does not, so that their count, not when the engine ended, decides their plan.
    # Beside a proven optimum their plan cannot win, and leaving it out keeps the choice
    # independent of when they stopped.
    if improved is not start and outcome.status != "optimal":
        candidates.append(solution_candidate("neighbourhood", problem, improved, inputs))
    if outcome.values is not None:
        engine_solution = decode(problem, index, outcome.values)
        candidates.append(solution_candidate(outcome.engine, problem, engine_solution, inputs))
    if outcome.status == "error":
        warnings.append(f"{outcome.engine} failed: {outcome.message}")
    return with_neighbourhoods(outcome, neighbourhoods, relaxed)


def heuristic_outcome(windows: WindowBound) -> SolveOutcome:
    """The heuristic's report: the window LPs' bound and what they did."""
    parameters = window_parameters(windows)
    engine = windows.outcomes[0].version if windows.outcomes else "HiGHS"
    return SolveOutcome("heatcraft-heuristic",
                        f"insertion + local search; bound: LP of day windows ({engine})",
                        "feasible", None, None, windows.bound, windows.seconds,
                        clock_summary(parameters),
                        windows.note or f"{len(windows.windows)} of {windows.planned} windows")


def window_parameters(windows: WindowBound) -> dict[str, str | int | float | bool | None]:
    """What the day windows' LPs did, for the report (bound.*)."""
    return {"bound.windows": ", ".join(windows.windows) or None,
            "bound.windows_planned": windows.planned,
            "bound.best_window": windows.best,
            "bound.seconds": round(windows.seconds, 3),
            "bound.stopped_by_clock": windows.stopped_by_clock,
            "bound.note": windows.note or None}


def with_small_day_bounds(outcome: SolveOutcome, relaxation: SolveOutcome,
                          commitment: SearchBound, peaks: DemandBounds | None,
                          second: SearchBound | None = None) -> SolveOutcome:
    """The engine's outcome with the best of its bound, the LP relaxation's (with the cuts of
    the demand-peak bounds `peaks`; None: too little time to run them) and the commitment
    searches' (`second`: the one on the neighbourhoods' core), and what they did in the
    report."""
    parameters = dict(outcome.parameters)
    if peaks is None:
        parameters["peaks.note"] = "not run: too little time left (the LP's bound comes first)"
    else:
        parameters.update({"peaks.seconds": round(peaks.seconds, 3),
                           "peaks.stopped_by_clock": peaks.stopped_by_clock})
    parameters.update({"lp.status": relaxation.status, "lp.bound": relaxation.bound,
                       "lp.seconds": round(relaxation.seconds, 3),
                       "lp.stopped_by_clock": relaxation.parameters.get("stopped_by_clock")})
    searches = [("commitment", "commitment search", commitment)]
    if second is not None:
        searches.append(("second_commitment", "second commitment search", second))
    for prefix, _, search in searches:
        parameters[f"{prefix}.note"] = search.note
        searched = search.outcome
        if searched is not None:
            parameters.update({f"{prefix}.{k}": v for k, v in searched.parameters.items()})
            parameters.update({f"{prefix}.status": searched.status,
                               f"{prefix}.bound": searched.bound,
                               f"{prefix}.seconds": round(searched.seconds, 3)})
    bound = outcome.bound
    lp_source = "LP relaxation" + (" with the peak cuts" if peaks is not None else "") + " (HiGHS)"
    for candidate, source in [(relaxation.bound, lp_source)] + [
            (search.bound, f"{name} (CP-SAT, relaxed objective)") for _, name, search in searches]:
        if candidate is not None and (bound is None or candidate > bound):
            bound = candidate
            parameters["bound_from"] = source
    return dataclasses.replace(outcome, bound=bound, parameters=parameters)


def with_neighbourhoods(outcome: SolveOutcome, neighbourhoods: NeighbourhoodReport,
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
    return dataclasses.replace(outcome, parameters=clock_summary(parameters))


def _proved_by_small_day_bounds(problem: Problem, index: ModelIndex, outcome: SolveOutcome,
                                gap: float, bounds: list[float | None]) -> SolveOutcome:
    """The engine's outcome, optimal (`proved_with_small_day_bounds` in the report) where its
    plan, priced exactly, is within `gap` of the best of its bound and the small days' `bounds`
    (the LP's, the commitment search's): the proof that ends the neighbourhoods beside it.
    CP-SAT's bound from its relaxed grid lies a few cents below the optimum (68.95 $ under a
    proven 69.00 $ on a test site, where the commitment search proves 69.00 $), so without
    this its neighbourhoods ran their whole count: 31.8 s at a 60 s limit, the engine done
    after 4.1 s."""
    if outcome.status != "feasible" or outcome.values is None:
        return outcome
    known = [b for b in [outcome.bound, *bounds] if b is not None]
    if not known:
        return outcome
    objective = sum(evaluate(problem, decode(problem, index, outcome.values)))
    if objective - max(known) > gap * max(abs(objective), 1e-9):
        return outcome
    return dataclasses.replace(outcome, status="optimal", parameters={
        **outcome.parameters, "proved_with_small_day_bounds": True})


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
