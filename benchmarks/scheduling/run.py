"""Naive model (HiGHS, CBC, CP-SAT) against Heatcraft at equal time limits, one run each.

python -m benchmarks.scheduling.run --out benchmarks/results/scheduling.md [--seeds 0 1 2 3]
python -m benchmarks.scheduling.run --single d100x10x1-a highs --limit 900
python -m benchmarks.scheduling.run --single d100x10x1-b heatcraft --repeatable --seeds 3

Heatcraft runs once per seed (its search is seeded; one seed alone says little about a
method whose neighbourhoods and restricted MIP differ by a few percent from seed to seed).
`--repeatable`: Heatcraft's work counts, not the clock, end its search (the same plan on any
machine; `plan_sha256` in each row tells).

The naive model is what most tools do: one binary per job, unit and quarter hour (inside the
job's window), peak as a variable, aggregated big-M linking of jobs to the unit's on state,
no symmetry breaking, no starting solution, every job must be scheduled (no drop variables),
handed to the MIP engine as is. It keeps the same
semantics (unit commitment, min load, demand charges above the billed peak) so its plans are
checked by the same verifier. Every (instance, engine) runs in its own process so peak memory
is measured per run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

INSTANCES = {  # name: (jobs, units, days, seed, time limit s)
    "s20x3x1": (20, 3, 1, 1, 10),
    "s30x4x1": (30, 4, 1, 2, 10),
    "d100x10x1-a": (100, 10, 1, 1, 60),
    "d100x10x1-b": (100, 10, 1, 2, 60),
    "w500x20x7": (500, 20, 7, 1, 120),
}
NAIVE = ("highs", "cbc", "cpsat")


def single(name: str, engine: str, limit: float, workdir: Path, seed: int = 0,
           repeatable: bool = False) -> dict:
    from benchmarks.scheduling.generate import generate_site, load_generated
    from heatcraft.scheduling import ScheduleOptions, optimize_plan, verify_plan
    from heatcraft.scheduling.backends import solve_with
    from heatcraft.scheduling.formulation import build_model, decode
    from heatcraft.scheduling.plan_builder import solution_to_plan
    from heatcraft.scheduling.problem import build_problem

    jobs, units, days, site_seed, _ = INSTANCES[name]
    folder = generate_site(workdir / name, jobs, units, days, site_seed)
    began = time.monotonic()
    inputs, grid, series = load_generated(folder, days)
    options = ScheduleOptions(time_limit_s=limit, seed=seed, repeatable=repeatable)
    # seed: Heatcraft's search seed (the naive engines always run seed 0).
    row = {"instance": name, "engine": engine, "limit_s": limit,
           "seed": seed if engine == "heatcraft" else 0}
    if engine == "heatcraft":
        result = optimize_plan(inputs, grid, series, options)
        report = result.plan.solver
        row.update(cost=result.verification.recomputed_cost, objective=report.objective,
                   bound=report.bound, gap=report.gap, status=report.status,
                   verified=result.verification.ok, dropped=len(result.plan.dropped_jobs),
                   baseline=result.baseline_cost, chosen=report.parameters.get("chosen"),
                   backend=report.parameters.get("engine_backend"),
                   stopped_by_clock=report.parameters.get("engine.stopped_by_clock"),
                   repeatable=repeatable, plan_sha256=plan_digest(result.plan),
                   # Every plan the search offered, so a surprising choice can be traced.
                   candidates=[[c["source"], c["cost"] and round(c["cost"], 2), c["verified"]]
                               for c in result.candidates],
                   warnings=result.warnings)
    else:
        # The naive model must schedule every job: no drop variables (a hard constraint).
        naive = ScheduleOptions(time_limit_s=limit, seed=0, drop_penalty_per_priority=None)
        problem = build_problem(inputs, grid, series, naive)
        model, index = build_model(problem, tight_linking=False, symmetry_breaking=False,
                                   redundant_cumulatives=False)
        remaining = max(1.0, limit - (time.monotonic() - began))
        outcome = solve_with(engine, model, time_limit_s=remaining, threads=2, seed=0,
                             relative_gap=1e-4, hint=None, bounded=False)
        row.update(bound=outcome.bound, status=outcome.status, objective=outcome.objective)
        if outcome.values is not None:
            solution = decode(problem, index, outcome.values)
            plan = solution_to_plan(problem, solution, inputs, site_id=inputs.site.id)
            check = verify_plan(plan, inputs, grid, series)
            row.update(cost=check.recomputed_cost, verified=check.ok,
                       dropped=len(plan.dropped_jobs), objective=check.recomputed_cost)
            if outcome.bound is not None and row["objective"]:
                row["gap"] = max(0.0, row["objective"] - outcome.bound) / abs(row["objective"])
    row["seconds"] = round(time.monotonic() - began, 2)
    row["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return row


def plan_digest(plan) -> str:
    """What a plan decides, hashed as the warehouse's provenance hashes it (without the solver
    report, whose seconds differ from run to run): equal digests, the same plan."""
    from heatcraft.provenance import sha256_of

    return sha256_of(plan.model_dump(mode="json", exclude={"solver"}))


def _fmt(value, digits=0):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/scheduling.md"))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/heatcraft-bench"))
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--limit", type=float, default=None, help="override every time limit")
    parser.add_argument("--single", nargs=2, metavar=("INSTANCE", "ENGINE"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="Heatcraft's seeds (one row each); the naive engines run seed 0")
    parser.add_argument("--repeatable", action="store_true",
                        help="Heatcraft's work counts, not the clock, end its search")
    args = parser.parse_args()
    if args.single:
        name, engine = args.single
        limit = args.limit or INSTANCES[name][4]
        print(json.dumps(single(name, engine, limit, args.workdir, args.seeds[0],
                                args.repeatable)))
        return
    rows = []
    for name, (_, _, days, _, limit) in INSTANCES.items():
        if args.only and name not in args.only:
            continue
        limit = args.limit or limit
        runs = [("heatcraft", seed) for seed in args.seeds]
        runs += [(engine, 0) for engine in (NAIVE if days == 1 else ())]
        for engine, seed in runs:
            command = [sys.executable, "-m", "benchmarks.scheduling.run", "--workdir",
                       str(args.workdir), "--single", name, engine, "--limit", str(limit),
                       "--seeds", str(seed)] + (["--repeatable"] if args.repeatable else [])
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=limit * 3 + 300)
            try:
                row = json.loads(done.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                row = {"instance": name, "engine": engine, "limit_s": limit, "seed": seed,
                       "status": "crashed: " + done.stderr.strip()[-200:]}
            rows.append(row)
            print(json.dumps(row), flush=True)
    lines = ["| instance | engine | seed | limit s | status | verified | dropped | cost $ | "
             "objective $ | bound $ | gap | time s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        gap = r.get("gap")
        lines.append(
            f"| {r['instance']} | {r['engine']} | {r.get('seed', 0)} | {_fmt(r.get('limit_s'))} "
            f"| {r.get('status')} "
            f"| {r.get('verified', '-')} | {r.get('dropped', '-')} | {_fmt(r.get('cost'))} "
            f"| {_fmt(r.get('objective'))} | {_fmt(r.get('bound'))} "
            f"| {'-' if gap is None else f'{100 * gap:.1f} %'} | {_fmt(r.get('seconds'), 1)} "
            f"| {_fmt(r.get('max_rss_mb'))} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks.scheduling.run " + " ".join(sys.argv[1:])
    args.out.write_text("# Scheduling benchmark\n\nCommand: `" + command + "` (2 cores)\n\n"
                        + "\n".join(lines) + "\n\n```json\n" + json.dumps(rows, indent=1)
                        + "\n```\n")


if __name__ == "__main__":
    main()
