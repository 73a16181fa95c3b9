"""The final choice of optimize_plan: every candidate checked by the independent verifier and
priced by the bill engine, the cheapest verified one kept, ties broken (jobs as early as they
go, a re-plan's jobs where they were, idle units off), and the solver report written."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from heatcraft.models import Plan, SolverReport
from heatcraft.scheduling.backends import SolveOutcome
from heatcraft.scheduling.candidates import Candidate, solution_candidate
from heatcraft.scheduling.diagnosis import JobDiagnosis, crowded_out_reason
from heatcraft.scheduling.evaluation import Solution, evaluate, unit_heat
from heatcraft.scheduling.heuristic import InsertionSearch
from heatcraft.scheduling.options import ScheduleOptions
from heatcraft.scheduling.plan_builder import plan_to_solution, previous_placement
from heatcraft.scheduling.problem import Problem
from heatcraft.scheduling.step_commitment import switch_off_idle
from heatcraft.scheduling.verifier import Verification, verify_plan
from heatcraft.timegrid import TimeGrid

# Drops forbidden and no plan found that places every job, where the engine proved nothing
# (the heuristic, or CP-SAT on the grid-rounded model): the day is reported infeasible, and
# says that it is not proven.
UNPROVEN_INFEASIBLE = ("no plan found places every job that may not be dropped, but {engine} "
                       "does not prove that none exists (HiGHS on the whole model does, where "
                       "the day is small enough: --backend highs)")
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


def choose_plan(problem: Problem, inputs: Any, grid: TimeGrid, series: Any,
                options: ScheduleOptions, candidates: list[Candidate], outcome: SolveOutcome,
                backend: str, began: float, warnings: list[str], diagnosis: list[JobDiagnosis],
                late_starts: str = "") -> PlanResult:
    """The cheapest verified candidate, its ties broken, with the solver report and the
    FIFO candidate's cost as the baseline's. `late_starts`: whether late starts were offered,
    and why (optimizer._problem_with_lateness)."""
    checked = []
    baseline_cost = None
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
            candidate = solution_candidate(tie[0], problem, tie[1], inputs)
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


def _earliest_tie(problem: Problem, chosen: Candidate) -> tuple[str, Solution] | None:
    """The lexicographic second stage: the chosen plan with every job moved as early as it
    goes without raising the bill (units re-committed, so it may also cost less); None if
    nothing moved."""
    search, exact = _search_for(problem, chosen.plan)
    if not exact:
        return None
    if search.shift_earlier(TIE_MOVES_PER_JOB * len(problem.jobs)) == 0:
        return None
    return "earliest tie", search.solution()


def _previous_tie(problem: Problem, chosen: Candidate) -> tuple[str, Solution] | None:
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


def _idle_units_off(problem: Problem, chosen: Candidate) -> tuple[str, Solution] | None:
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


def _summary_row(candidate: Candidate, verification: Verification) -> dict[str, Any]:
    return {"source": candidate.source, "cost": verification.recomputed_cost,
            "penalty": candidate.penalty, "verified": verification.ok,
            "violations": [x.to_dict() for x in verification.violations[:5]]}


def _rank(candidate: Candidate) -> int:
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
