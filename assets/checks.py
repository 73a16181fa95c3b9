"""Check results computed inside the assets: data quality on inputs, correctness on plans.

The checks run in the asset's own step (declared with check_specs), so they see the exact
partition just built and nothing is loaded twice; blocking checks stop downstream assets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from resources.warehouse import WarehouseResource

if TYPE_CHECKING:  # engine modules load at run time, keeping the code location fast to load
    from heatcraft.intake.site_folder import SiteInputs
    from heatcraft.planning import CostedPlan, Horizon

COST_TOLERANCE = 0.01  # currency: the warehouse round trip may not change a bill by a cent


def input_check_specs(asset: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "expectations",
            asset=asset,
            blocking=True,
            description="Great Expectations suite on jobs and equipment.",
        )
    ]


def plan_check_specs(asset: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "verified",
            asset=asset,
            blocking=True,
            description="Independent verifier: windows, must-run, capacity, "
            "parallel jobs, maintenance, min run/off, starts per day, "
            "contract peak; cost recomputed.",
        ),
        dg.AssetCheckSpec(
            "cost_recomputed",
            asset=asset,
            description="The load profile read back from the warehouse, re-billed, "
            "gives the stored electric bill.",
        ),
    ]


def expectations_result(asset: str, inputs: SiteInputs) -> dg.AssetCheckResult:
    from heatcraft.quality import expectations_on_inputs  # GX import takes seconds: only here

    outcome = expectations_on_inputs(inputs)
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name="expectations",
        passed=outcome.success,
        metadata={
            "evaluated": outcome.evaluated,
            "failed": dg.MetadataValue.json(outcome.failures),
        },
    )


def verified_result(
    asset: str, costed: CostedPlan, inputs: SiteInputs, horizon: Horizon, frozen=None
) -> dg.AssetCheckResult:
    """`frozen`: a re-plan's state, so the verifier excuses a tripped unit's short run and
    holds the plan to the past it keeps."""
    from heatcraft.scheduling import verify_plan

    # The options the plan was made with (its solver report) say whether a job may end late.
    solver = costed.plan.solver
    allow_late = solver is not None and solver.parameters.get("late_penalty_per_hour") is not None
    verdict = verify_plan(costed.plan, inputs, horizon.grid, horizon.series, frozen=frozen,
                          allow_late=allow_late)
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name="verified",
        passed=verdict.ok,
        metadata={
            "violations": len(verdict.violations),
            "first_violations": dg.MetadataValue.json([str(v) for v in verdict.violations[:20]]),
        },
    )


def cost_recomputed_result(
    asset: str,
    warehouse: WarehouseResource,
    costed: CostedPlan,
    inputs: SiteInputs,
    horizon: Horizon,
    plan_date,
) -> dg.AssetCheckResult:
    """Re-bill the load profile as stored in the warehouse and compare with the stored bill."""
    import numpy as np

    from heatcraft.tariffs import bill_load

    key = [inputs.site.id, plan_date, costed.plan.kind]
    profile = warehouse.query(
        f"SELECT electric_kw FROM {warehouse.qualified_name('load_profile')} "
        "WHERE site_id = $1 AND plan_date = $2 AND plan_kind = $3 ORDER BY step_start",
        key,
    )
    stored = warehouse.query(
        f"SELECT amount FROM {warehouse.qualified_name('plan_costs')} WHERE site_id = $1 "
        "AND plan_date = $2 AND plan_kind = $3 AND item = 'electric_bill'",
        key,
    )
    bill = bill_load(
        inputs.tariff,
        horizon.series,
        np.array([row["electric_kw"] for row in profile], dtype=float),
        billed_peak_kw=inputs.site.billed_peak_kw,
        policy="incremental",
    )
    stored_bill = stored[0]["amount"] if stored else float("nan")
    difference = abs(bill.total - stored_bill)
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name="cost_recomputed",
        passed=bool(difference <= COST_TOLERANCE),
        metadata={
            "recomputed_electric_bill": round(bill.total, 4),
            "stored_electric_bill": round(stored_bill, 4),
            "difference": round(difference, 6),
        },
    )
