"""Why a job cannot be planned: the constraint that blocks it, job by job."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from heatcraft.scheduling.problem import JobData, Problem


@dataclass(frozen=True)
class JobDiagnosis:
    job_id: str
    constraint: str  # window | must_run_window | capacity | maintenance | allowed_equipment | ...
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"job_id": self.job_id, "constraint": self.constraint, "detail": self.detail}


def no_start_reason(problem: Problem, job: JobData) -> JobDiagnosis:
    """For a job without a single candidate start: which rule removed the last one."""
    j = job.job
    grid = problem.grid
    units = [u for u in problem.units if not j.allowed_equipment
             or u.equipment_id in j.allowed_equipment]
    if not units:
        return JobDiagnosis(j.job_id, "allowed_equipment", "none of its allowed units exists")
    if all(j.heat_kw > u.capacity_kw + 1e-9 for u in units):
        best = max(u.capacity_kw for u in units)
        return JobDiagnosis(j.job_id, "capacity", f"needs {j.heat_kw:.1f} kW, the largest "
                            f"allowed unit has {best:g} kW")
    first = max(j.earliest_start, grid.start)
    last = min(j.deadline, grid.end) - j.duration
    if last < first:
        return JobDiagnosis(j.job_id, "window", "its window does not hold its duration inside "
                            "the planning horizon")
    if j.must_run_window is not None:
        w = j.must_run_window
        if w.end - w.start > j.duration or max(first, w.end - j.duration) > min(last, w.start):
            return JobDiagnosis(j.job_id, "must_run_window", "no start covers the must-run "
                                f"window {w.start.isoformat()}/{w.end.isoformat()} inside "
                                "its window")
    from heatcraft.scheduling.problem import _starts

    starts = list(_starts(j, grid, job.steps, 0))
    if not starts:
        return JobDiagnosis(j.job_id, "window", "no quarter-hour-aligned start fits its window")
    blocked = [u.equipment_id for u in units
               if all((u.fixed_on[s:s + job.steps] == 0).any() for s in starts)]
    if len(blocked) == len(units):
        return JobDiagnosis(j.job_id, "maintenance", "maintenance, the initial state or a unit "
                            "trip blocks every start on " + ", ".join(blocked))
    return JobDiagnosis(j.job_id, "frozen", "re-plan: every start lies before the re-plan moment")


def crowded_out_reason(search, job: JobData) -> JobDiagnosis:
    """For a job with starts that the final plan left out: if it fits next to the other jobs
    somewhere, its drop penalty was below what placing it adds to the bill (a choice, said with
    both amounts); otherwise count what blocks each start."""
    counts: Counter[str] = Counter()
    cheapest: tuple[float, int, int] | None = None
    for u, s in job.candidates:
        unit = search.p.units[u]
        cover = slice(s, s + job.steps)
        if (search.load[u, cover] + job.heat_kw > unit.capacity_kw + 1e-9).any():
            counts["capacity"] += 1
        elif (search.count[u, cover] + 1 > unit.parallel).any():
            counts["max_parallel_jobs"] += 1
        else:
            busy = search.count[u] > 0
            busy[cover] = True
            if search._commit(u, busy) is None:
                counts["unit_commitment"] += 1
                continue
            move = search._exact(job, u, s)
            if move is None:  # capacity, parallelism and commitment hold: the contract does not
                counts["contract_peak"] += 1
            elif cheapest is None or move.delta < cheapest[0]:
                cheapest = (move.delta, u, s)
    if cheapest is not None and job.penalty is not None:
        delta, u, s = cheapest
        # A re-plan's move penalty is paid either way (moved or dropped), so it is named.
        moving = f" and the move penalty ({job.move_cost:,.2f})" if job.move_cost else ""
        return JobDiagnosis(
            job.job.job_id, "drop_penalty",
            f"it fits, but its drop penalty ({job.penalty:,.2f}){moving} is less than the "
            f"{delta:,.2f} its cheapest start adds to the bill{moving and ' and penalties'} ("
            f"{search.p.units[u].equipment_id} at {search.p.grid.moment(s).isoformat()})")
    constraint, _ = counts.most_common(1)[0] if counts else ("capacity", 0)
    detail = ", ".join(f"{name}: {n} of {len(job.candidates)} starts" for name, n in
                       counts.most_common())
    return JobDiagnosis(job.job.job_id, constraint, "no room next to the other jobs (" + detail
                        + ")")
