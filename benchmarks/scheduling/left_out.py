"""Jobs the insertion search leaves out: alone, and with `place_left_out` with CP-SAT's presolve
on (as before session 19) and off (as the optimizer runs it), in one run.

python -m benchmarks.scheduling.left_out --out benchmarks/results/left_out.md

Overloaded generated days (more jobs than the units carry by their deadlines, default drop
penalties by priority): the heuristic's plan, then the exact neighbourhood of each job it left
out. Work is counted (moves, CP-SAT deterministic time), so the
plans repeat; the seconds are this machine's, median of --repeats runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

# (jobs, units, site seed): 1-day sites of the benchmark generator that do not all fit.
DAYS = [(100, 6, 5), (120, 8, 5), (160, 10, 5), (160, 10, 6), (200, 12, 5)]
MOVES = 9000  # the optimizer's heuristic share of a 60 s limit on a 100-job day
LIMIT_S = 60.0  # the repair's budget is the optimizer's at this limit


def _row(workdir: Path, jobs: int, units: int, seed: int, repeats: int) -> dict:
    from benchmarks.scheduling.generate import generate_site, load_generated
    from heatcraft.scheduling import ScheduleOptions
    from heatcraft.scheduling.evaluation import evaluate
    from heatcraft.scheduling.heuristic import heuristic_plan
    from heatcraft.scheduling.mip_neighbourhood import (
        LEFT_OUT_REACH,
        LEFT_OUT_WORK,
        LEFT_OUT_WORK_SHARE,
        NEIGHBOURHOOD_SIZE,
        place_left_out,
    )
    from heatcraft.scheduling.problem import build_problem

    folder = generate_site(workdir / f"o{jobs}x{units}_s{seed}", jobs, units, 1, seed)
    inputs, grid, series = load_generated(folder, 1)
    problem = build_problem(inputs, grid, series, ScheduleOptions())
    settings = {"on": True, "off": False}  # CP-SAT's presolve in the repair
    heuristic_seconds: list[float] = []
    seconds: dict[str, list[float]] = {name: [] for name in settings}
    repairs = {}
    for _ in range(repeats):
        began = time.monotonic()
        start = heuristic_plan(problem, 0, MOVES, 600.0)
        heuristic_seconds.append(time.monotonic() - began)
        for name, presolve in settings.items():
            began = time.monotonic()
            repairs[name] = place_left_out(
                problem, start, deadline=time.monotonic() + 600.0, seed=0,
                size=NEIGHBOURHOOD_SIZE, reach=LEFT_OUT_REACH, work=LEFT_OUT_WORK,
                budget=LEFT_OUT_WORK_SHARE * LIMIT_S, presolve=presolve)
            seconds[name].append(time.monotonic() - began)
    row = {"day": f"{jobs} jobs x {units} units, seed {seed}",
           "left_out": sum(p is None for p in start.placement),
           "cost": sum(evaluate(problem, start)),
           "heuristic_s": statistics.median(heuristic_seconds)}
    for name, (repaired, report) in repairs.items():
        row[name] = {"left_out": sum(p is None for p in repaired.placement),
                     "cost": sum(evaluate(problem, repaired)), "tried": len(report.tried),
                     "work": report.work_used, "clock": report.clock_stopped,
                     "seconds": statistics.median(seconds[name])}
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/heatcraft-left-out"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = [_row(args.workdir, *day, args.repeats) for day in DAYS]
    lines = ["| day | left out: heuristic | repair, CP-SAT presolve on | repair (presolve off) "
             "| bill + penalties $: heuristic | presolve on | presolve off "
             "| jobs tried: on / off | repair work: on / off | heuristic s "
             "| repair s: on / off |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        on, off = r["on"], r["off"]
        clock = " (clock)" if on["clock"] or off["clock"] else ""
        lines.append(
            f"| {r['day']} | {r['left_out']} | {on['left_out']} | {off['left_out']} "
            f"| {r['cost']:,.0f} | {on['cost']:,.0f} | {off['cost']:,.0f} "
            f"| {on['tried']} / {off['tried']} | {on['work']:.2f} / {off['work']:.2f} "
            f"| {r['heuristic_s']:.1f} | {on['seconds']:.1f} / {off['seconds']:.1f}{clock} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(
            "# Jobs the insertion search leaves out, alone and with the exact repair\n\n"
            "Command: `python -m benchmarks.scheduling.left_out --out "
            "benchmarks/results/left_out.md` (2 cores; seconds are medians of "
            f"{args.repeats} runs, one at a time).\n\n" + table + "\n")


if __name__ == "__main__":
    main()
