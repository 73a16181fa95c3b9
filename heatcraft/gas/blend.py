"""Cheapest blend of gases (natural gas, biomethane, hydrogen, ...) within a Wobbe index window.

Sources mix by mole fraction y_j; the blend's composition is sum_j y_j x_j. Cost basis: each
source has a price per GJ of gross calorific value (molar basis at the combustion temperature, as
gas is traded), and the objective is the blend's cost per GJ, sum y_j H_j c_j / sum y_j H_j. That
ratio is made linear with the Charnes-Cooper substitution n_j = y_j / sum y_k H_k (kmol of source j
per GJ delivered): minimize sum n_j H_j c_j subject to sum n_j H_j = 1, and every limit on the
mole fractions becomes homogeneous linear in n (y_j = n_j / N with N = sum n_j).

The Wobbe index W = C H / sqrt(M Z) (H molar gross CV, M molar mass, both linear in y; Z the ISO
6976 compression factor) is not linear. It is linearized conservatively, so every LP solution is
inside the exact window:
- Z is replaced by its bound over all mixes of the sources (Z = 1 - S^2, S linear in y), the low
  bound for W <= max and the high bound for W >= min (at most ~0.1 % of W);
- W <= max  <=>  H <= b sqrt(M): sqrt is concave, so its piecewise-linear interpolant (the minimum
  of its chords) lies below it and H <= b * chord_k(M) for every chord k is sufficient;
- W >= min  <=>  H >= a sqrt(M): a tangent of sqrt lies above it, so H >= a * tangent(M; M0) is
  sufficient, and exact at M0.
The tangent point is then moved to the solution's molar mass, Z is bounded over a shrinking trust
region of S around the solution, and the LP re-solved until the cost stops improving; this runs
from several starting tangent points because the W >= min region need not be convex, and the
cheapest exactly feasible blend is kept. Every LP solution is checked with the exact ISO 6976
calculation; should one fall outside (it should not), the window is tightened by the violation and
the LP re-solved. All iterations are reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ortools.math_opt.python import mathopt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from heatcraft.gas.composition import validate_composition
from heatcraft.gas.errors import GasInputError
from heatcraft.gas.iso6976 import (
    GasProperties,
    combustion_temperature,
    gas_properties,
    metering_temperature,
)
from heatcraft.gas.iso6976_data import components, constants
from heatcraft.requests import parse_request

SOLVER = mathopt.SolverType.HIGHS
CHORD_PIECES = 64  # pieces of the sqrt(M) interpolant for W <= max (conservatism ~1e-4)
TANGENT_STARTS = 8  # evenly spaced starting tangent points in M, besides each source's M
MAX_ITERATIONS_DEFAULT = 80
SUMMATION_TRUST_RADIUS = 0.002  # in S; Z then varies by < 4e-4 within the region
MIN_TRUST_RADIUS = 1e-6  # polishing stops once Z is bounded this tightly
POLISH_WITHIN = 0.01  # polish only starts within 1 % of the best cost found so far
IMPROVEMENT_TOLERANCE = 1e-7  # relative cost change that ends the refinement of one start
CHECK_TOLERANCE = 1e-9  # relative slack allowed in the exact check (float rounding only)
HYDROGEN_TOLERANCE = 1e-7  # mole fraction; the LP's own primal feasibility tolerance
COST_BASIS = (
    "currency per GJ of gross calorific value (molar basis at the combustion temperature); "
    "each source's cost_per_gj is on the same basis"
)


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    max: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class GasSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    composition: dict[str, float]
    cost_per_gj: float = Field(allow_inf_nan=False)
    min_fraction: float = Field(default=0.0, ge=0.0, le=1.0)  # mole fraction of the blend
    max_fraction: float = Field(default=1.0, ge=0.0, le=1.0)


class GasBlendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[GasSource] = Field(min_length=1)
    wobbe_index_mj_per_m3: Window = Window()  # gross Wobbe index at the reference pair
    max_hydrogen_fraction: float | None = Field(default=None, ge=0.0, le=1.0)
    min_gross_calorific_value_mj_per_m3: float | None = Field(default=None, gt=0)
    combustion_temperature_c: float = 15.0
    metering_temperature_c: float = 15.0
    normalize: bool = False
    max_iterations: int = Field(default=MAX_ITERATIONS_DEFAULT, ge=1, le=1000)

    @model_validator(mode="after")
    def _unique_ids(self) -> GasBlendRequest:
        ids = [source.id for source in self.sources]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate source ids: {duplicates}")
        return self


@dataclass(frozen=True)
class SourceData:
    """Per-source quantities that enter the blend linearly."""

    id: str
    composition: dict[str, float]
    cost_per_gj: float
    min_fraction: float
    max_fraction: float
    gross_kj_per_mol: float
    molar_mass: float
    summation_factor: float  # sum x_i s_i at the metering temperature
    hydrogen_fraction: float


@dataclass(frozen=True)
class Linearization:
    tangent_molar_mass: float  # M0 of the tangent used for W >= min
    wobbe_low: float | None  # window actually imposed (tightened after a failed exact check)
    wobbe_high: float | None
    cv_low: float | None
    hydrogen_cap: float | None
    # Trust region on S = sum x_i s_i; None = every mix. A narrow S range gives tight Z bounds.
    summation_range: tuple[float, float] | None = None


def _source_data(source: GasSource, t1: float, t2: float, normalize: bool) -> SourceData:
    try:
        fractions = validate_composition(source.composition, normalize=normalize)
    except GasInputError as error:
        raise GasInputError(f"source {source.id!r}: {error}") from None
    table = components()
    return SourceData(
        id=source.id,
        composition=fractions,
        cost_per_gj=source.cost_per_gj,
        min_fraction=source.min_fraction,
        max_fraction=source.max_fraction,
        gross_kj_per_mol=math.fsum(
            x * table[n].gross_calorific_value_kj_per_mol[t1] for n, x in fractions.items()
        ),
        molar_mass=math.fsum(x * table[n].molar_mass_kg_per_kmol for n, x in fractions.items()),
        summation_factor=math.fsum(x * table[n].summation_factor[t2] for n, x in fractions.items()),
        hydrogen_fraction=fractions.get("hydrogen", 0.0),
    )


def blend_composition(sources: list[SourceData], fractions: dict[str, float]) -> dict[str, float]:
    mixed: dict[str, float] = {}
    for source in sources:
        for name, x in source.composition.items():
            mixed[name] = mixed.get(name, 0.0) + fractions[source.id] * x
    total = math.fsum(mixed.values())
    return {name: value / total for name, value in mixed.items() if value > 0.0}


@dataclass(frozen=True)
class _Constants:
    ideal_mol_per_m3: float  # p / (R T2)
    wobbe_factor: float  # C in W = C H / sqrt(M Z), H in kJ/mol, W in MJ/m3
    summation_range: tuple[float, float]  # S = sum x_i s_i over all mixes of the sources


def _blend_constants(sources: list[SourceData], t2: float) -> _Constants:
    const = constants()
    ideal = (
        const.reference_pressure_kpa * 1000 / (const.molar_gas_constant_j_per_mol_k * (t2 + 273.15))
    )
    factor = (
        ideal
        / 1000
        * math.sqrt(const.molar_mass_dry_air_kg_per_kmol / const.compression_factor_air[t2])
    )
    s_values = [s.summation_factor for s in sources]
    return _Constants(ideal, factor, (min(s_values), max(s_values)))


def compression_factor_bounds(s_low: float, s_high: float) -> tuple[float, float]:
    """Lowest and highest Z = 1 - S^2 for S in [s_low, s_high]."""
    z_low = 1 - max(s_low**2, s_high**2)
    z_high = 1.0 if s_low <= 0.0 <= s_high else 1 - min(s_low**2, s_high**2)
    return z_low, z_high


def _chords(m_low: float, m_high: float) -> list[tuple[float, float]]:
    """(intercept, slope) of lines whose minimum stays below sqrt(M) on [m_low, m_high]."""
    if m_high - m_low < 1e-12:
        root = math.sqrt(m_low)
        return [(root / 2, 1 / (2 * root))]  # tangent; M is constant anyway
    # Breakpoints evenly spaced in sqrt(M): denser at low M, where sqrt bends most.
    u_low, u_high = math.sqrt(m_low), math.sqrt(m_high)
    points = [(u_low + (u_high - u_low) * k / CHORD_PIECES) ** 2 for k in range(CHORD_PIECES + 1)]
    lines = []
    for left, right in zip(points, points[1:], strict=False):
        slope = (math.sqrt(right) - math.sqrt(left)) / (right - left)
        lines.append((math.sqrt(left) - slope * left, slope))
    return lines


def _solve_lp(
    request: GasBlendRequest,
    sources: list[SourceData],
    blend_constants: _Constants,
    linearization: Linearization,
) -> dict[str, float] | None:
    """Mole fractions of the cheapest blend under the linearized limits, or None if infeasible."""
    model = mathopt.Model(name="gas blend")
    kmol = {s.id: model.add_variable(lb=0.0, name=f"n[{s.id}]") for s in sources}
    total = mathopt.fast_sum(kmol.values())
    # H in kJ/mol = MJ/kmol; n in kmol per GJ: sum n H / 1000 = 1 GJ.
    energy = mathopt.fast_sum(s.gross_kj_per_mol * kmol[s.id] for s in sources)
    mass = mathopt.fast_sum(s.molar_mass * kmol[s.id] for s in sources)
    model.add_linear_constraint(energy == 1000.0, name="one GJ")
    s_range = blend_constants.summation_range
    if linearization.summation_range is not None:
        s_range = linearization.summation_range
        summation = mathopt.fast_sum(s.summation_factor * kmol[s.id] for s in sources)
        model.add_linear_constraint(summation >= s_range[0] * total)
        model.add_linear_constraint(summation <= s_range[1] * total)
    z_low, z_high = compression_factor_bounds(*s_range)
    for s in sources:
        if s.min_fraction > 0:
            model.add_linear_constraint(kmol[s.id] >= s.min_fraction * total)
        if s.max_fraction < 1:
            model.add_linear_constraint(kmol[s.id] <= s.max_fraction * total)
    if linearization.hydrogen_cap is not None:
        hydrogen = mathopt.fast_sum(s.hydrogen_fraction * kmol[s.id] for s in sources)
        model.add_linear_constraint(hydrogen <= linearization.hydrogen_cap * total)
    if linearization.cv_low is not None:
        # Hv = K H / Z >= K H / Z_high: requiring the right side is sufficient.
        needed = linearization.cv_low * 1000 * z_high
        model.add_linear_constraint(
            energy * blend_constants.ideal_mol_per_m3 >= needed * total, name="min CV"
        )
    c = blend_constants.wobbe_factor
    if linearization.wobbe_high is not None:
        b = linearization.wobbe_high * math.sqrt(z_low) / c
        masses = [s.molar_mass for s in sources]
        for intercept, slope in _chords(min(masses), max(masses)):
            model.add_linear_constraint(energy <= b * (intercept * total + slope * mass))
    if linearization.wobbe_low is not None:
        a = linearization.wobbe_low * math.sqrt(z_high) / c
        root = math.sqrt(linearization.tangent_molar_mass)
        intercept, slope = root / 2, 1 / (2 * root)
        model.add_linear_constraint(energy >= a * (intercept * total + slope * mass))
    model.minimize(
        mathopt.fast_sum(s.gross_kj_per_mol * s.cost_per_gj * kmol[s.id] for s in sources) / 1000.0
    )
    result = mathopt.solve(model, SOLVER)
    reason = result.termination.reason
    if reason in (
        mathopt.TerminationReason.INFEASIBLE,
        mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED,
    ):
        return None
    if reason != mathopt.TerminationReason.OPTIMAL:
        raise RuntimeError(f"gas blend LP stopped with {reason.name}")
    values = {s.id: max(0.0, result.variable_values(kmol[s.id])) for s in sources}
    moles = math.fsum(values.values())
    return {key: value / moles for key, value in values.items()}


@dataclass(frozen=True)
class _Evaluation:
    fractions: dict[str, float]
    composition: dict[str, float]
    properties: GasProperties
    cost_per_gj: float
    molar_mass: float
    violations: dict[str, float]  # limit -> relative amount by which the exact value misses it


def _evaluate(
    request: GasBlendRequest, sources: list[SourceData], fractions: dict[str, float]
) -> _Evaluation:
    composition = blend_composition(sources, fractions)
    properties = gas_properties(
        composition,
        combustion_temperature_c=request.combustion_temperature_c,
        metering_temperature_c=request.metering_temperature_c,
        normalize=True,  # only to absorb float rounding of the mixed fractions
    )
    energy = math.fsum(fractions[s.id] * s.gross_kj_per_mol for s in sources)
    cost = math.fsum(fractions[s.id] * s.gross_kj_per_mol * s.cost_per_gj for s in sources)
    wobbe = properties.wobbe_index_gross_mj_per_m3
    window = request.wobbe_index_mj_per_m3
    violations: dict[str, float] = {}
    if window.min is not None and wobbe < window.min * (1 - CHECK_TOLERANCE):
        violations["wobbe min"] = (window.min - wobbe) / window.min
    if window.max is not None and wobbe > window.max * (1 + CHECK_TOLERANCE):
        violations["wobbe max"] = (wobbe - window.max) / window.max
    cv_min = request.min_gross_calorific_value_mj_per_m3
    cv = properties.gross_calorific_value_mj_per_m3
    if cv_min is not None and cv < cv_min * (1 - CHECK_TOLERANCE):
        violations["gross CV min"] = (cv_min - cv) / cv_min
    hydrogen_cap = request.max_hydrogen_fraction
    hydrogen = composition.get("hydrogen", 0.0)
    if hydrogen_cap is not None and hydrogen > hydrogen_cap + HYDROGEN_TOLERANCE:
        violations["hydrogen max"] = (hydrogen - hydrogen_cap) / max(hydrogen_cap, 1e-9)
    return _Evaluation(
        fractions=fractions,
        composition=composition,
        properties=properties,
        cost_per_gj=cost / energy,
        molar_mass=properties.molar_mass_kg_per_kmol,
        violations=violations,
    )


def _starting_tangents(sources: list[SourceData]) -> list[float]:
    masses = [s.molar_mass for s in sources]
    low, high = min(masses), max(masses)
    spread = [low + (high - low) * k / (TANGENT_STARTS - 1) for k in range(TANGENT_STARTS)]
    return sorted({round(m, 9) for m in masses + spread})


def solve_gas_blend(request: GasBlendRequest) -> dict[str, Any]:
    """Cheapest blend inside the exact limits (see the module docstring) as a JSON-like dict."""
    t1 = combustion_temperature(request.combustion_temperature_c)
    t2 = metering_temperature(request.metering_temperature_c)
    sources = [_source_data(s, t1, t2, request.normalize) for s in request.sources]
    blend_constants = _blend_constants(sources, t2)
    window = request.wobbe_index_mj_per_m3

    iterations: list[dict[str, Any]] = []
    best: _Evaluation | None = None
    budget = request.max_iterations
    seen_blends: set[tuple[float, ...]] = set()
    for start, tangent in enumerate(_starting_tangents(sources)):
        linearization = Linearization(
            tangent,
            window.min,
            window.max,
            request.min_gross_calorific_value_mj_per_m3,
            request.max_hydrogen_fraction,
        )
        previous_cost = math.inf
        this_start: set[tuple[float, ...]] = set()
        polishing = False  # phase 2: trust region on S for tight Z bounds
        radius = SUMMATION_TRUST_RADIUS
        while budget > 0:
            budget -= 1
            fractions = _solve_lp(request, sources, blend_constants, linearization)
            record: dict[str, Any] = {
                "start": start,
                "phase": "polish" if polishing else "tangent",
                "tangent_molar_mass_kg_per_kmol": linearization.tangent_molar_mass,
                "wobbe_window_used_mj_per_m3": [linearization.wobbe_low, linearization.wobbe_high],
                "min_gross_cv_used_mj_per_m3": linearization.cv_low,
            }
            if fractions is None:
                record["lp_status"] = "infeasible"
                iterations.append(record)
                break
            evaluation = _evaluate(request, sources, fractions)
            record.update(
                lp_status="optimal",
                cost_per_gj=evaluation.cost_per_gj,
                exact_wobbe_index_mj_per_m3=evaluation.properties.wobbe_index_gross_mj_per_m3,
                exact_gross_cv_mj_per_m3=evaluation.properties.gross_calorific_value_mj_per_m3,
                within_limits=not evaluation.violations,
            )
            iterations.append(record)
            if evaluation.violations:
                linearization = _tightened(linearization, evaluation.violations)
                continue
            if best is None or evaluation.cost_per_gj < best.cost_per_gj:
                best = evaluation
            if not polishing:
                # A start that reaches a blend an earlier start passed through would repeat it.
                key = tuple(round(fractions[s.id], 9) for s in sources)
                if key in seen_blends:
                    break
                this_start.add(key)
            improved = previous_cost - evaluation.cost_per_gj > IMPROVEMENT_TOLERANCE * max(
                1.0, abs(evaluation.cost_per_gj)
            )
            if not improved:
                if not polishing:
                    if evaluation.cost_per_gj > best.cost_per_gj * (1 + POLISH_WITHIN):
                        break  # another start already did clearly better
                    polishing = True
                else:
                    radius /= 4  # no progress: tighten the Z bounds further
                    if radius < MIN_TRUST_RADIUS:
                        break
            previous_cost = min(previous_cost, evaluation.cost_per_gj)
            # Re-linearize where we are: the tangent becomes exact at this blend. Once the
            # tangent steps stall, a trust region on S around the blend bounds Z tightly (Z
            # over all mixes costs up to ~0.1 % of W); every LP point stays exactly feasible.
            here = math.fsum(fractions[s.id] * s.summation_factor for s in sources)
            linearization = Linearization(
                evaluation.molar_mass,
                linearization.wobbe_low,
                linearization.wobbe_high,
                linearization.cv_low,
                linearization.hydrogen_cap,
                (here - radius, here + radius) if polishing else None,
            )
        seen_blends |= this_start
        if window.min is None:
            break  # without W >= min the LP does not depend on the tangent point
        if budget <= 0:
            break

    response: dict[str, Any] = {
        "cost_basis": COST_BASIS,
        "iterations": iterations,
        "method": "Charnes-Cooper LP, conservative Wobbe linearization, exact ISO 6976 check",
        "solver": "HiGHS via OR-Tools MathOpt",
    }
    if best is None:
        response.update(status="infeasible", diagnosis=_diagnose(request, sources))
        return response
    energy = {s.id: best.fractions[s.id] * s.gross_kj_per_mol for s in sources}
    total_energy = math.fsum(energy.values())
    response.update(
        status="optimal",
        fractions={key: _clean(v) for key, v in best.fractions.items()},
        energy_shares={key: _clean(v / total_energy) for key, v in energy.items()},
        cost_per_gj=best.cost_per_gj,
        composition=best.composition,
        properties=best.properties.to_dict(),
        limits=_limit_report(request, best),
    )
    return response


def _clean(value: float) -> float:
    return 0.0 if abs(value) < 1e-12 else value


def _tightened(linearization: Linearization, violations: dict[str, float]) -> Linearization:
    """Shrink the imposed window by the observed miss plus a small margin."""

    def squeeze(value: float | None, miss: float | None, direction: int) -> float | None:
        if value is None or miss is None:
            return value
        return value * (1 + direction * (miss + 1e-6))

    return Linearization(
        linearization.tangent_molar_mass,
        squeeze(linearization.wobbe_low, violations.get("wobbe min"), +1),
        squeeze(linearization.wobbe_high, violations.get("wobbe max"), -1),
        squeeze(linearization.cv_low, violations.get("gross CV min"), +1),
        squeeze(linearization.hydrogen_cap, violations.get("hydrogen max"), -1),
        linearization.summation_range,
    )


def _limit_report(request: GasBlendRequest, best: _Evaluation) -> dict[str, Any]:
    window = request.wobbe_index_mj_per_m3
    hydrogen = best.composition.get("hydrogen", 0.0)
    return {
        "wobbe_index_mj_per_m3": {
            "min": window.min,
            "max": window.max,
            "value": best.properties.wobbe_index_gross_mj_per_m3,
        },
        "max_hydrogen_fraction": {"max": request.max_hydrogen_fraction, "value": hydrogen},
        "min_gross_calorific_value_mj_per_m3": {
            "min": request.min_gross_calorific_value_mj_per_m3,
            "value": best.properties.gross_calorific_value_mj_per_m3,
        },
    }


def _diagnose(request: GasBlendRequest, sources: list[SourceData]) -> list[str]:
    """Why no blend was found: limits out of reach of any mix, or their combination."""
    window = request.wobbe_index_mj_per_m3
    notes: list[str] = []
    if window.min is not None and window.max is not None and window.min > window.max:
        return [f"Wobbe window min {window.min:g} is above max {window.max:g}"]
    low_sum = math.fsum(s.min_fraction for s in sources)
    high_sum = math.fsum(s.max_fraction for s in sources)
    if low_sum > 1 + 1e-9:
        notes.append(f"source min_fraction values add up to {low_sum:g} > 1")
    if high_sum < 1 - 1e-9:
        notes.append(f"source max_fraction values add up to {high_sum:g} < 1")
    if notes:
        return notes
    wobbe = {
        s.id: gas_properties(
            s.composition,
            combustion_temperature_c=request.combustion_temperature_c,
            metering_temperature_c=request.metering_temperature_c,
        ).wobbe_index_gross_mj_per_m3
        for s in sources
    }
    listed = ", ".join(f"{key} {value:.3f}" for key, value in wobbe.items())
    highest = max(wobbe.values())
    lowest = _lowest_wobbe_on_pair_mixes(request, sources)
    if window.min is not None and window.min > highest:
        # W^2 of the ideal-gas part is convex over the mix: the highest W is a pure source.
        notes.append(
            f"Wobbe min {window.min:g} MJ/m3 is above the highest Wobbe index of any source "
            f"({listed})"
        )
    if window.max is not None and window.max < lowest:
        notes.append(
            f"Wobbe max {window.max:g} MJ/m3 is below the lowest Wobbe index found over the "
            f"sources and their two-way mixes ({lowest:.3f}; sources: {listed})"
        )
    if request.max_hydrogen_fraction is not None:
        forced = math.fsum(s.min_fraction * s.hydrogen_fraction for s in sources)
        least = min(s.hydrogen_fraction for s in sources)
        if forced > request.max_hydrogen_fraction or least > request.max_hydrogen_fraction:
            notes.append(
                f"max hydrogen fraction {request.max_hydrogen_fraction:g} cannot be met by the "
                "sources and their minimum fractions"
            )
    if not notes:
        bounds = _blend_constants(sources, metering_temperature(request.metering_temperature_c))
        z_low, z_high = compression_factor_bounds(*bounds.summation_range)
        margin = math.sqrt(z_high / z_low) - 1
        notes.append(
            "no blend meets all limits together (Wobbe window, hydrogen cap, minimum CV, source "
            f"fractions); note the Wobbe linearization is conservative by up to {margin:.2%}"
        )
    return notes


def _lowest_wobbe_on_pair_mixes(request: GasBlendRequest, sources: list[SourceData]) -> float:
    lowest = math.inf
    steps = 50
    for i, first in enumerate(sources):
        for second in sources[i:]:
            for k in range(steps + 1):
                share = k / steps
                fractions = {s.id: 0.0 for s in sources}
                fractions[first.id] += share
                fractions[second.id] += 1 - share
                wobbe = gas_properties(
                    blend_composition(sources, fractions),
                    combustion_temperature_c=request.combustion_temperature_c,
                    metering_temperature_c=request.metering_temperature_c,
                    normalize=True,
                ).wobbe_index_gross_mj_per_m3
                lowest = min(lowest, wobbe)
    return lowest


def gas_blend_request(request: dict) -> dict:
    """CLI entry for `heatcraft gas-blend`: raises GasInputError (a ValueError) on bad input."""
    parsed: GasBlendRequest = parse_request(GasBlendRequest, request, "gas-blend", GasInputError)
    return solve_gas_blend(parsed)
