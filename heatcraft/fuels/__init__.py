"""Fuels: site fuel files, exact fuel mix (LP/MILP) with shadow prices and a Pareto frontier, the
greedy baseline it is measured against, and fuel demand from a heat plan.

Energy is GJ on a net (LHV) basis throughout. `blending.py` (generic blending) lives alongside.
"""

from heatcraft.fuels.fuel_demand import FuelDemand, fuel_demand_by_day
from heatcraft.fuels.greedy_baseline import GreedyMix, greedy_mix
from heatcraft.fuels.mix_optimizer import OptimizedMix, optimize_mix
from heatcraft.fuels.mix_problem import FuelMixProblem, FuelOption
from heatcraft.fuels.mix_report import FuelMixReport
from heatcraft.fuels.mix_request import MixLimits, fuel_mix_request, site_fuel_mix, solve_mix
from heatcraft.fuels.pareto import ParetoPoint, pareto_frontier
from heatcraft.fuels.properties import FuelPrice, FuelProperties, InventoryItem
from heatcraft.fuels.request_errors import RequestError
from heatcraft.fuels.site_files import SiteFuels, load_site_fuels

__all__ = [
    "FuelDemand",
    "FuelMixProblem",
    "FuelMixReport",
    "FuelOption",
    "FuelPrice",
    "FuelProperties",
    "GreedyMix",
    "InventoryItem",
    "MixLimits",
    "OptimizedMix",
    "ParetoPoint",
    "RequestError",
    "SiteFuels",
    "fuel_demand_by_day",
    "fuel_mix_request",
    "greedy_mix",
    "load_site_fuels",
    "optimize_mix",
    "pareto_frontier",
    "site_fuel_mix",
    "solve_mix",
]
