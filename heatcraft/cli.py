"""The `heatcraft` command line: JSON out, a non-zero exit and a one-line reason on bad input."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, get_args

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    # Markdown joins a docstring's wrapped lines into one paragraph (rich mode keeps the breaks).
    rich_markup_mode="markdown",
    help="Heatcraft: energy planning for industrial sites.",
)

DEMO_SITE = "plant_a"
DEMO_DATE = "2026-06-16"
DEMO_TIME_LIMIT_S = 60.0  # the plan command's default: HiGHS proves plant_a in 15-55 s


def _emit(payload: Any, out: Path | None = None) -> None:
    text = json.dumps(payload, indent=2, sort_keys=False, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@contextmanager
def native_output_to_stderr() -> Iterator[None]:
    """What native code writes to file descriptor 1 goes to stderr meanwhile, so that stdout
    holds the JSON alone: HiGHS prints a line of its own there (`HighsMipSolverData::
    transformNewIntegerFeasibleSolution tmpSolver.run();`) on some re-plans, whatever its
    output setting, which broke `heatcraft plan ... | jq`."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()  # Python's own writes meanwhile go the same way
        os.dup2(saved, 1)
        os.close(saved)


def _fail(reason: str) -> NoReturn:
    typer.echo(f"error: {reason}", err=True)
    raise typer.Exit(code=2)


def _run_request(handler: Callable[[dict], dict], request_file: Path, out: Path | None) -> None:
    try:
        request = json.loads(request_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(f"{request_file}: file not found")
    except json.JSONDecodeError as exc:
        _fail(f"{request_file}: invalid JSON at line {exc.lineno}: {exc.msg}")
    try:
        with native_output_to_stderr():
            response = handler(request)
    except ValueError as exc:  # every engine's request error is a ValueError naming the field
        _fail(f"{request_file.name}: {exc}")
    _emit(response, out)


RequestFile = Annotated[Path, typer.Argument(help="JSON request file", exists=False)]
OutFile = Annotated[Path | None, typer.Option("--out", help="write JSON here instead of stdout")]


@app.command()
def plan(
    site_dir: Annotated[Path, typer.Argument(help="site folder")],
    plan_date: Annotated[str, typer.Option("--date", help="first local day, YYYY-MM-DD")],
    days: Annotated[int, typer.Option(help="days in the horizon")] = 1,
    backend: Annotated[
        str, typer.Option(help="auto, guided, highs, cpsat, scip, cbc or heuristic")] = "auto",
    time_limit: Annotated[float, typer.Option("--time-limit", help="seconds")] = 60.0,
    repeatable: Annotated[bool, typer.Option(
        "--repeatable", help="the time limit sizes each phase's work count and the counts, "
        "not the clock, end the search: the same plan on any machine, busy or not, however "
        "long it takes there")] = False,
    baseline_only: Annotated[bool, typer.Option(
        "--baseline-only", help="FIFO baseline only")] = False,
    now: Annotated[str | None, typer.Option(
        help="re-plan from this moment (ISO 8601 with offset); needs --previous")] = None,
    previous: Annotated[Path | None, typer.Option(
        help="the JSON report of the plan being re-planned (same site and horizon)")] = None,
    tripped: Annotated[list[str] | None, typer.Option(
        help="a unit that is off from --now (it tripped; repeat for several); UNIT@T: it is "
        "back at T (ISO 8601)")] = None,
    unavailable_until: Annotated[str | None, typer.Option(
        "--unavailable-until", help="tripped units are back at this moment (ISO 8601)")] = None,
    drop_penalty: Annotated[str | None, typer.Option(
        "--drop-penalty", help="what dropping a job costs, by priority 1 (highest) .. 5, "
        "comma-separated (the last applies to lower priorities), or 'never'; by default far "
        "above any bill, so jobs are dropped only when they cannot fit")] = None,
    late_penalty: Annotated[str | None, typer.Option(
        "--late-penalty", help="what a job ending after its deadline costs per hour late, by "
        "priority 1 (highest) .. 5, comma-separated, or 'never' (the default): a job that "
        "cannot meet its deadline is then delayed instead of dropped where that costs less "
        "(a job with a must-run window is never late)")] = None,
    move_penalty: Annotated[str | None, typer.Option(
        "--move-penalty", help="a re-plan's price of change: what each job of the previous "
        "plan, not yet started, costs when the re-plan moves it to another unit or start or "
        "drops it; one amount, or amounts by priority 1 (highest) .. 5, comma-separated (the "
        "last applies to lower priorities); 0, the default: only moves that cost nothing are "
        "undone")] = None,
    out: OutFile = None,
) -> None:
    """Plan a site's heating jobs; writes plan, costs, savings and the solver report as JSON.

    A rolling re-plan (options --now, --previous, --tripped): jobs the previous plan started
    before that moment stay where they are, units keep their on/off history, tripped units are
    off from then on and the jobs they were running start again elsewhere."""
    from heatcraft.errors import InputError
    from heatcraft.planning import ReplanRequest, plan_report

    try:
        first_day = date.fromisoformat(plan_date)
    except ValueError:
        _fail(f"--date {plan_date!r} is not YYYY-MM-DD")
    replan = None
    if now is None:
        if previous is not None or tripped or unavailable_until is not None:
            _fail("--previous, --tripped and --unavailable-until need --now (the re-plan's "
                  "moment)")
    elif previous is None:
        _fail("--now needs --previous (the report of the plan being re-planned)")
    else:
        from heatcraft.intake.previous_plan import read_plan_report

        try:
            previous_plan = read_plan_report(previous)
        except InputError as exc:
            _fail(str(exc))
        replan = ReplanRequest(now=now, previous=previous_plan, previous_source=previous.name,
                               tripped=tuple(tripped or ()), unavailable_until=unavailable_until)
    from heatcraft.scheduling.options import Backend

    backends = get_args(Backend)
    if backend not in backends:
        _fail(f"--backend {backend!r} is not one of {', '.join(backends)}")
    try:
        with native_output_to_stderr():
            report = plan_report(
                site_dir,
                first_day,
                days=days,
                backend=backend,
                time_limit_s=time_limit,
                optimize=not baseline_only,
                replan=replan,
                drop_penalty=drop_penalty,
                late_penalty=late_penalty,
                move_penalty=move_penalty,
                repeatable=repeatable,
            )
    except InputError as exc:
        _fail(str(exc))
    _emit(report, out)
    if report["status"] not in ("optimal", "feasible", "baseline_only"):
        raise typer.Exit(code=1)


@app.command()
def bill(
    tariff: Annotated[Path, typer.Option(help="tariff: native YAML or URDB JSON")],
    load: Annotated[Path, typer.Option(help="CSV with timestamp,kw")],
    overlay: Annotated[Path | None, typer.Option(help="native overlay YAML")] = None,
    prior_peaks: Annotated[Path | None, typer.Option("--prior-peaks", help="CSV month,kw")] = None,
    out: OutFile = None,
) -> None:
    """Bill a load profile with a tariff."""
    from heatcraft.tariffs import bill_command

    try:
        result = bill_command(tariff, load, overlay=overlay, prior_peaks=prior_peaks)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))
    _emit(result, out)


@app.command("fuel-mix")
def fuel_mix(request: RequestFile, out: OutFile = None) -> None:
    """Optimal fuel mix for a multi-fuel boiler (LP/MILP, shadow prices, Pareto frontier)."""
    from heatcraft.fuels import fuel_mix_request

    _run_request(fuel_mix_request, request, out)


@app.command()
def blend(request: RequestFile, out: OutFile = None) -> None:
    """Cheapest blend of ingredients within property limits."""
    from heatcraft.fuels.blending import blend_request

    _run_request(blend_request, request, out)


@app.command("gas-blend")
def gas_blend(request: RequestFile, out: OutFile = None) -> None:
    """Cheapest gas blend within a Wobbe index window (checked with ISO 6976)."""
    from heatcraft.gas.blend import gas_blend_request

    _run_request(gas_blend_request, request, out)


@app.command("gas-quality")
def gas_quality(request: RequestFile, out: OutFile = None) -> None:
    """ISO 6976:2016 calorific values, density, Wobbe index of a gas composition."""
    from heatcraft.gas.quality_request import gas_quality_request

    _run_request(gas_quality_request, request, out)


@app.command()
def emissions(request: RequestFile, out: OutFile = None) -> None:
    """Carbon footprint (scopes 1-3, CO2e with a chosen GWP set, biogenic CO2 apart)."""
    from heatcraft.emissions import emissions_request

    _run_request(emissions_request, request, out)


@app.command()
def procure(request: RequestFile, out: OutFile = None) -> None:
    """EOQ, safety stock, reorder point and a multi-period purchase plan."""
    from heatcraft.procurement import procure_request

    _run_request(procure_request, request, out)


def find_project_dir(start: Path | None = None) -> Path:
    """The repository holding definitions.py (the Dagster code location)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "definitions.py").is_file() and (folder / "examples").is_dir():
            return folder
    source_checkout = Path(__file__).resolve().parent.parent
    if (source_checkout / "definitions.py").is_file():
        return source_checkout
    raise FileNotFoundError("no Heatcraft project (definitions.py) here or above")


@app.command()
def demo(
    project_dir: Annotated[Path | None, typer.Option(help="repository with definitions.py")] = None,
    site: Annotated[str, typer.Option(help="example site id")] = DEMO_SITE,
    plan_date: Annotated[str, typer.Option("--date", help="plan date")] = DEMO_DATE,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="optimizer seconds")
    ] = DEMO_TIME_LIMIT_S,
) -> None:
    """Materialize the whole asset graph for the example site with Dagster (embedded storage)."""
    from heatcraft.demo import dagster_home_config, demo_environment, summarize_warehouse

    root = project_dir or find_project_dir()
    env = demo_environment(root)
    dagster_home_config(Path(env["DAGSTER_HOME"]), root)
    partition = f"{plan_date}|{site}"  # MultiPartitionKey: dimensions in name order (date, site)
    run_config = {"ops": {"optimized_plan": {"config": {"time_limit_s": time_limit}}}}
    command = [
        sys.executable,
        "-m",
        "dagster",
        "asset",
        "materialize",
        "-f",
        str(root / "definitions.py"),
        "--select",
        "*",
        "--partition",
        partition,
        "--config-json",
        json.dumps(run_config),
    ]
    typer.echo(f"$ DAGSTER_HOME={env['DAGSTER_HOME']} {shlex.join(command[2:])}", err=True)
    completed = subprocess.run(command, cwd=root, env=env, check=False)
    if completed.returncode != 0:
        _fail(f"the Dagster run failed (exit {completed.returncode}); see the log above")
    summary = summarize_warehouse(Path(env["HEATCRAFT_DUCKDB_PATH"]), site, plan_date)
    reports = Path(env["HEATCRAFT_REPORTS_DIR"]) / site / plan_date
    summary["reports"] = sorted(str(p) for p in reports.glob("*") if not p.name.startswith("."))
    summary["dagster_home"] = env["DAGSTER_HOME"]
    summary["ui"] = f"DAGSTER_HOME={env['DAGSTER_HOME']} dagster dev -f definitions.py"
    _emit(summary)


def main() -> None:
    app()
