"""Exact fuel mix (LP/MILP) versus the greedy weighted-score baseline on seeded random instances.

Usage: python benchmarks/fuel_mix_vs_greedy.py [--instances 300] [--seed 20261122] [--out FILE]

Savings are measured only where the greedy mix is feasible (it is often not); the script exits
non-zero if the exact mix is ever costlier than a feasible greedy mix.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

from heatcraft.fuels.greedy_baseline import greedy_mix
from heatcraft.fuels.mix_evaluation import evaluate, violations
from heatcraft.fuels.mix_optimizer import optimize_mix
from heatcraft.fuels.random_instances import random_problem

TOLERANCE = 1e-6


def run(instances: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    savings, savings_pct = [], []
    exact_times, greedy_times = [], []
    counts = {"exact_optimal": 0, "exact_infeasible": 0, "greedy_feasible": 0, "milp": 0}
    greedy_infeasible_exact_feasible = 0
    worse = 0
    for _ in range(instances):
        problem = random_problem(rng, periods=rng.choice([1, 1, 2, 3]))
        started = time.perf_counter()
        exact = optimize_mix(problem)
        exact_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        greedy = greedy_mix(problem)
        greedy_times.append(time.perf_counter() - started)
        counts["milp"] += exact.model_type == "MILP"
        if exact.ok:
            counts["exact_optimal"] += 1
            if violations(problem, exact.energies):
                raise AssertionError("exact mix violates a limit")
        else:
            counts["exact_infeasible"] += 1
        if greedy.feasible:
            counts["greedy_feasible"] += 1
            exact_cost = evaluate(problem, exact.energies).total_cost
            saving = greedy.total_cost - exact_cost
            if saving < -TOLERANCE * max(1.0, exact_cost):
                worse += 1
            savings.append(saving)
            savings_pct.append(100.0 * saving / greedy.total_cost if greedy.total_cost else 0.0)
        elif exact.ok:
            greedy_infeasible_exact_feasible += 1
    return {
        "instances": instances,
        "seed": seed,
        **counts,
        "greedy_infeasible_exact_feasible": greedy_infeasible_exact_feasible,
        "compared": len(savings),
        "exact_costlier": worse,
        "mean_saving": statistics.fmean(savings),
        "max_saving": max(savings),
        "min_saving": min(savings),
        "mean_saving_pct": statistics.fmean(savings_pct),
        "median_saving_pct": statistics.median(savings_pct),
        "max_saving_pct": max(savings_pct),
        "share_with_saving": sum(s > 1e-6 for s in savings) / len(savings),
        "exact_time_total_s": sum(exact_times),
        "exact_time_mean_ms": 1000 * statistics.fmean(exact_times),
        "exact_time_max_ms": 1000 * max(exact_times),
        "greedy_time_total_s": sum(greedy_times),
    }


def markdown(result: dict[str, object], command: str) -> str:
    r = result
    pct = (
        f"{r['mean_saving_pct']:.2f} % / {r['median_saving_pct']:.2f} % / "
        f"{r['max_saving_pct']:.2f} %"
    )
    times = (
        f"{r['exact_time_total_s']:.2f} s / {r['exact_time_mean_ms']:.1f} ms / "
        f"{r['exact_time_max_ms']:.1f} ms"
    )
    table = [
        ("exact optimal / infeasible", f"{r['exact_optimal']} / {r['exact_infeasible']}"),
        ("MILP instances (incompatible pairs)", r["milp"]),
        ("greedy feasible (compared)", r["compared"]),
        ("greedy infeasible where an exact mix exists", r["greedy_infeasible_exact_feasible"]),
        ("exact costlier than greedy", f"**{r['exact_costlier']}**"),
        ("mean saving (currency per compared instance)", f"{r['mean_saving']:.2f}"),
        ("largest saving (currency)", f"{r['max_saving']:.2f}"),
        ("smallest saving (currency)", f"{r['min_saving']:.6f}"),
        ("mean / median / largest saving (% of greedy cost)", pct),
        (
            "compared instances where exact is strictly cheaper",
            f"{100 * r['share_with_saving']:.1f} %",
        ),
        ("exact solve time total / mean / max", times),
        ("greedy time total", f"{r['greedy_time_total_s']:.3f} s"),
    ]
    rows = "\n".join(f"| {name} | {value} |" for name, value in table)
    machine = f"Python {platform.python_version()} on {platform.machine()}"
    return f"""# Exact fuel mix versus greedy baseline

Command: `{command}`

Seed {r["seed"]}, {r["instances"]} instances: 3-6 fuels, 1-3 periods, random share, SOx
blend-average, CO2e-cap, stock, moisture and incompatible-pair limits; objective: cost including
a random carbon price. {machine}; OR-Tools GLOP (LP) and SCIP (MILP).

| measure | value |
|---|---|
{rows}

Savings are greedy cost minus exact cost, over the instances where the greedy mix is feasible.
Exact solve time includes the elastic infeasibility diagnosis and, for MILPs, the fixed-binary LP
for shadow prices.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    result = run(args.instances, args.seed)
    command = (
        f"python benchmarks/fuel_mix_vs_greedy.py --instances {args.instances} --seed {args.seed}"
    )
    text = markdown(result, command)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 1 if result["exact_costlier"] else 0


if __name__ == "__main__":
    sys.exit(main())
