"""Handing the linear model to MathOpt: one proto from arrays against one call per coefficient.

python -m benchmarks.scheduling.mathopt_build --out benchmarks/results/mathopt_build.md

The alternative is MathOpt's Python modelling API (add_variable, add_linear_constraint,
set_coefficient), which `to_mathopt` used until 2026-12-03. Both build the same model (the
exported protos are compared); times are medians of several builds in one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from ortools.math_opt.python import mathopt

from heatcraft.scheduling.backends.mathopt import to_mathopt
from heatcraft.scheduling.linear_model import LinearModel

REPEATS = 5


def by_api_calls(model: LinearModel, relax: bool = False) -> mathopt.Model:
    built = mathopt.Model(name="heatcraft")
    variables = [built.add_variable(lb=lo, ub=hi, is_integer=integer and not relax, name=name)
                 for name, lo, hi, integer in zip(model.names, model.lower, model.upper,
                                                 model.integer, strict=True)]
    for row in model.rows:
        constraint = built.add_linear_constraint(lb=row.lower, ub=row.upper)
        for var, coef in zip(row.variables, row.coefficients, strict=True):
            constraint.set_coefficient(variables[var], coef)
    objective = built.objective
    objective.is_maximize = False
    objective.offset = model.objective_constant
    for var, coef in sorted(model.objective.items()):
        if coef != 0.0:
            objective.set_linear_coefficient(variables[var], coef)
    return built


def _median_seconds(build) -> float:
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        build()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    from benchmarks.scheduling.generate import FIRST_DAY, generate_site
    from benchmarks.scheduling.run import INSTANCES
    from heatcraft.intake.site_folder import load_site
    from heatcraft.scheduling import ScheduleOptions
    from heatcraft.scheduling.formulation import build_model
    from heatcraft.scheduling.problem import build_problem
    from heatcraft.tariffs import expand_tariff
    from heatcraft.timegrid import TimeGrid

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/heatcraft-bench"))
    args = parser.parse_args()
    rows = []
    for name in ("s30x4x1", "d100x10x1-a", "w500x20x7"):
        jobs, units, days, site_seed, limit = INSTANCES[name]
        folder = generate_site(args.workdir / name, jobs, units, days, site_seed)
        inputs = load_site(folder)
        grid = TimeGrid.for_days(FIRST_DAY, days, inputs.site.timezone, 15)
        series = expand_tariff(inputs.tariff, grid, inputs.site.holidays)
        problem = build_problem(inputs, grid, series, ScheduleOptions(time_limit_s=limit))
        model, _ = build_model(problem, tight_linking=False, redundant_cumulatives=False,
                               allow_drops=False)
        same = by_api_calls(model).export_model() == to_mathopt(model)[0].export_model()
        api = _median_seconds(lambda model=model: by_api_calls(model))
        proto = _median_seconds(lambda model=model: to_mathopt(model))
        nonzeros = sum(len(row.variables) for row in model.rows)
        rows.append((name, len(model.names), len(model.rows), nonzeros, api, proto, same))
        print(name, f"api {api:.3f} s", f"proto {proto:.3f} s", f"x{api / proto:.1f}",
              "same model" if same else "MODELS DIFFER", flush=True)
    lines = ["# Building the MathOpt model", "",
             "Command: `python -m benchmarks.scheduling.mathopt_build --out "
             "benchmarks/results/mathopt_build.md`", "",
             f"Recorded {date.today().isoformat()} on the 2-core benchmark machine; medians of "
             f"{REPEATS} builds of each instance's whole model (no drop variables), one run.", "",
             "| instance | variables | rows | nonzeros | API calls s | proto s | speed-up "
             "| same model |", "|---|---|---|---|---|---|---|---|"]
    for name, variables, count, nonzeros, api, proto, same in rows:
        lines.append(f"| {name} | {variables:,} | {count:,} | {nonzeros:,} | {api:.3f} | "
                     f"{proto:.3f} | {api / proto:.1f}x | {same} |")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
