"""Independent check of a plan: plain Python over the plan's own times, not the solver's model.

Every rule a plan must keep is re-checked here from the inputs, and the plan's cost is
recomputed with the bill engine. The optimizer never returns a plan that fails this check as a
success, and the FIFO baseline is checked with it too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from heatcraft.costs.load_profile import load_profile
from heatcraft.models import Assignment, Equipment, Plan, UnitRun, UnitState
from heatcraft.scheduling.commitment import merge
from heatcraft.scheduling.options import FrozenState, unavailable_windows
from heatcraft.scheduling.plan_bill import recompute_plan_cost
from heatcraft.timegrid import TimeGrid

POWER_TOLERANCE_KW = 1e-6
RELATIVE_TOLERANCE = 1e-6
COST_TOLERANCE = 0.01  # currency units, plus a relative share below


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str
    job_id: str | None = None
    equipment_id: str | None = None
    at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "job_id": self.job_id, "equipment_id": self.equipment_id,
                "at": self.at.isoformat() if self.at else None, "detail": self.detail}


@dataclass(frozen=True)
class Verification:
    ok: bool
    violations: list[Violation]
    recomputed_cost: float | None
    cost_parts: dict[str, float] = field(default_factory=dict)
    claimed_cost: float | None = None
    cost_source: str = ""
    peak_electric_kw: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "violations": [v.to_dict() for v in self.violations],
                "recomputed_cost": self.recomputed_cost, "cost_parts": self.cost_parts,
                "claimed_cost": self.claimed_cost, "cost_source": self.cost_source,
                "peak_electric_kw": self.peak_electric_kw}


def verify_plan(plan: Plan, inputs: Any, grid: TimeGrid, series: Any = None, *,
                claimed_cost: float | None = None,
                frozen: FrozenState | None = None, allow_late: bool = False) -> Verification:
    """Check every rule; recompute the cost when a tariff series is given.

    `allow_late`: jobs may end after their deadline (ScheduleOptions.late_penalty_per_hour),
    save those held by a must-run window.
    `claimed_cost` (bill + fuel, no penalties) is compared with the recomputed cost.
    `frozen`: the plan is a rolling re-plan from this state; a unit in `frozen.tripped` may
    stop at the trip moment before its min run (it tripped, nobody chose to stop it), and the
    re-plan must keep the past and the outage (`_check_replan`).
    """
    violations: list[Violation] = []
    units = inputs.equipment_by_id
    jobs = {job.job_id: job for job in inputs.jobs}
    violations += _check_job_coverage(plan, {
        job_id: job for job_id, job in jobs.items()
        if job.window_overlaps(grid.start, grid.end)})  # the jobs this horizon must place
    for assignment in plan.assignments:
        job = jobs.get(assignment.job_id)
        unit = units.get(assignment.equipment_id)
        if job is None or unit is None:
            continue
        # What a re-plan keeps from before its moment ran as it ran, late or not.
        kept = frozen is not None and frozen.keeps(assignment)
        violations += _check_assignment(assignment, job, unit, grid, allow_late or kept)
    runs_by_unit: dict[str, list[UnitRun]] = defaultdict(list)
    for run in plan.runs:
        if run.equipment_id not in units:
            violations.append(Violation("unknown_equipment",
                                        f"run on unknown unit {run.equipment_id!r}",
                                        equipment_id=run.equipment_id, at=run.start))
            continue
        runs_by_unit[run.equipment_id].append(run)
    assignments_by_unit = plan.by_equipment()
    unavailable = unavailable_windows(inputs, grid, frozen)  # maintenance and trips
    for unit_id, unit in units.items():
        runs = sorted(runs_by_unit.get(unit_id, []), key=lambda r: r.start)
        unit_assignments = [a for a in assignments_by_unit.get(unit_id, []) if a.job_id in jobs]
        windows = [w for w in unavailable if w.equipment_id == unit_id]
        violations += _check_maintenance(unit_assignments, runs, windows, grid, unit_id)
        violations += _check_concurrency(unit_assignments, unit)
        violations += _check_inside_runs(unit_assignments, runs)
        violations += _check_runs(runs, unit, grid, _trip_moments(frozen, unit_id, grid),
                                  _outage_starts(windows, grid))
    if frozen is not None:
        violations += _check_replan(plan, frozen, grid)
    profile = None
    if not any(v.rule in _STRUCTURAL for v in violations):
        profile = load_profile(plan, inputs.equipment, grid, inputs.base_load_by_hour)
        violations += _check_contract_peak(profile.electric_kw, inputs.site.contract_peak_kw, grid)
    recomputed, parts, source = None, {}, ""
    if series is not None and profile is not None:
        bill = recompute_plan_cost(plan, inputs, grid, series)
        recomputed, parts, source = bill.total, bill.parts, bill.source
        if claimed_cost is not None and abs(recomputed - claimed_cost) > (
                COST_TOLERANCE + RELATIVE_TOLERANCE * abs(recomputed)):
            violations.append(Violation(
                "cost_mismatch", f"solver says {claimed_cost:.4f}, bill engine {recomputed:.4f}"))
    return Verification(ok=not violations, violations=violations, recomputed_cost=recomputed,
                        cost_parts=parts, claimed_cost=claimed_cost, cost_source=source,
                        peak_electric_kw=None if profile is None else profile.peak_electric_kw)


# Violations that make a load profile meaningless (it would raise or misattribute power).
_STRUCTURAL = {"unknown_equipment", "outside_horizon", "empty_interval"}


def _check_job_coverage(plan: Plan, jobs: dict) -> list[Violation]:
    out = []
    seen: dict[str, int] = defaultdict(int)
    for assignment in plan.assignments:
        seen[assignment.job_id] += 1
        if assignment.job_id not in jobs:
            out.append(Violation("unknown_job", "assignment of a job outside the inputs or horizon",
                                 job_id=assignment.job_id))
    dropped = defaultdict(int)
    for dropped_job in plan.dropped_jobs:
        dropped[dropped_job.job_id] += 1
    for job_id in jobs:
        count = seen[job_id] + dropped[job_id]
        if count == 0:
            out.append(Violation("job_missing", "job neither assigned nor listed as dropped",
                                 job_id=job_id))
        elif count > 1:
            out.append(Violation("job_duplicated",
                                 f"assigned {seen[job_id]} times, dropped {dropped[job_id]} times",
                                 job_id=job_id))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= POWER_TOLERANCE_KW + RELATIVE_TOLERANCE * max(abs(a), abs(b))


def _check_assignment(a: Assignment, job: Any, unit: Equipment, grid: TimeGrid,
                      allow_late: bool) -> list[Violation]:
    out = []

    def bad(rule: str, detail: str) -> None:
        out.append(Violation(rule, detail, job_id=a.job_id, equipment_id=a.equipment_id,
                             at=a.start))

    if a.end <= a.start:
        bad("empty_interval", f"end {a.end.isoformat()} is not after start")
        return out
    if a.start < grid.start or a.end > grid.end:
        bad("outside_horizon", "assignment leaves the planning horizon")
    if job.allowed_equipment and unit.equipment_id not in job.allowed_equipment:
        bad("equipment_not_allowed", f"allowed: {', '.join(job.allowed_equipment)}")
    if a.end - a.start != job.duration:
        bad("duration", f"runs {(a.end - a.start)}, job needs {job.duration}")
    if a.start < job.earliest_start:
        bad("earliest_start", f"starts before earliest_start {job.earliest_start.isoformat()}")
    if a.end > job.deadline and not (allow_late and job.must_run_window is None):
        bad("deadline", f"ends {a.end.isoformat()}, after deadline {job.deadline.isoformat()}")
    window = job.must_run_window
    if window is not None and not (a.start <= window.start and a.end >= window.end):
        bad("must_run_window",
            f"does not cover {window.start.isoformat()}/{window.end.isoformat()}")
    if not _close(a.heat_kw, job.heat_kw):
        bad("heat_kw", f"{a.heat_kw} kW, job needs heating_kwh/duration = {job.heat_kw} kW")
    if not _close(a.input_kw, job.heat_kw / unit.efficiency):
        bad("input_kw",
            f"{a.input_kw} kW, expected heat/efficiency = {job.heat_kw / unit.efficiency} kW")
    if a.carrier != unit.fuel:
        bad("carrier", f"{a.carrier.value}, unit burns {unit.fuel.value}")
    return out


def _step_span(grid: TimeGrid, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The steps an interval touches: the unit is on for all of them (load profile convention)."""
    first = int(grid.index_of(start) // 1)
    last = -int(-grid.index_of(end) // 1)
    return grid.moment(first), grid.moment(last)


def _check_maintenance(assignments: list[Assignment], runs: list[UnitRun], windows: list,
                       grid: TimeGrid, unit_id: str) -> list[Violation]:
    out = []
    for window in windows:
        for a in assignments:
            if window.overlaps(a.start, a.end):
                out.append(Violation("maintenance", f"job runs while the unit is out "
                                     f"({window.reason or 'maintenance'}) "
                                     f"{window.start.isoformat()}/{window.end.isoformat()}",
                                     job_id=a.job_id, equipment_id=unit_id, at=a.start))
        for run in runs:
            if run.end <= run.start:
                continue
            first, last = _step_span(grid, run.start, run.end)
            if window.overlaps(first, last):
                out.append(Violation("maintenance", f"unit on (run {run.start.isoformat()}/"
                                     f"{run.end.isoformat()}) while it is out "
                                     f"({window.reason or 'maintenance'}) "
                                     f"{window.start.isoformat()}/{window.end.isoformat()}",
                                     equipment_id=unit_id, at=run.start))
    return out


def _check_concurrency(assignments: list[Assignment], unit: Equipment) -> list[Violation]:
    """Sweep start/end events: heat and job count are constant between events."""
    events: list[tuple[datetime, int, Assignment]] = []
    for a in assignments:
        if a.end > a.start:
            events.append((a.start, 1, a))
            events.append((a.end, -1, a))
    events.sort(key=lambda e: (e[0], e[1]))  # ends before starts at the same moment
    heat, count, out = 0.0, 0, []
    reported = set()
    for moment, sign, a in events:
        heat += sign * a.heat_kw
        count += sign
        if sign < 0:
            continue
        if heat > unit.capacity_kw + POWER_TOLERANCE_KW + RELATIVE_TOLERANCE * unit.capacity_kw \
                and ("capacity", moment) not in reported:
            reported.add(("capacity", moment))
            out.append(Violation("capacity", f"{heat:.3f} kW of jobs at once, capacity "
                                 f"{unit.capacity_kw:g} kW", job_id=a.job_id,
                                 equipment_id=unit.equipment_id, at=moment))
        if count > unit.max_parallel_jobs and ("parallel", moment) not in reported:
            reported.add(("parallel", moment))
            out.append(Violation("max_parallel_jobs", f"{count} jobs at once, max "
                                 f"{unit.max_parallel_jobs}", job_id=a.job_id,
                                 equipment_id=unit.equipment_id, at=moment))
    return out


def _check_inside_runs(assignments: list[Assignment], runs: list[UnitRun]) -> list[Violation]:
    out = []
    for a in assignments:
        if not any(r.start <= a.start and a.end <= r.end for r in runs):
            out.append(Violation("not_in_run", "job is not inside one of its unit's runs",
                                 job_id=a.job_id, equipment_id=a.equipment_id, at=a.start))
    return out


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60.0


def _check_replan(plan: Plan, frozen: FrozenState, grid: TimeGrid) -> list[Violation]:
    """What a re-plan may not change: a job the previous plan started before `now` stays as it
    was unless a trip interrupted it; no other job starts before the re-plan's first whole step;
    each unit's on/off history before that step is the previous plan's; and a tripped unit is
    off from that step until its return (`FrozenState.outage_end`, else the horizon's end)."""
    out = []
    first = grid.moment(frozen.now_step(grid))
    previous = {a.job_id: a for a in frozen.previous.assignments}
    current = {a.job_id: a for a in plan.assignments}
    kept = {job_id for job_id, old in previous.items() if frozen.keeps(old)}
    for job_id in sorted(kept):
        old, new = previous[job_id], current.get(job_id)
        if new is None or (new.equipment_id, new.start, new.end) != (
                old.equipment_id, old.start, old.end):
            out.append(Violation("replan_kept", f"started on {old.equipment_id} at "
                                 f"{old.start.isoformat()}, before the re-plan: it stays as it was",
                                 job_id=job_id, equipment_id=old.equipment_id, at=old.start))
    for job_id, new in current.items():
        if job_id not in kept and new.start < first:
            out.append(Violation("replan_past", "starts before the re-plan's first step "
                                 f"{first.isoformat()}", job_id=job_id,
                                 equipment_id=new.equipment_id, at=new.start))
    for unit_id in sorted({r.equipment_id for r in (*plan.runs, *frozen.previous.runs)}):
        if _on_between(plan.runs, unit_id, grid.start, first) != _on_between(
                frozen.previous.runs, unit_id, grid.start, first):
            out.append(Violation("replan_history", "on/off before the re-plan's first step "
                                 f"{first.isoformat()} differs from the previous plan's",
                                 equipment_id=unit_id, at=grid.start))
    for run in plan.runs:
        if run.equipment_id not in frozen.tripped:
            continue
        back = frozen.outage_end(run.equipment_id) or grid.end
        if run.start < back and first < run.end:
            out.append(Violation("tripped_unit", f"on while tripped ({first.isoformat()} .. "
                                 f"{back.isoformat()})", equipment_id=run.equipment_id,
                                 at=max(run.start, first)))
    return out


def _on_between(runs: tuple[UnitRun, ...], unit_id: str, lo: datetime,
                hi: datetime) -> list[tuple[datetime, datetime]]:
    """A unit's on-intervals clipped to [lo, hi), touching ones merged."""
    return merge([(max(r.start, lo), min(r.end, hi)) for r in runs
                  if r.equipment_id == unit_id and r.start < hi and lo < r.end])


def _trip_moments(frozen: FrozenState | None, unit_id: str,
                  grid: TimeGrid) -> frozenset[datetime]:
    """When a run of a tripped unit may end short of its min run: at `frozen.now` or, when that
    falls inside a step, at the end of that step (a unit is on for whole steps), as the
    optimization model allows."""
    if frozen is None or unit_id not in frozen.tripped:
        return frozenset()
    return frozenset({frozen.now, grid.moment(frozen.now_step(grid))})


def _outage_starts(windows: list, grid: TimeGrid) -> frozenset[datetime]:
    """Where the run a unit is on at the horizon start may end short of its min run: where
    maintenance (or a trip's outage) begins, or at the start of the step that holds that
    moment (a unit is on for whole steps), as the optimization model allows."""
    moments = set()
    for window in windows:
        if window.end > grid.start:
            begins = max(window.start, grid.start)
            moments |= {begins, _step_span(grid, begins, window.end)[0]}
    return frozenset(moments)


def _check_runs(runs: list[UnitRun], unit: Equipment, grid: TimeGrid,
                trip_moments: frozenset[datetime] = frozenset(),
                outage_starts: frozenset[datetime] = frozenset()) -> list[Violation]:
    out = []
    uid = unit.equipment_id

    def bad(rule: str, detail: str, at: datetime) -> None:
        out.append(Violation(rule, detail, equipment_id=uid, at=at))

    for run in runs:
        if run.end <= run.start:
            bad("empty_interval", "run ends before it starts", run.start)
        elif run.start < grid.start or run.end > grid.end:
            bad("outside_horizon", "run leaves the planning horizon", run.start)
    for before, after in zip(runs, runs[1:], strict=False):
        if after.start < before.end:
            bad("runs_overlap", f"runs overlap at {after.start.isoformat()}", after.start)
    initially_on = unit.initial_state == UnitState.ON
    since = unit.initial_state_minutes  # None: in that state for a long time
    first = runs[0] if runs else None
    continues_initial = initially_on and first is not None and first.start <= grid.start
    # Min run: a run that ends inside the horizon must have lasted min_run (initial time counts).
    for run in runs:
        if run.end >= grid.end:
            continue  # it goes on past the horizon
        if run.end in trip_moments:
            continue  # cut short by the unit's trip in a rolling re-plan
        length = _minutes(run.end - run.start)
        if run is first and continues_initial:
            if since is None or run.end in outage_starts:
                continue  # on for long, or stopped by maintenance inside its min run
            length += since
        if length + 1e-9 < unit.min_run_minutes:
            bad("min_run", f"on for {length:g} min, min run {unit.min_run_minutes} min", run.start)
    if initially_on and not continues_initial and since is not None \
            and since < unit.min_run_minutes and grid.start not in outage_starts:
        bad("min_run", f"initially on for {since} min, switched off at the horizon start before "
            f"min run {unit.min_run_minutes} min", grid.start)
    # Min off: between runs, after an initial OFF, and after switching off an initial ON.
    for before, after in zip(runs, runs[1:], strict=False):
        gap = _minutes(after.start - before.end)
        if gap >= 0 and gap + 1e-9 < unit.min_off_minutes:
            bad("min_off", f"off for {gap:g} min, min off {unit.min_off_minutes} min", after.start)
    if first is not None and not continues_initial:
        off_before = _minutes(first.start - grid.start)
        if initially_on:
            known = True  # switched off at the horizon start
        else:
            known = since is not None  # blank: off for a long time
            off_before += since or 0
        if known and off_before + 1e-9 < unit.min_off_minutes:
            bad("min_off", f"off for {off_before:g} min before the first start, min off "
                f"{unit.min_off_minutes} min", first.start)
    # Max starts per local calendar day; continuing the initial ON state is not a start.
    if unit.max_starts_per_day is not None:
        per_day: dict[date, int] = defaultdict(int)
        for run in runs:
            if run is first and continues_initial:
                continue
            per_day[run.start.astimezone(grid.tz).date()] += 1
        for day, count in sorted(per_day.items()):
            if count > unit.max_starts_per_day:
                bad("max_starts_per_day", f"{count} starts on {day.isoformat()}, max "
                    f"{unit.max_starts_per_day}", grid.moment(grid.local_dates.index(day))
                    if day in grid.local_dates else grid.start)
    return out


def _check_contract_peak(electric_kw: Any, limit: float | None, grid: TimeGrid) -> list[Violation]:
    if limit is None:
        return []
    out = []
    for step, kw in enumerate(electric_kw):
        if kw > limit + POWER_TOLERANCE_KW + RELATIVE_TOLERANCE * limit:
            out.append(Violation("contract_peak", f"electric demand {kw:.3f} kW above contract "
                                 f"{limit:g} kW", at=grid.moment(step)))
    return out
