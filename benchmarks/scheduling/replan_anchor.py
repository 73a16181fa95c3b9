"""A re-plan's anchored heuristic against the free one, over several trips and search seeds.

python -m benchmarks.scheduling.replan_anchor --out benchmarks/results/replan_anchor.md \
    --instances w500x20x7 d100x10x1-a d100x10x1-b --hours 8 12 16 --seeds 0 --shares 0 1

A re-plan's heuristic prices each move of a job that had not started at
`heuristic_phase.ANCHOR_SHARE` of the start plan's bill per job (`anchored_search`; where the
heuristic is the whole search, as on the week, the free heuristic runs after it and the
cheaper plan is kept); the plans it finds are priced without the anchor. Share 0 is the
alternative: the heuristic free to move every job (before session 33). The previous plans
are `replan_moves`'s (seed 0 at the instance's limit, kept in `--workdir`); at each hour of
the horizon's middle day the unit with the most jobs planned to start in the next 6 hours
trips, and the horizon is re-planned at move penalty 0 at each share and search seed, one run
at a time in this process.
"""

from __future__ import annotations

import argparse
import platform
import statistics
from pathlib import Path

from benchmarks.machine import cpu_name
from benchmarks.scheduling.replan_moves import load_instance, replan_row, trip_at
from benchmarks.scheduling.run import INSTANCES


def rows_for(name: str, hours: list[int], seeds: list[int], shares: list[float],
             workdir: Path) -> list[dict]:
    from heatcraft.scheduling import ScheduleOptions, heuristic_phase

    instance = load_instance(name, workdir, repeatable=False)
    rows = []
    for hour in hours:
        trip = trip_at(instance, hour)
        for seed in seeds:
            for share in shares:
                heuristic_phase.ANCHOR_SHARE = share
                row = replan_row(instance, trip, ScheduleOptions(
                    time_limit_s=instance.limit, seed=seed))
                rows.append({**row, "hour": hour, "seed": seed, "share": share})
    return rows


def markdown(rows: list[dict], shares: list[float], command: str) -> str:
    lines = [
        f"Command: `{command}`",
        "",
        f"Machine: {cpu_name()}, Python {platform.python_version()}.",
        "",
        "| instance | trip at | tripped | seed | anchor share | status | re-plan bill $ "
        "| against share 0 $ | moved (of not started) | of them forced | dropped | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        base = _paired(rows, r, shares[0])["bill"]
        lines.append(
            f"| {r['instance']} | {r['hour']:02d}:00 | {r['tripped']} | {r['seed']} "
            f"| {r['share']:g} | {r['status']}{'' if r['verified'] else ' (unverified)'} "
            f"| {r['bill']:,.2f} | {r['bill'] - base:+,.2f} | {r['moved']} of "
            f"{r['not_started']} | {r['forced']} | {r['dropped']} | {r['seconds']:.1f} |")
    lines += ["", f"Summary (means over trips and seeds; paired against share {shares[0]:g}):",
              "", "| instance | anchor share | mean bill $ | mean change $ | lower / higher "
              "| mean moved |", "|---|---|---|---|---|---|"]
    for name in dict.fromkeys(r["instance"] for r in rows):
        for share in shares:
            mine = [r for r in rows if r["instance"] == name and r["share"] == share]
            change = [r["bill"] - _paired(rows, r, shares[0])["bill"] for r in mine]
            lines.append(
                f"| {name} | {share:g} | {statistics.mean(r['bill'] for r in mine):,.2f} "
                f"| {statistics.mean(change):+,.2f} | {sum(c < -0.005 for c in change)} / "
                f"{sum(c > 0.005 for c in change)} "
                f"| {statistics.mean(r['moved'] for r in mine):.1f} |")
    return "\n".join(lines) + "\n"


def _paired(rows: list[dict], row: dict, share: float) -> dict:
    return next(r for r in rows if r["share"] == share and all(
        r[k] == row[k] for k in ("instance", "hour", "seed")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", nargs="+", default=["w500x20x7"],
                        choices=sorted(INSTANCES))
    parser.add_argument("--hours", nargs="+", type=int, default=[12])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--shares", nargs="+", type=float, default=[0.0, 1.0],
                        help="ANCHOR_SHARE of each arm; the first is the alternative")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/heatcraft-replan-moves"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = [row for name in args.instances
            for row in rows_for(name, args.hours, args.seeds, args.shares, args.workdir)]
    command = ("python -m benchmarks.scheduling.replan_anchor --instances "
               + " ".join(args.instances) + " --hours " + " ".join(map(str, args.hours))
               + " --seeds " + " ".join(map(str, args.seeds)) + " --shares "
               + " ".join(f"{s:g}" for s in args.shares))
    text = markdown(rows, args.shares, command)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
