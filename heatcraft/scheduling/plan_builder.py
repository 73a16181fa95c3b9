"""Turn a step-level solution into a Plan: assignments, unit runs, dropped jobs."""

from __future__ import annotations

from heatcraft.models import Assignment, DroppedJob, Plan, SolverReport, UnitRun
from heatcraft.scheduling.evaluation import Solution
from heatcraft.scheduling.problem import Problem, grid_place
from heatcraft.scheduling.step_commitment import blocks_of


def solution_to_plan(problem: Problem, solution: Solution, inputs, *, site_id: str,
                     drop_reasons: dict[str, str] | None = None,
                     report: SolverReport | None = None, notes: tuple[str, ...] = ()) -> Plan:
    grid = problem.grid
    units = inputs.equipment
    assignments, dropped = [], []
    for job, place in zip(problem.jobs, solution.placement, strict=True):
        if place is None:
            reason = (drop_reasons or {}).get(job.job.job_id, "no room without breaking a limit")
            dropped.append(DroppedJob(job_id=job.job.job_id, priority=job.priority, reason=reason))
            continue
        u, s = place
        unit = units[u]
        start = grid.moment(s)
        assignments.append(Assignment(job_id=job.job.job_id, equipment_id=unit.equipment_id,
                                      start=start, end=grid.later(start, job.job.duration),
                                      heat_kw=job.heat_kw, input_kw=job.heat_kw / unit.efficiency,
                                      carrier=unit.fuel))
    runs = [UnitRun(equipment_id=units[u.index].equipment_id, start=grid.moment(a),
                    end=grid.moment(b))
            for u in problem.units for a, b in blocks_of(solution.on[u.index])]
    return Plan(site_id=site_id, kind="optimized", horizon_start=grid.start, horizon_end=grid.end,
                step_minutes=grid.step_minutes,
                assignments=tuple(sorted(assignments, key=lambda a: (a.start, a.job_id))),
                runs=tuple(runs), dropped_jobs=tuple(dropped), solver=report, notes=notes)


def previous_placement(problem: Problem) -> list[tuple[int, int] | None]:
    """A re-plan's previous plan, job by job: its unit and start step (None where the plan
    does not place the job on the grid, and for every job of a plan that is no re-plan)."""
    return [job.previous for job in problem.jobs]


def plan_to_solution(problem: Problem, plan: Plan) -> Solution | None:
    """The step-level form of an existing plan (the FIFO baseline, a re-plan's previous
    plan); None unless every assignment is one of the problem's jobs on one of its units,
    starting on the grid."""
    import numpy as np

    grid = problem.grid
    by_job = {j.job.job_id: j for j in problem.jobs}
    unit_index = {u.equipment_id: u.index for u in problem.units}
    placement: list[tuple[int, int] | None] = [None] * len(problem.jobs)
    for a in plan.assignments:
        job, place = by_job.get(a.job_id), grid_place(a, unit_index, grid)
        if job is None or place is None:
            return None
        placement[job.index] = place
    on = np.zeros((len(problem.units), problem.n_steps), dtype=bool)
    for run in plan.runs:
        lo = int(np.floor(grid.index_of(run.start) + 1e-9))
        hi = int(np.ceil(grid.index_of(run.end) - 1e-9))
        on[unit_index[run.equipment_id], max(lo, 0):min(hi, problem.n_steps)] = True
    return Solution(placement, on)
