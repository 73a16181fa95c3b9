"""A small solver-neutral linear model (named variables and rows) and its OR-Tools solve.

Why not build pywraplp objects directly: the fuel-mix optimizer solves the same rows several times
(lexicographic stages, fixed-binary LP for duals, elastic diagnosis, Pareto points), and named rows
let every dual come back with a readable name.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from ortools.linear_solver import pywraplp

INF = math.inf


@dataclass(frozen=True)
class Variable:
    name: str
    lower: float = 0.0
    upper: float = INF
    binary: bool = False


@dataclass(frozen=True)
class Row:
    """lower <= sum(coef * var) <= upper. `limit` rows are user limits: they get shadow prices and
    can be relaxed by the elastic diagnosis. `scale` turns the raw dual into the marginal cost per
    unit of the limit as the user states it (e.g. times total fuel energy for a share limit)."""

    name: str
    coefs: Mapping[str, float]
    lower: float = -INF
    upper: float = INF
    limit: bool = False
    kind: str = ""
    unit: str = ""
    scale: Callable[[Mapping[str, float]], float] | None = None


@dataclass
class LinearModel:
    variables: dict[str, Variable] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)

    def add_variable(self, variable: Variable) -> str:
        self.variables[variable.name] = variable
        return variable.name

    def add_row(self, row: Row) -> None:
        self.rows.append(row)

    @property
    def has_binaries(self) -> bool:
        return any(variable.binary for variable in self.variables.values())

    def with_rows(self, extra: list[Row]) -> LinearModel:
        return LinearModel(dict(self.variables), self.rows + extra)

    def with_binaries_fixed(self, values: Mapping[str, float]) -> LinearModel:
        """The LP that remains when every binary is fixed at `values` (rounded)."""
        fixed = {}
        for name, variable in self.variables.items():
            if variable.binary:
                level = float(round(values[name]))
                fixed[name] = replace(variable, lower=level, upper=level, binary=False)
            else:
                fixed[name] = variable
        return LinearModel(fixed, list(self.rows))


@dataclass(frozen=True)
class Solution:
    status: str
    solver: str
    objective: float | None
    best_bound: float | None
    values: dict[str, float]
    duals: dict[str, float]
    activities: dict[str, float]
    wall_time_s: float

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def relative_gap(self) -> float | None:
        if self.objective is None or self.best_bound is None:
            return None
        return abs(self.objective - self.best_bound) / max(1e-9, abs(self.objective))


_STATUS = {
    pywraplp.Solver.OPTIMAL: "optimal",
    pywraplp.Solver.FEASIBLE: "feasible",
    pywraplp.Solver.INFEASIBLE: "infeasible",
    pywraplp.Solver.UNBOUNDED: "unbounded",
    pywraplp.Solver.ABNORMAL: "error",
    pywraplp.Solver.NOT_SOLVED: "not_solved",
}


def solve(
    model: LinearModel,
    objective: Mapping[str, float],
    maximize: bool = False,
    time_limit_s: float = 30.0,
    relative_gap: float = 1e-9,
) -> Solution:
    """Solve with GLOP (LP, with duals) or SCIP (MILP); both deterministic."""
    solver_name = "SCIP" if model.has_binaries else "GLOP"
    solver = pywraplp.Solver.CreateSolver(solver_name)
    if solver is None:  # pragma: no cover - OR-Tools wheels ship both
        raise RuntimeError(f"OR-Tools solver {solver_name} is not available")
    solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    infinity = solver.infinity()

    def bound(value: float) -> float:
        return max(-infinity, min(infinity, value))

    variables = {}
    for name, spec in model.variables.items():
        if spec.binary:
            variables[name] = solver.IntVar(bound(spec.lower), bound(min(spec.upper, 1.0)), name)
        else:
            variables[name] = solver.NumVar(bound(spec.lower), bound(spec.upper), name)
    constraints = {}
    for row in model.rows:
        constraint = solver.Constraint(bound(row.lower), bound(row.upper), row.name)
        for name, coef in row.coefs.items():
            if coef:
                constraint.SetCoefficient(variables[name], coef)
        constraints[row.name] = constraint
    goal = solver.Objective()
    for name, coef in objective.items():
        if coef:
            goal.SetCoefficient(variables[name], coef)
    goal.SetMaximization() if maximize else goal.SetMinimization()

    parameters = pywraplp.MPSolverParameters()
    if model.has_binaries:
        parameters.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, relative_gap)
    started = time.perf_counter()
    status = _STATUS.get(solver.Solve(parameters), "error")
    elapsed = time.perf_counter() - started
    if status not in ("optimal", "feasible"):
        return Solution(status, solver_name, None, None, {}, {}, {}, elapsed)
    values = {name: variable.solution_value() for name, variable in variables.items()}
    activities = {
        row.name: sum(coef * values[name] for name, coef in row.coefs.items()) for row in model.rows
    }
    duals = {} if model.has_binaries else {n: c.dual_value() for n, c in constraints.items()}
    objective_value = goal.Value()
    best_bound = goal.BestBound() if model.has_binaries else objective_value
    return Solution(
        status, solver_name, objective_value, best_bound, values, duals, activities, elapsed
    )


def expression_value(coefs: Mapping[str, float], values: Mapping[str, float]) -> float:
    return sum(coef * values.get(name, 0.0) for name, coef in coefs.items())
