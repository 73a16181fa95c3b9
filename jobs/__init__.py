"""Asset jobs."""

import dagster as dg

# Partitioned by site and day: Dagster infers it from the selected assets.
daily_plan_job = dg.define_asset_job(
    name="daily_plan",
    selection=dg.AssetSelection.groups("inputs", "plans", "fuels", "reports"),
    description="Load a site's inputs, build the FIFO and the optimized plan, cost and compare "
    "them, then carry the plan's fuel use into the fuel mix, emissions and purchases.",
)

__all__ = ["daily_plan_job"]
