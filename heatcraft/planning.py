"""One planning day (or several) for a site: the horizon, its prices, and costed plans."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatcraft.costs.load_profile import LoadProfile, load_profile
from heatcraft.costs.plan_cost import PlanCost, cost_plan
from heatcraft.errors import InputError, InputIssue
from heatcraft.intake.site_folder import SiteInputs
from heatcraft.models import Plan
from heatcraft.provenance import sha256_of
from heatcraft.timegrid import TimeGrid

if TYPE_CHECKING:
    from heatcraft.scheduling.options import FrozenState, MovePenalty


@dataclass(frozen=True)
class Horizon:
    grid: TimeGrid
    series: Any  # heatcraft.tariffs.TariffSeries


@dataclass(frozen=True)
class CostedPlan:
    plan: Plan
    profile: LoadProfile
    cost: PlanCost

    @property
    def sha256(self) -> str:
        """Fingerprint of what the plan decides and costs. The solver report (wall-clock
        seconds, time limits left) is provenance, kept apart so equal plans hash equal."""
        decided = self.plan.model_dump(mode="json", exclude={"solver"})
        return sha256_of({"plan": decided, "cost": self.cost.to_dict()})


def horizon_for(inputs: SiteInputs, first_day: date, days: int = 1) -> Horizon:
    from heatcraft.tariffs import expand_tariff

    grid = TimeGrid.for_days(first_day, days, inputs.site.timezone, inputs.site.step_minutes)
    return Horizon(grid=grid, series=expand_tariff(inputs.tariff, grid, inputs.site.holidays))


def cost(plan: Plan, inputs: SiteInputs, horizon: Horizon) -> CostedPlan:
    profile = load_profile(plan, inputs.equipment, horizon.grid, inputs.base_load_by_hour)
    return CostedPlan(
        plan=plan,
        profile=profile,
        cost=cost_plan(plan, inputs, horizon.grid, horizon.series, profile),
    )


def _assignments_json(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "job_id": a.job_id,
            "equipment_id": a.equipment_id,
            "start": a.start.isoformat(),
            "end": a.end.isoformat(),
            "heat_kw": round(a.heat_kw, 4),
            "input_kw": round(a.input_kw, 4),
            "carrier": a.carrier.value,
        }
        for a in sorted(plan.assignments, key=lambda a: (a.start, a.job_id))
    ]


@dataclass(frozen=True)
class ReplanRequest:
    """Re-plan from `now` (e.g. when a unit trips): `previous` is the plan of the same horizon
    (from `heatcraft plan`'s report or the warehouse, named by `previous_source` in errors);
    what it started before `now` stays, units in `tripped` are off from `now` until
    `unavailable_until` (or the horizon's end); an entry `UNIT@MOMENT` gives that unit its own
    return (a unit tripped earlier, or repaired sooner). Moments are ISO 8601 text with an
    offset, checked by `frozen_state`; `options` names the fields in its errors."""

    now: str
    previous: Plan
    previous_source: str
    tripped: tuple[str, ...] = ()
    unavailable_until: str | None = None
    options: dict[str, str] = field(default_factory=lambda: {
        "now": "--now", "tripped": "--tripped", "unavailable_until": "--unavailable-until"})


def frozen_state(request: ReplanRequest, inputs: SiteInputs, horizon: Horizon) -> FrozenState:
    """The optimizer's FrozenState for `request`, after checking its moments and units, and
    that the previous plan belongs to this site and horizon and names only known units and
    jobs. Every broken rule goes into one InputError."""
    from heatcraft.scheduling import FrozenState

    name = request.options
    issues: list[InputIssue] = []
    grid = horizon.grid
    now = _moment(request.now, name["now"], issues)
    if now is None:
        raise InputError(issues)
    until = None
    if request.unavailable_until is not None:
        until = _moment(request.unavailable_until, name["unavailable_until"], issues)
        if until is not None and until <= now:
            issues.append(InputIssue(name["unavailable_until"], None, None,
                                     f"must be after {name['now']}"))
    tripped, back_at = _tripped_units(request.tripped, name["tripped"], now, issues)
    if not grid.start <= now < grid.end:
        issues.append(InputIssue(name["now"], None, None, f"{now.isoformat()} lies outside "
                                 f"the horizon {grid.start.isoformat()} .. {grid.end.isoformat()}"))
    units = {unit.equipment_id for unit in inputs.equipment}
    for unit_id in tripped:
        if unit_id not in units:
            issues.append(InputIssue(name["tripped"], None, None, f"unknown unit {unit_id!r} "
                                     f"(the site has {', '.join(sorted(units))})"))
    previous, file = request.previous, request.previous_source
    if previous.site_id != inputs.site.id:
        issues.append(InputIssue(file, None, "site", f"plan of site {previous.site_id!r}, "
                                 f"not {inputs.site.id!r}"))
    if (previous.horizon_start, previous.horizon_end) != (grid.start, grid.end):
        issues.append(InputIssue(file, None, "horizon_start", "the plan covers "
                                 f"{previous.horizon_start.isoformat()} .. "
                                 f"{previous.horizon_end.isoformat()}, the re-plan "
                                 f"{grid.start.isoformat()} .. {grid.end.isoformat()}"))
    jobs = {job.job_id for job in inputs.jobs}
    for kind, records in (("assignments", previous.assignments), ("runs", previous.runs)):
        for number, record in enumerate(records, start=1):
            if record.equipment_id not in units:
                issues.append(InputIssue(file, number, f"{kind}.equipment_id",
                                         f"unknown unit {record.equipment_id!r}"))
    for number, assignment in enumerate(previous.assignments, start=1):
        if assignment.start < now and assignment.job_id not in jobs:
            issues.append(InputIssue(file, number, "assignments.job_id",
                                     f"job {assignment.job_id!r} started before "
                                     f"{name['now']} but is not in the jobs file: its heat "
                                     "would be lost"))
    if issues:
        raise InputError(issues)
    return FrozenState(now=now, previous=previous, tripped=frozenset(tripped),
                       unavailable_until=until, back_at=back_at)


def _moment(text: str, option: str, issues: list[InputIssue],
            entry: str = "") -> datetime | None:
    """An aware moment from ISO 8601 text, or None with the broken rule in `issues`."""
    prefix = f"{entry!r}: " if entry else ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        issues.append(InputIssue(option, None, None, f"{prefix}{text!r} is not an ISO 8601 "
                                 "moment (e.g. 2026-06-16T12:00:00-05:00)"))
        return None
    if moment.utcoffset() is None:
        issues.append(InputIssue(option, None, None, f"{prefix}{text} has no UTC offset (e.g. "
                                 "2026-06-16T12:00:00-05:00)"))
        return None
    return moment


def _tripped_units(entries: tuple[str, ...], option: str, now: datetime,
                   issues: list[InputIssue]) -> tuple[list[str], dict[str, datetime]]:
    """`UNIT` or `UNIT@MOMENT` entries: the units, and the return moment of those that have
    one (broken entries go to `issues`)."""
    units, back_at = [], {}
    for entry in entries:
        unit_id, _, back = entry.partition("@")
        units.append(unit_id)
        moment = _moment(back, option, issues, entry) if back else None
        if moment is not None and moment <= now:
            issues.append(InputIssue(option, None, None, f"{entry!r}: back before the re-plan "
                                     "moment"))
        elif moment is not None:
            back_at[unit_id] = moment
    return units, back_at


def replan_summary(frozen: FrozenState, grid: TimeGrid, plan: Plan,
                   move_penalty: MovePenalty = 0.0,
                   priorities: Mapping[str, int] | None = None) -> dict[str, Any]:
    """What the re-plan kept, what it planned again, from which step, what it moved, and what
    the moves cost at `move_penalty` a job (ScheduleOptions.move_penalty; amounts by priority
    need the jobs' `priorities`)."""
    from heatcraft.scheduling.options import move_price

    if isinstance(move_penalty, tuple) and priorities is None:
        raise ValueError("a move penalty by priority needs the jobs' priorities")
    kept = sorted(a.job_id for a in frozen.previous.assignments if frozen.keeps(a))
    restarted = sorted(a.job_id for a in frozen.previous.assignments if frozen.interrupts(a))
    moves = _moves(frozen, plan)
    return {
        "now": frozen.now.isoformat(),
        "planned_from": grid.moment(frozen.now_step(grid)).isoformat(),
        "tripped": sorted(frozen.tripped),
        "unavailable_until": None if frozen.unavailable_until is None
        else frozen.unavailable_until.isoformat(),
        "back_at": {unit: frozen.outage_end(unit).isoformat() for unit in sorted(frozen.tripped)
                    if frozen.outage_end(unit) is not None},
        "kept": kept,
        "restarted": restarted,
        "replanned": sorted({a.job_id for a in plan.assignments} - set(kept)),
        **moves,
        "move_penalty": {
            "per_job": list(move_penalty) if isinstance(move_penalty, tuple) else move_penalty,
            "total": round(sum(move_price(move_penalty, priorities[m["job_id"]])
                               if isinstance(move_penalty, tuple) else float(move_penalty)
                               for m in moves["moved"]), 2)},
    }


def job_priorities(inputs: SiteInputs) -> dict[str, int]:
    """Each job's priority by its id, as a re-plan's moves are priced (replan_summary)."""
    return {job.job_id: job.priority for job in inputs.jobs}


def _moves(frozen: FrozenState, plan: Plan) -> dict[str, Any]:
    """The previous plan's jobs that had not started at the re-plan's moment: which of them
    keep their unit and start (`unchanged`), and which move (`moved`: from where to where,
    `to` None if dropped), so that the floor hears only of what changes."""
    after = {a.job_id: a for a in plan.assignments}
    unchanged, moved = [], []
    for before in sorted(frozen.previous.assignments, key=lambda a: (a.start, a.job_id)):
        if before.start < frozen.now:  # kept as it was, or restarted after a trip
            continue
        current = after.get(before.job_id)
        if current is not None and \
                (current.equipment_id, current.start) == (before.equipment_id, before.start):
            unchanged.append(before.job_id)
            continue
        moved.append({"job_id": before.job_id,
                      "from": {"equipment_id": before.equipment_id,
                               "start": before.start.isoformat()},
                      "to": None if current is None else {
                          "equipment_id": current.equipment_id,
                          "start": current.start.isoformat()}})
    return {"unchanged": unchanged, "moved": moved}


def unavailable_json(inputs: SiteInputs, horizon: Horizon,
                     frozen: FrozenState | None = None) -> list[dict[str, Any]]:
    """When units may not run in the horizon and why: maintenance and the trips' outages, as
    the plan was held to them (a re-plan's own tripped units are in its `replan` entry)."""
    from heatcraft.scheduling.options import unavailable_windows

    grid = horizon.grid
    return [
        {"equipment_id": w.equipment_id, "start": w.start.isoformat(), "end": w.end.isoformat(),
         "reason": w.reason}
        for w in sorted(unavailable_windows(inputs, grid, frozen),
                        key=lambda w: (w.start, w.equipment_id))
        if w.overlaps(grid.start, grid.end)
    ]


def _option(flag: str, parse: Callable[[str], Any], text: str) -> Any:
    """`parse(text)`, its ValueError an InputError naming `flag`."""
    try:
        return parse(text)
    except ValueError as exc:
        raise InputError([InputIssue(flag, None, None, str(exc))]) from exc


def _runs_json(plan: Plan) -> list[dict[str, Any]]:
    """When each unit is on: an operator switches units by these, and a re-plan keeps them."""
    return [
        {"equipment_id": r.equipment_id, "start": r.start.isoformat(), "end": r.end.isoformat()}
        for r in sorted(plan.runs, key=lambda r: (r.start, r.equipment_id))
    ]


def plan_report(
    site_dir: Path,
    first_day: date,
    *,
    days: int = 1,
    backend: str = "auto",
    time_limit_s: float = 60.0,
    optimize: bool = True,
    replan: ReplanRequest | None = None,
    drop_penalty: str | None = None,
    late_penalty: str | None = None,
    move_penalty: str | None = None,
    repeatable: bool = False,
) -> dict[str, Any]:
    """Everything `heatcraft plan` prints: plan, costs, baseline, savings, solver, verdict.
    With `replan`, the plan starts from the previous plan at its moment (a rolling re-plan);
    the report then also prices the previous plan, so the trip's cost shows.
    `drop_penalty`: what dropping a job costs by priority, as `parse_drop_penalty` reads it
    ('never', or amounts); None keeps ScheduleOptions' amounts, far above any bill.
    `late_penalty`: what a job ending after its deadline costs per hour, by priority, as
    `parse_late_penalty` reads it; None or 'never': no job ends late.
    `move_penalty`: what a re-plan pays per job of the previous plan it moves or drops, as
    `parse_move_penalty` reads it (one amount, or amounts by priority); only with `replan`.
    `repeatable`: work counts, not the clock, end the search (ScheduleOptions.repeatable)."""
    from heatcraft.costs.plan_cost import savings
    from heatcraft.intake.site_folder import load_site
    from heatcraft.scheduling import ScheduleOptions, verify_plan
    from heatcraft.scheduling.baseline import fifo_plan
    from heatcraft.scheduling.options import (
        parse_drop_penalty,
        parse_late_penalty,
        parse_move_penalty,
    )

    options = ScheduleOptions(backend=backend, time_limit_s=time_limit_s, repeatable=repeatable)
    if drop_penalty is not None:
        options = dataclasses.replace(options, drop_penalty_per_priority=_option(
            "--drop-penalty", parse_drop_penalty, drop_penalty))
    if late_penalty is not None:
        options = dataclasses.replace(options, late_penalty_per_hour=_option(
            "--late-penalty", parse_late_penalty, late_penalty))
    if move_penalty is not None:
        moves = _option("--move-penalty", parse_move_penalty, move_penalty)
        if replan is None and (max(moves) if isinstance(moves, tuple) else moves) > 0:
            raise InputError([InputIssue("--move-penalty", None, None,
                                         "it prices a re-plan's moves: give --now")])
        options = dataclasses.replace(options, move_penalty=moves)
    if not optimize and replan is not None:
        raise InputError([InputIssue("--baseline-only", None, None,
                                     "a re-plan optimizes; leave out --baseline-only")])
    inputs = load_site(site_dir)
    horizon = horizon_for(inputs, first_day, days)
    frozen = None if replan is None else frozen_state(replan, inputs, horizon)
    baseline = cost(fifo_plan(inputs, horizon.grid), inputs, horizon)
    report: dict[str, Any] = {
        "site": inputs.site.id,
        "horizon_start": horizon.grid.start.isoformat(),
        "horizon_end": horizon.grid.end.isoformat(),
        "inputs_sha256": inputs.sha256,
    }
    if not optimize:
        verdict = verify_plan(baseline.plan, inputs, horizon.grid, horizon.series)
        chosen, solver, status = baseline, None, "baseline_only"
        report["note"] = "baseline only: the FIFO plan, not optimized"
    else:
        from heatcraft.scheduling import optimize_plan

        result = optimize_plan(
            inputs,
            horizon.grid,
            horizon.series,
            options,
            frozen=frozen,
        )
        chosen = cost(result.plan, inputs, horizon)
        verdict = result.verification
        solver = result.plan.solver.model_dump(mode="json") if result.plan.solver else None
        status = solver["status"] if solver and verdict.ok else "failed_verification"
        report["warnings"] = list(result.warnings)
        report["diagnosis"] = [str(d) for d in result.diagnosis]
        report["late_jobs"] = result.late_jobs
    report.update(
        {
            "status": status,
            "verified": verdict.ok,
            "violations": [str(v) for v in verdict.violations],
            "solver": solver,
            "plan_kind": chosen.plan.kind,
            "step_minutes": chosen.plan.step_minutes,
            "assignments": _assignments_json(chosen.plan),
            "runs": _runs_json(chosen.plan),
            "dropped_jobs": [d.model_dump(mode="json") for d in chosen.plan.dropped_jobs],
            "costs": chosen.cost.to_dict(),
            "baseline_costs": baseline.cost.to_dict(),
            "savings": savings(baseline.cost, chosen.cost),
            "output_sha256": chosen.sha256,
        }
    )
    report["unavailable"] = unavailable_json(inputs, horizon, frozen)
    if frozen is not None:
        before = cost(frozen.previous, inputs, horizon)
        report["replan"] = replan_summary(frozen, horizon.grid, chosen.plan,
                                          options.move_penalty, job_priorities(inputs))
        report["previous_costs"] = before.cost.to_dict()
        # Positive: the re-plan costs less than the previous plan would have (had it stayed
        # feasible); a trip usually makes it negative, and that is its price.
        report["change_from_previous"] = savings(before.cost, chosen.cost)
    return report
