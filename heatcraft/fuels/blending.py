"""Cheapest blend of ingredients within property limits (mass basis), solved exactly.

Every property of the blend is the mass-weighted average of the ingredients' properties, so the
problem is a linear program in the mass shares x_i (sum x_i = 1):

    minimize   sum_i cost_i x_i
    subject to min_k <= sum_i value_ik x_i <= max_k     (property limits)
               min_i <= x_i <= max_i                    (share bounds)
               z_a + z_b <= 1, x_i <= max_i z_i         (incompatible pairs: binary z, a MILP)

Solved with HiGHS through OR-Tools MathOpt (deterministic). Shadow prices are the LP duals: the
change of the optimal cost per unit increase of the bound. For a MILP they come from the LP
re-solved with the binaries fixed at the optimum (ingredients left out get share 0), which is
the usual sensitivity of a MILP and says nothing about switching the choice of ingredients.

A well-formed request without any feasible blend returns status "infeasible" with a diagnosis
(contradictory bounds, each limit against its achievable range, then a minimal set of limits that
conflict), never an exception. Malformed requests raise BlendRequestError (a ValueError).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from ortools.math_opt.python import mathopt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from heatcraft.requests import parse_request

SOLVER = mathopt.SolverType.HIGHS
# Relative tolerance for "this limit is binding" (value equals the bound).
BINDING_TOLERANCE = 1e-7
# Shares smaller than this are solver noise and reported as 0.
SHARE_NOISE = 1e-12


class BlendRequestError(ValueError):
    """A blend request that is malformed (not merely infeasible)."""


class Bounds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)


class Ingredient(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    cost: float = Field(allow_inf_nan=False)  # per unit mass
    properties: dict[str, float] = Field(default_factory=dict)  # per unit mass


class BlendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ingredients: list[Ingredient] = Field(min_length=1)
    limits: dict[str, Bounds] = Field(default_factory=dict)
    shares: dict[str, Bounds] = Field(default_factory=dict)
    incompatible: list[tuple[str, str]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_are_consistent(self) -> BlendRequest:
        ids = [ingredient.id for ingredient in self.ingredients]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ingredient ids: {duplicates}")
        for ingredient in self.ingredients:
            for name, value in ingredient.properties.items():
                if not math.isfinite(value):
                    raise ValueError(f"ingredient {ingredient.id!r} property {name!r} is {value}")
        for share_id, bounds in self.shares.items():
            if share_id not in ids:
                raise ValueError(f"shares: unknown ingredient {share_id!r} (known: {ids})")
            for side in (bounds.min, bounds.max):
                if side is not None and not 0.0 <= side <= 1.0:
                    raise ValueError(f"shares: {share_id!r} bound {side} is not within 0..1")
        for a, b in self.incompatible:
            for item in (a, b):
                if item not in ids:
                    raise ValueError(f"incompatible: unknown ingredient {item!r} (known: {ids})")
            if a == b:
                raise ValueError(f"incompatible: pair ({a!r}, {b!r}) names one ingredient twice")
        for name in self.limits:
            missing = [i.id for i in self.ingredients if name not in i.properties]
            if missing:
                raise ValueError(
                    f"limits: property {name!r} is not given for ingredients {missing}"
                )
        return self


@dataclass(frozen=True)
class BindingLimit:
    limit: str  # property name, or ingredient id for a share bound
    bound: Literal["min", "max"]
    value: float
    shadow_price: float | None  # d(optimal cost) / d(bound)
    kind: Literal["property", "share"] = "property"

    def to_dict(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "kind": self.kind,
            "bound": self.bound,
            "value": self.value,
            "shadow_price": self.shadow_price,
        }


@dataclass(frozen=True)
class BlendResult:
    status: Literal["optimal", "infeasible"]
    shares: dict[str, float] = field(default_factory=dict)
    cost: float | None = None
    properties: dict[str, float] = field(default_factory=dict)
    binding: list[BindingLimit] = field(default_factory=list)
    problem_class: Literal["LP", "MILP"] = "LP"
    shadow_price_basis: str = "LP duals"
    solver: str = "HiGHS via OR-Tools MathOpt"
    diagnosis: list[str] = field(default_factory=list)
    conflicting_limits: list[str] = field(default_factory=list)
    achievable_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "shares": dict(self.shares),
            "cost": self.cost,
            "properties": dict(self.properties),
            "binding": [b.to_dict() for b in self.binding],
            "problem_class": self.problem_class,
            "shadow_price_basis": self.shadow_price_basis,
            "solver": self.solver,
        }
        if self.status == "infeasible":
            data["diagnosis"] = list(self.diagnosis)
            data["conflicting_limits"] = list(self.conflicting_limits)
            data["achievable_ranges"] = {k: list(v) for k, v in self.achievable_ranges.items()}
        return data


# A property limit side, e.g. ("ash_pct", "max", 12.0).
LimitSide = tuple[str, Literal["min", "max"], float]


def _limit_sides(request: BlendRequest) -> list[LimitSide]:
    sides: list[LimitSide] = []
    for name, bounds in request.limits.items():
        if bounds.min is not None:
            sides.append((name, "min", bounds.min))
        if bounds.max is not None:
            sides.append((name, "max", bounds.max))
    return sides


def _share_range(request: BlendRequest, ingredient_id: str) -> tuple[float, float]:
    bounds = request.shares.get(ingredient_id, Bounds())
    low = 0.0 if bounds.min is None else bounds.min
    high = 1.0 if bounds.max is None else bounds.max
    return low, high


@dataclass
class _Model:
    model: mathopt.Model
    shares: dict[str, mathopt.Variable]
    limit_constraints: dict[tuple[str, str], mathopt.LinearConstraint]
    chosen: dict[str, mathopt.Variable]  # binary "ingredient used" for paired ingredients

    @property
    def is_mip(self) -> bool:
        return bool(self.chosen)


def _build(
    request: BlendRequest,
    sides: list[LimitSide],
    *,
    excluded: frozenset[str] | None = None,
    objective: dict[str, float] | None = None,
    maximize: bool = False,
) -> _Model:
    """The blend model with the given limit sides.

    `excluded=None` keeps the choice of ingredients free (binaries for incompatible pairs); a set
    fixes the choice: those ingredients get share 0 and no binaries are made (a pure LP).

    `objective` replaces the cost (used to find a property's achievable range).
    """
    model = mathopt.Model(name="blend")
    shares: dict[str, mathopt.Variable] = {}
    for ingredient in request.ingredients:
        low, high = _share_range(request, ingredient.id)
        if excluded is not None and ingredient.id in excluded:
            low = high = 0.0
        shares[ingredient.id] = model.add_variable(lb=low, ub=high, name=f"x[{ingredient.id}]")
    model.add_linear_constraint(sum(shares.values()) == 1.0, name="mass balance")

    paired = [] if excluded is not None else sorted({i for p in request.incompatible for i in p})
    used = {i: model.add_binary_variable(name=f"z[{i}]") for i in paired}
    if used:
        for ingredient_id, flag in used.items():
            # Why: a share can only be positive when its ingredient is chosen.
            model.add_linear_constraint(
                shares[ingredient_id] <= shares[ingredient_id].upper_bound * flag
            )
        for a, b in request.incompatible:
            model.add_linear_constraint(used[a] + used[b] <= 1, name=f"apart[{a},{b}]")

    by_id = {ingredient.id: ingredient for ingredient in request.ingredients}
    limit_constraints: dict[tuple[str, str], mathopt.LinearConstraint] = {}
    for name, side, bound in sides:
        expression = mathopt.fast_sum(
            by_id[i].properties[name] * variable for i, variable in shares.items()
        )
        constraint = expression >= bound if side == "min" else expression <= bound
        limit_constraints[(name, side)] = model.add_linear_constraint(
            constraint, name=f"{name} {side}"
        )

    weights = objective if objective is not None else {i.id: i.cost for i in request.ingredients}
    goal = mathopt.fast_sum(weights[i] * variable for i, variable in shares.items())
    if maximize:
        model.maximize(goal)
    else:
        model.minimize(goal)
    return _Model(model, shares, limit_constraints, used)


def _solve(built: _Model) -> mathopt.SolveResult:
    return mathopt.solve(built.model, SOLVER)


def _is_optimal(result: mathopt.SolveResult) -> bool:
    return result.termination.reason == mathopt.TerminationReason.OPTIMAL


def _is_infeasible(result: mathopt.SolveResult) -> bool:
    return result.termination.reason in (
        mathopt.TerminationReason.INFEASIBLE,
        mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED,
    )


def _clean(value: float) -> float:
    return 0.0 if abs(value) < SHARE_NOISE else value


def _feasible(request: BlendRequest, sides: list[LimitSide]) -> bool:
    result = _solve(_build(request, sides))
    if _is_optimal(result):
        return True
    if _is_infeasible(result):
        return False
    raise RuntimeError(f"blend solver stopped with {result.termination.reason.name}")


def _is_close(value: float, bound: float) -> bool:
    return abs(value - bound) <= BINDING_TOLERANCE * max(1.0, abs(bound))


def _blend_properties(request: BlendRequest, shares: dict[str, float]) -> dict[str, float]:
    common = set.intersection(*(set(i.properties) for i in request.ingredients))
    return {
        name: math.fsum(i.properties[name] * shares[i.id] for i in request.ingredients)
        for name in sorted(common)
    }


def solve_blend(request: BlendRequest) -> BlendResult:
    """Cheapest blend for a validated request (see the module docstring)."""
    sides = _limit_sides(request)
    built = _build(request, sides)
    result = _solve(built)
    if _is_infeasible(result):
        return diagnose_infeasible(request, problem_class="MILP" if built.is_mip else "LP")
    if not _is_optimal(result):
        raise RuntimeError(f"blend solver stopped with {result.termination.reason.name}")

    basis = "LP duals"
    if built.is_mip:
        # Fix the choice of ingredients and re-solve the LP to read duals at that choice.
        excluded = frozenset(
            i for i, flag in built.chosen.items() if result.variable_values(flag) < 0.5
        )
        built = _build(request, sides, excluded=excluded)
        result = _solve(built)
        if not _is_optimal(result):
            raise RuntimeError("LP with fixed binaries did not solve to optimality")
        basis = "LP duals with the MILP's ingredient choice fixed (binaries fixed at the optimum)"

    shares = {i: _clean(result.variable_values(v)) for i, v in built.shares.items()}
    properties = _blend_properties(request, shares)
    if not result.has_dual_feasible_solution():
        raise RuntimeError("the blend LP solved without duals")
    duals = result.dual_values()
    reduced = result.reduced_costs()

    binding: list[BindingLimit] = []
    for (name, side), constraint in built.limit_constraints.items():
        bound = request.limits[name].min if side == "min" else request.limits[name].max
        assert bound is not None
        value = properties[name]
        if _is_close(value, bound):
            binding.append(BindingLimit(name, side, value, _clean(duals.get(constraint, 0.0))))
    for ingredient_id, bounds in request.shares.items():
        variable = built.shares[ingredient_id]
        for side, bound in (("min", bounds.min), ("max", bounds.max)):
            if bound is not None and _is_close(shares[ingredient_id], bound):
                price = _clean(reduced.get(variable, 0.0))
                # Why: a reduced cost belongs to whichever bound is active; keep its sign only
                # where it agrees with that bound (>= 0 at a min, <= 0 at a max when minimizing).
                if (side == "min" and price < 0) or (side == "max" and price > 0):
                    price = 0.0
                binding.append(
                    BindingLimit(ingredient_id, side, shares[ingredient_id], price, kind="share")
                )

    cost = math.fsum(i.cost * shares[i.id] for i in request.ingredients)
    return BlendResult(
        status="optimal",
        shares=shares,
        cost=cost,
        properties=properties,
        binding=binding,
        problem_class="MILP" if bool(request.incompatible) else "LP",
        shadow_price_basis=basis,
    )


def _achievable_range(request: BlendRequest, name: str) -> tuple[float, float]:
    weights = {i.id: i.properties[name] for i in request.ingredients}
    ends = []
    for maximize in (False, True):
        result = _solve(_build(request, [], objective=weights, maximize=maximize))
        ends.append(result.objective_value())
    return ends[0], ends[1]


def diagnose_infeasible(
    request: BlendRequest, *, problem_class: Literal["LP", "MILP"] = "LP"
) -> BlendResult:
    """Explain why no blend satisfies the request: which bounds or limits conflict."""
    diagnosis: list[str] = []
    conflicting: list[str] = []

    def infeasible(**extra: Any) -> BlendResult:
        return BlendResult(
            status="infeasible",
            problem_class=problem_class,
            diagnosis=diagnosis,
            conflicting_limits=conflicting,
            **extra,
        )

    for name, bounds in request.limits.items():
        if bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
            diagnosis.append(f"limit {name!r}: min {bounds.min:g} is above max {bounds.max:g}")
            conflicting += [f"{name} min", f"{name} max"]
    for ingredient_id, bounds in request.shares.items():
        if bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
            diagnosis.append(
                f"share of {ingredient_id!r}: min {bounds.min:g} is above max {bounds.max:g}"
            )
            conflicting += [f"share {ingredient_id} min", f"share {ingredient_id} max"]
    if diagnosis:
        return infeasible()

    low_sum = math.fsum(_share_range(request, i.id)[0] for i in request.ingredients)
    high_sum = math.fsum(_share_range(request, i.id)[1] for i in request.ingredients)
    if low_sum > 1.0 + 1e-9:
        diagnosis.append(f"share minimums add up to {low_sum:g}, more than the whole blend (1)")
        conflicting.append("share minimums")
    if high_sum < 1.0 - 1e-9:
        diagnosis.append(f"share maximums add up to {high_sum:g}, less than the whole blend (1)")
        conflicting.append("share maximums")
    if diagnosis:
        return infeasible()

    if not _feasible(request, []):
        forced = [
            i
            for i in {x for pair in request.incompatible for x in pair}
            if _share_range(request, i)[0] > 0
        ]
        diagnosis.append(
            "the share bounds and incompatible pairs alone leave no feasible blend"
            + (f" (ingredients with a minimum share: {sorted(forced)})" if forced else "")
        )
        conflicting += ["shares", "incompatible"]
        return infeasible()

    ranges = {name: _achievable_range(request, name) for name in request.limits}
    for name, side, bound in _limit_sides(request):
        low, high = ranges[name]
        if side == "min" and bound > high + BINDING_TOLERANCE * max(1.0, abs(bound)):
            diagnosis.append(
                f"limit {name!r} min {bound:g} is above the highest achievable {high:g}"
            )
            conflicting.append(f"{name} min")
        if side == "max" and bound < low - BINDING_TOLERANCE * max(1.0, abs(bound)):
            diagnosis.append(f"limit {name!r} max {bound:g} is below the lowest achievable {low:g}")
            conflicting.append(f"{name} max")
    if not diagnosis:
        # Each limit is reachable on its own: find a minimal set that conflicts (deletion filter).
        kept = _limit_sides(request)
        for side in list(kept):
            trial = [s for s in kept if s != side]
            if not _feasible(request, trial):
                kept = trial
        conflicting = [f"{name} {side}" for name, side, _ in kept]
        described = ", ".join(f"{name} {side} {bound:g}" for name, side, bound in kept)
        diagnosis.append(
            f"each limit is achievable alone, but these cannot hold together: {described}"
        )
    return infeasible(achievable_ranges=ranges)


def parse_blend_request(request: Any) -> BlendRequest:
    return parse_request(BlendRequest, request, "blend", BlendRequestError)


def blend_request(request: dict) -> dict:
    """CLI entry: JSON-like request in, JSON-like result out (see the module docstring)."""
    return solve_blend(parse_blend_request(request)).to_dict()
