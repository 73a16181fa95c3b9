"""Neighbourhood settings against each other, from the same root plan, in one run.

python -m benchmarks.scheduling.neighbourhoods --arm "" --arm work=0.7 \
    --seeds 0 1 2 3 --seconds 30 --out /tmp/arms.md

`--out` writes the table alone; it is copied into benchmarks/results/neighbourhoods.md with
the command and what it shows, so that earlier comparisons stay.

The guided search's last phase (`improve_by_neighbourhoods`, two workers, the cents
objective) decides most of a 100-job day's plan, and a whole optimizer run moves by hundreds of
dollars with the machine's timing of its earlier phases. Here each day's root plan is made
once, as the guided search makes it (greedy insertion and local search from FIFO, the LP, the
restricted MIP's two roots, the cheaper plan kept), and every arm starts from it. The arms take
turns on each seed, one at a time on both cores, each for the same wall time (`--seconds`):
what is compared is the plan reached in equal time from the same plan.
An arm is `key=value` pairs over the guided search's settings (size, reach, work, queued,
shift_every, shift_reach, shift_work; shift_every=0: no shift neighbourhood); the first arm is
the reference and unset keys keep the optimizer's values.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from benchmarks.scheduling.run import INSTANCES

SETTINGS = ("size", "reach", "work", "queued", "shift_every", "shift_reach", "shift_work")


def parse_arm(text: str) -> dict[str, float]:
    arm: dict[str, float] = {}
    for pair in filter(None, text.split(",")):
        key, _, value = pair.partition("=")
        if key not in SETTINGS or not value:
            raise SystemExit(f"--arm {text!r}: {pair!r} is not one of "
                             f"{', '.join(k + '=VALUE' for k in SETTINGS)}")
        arm[key] = float(value)
    return arm


def root_plan(name: str, workdir: Path):
    """The day's problem and the guided search's root plan (`guided_root`, the optimizer's own
    phases 1 and 2) at seed 0 and the day's limit, with its cost."""
    from benchmarks.scheduling.generate import generate_site, load_generated
    from heatcraft.scheduling import ScheduleOptions
    from heatcraft.scheduling.baseline import fifo_plan
    from heatcraft.scheduling.evaluation import evaluate
    from heatcraft.scheduling.guided_search import guided_root
    from heatcraft.scheduling.plan_builder import plan_to_solution
    from heatcraft.scheduling.problem import build_problem

    jobs, units, days, site_seed, limit = INSTANCES[name]
    inputs, grid, series = load_generated(
        generate_site(workdir / name, jobs, units, days, site_seed), days)
    options = ScheduleOptions(time_limit_s=limit)
    problem = build_problem(inputs, grid, series, options)
    fifo = plan_to_solution(problem, fifo_plan(inputs, grid))
    root = guided_root(problem, inputs, options, time.monotonic(), fifo, [], [], {})
    return problem, root.plan, sum(evaluate(problem, root.plan))


def run_arm(problem, start, arm: dict[str, float], seed: int, seconds: float) -> dict:
    from heatcraft.scheduling import guided_search as guided
    from heatcraft.scheduling import mip_neighbourhood as nb
    from heatcraft.scheduling.mip_neighbourhood import improve_by_neighbourhoods

    began = time.monotonic()
    _, report = improve_by_neighbourhoods(
        problem, start, rounds=10**6, deadline=began + seconds, seed=seed,
        size=int(arm.get("size", nb.NEIGHBOURHOOD_SIZE)),
        reach=int(arm.get("reach", nb.NEIGHBOURHOOD_REACH)),
        work=arm.get("work", nb.NEIGHBOURHOOD_WORK), queued=int(arm.get("queued", 0)),
        workers=2, cents=True, shift_every=int(arm.get("shift_every", guided.SHIFT_EVERY)),
        shift_reach=int(arm.get("shift_reach", guided.SHIFT_REACH)),
        shift_work=arm.get("shift_work", guided.SHIFT_WORK))
    return {"cost": report.end_cost, "solves": report.rounds, "improved": report.improved,
            "shifts": report.shifts, "shifts_improved": report.shifts_improved,
            "seconds": round(time.monotonic() - began, 1)}


def label(arm: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in arm.items()) or "the optimizer's"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arm", action="append", required=True,
                        help="settings, e.g. work=0.7,reach=32 (first: the reference)")
    parser.add_argument("--days", nargs="+", default=["d100x10x1-a", "d100x10x1-b"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/heatcraft-bench"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    arms = [parse_arm(text) for text in args.arm]
    rows = []
    for name in args.days:
        problem, start, start_cost = root_plan(name, args.workdir)
        for seed in args.seeds:
            for number, arm in enumerate(arms):
                row = {"day": name, "start": round(start_cost, 2), "seed": seed,
                       "arm": number, **run_arm(problem, start, arm, seed, args.seconds)}
                print(json.dumps(row), flush=True)
                rows.append(row)
    table = render(rows, arms, args.days, args.seeds, args.seconds)
    print(table)
    if args.out:
        args.out.write_text(table)


def render(rows: list[dict], arms: list[dict[str, float]], days: list[str], seeds: list[int],
           seconds: float) -> str:
    lines = [f"Arms from the same root plan per day, {seconds:g} s each, seeds "
             f"{' '.join(map(str, seeds))}, one arm at a time:", "",
             "| day | start $ | arm | end $ per seed | mean $ | against arm 0 | solves |",
             "|---|---|---|---|---|---|---|"]
    for name in days:
        reference = None
        for number, arm in enumerate(arms):
            mine = [r for r in rows if r["day"] == name and r["arm"] == number]
            costs = [r["cost"] for r in mine]
            mean = statistics.fmean(costs)
            if reference is None:
                reference, versus = costs, "-"
            else:
                lower = sum(c < r for c, r in zip(costs, reference, strict=True))
                versus = f"{mean - statistics.fmean(reference):+,.0f} $, lower on {lower} " \
                         f"of {len(costs)}"
            solves = [r["solves"] for r in mine]
            lines.append(f"| {name} | {mine[0]['start']:,.2f} | {number}: {label(arm)} | "
                         f"{' / '.join(f'{c:,.0f}' for c in costs)} | {mean:,.0f} | {versus} | "
                         f"{min(solves)}-{max(solves)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
