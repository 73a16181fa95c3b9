"""HiGHS and SCIP through OR-Tools MathOpt (never highspy: it cannot share a process)."""

from __future__ import annotations

import time
from datetime import timedelta

import ortools
from ortools.math_opt.python import mathopt

from heatcraft.scheduling.backends.outcome import SolveOutcome
from heatcraft.scheduling.linear_model import INF, LinearModel

_SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}


def to_mathopt(model: LinearModel,
               relax: bool = False) -> tuple[mathopt.Model, list[mathopt.Variable]]:
    """`relax`: every variable continuous (the LP relaxation)."""
    built = mathopt.Model(name="heatcraft")
    variables = [built.add_variable(lb=lo, ub=hi, is_integer=integer and not relax, name=name)
                 for name, lo, hi, integer in zip(model.names, model.lower, model.upper,
                                                 model.integer, strict=True)]
    for row in model.rows:
        constraint = built.add_linear_constraint(lb=row.lower if row.lower > -INF else -INF,
                                                 ub=row.upper if row.upper < INF else INF)
        for var, coef in zip(row.variables, row.coefficients, strict=True):
            constraint.set_coefficient(variables[var], coef)
    objective = built.objective
    objective.is_maximize = False
    objective.offset = model.objective_constant
    for var, coef in model.objective.items():
        objective.set_linear_coefficient(variables[var], coef)
    return built, variables


def solve_mathopt(model: LinearModel, backend: str, *, time_limit_s: float, threads: int,
                  seed: int, relative_gap: float, hint: dict[int, float] | None,
                  node_limit: int | None = None, relax: bool = False) -> SolveOutcome:
    """`relax`: the LP relaxation (HiGHS only), by interior point and then crossover to a
    vertex, whose support is small: the starts a restricted MIP keeps. Its dual bound is a
    valid bound on the MIP."""
    began = time.monotonic()
    built, variables = to_mathopt(model, relax=relax)
    # MathOpt's HiGHS interface rejects a thread count (HiGHS branches on one thread).
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=max(time_limit_s, 0.1)),
                                     threads=None if backend == "highs" else threads,
                                     random_seed=seed, relative_gap_tolerance=relative_gap,
                                     node_limit=node_limit,
                                     lp_algorithm=mathopt.LPAlgorithm.BARRIER if relax else None)
    model_params = mathopt.ModelSolveParameters()
    if hint:  # HiGHS (OR-Tools >= 9.15) and SCIP both take a MIP start
        model_params = mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(
            variable_values={variables[v]: val for v, val in hint.items()})])
    engine = ("HiGHS" if backend == "highs" else "SCIP") + (" LP" if relax else "")
    parameters = {"time_limit_s": round(time_limit_s, 3),
                  "threads": 1 if backend == "highs" else threads, "random_seed": seed,
                  "relative_gap_tolerance": relative_gap, "node_limit": node_limit,
                  "solution_hint": bool(hint)}
    if relax:
        parameters["lp_algorithm"] = "barrier+crossover"
    version = f"{engine.removesuffix(' LP')} via OR-Tools MathOpt {ortools.__version__}"
    try:
        result = mathopt.solve(built, _SOLVERS[backend], params=params, model_params=model_params)
    except Exception as exc:  # engine failure is reported, not raised
        return SolveOutcome(engine, version, "error", None, None, None,
                            time.monotonic() - began, parameters, str(exc))
    reason = result.termination.reason
    name = reason.name.lower()
    feasible = result.has_primal_feasible_solution()
    if name == "optimal":
        status = "optimal"
    elif name == "infeasible":
        status = "infeasible"
    else:
        status = "feasible" if feasible else "no_solution"
    values = None
    if feasible:
        solution = result.variable_values()
        values = [solution[v] for v in variables]
    bound = result.termination.objective_bounds.dual_bound
    bound = None if bound in (INF, -INF) else float(bound)
    objective = float(result.objective_value()) if feasible else None
    return SolveOutcome(engine, version, status, values, objective, bound,
                        time.monotonic() - began, parameters, result.termination.detail,
                        _iterations(result))


def _iterations(result) -> int:
    stats = result.solve_stats
    return int(stats.simplex_iterations + stats.barrier_iterations)

