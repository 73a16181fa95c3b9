"""What a re-plan's move penalty buys: jobs left where they were, against the bill.

python -m benchmarks.scheduling.replan_moves --out benchmarks/results/replan_moves.md \
    --instances s30x4x1 d100x10x1-a d100x10x1-b w500x20x7 --penalties 0 20 100 100,20,5

Each instance of `run.INSTANCES` is planned once (seed 0, its time limit); that plan, kept in
`--workdir` for later runs, is the previous plan of every re-plan. At noon on the middle day of
the horizon the unit with the most jobs planned to start in the next OUTAGE_HOURS trips, and is
back after them; the horizon is re-planned from noon at each move penalty
(`ScheduleOptions.move_penalty`, seed 0, the same limit; `100,20,5`: by priority 1, 2, 3 and
lower), one after another in this process. Penalty 0 is the alternative: the re-plan as it
was before the penalty existed (only moves that cost nothing are undone). Counted as moved:
jobs of the previous plan not started at noon whose unit or start changed, or that were
dropped; `forced` of them were to start on the tripped unit during its outage.
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.machine import cpu_name
from benchmarks.scheduling.run import INSTANCES
from heatcraft.scheduling.options import amounts_text, parse_move_penalty

OUTAGE_HOURS = 6


def rows_for(name: str, penalties: list[float | tuple[float, ...]], workdir: Path,
             repeatable: bool) -> list[dict]:
    from heatcraft.scheduling import ScheduleOptions

    instance = load_instance(name, workdir, repeatable)
    trip = trip_at(instance, hour=12)
    return [replan_row(instance, trip, ScheduleOptions(
        time_limit_s=instance.limit, seed=0, repeatable=repeatable, move_penalty=penalty))
        for penalty in penalties]


@dataclass
class Instance:
    name: str
    days: int
    limit: float
    inputs: Any
    grid: Any
    series: Any
    previous: Any  # the plan the re-plans start from
    previous_bill: float


@dataclass
class Trip:
    frozen: Any  # FrozenState
    tripped: str
    forced: set[str]  # jobs planned to start on the tripped unit during its outage


def load_instance(name: str, workdir: Path, repeatable: bool) -> Instance:
    from benchmarks.scheduling.generate import generate_site, load_generated
    from heatcraft.scheduling import ScheduleOptions, verify_plan

    jobs, units, days, site_seed, limit = INSTANCES[name]
    folder = generate_site(workdir / name, jobs, units, days, site_seed)
    inputs, grid, series = load_generated(folder, days)
    previous = _first_plan(name, inputs, grid, series,
                           ScheduleOptions(time_limit_s=limit, seed=0, repeatable=repeatable),
                           workdir)
    return Instance(name, days, limit, inputs, grid, series, previous,
                    verify_plan(previous, inputs, grid, series).recomputed_cost)


def trip_at(instance: Instance, hour: int) -> Trip:
    """At `hour` of the horizon's middle day, the unit with the most jobs of the previous
    plan starting in the next OUTAGE_HOURS trips, and is back after them."""
    from benchmarks.scheduling.generate import FIRST_DAY, TZ
    from heatcraft.scheduling.options import FrozenState

    previous = instance.previous
    now = datetime.combine(FIRST_DAY + timedelta(days=instance.days // 2), clock(hour),
                           ZoneInfo(TZ))
    back = now + timedelta(hours=OUTAGE_HOURS)
    during = [a for a in previous.assignments if now <= a.start < back]
    tripped = min(sorted({a.equipment_id for a in during}),
                  key=lambda u: -sum(a.equipment_id == u for a in during))
    forced = {a.job_id for a in during if a.equipment_id == tripped}
    return Trip(FrozenState(now=now, previous=previous, tripped=frozenset({tripped}),
                            unavailable_until=back), tripped, forced)


def replan_row(instance: Instance, trip: Trip, options) -> dict:
    from heatcraft.planning import job_priorities, replan_summary
    from heatcraft.scheduling import optimize_plan

    began = time.monotonic()
    again = optimize_plan(instance.inputs, instance.grid, instance.series, options,
                          frozen=trip.frozen)
    seconds = time.monotonic() - began
    priorities = job_priorities(instance.inputs)
    summary = replan_summary(trip.frozen, instance.grid, again.plan, options.move_penalty,
                             priorities)
    moved = summary["moved"]
    report = again.plan.solver
    row = {
        "instance": instance.name, "penalty": options.move_penalty, "status": report.status,
        "verified": again.verification.ok,
        "previous_bill": instance.previous_bill,
        "bill": again.verification.recomputed_cost,
        # The gap of the bill (the objective's also counts drop and move penalties).
        "gap": report.parameters.get("bill_gap", report.gap), "seconds": seconds,
        "not_started": len(moved) + len(summary["unchanged"]), "moved": len(moved),
        "tripped": trip.tripped,
        "forced": sum(1 for m in moved if m["job_id"] in trip.forced),
        "dropped": sum(1 for m in moved if m["to"] is None),
        # moved jobs by priority 1 .. 5, and the move penalties paid
        "by_priority": [sum(1 for m in moved if priorities[m["job_id"]] == p)
                        for p in range(1, 6)],
        "paid": summary["move_penalty"]["total"],
    }
    print(row, flush=True)
    return row


def _first_plan(name: str, inputs, grid, series, options, workdir: Path):
    """The instance's plan at its limit, kept in `workdir` so that later runs (another
    penalty, another version of the code) re-plan the same previous plan."""
    from heatcraft.models import Plan
    from heatcraft.scheduling import optimize_plan

    kept = workdir / f"{name}-previous{'-repeatable' if options.repeatable else ''}.json"
    if kept.is_file():
        return Plan.model_validate_json(kept.read_text(encoding="utf-8"))
    first = optimize_plan(inputs, grid, series, options)
    assert first.verification.ok, f"{name}: the first plan failed verification"
    kept.write_text(first.plan.model_dump_json(), encoding="utf-8")
    return first.plan


def markdown(rows: list[dict], command: str) -> str:
    lines = [
        f"Command: `{command}`",
        "",
        f"Machine: {cpu_name()}, Python {platform.python_version()}.",
        "",
        "| instance | tripped | move penalty $ | status | previous plan $ | re-plan bill $ "
        "| bill change $ | moved (of not started) | of them forced | dropped "
        "| moved by priority 1/2/3/4/5 | penalties paid $ | bill gap | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        gap = "" if r["gap"] is None else f"{100 * r['gap']:.1f} %"
        lines.append(
            f"| {r['instance']} | {r['tripped']} | {_label(r['penalty'])} | {r['status']}"
            f"{'' if r['verified'] else ' (unverified)'} | {r['previous_bill']:,.2f} "
            f"| {r['bill']:,.2f} | {r['bill'] - rows_base(rows, r)['bill']:+,.2f} "
            f"| {r['moved']} of {r['not_started']} | {r['forced']} | {r['dropped']} "
            f"| {'/'.join(map(str, r['by_priority']))} | {r['paid']:,.2f} | {gap} "
            f"| {r['seconds']:.1f} |")
    lines += ["", "Bill change: against the same instance's re-plan at the first penalty "
              "given (0 in the recorded runs)."]
    return "\n".join(lines) + "\n"


def rows_base(rows: list[dict], row: dict) -> dict:
    """The row of `row`'s instance at the first penalty given (the alternative)."""
    return next(r for r in rows if r["instance"] == row["instance"])


def _label(penalty: float | tuple[float, ...]) -> str:
    return amounts_text(penalty) if isinstance(penalty, tuple) else f"{penalty:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", nargs="+", default=["s30x4x1", "d100x10x1-a"],
                        choices=sorted(INSTANCES))
    parser.add_argument("--penalties", nargs="+", type=parse_move_penalty,
                        default=[0.0, 20.0, 100.0],
                        help="move penalties, the first the alternative: an amount, or "
                        "amounts by priority (100,20,5)")
    parser.add_argument("--repeatable", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/heatcraft-replan-moves"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    penalties = list(dict.fromkeys(args.penalties))  # as given, once each
    rows = [row for name in args.instances
            for row in rows_for(name, penalties, args.workdir, args.repeatable)]
    command = ("python -m benchmarks.scheduling.replan_moves --instances "
               + " ".join(args.instances) + " --penalties "
               + " ".join(_label(p) for p in penalties)
               + (" --repeatable" if args.repeatable else ""))
    text = markdown(rows, command)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
