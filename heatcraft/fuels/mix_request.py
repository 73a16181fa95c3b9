"""`heatcraft fuel-mix FILE`: request dict in, result dict out; and the site-level mix function
that a pipeline asset calls with plain numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from heatcraft.emissions.gwp import DEFAULT_GWP_SET
from heatcraft.errors import InputError
from heatcraft.fuels.greedy_baseline import greedy_mix
from heatcraft.fuels.mix_optimizer import optimize_mix
from heatcraft.fuels.mix_problem import (
    FuelMixProblem,
    FuelOption,
    MixSettings,
)
from heatcraft.fuels.mix_report import FuelMixReport
from heatcraft.fuels.pareto import pareto_frontier
from heatcraft.fuels.request_errors import RequestError, parse_request, request_error
from heatcraft.fuels.site_files import SiteFuels, load_site_fuels
from heatcraft.fuels.site_options import site_fuel_options


class MixLimits(MixSettings):
    """Objective and limits shared by the request and the site-level function, and what to
    report besides the mix."""

    pareto_points: int = Field(default=0, ge=0, le=50, description="0: no frontier")
    greedy_baseline: bool = True


class FuelMixRequest(MixLimits):
    site_dir: str | None = Field(default=None, description="folder with fuels.csv etc.")
    options: list[FuelOption] | None = Field(default=None, description="inline fuels instead")
    fuels: list[str] | None = Field(default=None, description="subset of the site's fuels")
    efficiency: dict[str, float] = Field(default_factory=dict)
    demand_gj: float | list[float] = Field(description="useful heat per period, GJ")
    period_labels: list[str] | None = None
    gwp_set: Literal["AR6", "AR5", "AR4"] = DEFAULT_GWP_SET
    currency: str | None = None


def fuel_mix_request(request: dict) -> dict:
    """Solve a fuel-mix request (see FuelMixRequest); raises RequestError naming the bad field."""
    parsed = parse_request(FuelMixRequest, request)
    if (parsed.site_dir is None) == (parsed.options is None):
        raise request_error("site_dir", "give exactly one of site_dir or options")
    currency = parsed.currency or "USD"
    if parsed.site_dir is not None:
        site = _load_site(parsed.site_dir)
        currency = parsed.currency or site.currency
        fuel_ids = parsed.fuels or sorted(site.fuels)
        _check_names(fuel_ids, set(site.fuels), "fuels")
        _check_names(parsed.efficiency, set(fuel_ids), "efficiency")
        options = site_fuel_options(site, fuel_ids, parsed.efficiency, parsed.gwp_set)
    else:
        options = parsed.options or []
        if parsed.fuels or parsed.efficiency:
            raise request_error("fuels", "fuels/efficiency apply to site_dir; set them in options")
    demand = [parsed.demand_gj] if isinstance(parsed.demand_gj, int | float) else parsed.demand_gj
    report = solve_mix(
        options,
        demand,
        MixLimits.model_validate(parsed.model_dump(include=set(MixLimits.model_fields))),
        period_labels=parsed.period_labels,
        currency=currency,
        gwp_set=parsed.gwp_set,
    )
    return report.to_dict()


def solve_mix(
    options: Sequence[FuelOption],
    demand_gj: Sequence[float],
    limits: MixLimits,
    period_labels: Sequence[str] | None = None,
    currency: str = "USD",
    gwp_set: str | None = None,
) -> FuelMixReport:
    _check_limit_names(limits, {option.fuel_id for option in options})
    try:
        problem = FuelMixProblem(
            options=list(options),
            demand_gj=list(demand_gj),
            period_labels=list(period_labels) if period_labels else None,
            **limits.model_dump(exclude={"pareto_points", "greedy_baseline"}),
        )
    except ValidationError as exc:
        raise request_error("demand_gj", str(exc.errors()[0]["msg"])) from None
    mix = optimize_mix(problem)
    greedy = greedy_mix(problem) if limits.greedy_baseline else None
    frontier = (
        pareto_frontier(problem, limits.pareto_points)
        if limits.pareto_points >= 2 and mix.ok
        else []
    )
    return FuelMixReport(problem, mix, currency, greedy, frontier, gwp_set)


def site_fuel_mix(
    site: SiteFuels | str | Path,
    demand_gj_by_day: Mapping[str, float] | Sequence[float],
    fuels: Sequence[str] | None = None,
    efficiency: Mapping[str, float] | None = None,
    limits: MixLimits | Mapping[str, object] | None = None,
    gwp_set: str = DEFAULT_GWP_SET,
) -> FuelMixReport:
    """Mix for a site's multi-fuel demand (useful heat GJ per day; with efficiency 1.0 the demand
    is fuel input). Returns a FuelMixReport with to_dict(), rows(), binding_limit_rows(),
    pareto_rows() and summary_row()."""
    loaded = site if isinstance(site, SiteFuels) else load_site_fuels(site)
    if isinstance(demand_gj_by_day, Mapping):
        labels: list[str] | None = [str(day) for day in demand_gj_by_day]
        demand = [float(value) for value in demand_gj_by_day.values()]
    else:
        labels, demand = None, [float(value) for value in demand_gj_by_day]
    fuel_ids = list(fuels) if fuels else sorted(loaded.fuels)
    _check_names(fuel_ids, set(loaded.fuels), "fuels")
    options = site_fuel_options(loaded, fuel_ids, efficiency, gwp_set)
    chosen = limits if isinstance(limits, MixLimits) else MixLimits.model_validate(limits or {})
    return solve_mix(options, demand, chosen, labels, loaded.currency, gwp_set)


def _load_site(site_dir: str) -> SiteFuels:
    try:
        return load_site_fuels(site_dir)
    except InputError as exc:
        raise RequestError(exc.issues) from None


def _check_names(names, known: set[str], field: str) -> None:
    for name in names:
        if name not in known:
            raise request_error(f"{field}.{name}", f"unknown fuel; known: {sorted(known)}")


def _check_limit_names(limits: MixLimits, known: set[str]) -> None:
    _check_names(limits.share_limits, known, "share_limits")
    _check_names(limits.fuel_emission_caps, known, "fuel_emission_caps")
    for index, pair in enumerate(limits.incompatible_pairs):
        _check_names(pair, known, f"incompatible_pairs.{index}")
    if limits.quality_limits and limits.quality_limits.fuels:
        _check_names(limits.quality_limits.fuels, known, "quality_limits.fuels")
