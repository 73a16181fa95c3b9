"""HiGHS and SCIP through OR-Tools MathOpt (never highspy: it cannot share a process)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta

import numpy as np
import ortools
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt
from ortools.math_opt.solvers import highs_pb2

from heatcraft.scheduling.backends.outcome import SolveOutcome, not_started
from heatcraft.scheduling.linear_model import INF, LinearModel

# The least time an LP of a large day is started with. HiGHS keeps to a limit of 1 s or more
# on the LP of a 200-job day on 20 units (1.1 s for 1 s, 2.1 s for 2 s), but not to shorter
# ones: 0.3 s ran 15.6 s and 0.55 s ran to the optimum in 26.6 s (its clock is not checked
# everywhere in presolve: ERGO-Code/HiGHS#1501, #2478).
MIN_LP_SECONDS = 1.0
_SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}


def to_mathopt(model: LinearModel,
               relax: bool = False) -> tuple[mathopt.Model, list[mathopt.Variable]]:
    """`relax`: every variable continuous (the LP relaxation).

    The model is written as one MathOpt proto from arrays: on a 100-job day (310,000
    coefficients) that takes 0.12 s against 0.60 s for one API call per coefficient
    (benchmarks/results/mathopt_build.md), which a slower machine stretched to 1.9 s."""
    proto = model_pb2.ModelProto(name="heatcraft")
    count = len(model.names)
    variables = proto.variables
    variables.ids.extend(range(count))
    variables.lower_bounds.extend(model.lower)
    variables.upper_bounds.extend(model.upper)
    variables.integers.extend([integer and not relax for integer in model.integer])
    variables.names.extend(model.names)
    objective = proto.objective
    objective.maximize = False
    objective.offset = model.objective_constant
    terms = sorted((v, c) for v, c in model.objective.items() if c != 0.0)
    objective.linear_coefficients.ids.extend([v for v, _ in terms])
    objective.linear_coefficients.values.extend([c for _, c in terms])
    constraints = proto.linear_constraints
    constraints.ids.extend(range(len(model.rows)))
    constraints.lower_bounds.extend([row.lower for row in model.rows])
    constraints.upper_bounds.extend([row.upper for row in model.rows])
    if model.rows:
        lengths = np.fromiter((len(row.variables) for row in model.rows), dtype=np.int64,
                              count=len(model.rows))
        nonzeros = int(lengths.sum())
        row_ids = np.repeat(np.arange(len(model.rows), dtype=np.int64), lengths)
        column_ids = np.fromiter((v for row in model.rows for v in row.variables),
                                 dtype=np.int64, count=nonzeros)
        coefficients = np.fromiter((c for row in model.rows for c in row.coefficients),
                                   dtype=np.float64, count=nonzeros)
        order = np.lexsort((column_ids, row_ids))  # the proto wants row-major order
        matrix = proto.linear_constraint_matrix
        matrix.row_ids.extend(row_ids[order].tolist())
        matrix.column_ids.extend(column_ids[order].tolist())
        matrix.coefficients.extend(coefficients[order].tolist())
    built = mathopt.Model.from_model_proto(proto)
    return built, [built.get_variable(v) for v in range(count)]


def solve_mathopt(model: LinearModel, backend: str, *, time_limit_s: float, threads: int,
                  seed: int, relative_gap: float, hint: dict[int, float] | None,
                  node_limit: int | None = None, relax: bool = False,
                  highs_options: Mapping[str, bool | int | float | str] | None = None,
                  min_seconds: float = 0.0) -> SolveOutcome:
    """`relax`: the LP relaxation (HiGHS only), by interior point and then crossover to a
    vertex, whose support is small: the starts a restricted MIP keeps. Its dual bound is a
    valid bound on the MIP. `highs_options`: HiGHS's own options by name (HiGHS only).
    `time_limit_s` counts writing the model; with under `min_seconds` left, before writing it
    or after, the engine is not started (status no_solution, stopped by the clock)."""
    began = time.monotonic()
    # The limit is the whole call's: writing a large model takes seconds the engine's clock
    # does not count (2.1 s for the LP of a 200-job day on 20 units, whose window_bound then
    # returned 5 s after its deadline).
    written = time_limit_s >= min_seconds
    built, variables = to_mathopt(model, relax=relax) if written else (None, [])
    left = time_limit_s - (time.monotonic() - began)
    name = "HiGHS" if backend == "highs" else "SCIP"
    engine = name + (" LP" if relax else "")
    parameters = {"time_limit_s": round(time_limit_s, 3),
                  "threads": 1 if backend == "highs" else threads, "random_seed": seed,
                  "relative_gap_tolerance": relative_gap, "node_limit": node_limit,
                  "solution_hint": bool(hint)}
    if relax:
        parameters["lp_algorithm"] = "barrier+crossover"
    parameters.update({f"highs.{k}": v for k, v in sorted((highs_options or {}).items())})
    version = f"{name} via OR-Tools MathOpt {ortools.__version__}"
    if not written or left < min_seconds:
        return not_started(engine, version, parameters, left=left,
                           seconds=time.monotonic() - began, written=written)
    # MathOpt's HiGHS interface rejects a thread count (HiGHS branches on one thread).
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=max(left, 0.1)),
                                     threads=None if backend == "highs" else threads,
                                     random_seed=seed, relative_gap_tolerance=relative_gap,
                                     node_limit=node_limit,
                                     lp_algorithm=mathopt.LPAlgorithm.BARRIER if relax else None,
                                     highs=_highs_proto(highs_options) if highs_options else None)
    model_params = mathopt.ModelSolveParameters()
    if hint:  # HiGHS (OR-Tools >= 9.15) and SCIP both take a MIP start
        model_params = mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(
            variable_values={variables[v]: val for v, val in hint.items()})])
    try:
        result = mathopt.solve(built, _SOLVERS[backend], params=params, model_params=model_params)
    except Exception as exc:  # engine failure is reported, not raised
        return SolveOutcome(engine, version, "error", None, None, None,
                            time.monotonic() - began, parameters, _error_text(exc))
    reason = result.termination.reason
    name = reason.name.lower()
    # A search the clock ended gives a result that depends on the machine's speed.
    parameters["stopped_by_clock"] = result.termination.limit == mathopt.Limit.TIME
    parameters["nodes"] = int(result.solve_stats.node_count)
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
                        time.monotonic() - began, parameters, _termination_text(result),
                        _iterations(result))


def _termination_text(result: mathopt.SolveResult) -> str:
    """The engine's detail, or (HiGHS stopped by a limit says nothing) the reason and limit:
    a warning quotes it."""
    termination = result.termination
    if termination.detail:
        return termination.detail
    text = termination.reason.name.lower().replace("_", " ")
    if termination.limit is not None and termination.limit != mathopt.Limit.UNDETERMINED:
        text += f": {termination.limit.name.lower().replace('_', ' ')} limit reached"
    return text


def _error_text(exc: BaseException) -> str:
    """The engine's own message. MathOpt turns a status it gets back (an invalid model, say)
    into an exception through pybind11_abseil, whose StatusNotOk has no `canonical_code` in
    this build (google/or-tools#4606): the AttributeError that follows hides the status, which
    it keeps as its context."""
    cause = exc.__context__
    if isinstance(exc, AttributeError) and "canonical_code" in str(exc) and cause is not None:
        return str(cause)
    return str(exc)


def _highs_proto(options: Mapping[str, bool | int | float | str]) -> highs_pb2.HighsOptionsProto:
    proto = highs_pb2.HighsOptionsProto()
    for name, value in options.items():
        if isinstance(value, bool):  # before int: a bool is an int
            proto.bool_options[name] = value
        elif isinstance(value, int):
            proto.int_options[name] = value
        elif isinstance(value, float):
            proto.double_options[name] = value
        else:
            proto.string_options[name] = value
    return proto


def _iterations(result) -> int:
    stats = result.solve_stats
    return int(stats.simplex_iterations + stats.barrier_iterations)

