"""Software-defined assets of Heatcraft: thin wrappers that load inputs, call an engine and
write tables with metadata."""

from assets.fuels import FUEL_ASSETS
from assets.plans import baseline_plan, optimized_plan, plan_savings
from assets.reports import plan_report
from assets.site_inputs import site_inputs

PLANNING_ASSETS = [site_inputs, baseline_plan, optimized_plan, plan_savings]
REPORT_ASSETS = [plan_report]

__all__ = ["FUEL_ASSETS", "PLANNING_ASSETS", "REPORT_ASSETS"]
