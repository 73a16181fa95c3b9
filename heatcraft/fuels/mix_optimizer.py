"""Exact fuel mix: LP (GLOP) or MILP (SCIP) over the rows of `mix_rows`, with lexicographic
stages for the non-cost objectives, shadow prices of binding limits, and an elastic diagnosis
when no mix satisfies every limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from heatcraft.fuels.linear_model import INF, LinearModel, Row, Solution, Variable, solve
from heatcraft.fuels.mix_evaluation import Energies
from heatcraft.fuels.mix_problem import FuelMixProblem
from heatcraft.fuels.mix_rows import MixExpressions, build_model, energy_var

# Lexicographic stages keep the first optimum within this relative slack so the cost stage stays
# feasible despite floating-point round-off.
STAGE_SLACK = 1e-7
SHADOW_METHOD_LP = "LP duals (GLOP)"
SHADOW_METHOD_MILP = "LP duals with the MILP's binaries fixed at their optimal values (GLOP)"


@dataclass(frozen=True)
class BindingLimit:
    name: str
    kind: str
    unit: str
    activity: float
    lower: float
    upper: float
    shadow_price: float
    """d(objective) / d(limit bound) in currency per `unit`; negative means relaxing saves."""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "unit": self.unit,
            "shadow_price": self.shadow_price,
            "shadow_price_unit": f"currency per {self.unit}" if self.unit else "currency",
        }


@dataclass(frozen=True)
class Relaxation:
    """How far one limit must move for a mix to exist (elastic LP)."""

    name: str
    kind: str
    amount: float

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "relax_by": self.amount}


@dataclass
class OptimizedMix:
    status: str
    model_type: str
    solver: str
    objective_kind: str
    objective_value: float | None
    best_bound: float | None
    relative_gap: float | None
    wall_time_s: float
    energies: Energies = field(default_factory=dict)
    binding_limits: list[BindingLimit] = field(default_factory=list)
    marginal_heat_cost_per_gj: dict[str, float] = field(default_factory=dict)
    shadow_price_method: str | None = None
    relaxations: list[Relaxation] = field(default_factory=list)
    stages: list[dict[str, object]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")


def optimize_mix(problem: FuelMixProblem, extra_rows: list[Row] | None = None) -> OptimizedMix:
    """Solve the problem's objective; `extra_rows` (e.g. an epsilon CO2e cap) are added first."""
    model, expressions = build_model(problem)
    if extra_rows:
        model = model.with_rows(extra_rows)
    stages: list[dict[str, object]] = []
    final_model, final_objective, last = _run_stages(problem, model, expressions, stages)
    model_type = "MILP" if model.has_binaries else "LP"
    wall = sum(float(stage["wall_time_s"]) for stage in stages)
    if not last.ok:
        result = OptimizedMix(
            last.status, model_type, last.solver, problem.objective, None, None, None, wall
        )
        result.stages = stages
        if last.status == "infeasible":
            result.relaxations = diagnose_infeasibility(model, problem.time_limit_s)
        return result
    energies = {
        option.fuel_id: [
            max(0.0, last.values[energy_var(option.fuel_id, t)]) for t in problem.periods
        ]
        for option in problem.options
    }
    dual_source = last
    method = SHADOW_METHOD_LP
    if final_model.has_binaries:
        fixed = final_model.with_binaries_fixed(last.values)
        dual_source = solve(fixed, final_objective, time_limit_s=problem.time_limit_s)
        method = SHADOW_METHOD_MILP
    result = OptimizedMix(
        status=last.status,
        model_type=model_type,
        solver=last.solver,
        objective_kind=problem.objective,
        objective_value=last.objective,
        best_bound=last.best_bound,
        relative_gap=last.relative_gap,
        wall_time_s=wall,
        energies=energies,
        stages=stages,
    )
    if dual_source.ok:
        result.binding_limits = binding_limits(final_model, dual_source)
        result.marginal_heat_cost_per_gj = {
            problem.label(t): dual_source.duals.get(f"demand[{problem.label(t)}]", 0.0)
            for t in problem.periods
        }
        result.shadow_price_method = method
    return result


def _run_stages(
    problem: FuelMixProblem,
    model: LinearModel,
    expressions: MixExpressions,
    stages: list[dict[str, object]],
) -> tuple[LinearModel, dict[str, float], Solution]:
    """Returns the model and objective of the last stage and its solution."""
    limit = problem.time_limit_s

    def run(name: str, current: LinearModel, goal: dict[str, float], maximize=False) -> Solution:
        solution = solve(current, goal, maximize=maximize, time_limit_s=limit)
        stages.append(
            {
                "stage": name,
                "status": solution.status,
                "objective": solution.objective,
                "best_bound": solution.best_bound,
                "wall_time_s": solution.wall_time_s,
            }
        )
        return solution

    kind = problem.objective
    if kind == "cost":
        return model, expressions.cost, run("min cost", model, expressions.cost)
    if kind == "weighted":
        return _weighted(problem, model, expressions, run)
    first_goal, maximize, floor_name, unit = {
        "co2e": (expressions.co2e_t, False, "co2e_optimum", "t CO2e"),
        "renewable_share": (expressions.renewable_heat_gj, True, "renewable_heat_optimum", "GJ"),
        "supply_security": (expressions.security_heat_gj, True, "supply_security_optimum", "GJ"),
    }[kind]
    first = run(f"optimize {kind}", model, first_goal, maximize)
    if not first.ok:
        return model, first_goal, first
    staged = model.with_rows(
        [_keep_optimum(floor_name, first_goal, first.objective, maximize, unit)]
    )
    return staged, expressions.cost, run("min cost at that optimum", staged, expressions.cost)


def _keep_optimum(
    name: str, goal: Mapping[str, float], optimum: float, maximize: bool, unit: str
) -> Row:
    slack = STAGE_SLACK * max(1.0, abs(optimum))
    if maximize:
        return Row(name, dict(goal), optimum - slack, INF, True, "objective_floor", unit)
    return Row(name, dict(goal), -INF, optimum + slack, True, "objective_floor", unit)


def _weighted(problem, model, expressions, run):
    """Normalise cost and CO2e by their ranges over the two single-objective optima (payoff
    table), so the weights mean the same thing whatever the units."""
    cheapest = run("payoff: min cost", model, expressions.cost)
    if not cheapest.ok:
        return model, expressions.cost, cheapest
    greenest = run("payoff: min co2e", model, expressions.co2e_t)
    greenest_staged = model.with_rows(
        [_keep_optimum("co2e_optimum", expressions.co2e_t, greenest.objective, False, "t")]
    )
    greenest_cost = run("payoff: min cost at min co2e", greenest_staged, expressions.cost)
    cost_range = max(1e-9, greenest_cost.objective - cheapest.objective)
    co2e_at_cheapest = sum(c * cheapest.values[n] for n, c in expressions.co2e_t.items())
    co2e_range = max(1e-9, co2e_at_cheapest - greenest.objective)
    weights = problem.weights
    goal: dict[str, float] = {}
    for name, coef in expressions.cost.items():
        goal[name] = goal.get(name, 0.0) + weights.cost * coef / cost_range
    for name, coef in expressions.co2e_t.items():
        goal[name] = goal.get(name, 0.0) + weights.co2e * coef / co2e_range
    return model, goal, run("weighted", model, goal)


def binding_limits(model: LinearModel, solution: Solution, tol: float = 1e-6) -> list[BindingLimit]:
    found = []
    for row in model.rows:
        if not row.limit:
            continue
        activity = solution.activities[row.name]
        magnitude = 1.0 + sum(abs(c * solution.values[n]) for n, c in row.coefs.items())
        at_upper = row.upper < INF and abs(activity - row.upper) <= tol * magnitude
        at_lower = row.lower > -INF and abs(activity - row.lower) <= tol * magnitude
        scale = row.scale(solution.values) if row.scale else 1.0
        shadow = solution.duals.get(row.name, 0.0) * scale
        untouched = magnitude - 1.0 <= tol  # every variable of the row is zero: 0 <= 0 says nothing
        if abs(shadow) < 1e-9 and (untouched or not (at_upper or at_lower)):
            continue
        found.append(
            BindingLimit(
                name=row.name,
                kind=row.kind,
                unit=row.unit,
                activity=activity,
                lower=row.lower,
                upper=row.upper,
                shadow_price=_clean(shadow),
            )
        )
    return found


def _clean(value: float) -> float:
    return 0.0 if abs(value) < 1e-9 else value


def diagnose_infeasibility(model: LinearModel, time_limit_s: float) -> list[Relaxation]:
    """Elastic LP: every user limit may be violated at a cost of one per unit; the smallest total
    violation shows which limits conflict and by how much."""
    elastic = LinearModel(dict(model.variables), [])
    penalty: dict[str, float] = {}
    for row in model.rows:
        if not row.limit:
            elastic.add_row(row)
            continue
        coefs = dict(row.coefs)
        if row.upper < INF:
            over = elastic.add_variable(Variable(f"over[{row.name}]"))
            coefs[over] = -1.0
            penalty[over] = 1.0
        if row.lower > -INF:
            under = elastic.add_variable(Variable(f"under[{row.name}]"))
            coefs[under] = 1.0
            penalty[under] = 1.0
        elastic.add_row(Row(row.name, coefs, row.lower, row.upper, kind=row.kind))
    solution = solve(elastic, penalty, time_limit_s=time_limit_s)
    if not solution.ok:
        return []
    kinds = {row.name: row.kind for row in model.rows}
    relaxations = []
    for name in penalty:
        amount = solution.values[name]
        if amount > 1e-7:
            row_name = name.split("[", 1)[1][:-1]
            relaxations.append(Relaxation(row_name, kinds[row_name], amount))
    return relaxations
