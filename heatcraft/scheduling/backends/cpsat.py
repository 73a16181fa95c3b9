"""CP-SAT: the linear model with continuous variables on a fixed grid (0.1 kW, cents).

Rows with fractional coefficients are scaled and rounded in the safe direction (every
variable is >= 0), so an integer solution also satisfies the original row.
"""

from __future__ import annotations

import math
import time

import ortools
from ortools.sat.python import cp_model

from heatcraft.scheduling.backends.outcome import SolveOutcome
from heatcraft.scheduling.linear_model import INF, Cumulative, LinearModel

ROW_SCALE = 1000.0
CUMULATIVE_SCALE = 10.0  # constant capacities: 0.1 kW


def _integral(values: list[float]) -> bool:
    return all(abs(v - round(v)) < 1e-9 for v in values)


def _add_cumulative(cp: cp_model.CpModel, cumulative: Cumulative, variables: list,
                    res: list[float]) -> None:
    """Demands round down and the capacity up, so the constraint stays implied by the rows."""
    scale = CUMULATIVE_SCALE if cumulative.capacity_variable is None \
        else res[cumulative.capacity_variable]
    intervals, demands = [], []
    for presence, start, end, demand in cumulative.items:
        amount = math.floor(demand * scale + 1e-9)
        if amount <= 0 or end <= start:
            continue
        if presence is None:
            intervals.append(cp.new_fixed_size_interval_var(start, end - start, ""))
        else:
            intervals.append(cp.new_optional_fixed_size_interval_var(
                start, end - start, variables[presence], ""))
        demands.append(amount)
    if not intervals:
        return
    offset = math.ceil(cumulative.capacity * scale - 1e-9)
    if cumulative.capacity_variable is None:
        cp.add_cumulative(intervals, demands, max(offset, 0))
        return
    peak = variables[cumulative.capacity_variable]
    domain = peak.proto.domain  # (its repeated field does not take negative indexes)
    capacity = cp.new_int_var(0, max(0, domain[len(domain) - 1] - offset), "")
    cp.add(capacity == peak - offset)
    cp.add_cumulative(intervals, demands, capacity)


def solve_cpsat(model: LinearModel, *, time_limit_s: float, threads: int, seed: int,
                relative_gap: float, hint: dict[int, float] | None,
                deterministic_time: float | None = None,
                linearization_level: int = 2, presolve: bool = True) -> SolveOutcome:
    began = time.monotonic()
    cp = cp_model.CpModel()
    res = model.resolution
    variables = []
    for name, lo, hi, res_v in zip(model.names, model.lower, model.upper, res, strict=True):
        variables.append(cp.new_int_var(math.ceil(lo * res_v - 1e-9),
                                        math.floor(hi * res_v + 1e-9), name))
    for row in model.rows:
        coefs = [c / res[v] for v, c in zip(row.variables, row.coefficients, strict=True)]
        vars_ = [variables[v] for v in row.variables]
        bounds = [b for b in (row.lower, row.upper) if abs(b) < INF]
        if _integral(coefs) and _integral(bounds):
            expr = cp_model.LinearExpr.weighted_sum(vars_, [int(round(c)) for c in coefs])
            lo = -cp_model.INT_MAX if row.lower == -INF else int(round(row.lower))
            hi = cp_model.INT_MAX if row.upper == INF else int(round(row.upper))
            cp.add_linear_constraint(expr, lo, hi)
            continue
        if row.upper < INF:  # sum <= upper: round coefficients up, the bound down
            up = [math.ceil(c * ROW_SCALE - 1e-9) for c in coefs]
            cp.add(cp_model.LinearExpr.weighted_sum(vars_, up)
                   <= math.floor(row.upper * ROW_SCALE + 1e-9))
        if row.lower > -INF:  # sum >= lower: round coefficients down, the bound up
            down = [math.floor(c * ROW_SCALE + 1e-9) for c in coefs]
            cp.add(cp_model.LinearExpr.weighted_sum(vars_, down)
                   >= math.ceil(row.lower * ROW_SCALE - 1e-9))
    for cumulative in model.cumulatives:
        _add_cumulative(cp, cumulative, variables, res)
    obj_vars = list(model.objective)
    cp.minimize(cp_model.LinearExpr.weighted_sum(
        [variables[v] for v in obj_vars], [model.objective[v] / res[v] for v in obj_vars])
        + model.objective_constant)
    if hint:
        # Only the decisions: the continuous values follow from them, and rounding them onto
        # the 0.1 kW grid could make the hint look infeasible.
        for v, value in hint.items():
            if model.integer[v]:
                cp.add_hint(variables[v], int(round(value)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.1)
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = seed
    solver.parameters.relative_gap_limit = relative_gap
    solver.parameters.linearization_level = linearization_level
    solver.parameters.cp_model_presolve = presolve
    if deterministic_time is not None:  # the limit that makes a run repeatable
        solver.parameters.max_deterministic_time = max(deterministic_time, 0.01)
    parameters = {"max_time_in_seconds": round(time_limit_s, 3), "num_workers": threads,
                  "random_seed": seed, "relative_gap_limit": relative_gap,
                  "linearization_level": linearization_level, "hint": bool(hint),
                  "kw_resolution": "0.1 kW", "row_scale": ROW_SCALE,
                  "max_deterministic_time": deterministic_time, "presolve": presolve,
                  "cumulatives": len(model.cumulatives)}
    version = f"CP-SAT (OR-Tools {ortools.__version__})"
    code = solver.solve(cp)
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
              cp_model.INFEASIBLE: "infeasible"}.get(code, "no_solution")
    values = None
    objective = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = [solver.value(var) / r for var, r in zip(variables, res, strict=True)]
        objective = float(solver.objective_value)
    bound = float(solver.best_objective_bound) if code != cp_model.INFEASIBLE else None
    return SolveOutcome("CP-SAT", version, status, values, objective, bound,
                        time.monotonic() - began, parameters, solver.status_name(code))
