"""Emissions: factor database (IPCC 2006, EPA Hub) with source/table/year/basis on every factor,
GWP sets (AR6 default, AR5, AR4), scope 1/2/3 footprint with biogenic CO2 apart."""

from heatcraft.emissions.factor_database import EmissionFactor, all_factors, lookup_factor
from heatcraft.emissions.footprint import CarbonFootprint, EmissionLine, carbon_footprint
from heatcraft.emissions.gwp import GwpValues, gwp_values
from heatcraft.emissions.request import emissions_request, site_carbon_footprint

__all__ = [
    "CarbonFootprint",
    "EmissionFactor",
    "EmissionLine",
    "GwpValues",
    "all_factors",
    "carbon_footprint",
    "emissions_request",
    "gwp_values",
    "lookup_factor",
    "site_carbon_footprint",
]
