"""Baseline (FIFO) and optimized heating plans, their load profiles and their costs."""

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Literal

import dagster as dg

from assets.checks import cost_recomputed_result, plan_check_specs, verified_result
from assets.metadata import provenance_metadata, provenance_row, table_metadata
from assets.partitions import site_and_date, site_day_partitions
from assets.tables import (
    LOAD_PROFILE,
    PLAN_ASSIGNMENTS,
    PLAN_COSTS,
    PLAN_SAVINGS,
    PROVENANCE,
    UNIT_RUNS,
)
from resources.warehouse import WarehouseResource

if TYPE_CHECKING:  # engine modules load at run time, keeping the code location fast to load
    from heatcraft.intake.site_folder import SiteInputs
    from heatcraft.planning import CostedPlan, Horizon

# 2: late_penalty_per_hour; a heuristic plan reports its window bound. 3: move_penalty.
# 4: a re-plan by the heuristic alone also searches anchored to the previous plan.
# 5: the guided search's neighbourhoods include the shift (every job a step on its unit).
CODE_VERSION = "5"


def _materialize_plan(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    inputs: "SiteInputs",
    costed: "CostedPlan",
    horizon: "Horizon",
    plan_date: date,
    asset_name: str,
    extra_metadata: dict | None = None,
    frozen=None,
) -> dg.MaterializeResult:
    """Verify, then write every table of the plan in one transaction, then re-check the bill.

    A plan the verifier rejects is not written: its check fails and blocks what depends on it.
    """
    verified = verified_result(asset_name, costed, inputs, horizon, frozen)
    if not verified.passed:
        context.log.error(f"{asset_name} failed verification: {verified.metadata}")
        return dg.MaterializeResult(
            value=costed, check_results=[verified], metadata={"verified": False}
        )
    metadata = _write_costed_plan(context, warehouse, inputs, costed, plan_date, asset_name)
    metadata.update(extra_metadata or {})
    recomputed = cost_recomputed_result(asset_name, warehouse, costed, inputs, horizon, plan_date)
    return dg.MaterializeResult(
        value=costed, metadata=metadata, check_results=[verified, recomputed]
    )


def _write_costed_plan(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    inputs: "SiteInputs",
    costed: "CostedPlan",
    plan_date: date,
    asset_name: str,
) -> dict:
    """All tables of one plan, replaced in one transaction; returns the metadata."""
    from heatcraft.tables import assignment_rows, cost_rows, load_profile_rows, run_rows

    plan = costed.plan
    solver = plan.solver.model_dump(mode="json") if plan.solver else None
    keys = {
        "site_id": inputs.site.id,
        "plan_date": plan_date,
        "plan_kind": plan.kind,
        "asset": asset_name,
    }
    counts = warehouse.replace_partition(
        {
            PLAN_ASSIGNMENTS: assignment_rows(plan, plan_date),
            UNIT_RUNS: run_rows(plan, plan_date),
            LOAD_PROFILE: load_profile_rows(plan, costed.profile, costed.cost, plan_date),
            PLAN_COSTS: cost_rows(plan, costed.cost, plan_date),
            PROVENANCE: [
                provenance_row(
                    inputs.site.id,
                    plan_date,
                    asset_name,
                    context.run.run_id,
                    inputs.sha256,
                    costed.sha256,
                    inputs.source_sha256,
                    solver,
                )
            ],
        },
        keys=keys,
    )
    cost = costed.cost
    metadata = {
        **table_metadata(PLAN_ASSIGNMENTS, counts[PLAN_ASSIGNMENTS.name]),
        "unit_runs_rows": counts[UNIT_RUNS.name],
        "load_profile_rows": counts[LOAD_PROFILE.name],
        "total_cost": dg.MetadataValue.float(round(cost.total, 2)),
        "energy_cost": round(cost.energy, 2),
        "fuel_cost": round(cost.fuel, 2),
        "startup_cost": round(cost.startup, 2),
        "demand_cost": round(cost.demand, 2),
        "fixed_cost": round(cost.fixed, 2),
        "peak_electric_kw": round(cost.peak_electric_kw, 1),
        "dropped_jobs": dg.MetadataValue.json([d.job_id for d in plan.dropped_jobs]),
        **provenance_metadata(
            inputs_sha256=inputs.sha256,
            output_sha256=costed.sha256,
            sources=inputs.source_sha256,
        ),
    }
    if plan.solver:
        metadata.update(
            {
                "solver": dg.MetadataValue.json(solver),
                "solver_status": plan.solver.status,
                "gap": plan.solver.gap if plan.solver.gap is not None else "n/a",
            }
        )
    return metadata


@dg.asset(
    group_name="plans",
    partitions_def=site_day_partitions,
    code_version=CODE_VERSION,
    kinds={"python"},
    check_specs=plan_check_specs("baseline_plan"),
    description="The naive first-in-first-out plan, priced with the same bill engine: "
    "the yardstick for every saving.",
)
def baseline_plan(context: dg.AssetExecutionContext, warehouse: WarehouseResource, site_inputs):
    from heatcraft.planning import cost, horizon_for
    from heatcraft.scheduling.baseline import fifo_plan

    _, plan_date = site_and_date(context)
    horizon = horizon_for(site_inputs, plan_date)
    costed = cost(fifo_plan(site_inputs, horizon.grid), site_inputs, horizon)
    return _materialize_plan(
        context, warehouse, site_inputs, costed, horizon, plan_date, "baseline_plan"
    )


# heatcraft.scheduling.options.Backend, spelled out so that loading the definitions does not
# import the solvers (about 1 s); a test keeps the two equal. The launchpad rejects an unknown
# backend before the run starts.
OptimizerBackend = Literal["auto", "guided", "cpsat", "highs", "scip", "cbc", "heuristic"]


class OptimizerConfig(dg.Config):
    backend: OptimizerBackend = "auto"
    time_limit_s: float = 60.0
    seed: int = 0
    # Work counts sized from time_limit_s, not the clock, end the search: the same plan on any
    # machine, busy or not, however long the counts take there.
    repeatable: bool = False
    # What dropping a job costs by priority 1 (highest) .. 5 (None: the engine's amounts, far
    # above any bill, so a job is dropped only when it cannot fit); never_drop forbids it.
    drop_penalty_per_priority: list[float] | None = None
    never_drop: bool = False
    # What a job ending after its deadline costs per hour late, by priority 1 .. 5 (None: no
    # job ends late); a job that cannot meet its deadline is then delayed where that costs
    # less than dropping it. A job with a must-run window is never late.
    late_penalty_per_hour: list[float] | None = None
    # A rolling re-plan (e.g. a unit tripped): from this moment (ISO 8601 with offset), the
    # partition's stored optimized plan stays as it was before it, these units are off from it
    # (until `unavailable_until`, or the day's end; "UNIT@MOMENT" gives a unit its own return)
    # and their running jobs start again.
    replan_at: str | None = None
    tripped_units: list[str] = []
    unavailable_until: str | None = None
    # A re-plan's price of change: what each job of the stored plan, not yet started, costs
    # when the re-plan moves it to another unit or start or drops it (0: only moves that cost
    # nothing are undone). A fresh plan records it for the trip sensor's re-plans of its day.
    move_penalty: float = 0.0
    # The same by priority 1 (highest) .. 5 (the last applies to lower priorities), in place
    # of move_penalty: e.g. [200, 50, 10] keeps the first priority's jobs where they were.
    move_penalty_per_priority: list[float] | None = None


@dg.asset(
    group_name="plans",
    partitions_def=site_day_partitions,
    code_version=CODE_VERSION,
    kinds={"python", "ortools"},
    check_specs=plan_check_specs("optimized_plan"),
    description="The lowest-cost plan the limits allow, with solver status, bound and "
    "gap; only returned when the independent verifier approves it.",
)
def optimized_plan(
    context: dg.AssetExecutionContext,
    config: OptimizerConfig,
    warehouse: WarehouseResource,
    site_inputs,
):
    from heatcraft.planning import cost, horizon_for, unavailable_json
    from heatcraft.scheduling import ScheduleOptions, optimize_plan

    _, plan_date = site_and_date(context)
    horizon = horizon_for(site_inputs, plan_date)
    frozen = None
    if config.replan_at is not None:
        frozen = _replan_state(config, warehouse, site_inputs, horizon, plan_date)
    elif config.tripped_units or config.unavailable_until is not None:
        raise dg.Failure("tripped_units and unavailable_until need replan_at (the re-plan's "
                         "moment)")
    options = ScheduleOptions(backend=config.backend, time_limit_s=config.time_limit_s,
                              seed=config.seed, repeatable=config.repeatable)
    if config.never_drop or config.drop_penalty_per_priority is not None:
        options = dataclasses.replace(options, drop_penalty_per_priority=_penalties(config))
    if config.late_penalty_per_hour is not None:
        options = dataclasses.replace(options, late_penalty_per_hour=_checked(
            "late_penalty_per_hour", config.late_penalty_per_hour, "delay"))
    if config.move_penalty or config.move_penalty_per_priority is not None:
        options = dataclasses.replace(options, move_penalty=_move_penalty(config))
    result = optimize_plan(site_inputs, horizon.grid, horizon.series, options, frozen=frozen)
    for warning in result.warnings:
        context.log.warning(warning)
    costed = cost(result.plan, site_inputs, horizon)
    # Why a unit sits idle: its maintenance and trips in the day, as the plan was held to them.
    extra = {"unavailable": dg.MetadataValue.json(unavailable_json(site_inputs, horizon, frozen))}
    if result.late_jobs:
        extra["late_jobs"] = dg.MetadataValue.json(result.late_jobs)
    # The planner's penalties, exactly, so that a trip's re-plan of the day keeps them.
    extra["penalties"] = dg.MetadataValue.json({
        "drop_penalty_per_priority": None if options.drop_penalty_per_priority is None
        else list(options.drop_penalty_per_priority),
        "late_penalty_per_hour": None if options.late_penalty_per_hour is None
        else list(options.late_penalty_per_hour),
        "move_penalty": list(options.move_penalty) if isinstance(options.move_penalty, tuple)
        else options.move_penalty})
    if site_inputs.trips:  # the trip sensor does not repeat a fresh plan that read its trip
        from heatcraft.intake.equipment_trips import trip_read

        extra["trips_read"] = dg.MetadataValue.json([trip_read(t) for t in site_inputs.trips])
    if frozen is not None:
        from heatcraft.planning import job_priorities, replan_summary

        extra["replan"] = dg.MetadataValue.json(
            replan_summary(frozen, horizon.grid, result.plan, options.move_penalty,
                           job_priorities(site_inputs)))
    return _materialize_plan(
        context, warehouse, site_inputs, costed, horizon, plan_date, "optimized_plan", extra,
        frozen,
    )


def _penalties(config: OptimizerConfig) -> tuple[float, ...] | None:
    if config.never_drop:
        if config.drop_penalty_per_priority is not None:
            raise dg.Failure("give drop_penalty_per_priority or never_drop, not both")
        return None
    return _checked("drop_penalty_per_priority", config.drop_penalty_per_priority, "drop")


def _move_penalty(config: OptimizerConfig) -> float | tuple[float, ...]:
    """The config's move penalty as ScheduleOptions takes it; a bad one fails the run."""
    from heatcraft.scheduling.options import check_move_penalty

    if config.move_penalty and config.move_penalty_per_priority is not None:
        raise dg.Failure("give move_penalty or move_penalty_per_priority, not both")
    field, value = ("move_penalty", config.move_penalty) \
        if config.move_penalty_per_priority is None \
        else ("move_penalty_per_priority", config.move_penalty_per_priority)
    try:
        return check_move_penalty(value)
    except ValueError as exc:
        raise dg.Failure(f"{field}: {exc}") from exc


def _checked(field: str, values: list[float], what: str) -> tuple[float, ...]:
    """`values` of the config's `field` as ScheduleOptions takes them; a bad one fails the run."""
    from heatcraft.scheduling.options import check_drop_penalty

    try:
        return check_drop_penalty(tuple(values), what=what)
    except ValueError as exc:
        raise dg.Failure(f"{field}: {exc}") from exc


def _replan_state(config: OptimizerConfig, warehouse: WarehouseResource,
                  inputs: "SiteInputs", horizon: "Horizon", plan_date: date):
    """The re-plan's starting point: the partition's stored optimized plan (assignments and
    unit runs), checked against the site like the command line's --previous."""
    from heatcraft.errors import InputError
    from heatcraft.planning import ReplanRequest, frozen_state

    previous = _stored_plan(warehouse, inputs, horizon, plan_date)
    if previous is None:
        raise dg.Failure(f"no optimized plan of {inputs.site.id} on {plan_date} in the "
                         "warehouse to re-plan from: materialize optimized_plan first")
    request = ReplanRequest(
        now=config.replan_at, previous=previous, previous_source="the stored optimized plan",
        tripped=tuple(config.tripped_units), unavailable_until=config.unavailable_until,
        options={"now": "replan_at", "tripped": "tripped_units",
                 "unavailable_until": "unavailable_until"})
    try:
        return frozen_state(request, inputs, horizon)
    except InputError as exc:
        raise dg.Failure(f"cannot re-plan: {exc.report()}") from exc


def _stored_plan(warehouse: WarehouseResource, inputs: "SiteInputs", horizon: "Horizon",
                 plan_date: date):
    from heatcraft.models import Assignment, Plan, UnitRun

    keys = [inputs.site.id, plan_date, "optimized"]
    where = "WHERE site_id = $1 AND plan_date = $2 AND plan_kind = $3"
    try:
        # Every plan has its load profile, also a day with nothing placed (no assignments).
        [stored] = warehouse.query("SELECT COUNT(*) AS steps FROM "
                                   f"{warehouse.qualified_name(LOAD_PROFILE)} {where}", keys)
        jobs = warehouse.query(f"SELECT * FROM {warehouse.qualified_name(PLAN_ASSIGNMENTS)} "
                               f"{where} AND NOT dropped", keys)
        runs = warehouse.query(f"SELECT * FROM {warehouse.qualified_name(UNIT_RUNS)} {where}",
                               keys)
    except Exception as exc:  # no warehouse or table yet, or it cannot be read: say which
        raise dg.Failure(f"cannot read the stored optimized plan of {inputs.site.id} on "
                         f"{plan_date} to re-plan from: {exc}") from exc
    if not stored["steps"]:
        return None
    grid = horizon.grid
    return Plan(
        site_id=inputs.site.id, kind="optimized", horizon_start=grid.start,
        horizon_end=grid.end, step_minutes=grid.step_minutes,
        assignments=tuple(Assignment(**{k: row[k] for k in (
            "job_id", "equipment_id", "start", "end", "heat_kw", "input_kw", "carrier")})
            for row in jobs),
        runs=tuple(UnitRun(**{k: row[k] for k in ("equipment_id", "start", "end")})
                   for row in runs),
    )


@dg.asset(
    group_name="plans",
    partitions_def=site_day_partitions,
    code_version=CODE_VERSION,
    kinds={"python", "duckdb"},
    description="What the optimized plan saves against the FIFO baseline, by component "
    "(energy, fuel, startup, demand, fixed).",
)
def plan_savings(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    site_inputs,
    baseline_plan,
    optimized_plan,
) -> dg.MaterializeResult[dict]:
    from heatcraft.costs.plan_cost import savings
    from heatcraft.provenance import sha256_of
    from heatcraft.tables import savings_rows

    site_id, plan_date = site_and_date(context)
    saved = savings(baseline_plan.cost, optimized_plan.cost)
    rows = savings_rows(site_id, plan_date, baseline_plan.cost, optimized_plan.cost)
    plans_sha256 = sha256_of([baseline_plan.sha256, optimized_plan.sha256])
    output_sha256 = sha256_of(rows)
    counts = warehouse.replace_partition(
        {
            PLAN_SAVINGS: rows,
            PROVENANCE: [
                provenance_row(
                    site_id,
                    plan_date,
                    "plan_savings",
                    context.run.run_id,
                    plans_sha256,
                    output_sha256,
                    site_inputs.source_sha256,
                    None,
                )
            ],
        },
        keys={"site_id": site_id, "plan_date": plan_date, "asset": "plan_savings"},
    )
    return dg.MaterializeResult(
        value=saved,
        metadata={
            **table_metadata(PLAN_SAVINGS, counts[PLAN_SAVINGS.name]),
            "baseline_total": round(baseline_plan.cost.total, 2),
            "optimized_total": round(optimized_plan.cost.total, 2),
            "saving_total": saved["total"],
            "saving_pct": saved["total_pct"],
            "saving_by_component": dg.MetadataValue.json(saved),
            **provenance_metadata(
                inputs_sha256=plans_sha256,
                output_sha256=output_sha256,
                sources=site_inputs.source_sha256,
            ),
        },
    )
