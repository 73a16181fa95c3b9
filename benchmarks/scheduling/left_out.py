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
    from heatcraft.scheduling.mip_neighbourhood import place_left_out
    from heatcraft.scheduling.optimizer import (
        LEFT_OUT_REACH,
        LEFT_OUT_WORK,
        LEFT_OUT_WORK_SHARE,
        NEIGHBOURHOOD_SIZE,
    )
    from heatcraft.scheduling.problem import build_problem

    folder = generate_site(workdir / f"o{jobs}x{units}_s{seed}", jobs, units, 1, seed)
    inputs, grid, series = load_generated(folder, 1)
    problem = build_problem(inputs, grid, series, ScheduleOptions())
    heuristic_seconds: list[float] = []
    seconds: dict[bool, list[float]] = {False: [], True: []}
    repaired, reports = {}, {}
    for _ in range(repeats):
        began = time.monotonic()
        start = heuristic_plan(problem, 0, MOVES, 600.0)
        heuristic_seconds.append(time.monotonic() - began)
        for presolve in (True, False):
            began = time.monotonic()
            repaired[presolve], reports[presolve] = place_left_out(
                problem, start, deadline=time.monotonic() + 600.0, seed=0,
                size=NEIGHBOURHOOD_SIZE, reach=LEFT_OUT_REACH, work=LEFT_OUT_WORK,
                budget=LEFT_OUT_WORK_SHARE * LIMIT_S, presolve=presolve)
            seconds[presolve].append(time.monotonic() - began)
    row = {"day": f"{jobs} jobs x {units} units, seed {seed}",
           "left_out_before": sum(p is None for p in start.placement),
           "cost_before": sum(evaluate(problem, start)),
           "heuristic_s": statistics.median(heuristic_seconds)}
    for presolve, key in ((True, "presolve"), (False, "repair")):
        row[f"left_out_{key}"] = sum(p is None for p in repaired[presolve].placement)
        row[f"cost_{key}"] = sum(evaluate(problem, repaired[presolve]))
        row[f"tried_{key}"] = len(reports[presolve].tried)
        row[f"work_{key}"] = reports[presolve].work_used
        row[f"clock_{key}"] = reports[presolve].clock_stopped
        row[f"seconds_{key}"] = statistics.median(seconds[presolve])
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
        clock = " (clock)" if r["clock_presolve"] or r["clock_repair"] else ""
        lines.append(
            f"| {r['day']} | {r['left_out_before']} | {r['left_out_presolve']} "
            f"| {r['left_out_repair']} | {r['cost_before']:,.0f} | {r['cost_presolve']:,.0f} "
            f"| {r['cost_repair']:,.0f} | {r['tried_presolve']} / {r['tried_repair']} "
            f"| {r['work_presolve']:.2f} / {r['work_repair']:.2f} | {r['heuristic_s']:.1f} "
            f"| {r['seconds_presolve']:.1f} / {r['seconds_repair']:.1f}{clock} |")
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
