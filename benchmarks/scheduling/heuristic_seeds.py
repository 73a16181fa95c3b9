"""The insertion heuristic alone, this tree against a git revision, on the benchmark days.

python -m benchmarks.scheduling.heuristic_seeds --ref 877e191 --moves 45000 --seeds 0 1 2

Work is counted in moves, so every number repeats exactly on any machine. A dropped job is
shown as such (its penalty is not added to the cost).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.scheduling.run import INSTANCES

MODULE = "heatcraft/scheduling/heuristic.py"


def _heuristic_at(ref: str):
    source = subprocess.run(["git", "show", f"{ref}:{MODULE}"], check=True, capture_output=True,
                            text=True).stdout
    path = Path(tempfile.mkdtemp()) / "heuristic_ref.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("heuristic_ref", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def main() -> None:
    from benchmarks.scheduling.generate import FIRST_DAY, generate_site
    from heatcraft.intake.site_folder import load_site
    from heatcraft.scheduling import ScheduleOptions, heuristic
    from heatcraft.scheduling.evaluation import evaluate
    from heatcraft.scheduling.problem import build_problem
    from heatcraft.tariffs import expand_tariff
    from heatcraft.timegrid import TimeGrid

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ref", required=True)
    parser.add_argument("--moves", type=int, default=45_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", nargs="+", default=["d100x10x1-a", "d100x10x1-b"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/heatcraft-bench"))
    args = parser.parse_args()
    versions = {args.ref: _heuristic_at(args.ref), "this tree": heuristic}
    print("| instance | seed | version | cost $ | dropped |\n|---|---|---|---|---|")
    for name in args.only:
        jobs, units, days, seed, _ = INSTANCES[name]
        inputs = load_site(generate_site(args.workdir / name, jobs, units, days, seed))
        grid = TimeGrid.for_days(FIRST_DAY, days, inputs.site.timezone, 15)
        series = expand_tariff(inputs.tariff, grid, inputs.site.holidays)
        problem = build_problem(inputs, grid, series, ScheduleOptions())
        for run_seed in args.seeds:
            for label, module in versions.items():
                # A generous wall clock: the move count is the limit.
                solution = module.heuristic_plan(problem, run_seed, args.moves, 3600.0)
                cost, _ = evaluate(problem, solution)
                dropped = sum(place is None for place in solution.placement)
                print(f"| {name} | {run_seed} | {label} | {cost:,.0f} | {dropped} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
