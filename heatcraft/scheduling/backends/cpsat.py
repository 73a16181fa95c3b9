"""CP-SAT: the linear model with continuous variables on a fixed grid (0.1 kW, cents).

CP-SAT solves integers only, so every continuous variable lives on its resolution's grid and
rows with fractional data are scaled and rounded. The rounding goes one of two ways:

- `restrict` (plans): every grid solution satisfies the exact rows, so a plan CP-SAT finds is
  a plan of the exact model. Its best bound is only the grid model's, which may lie above the
  exact optimum, so it is reported in the parameters and never as the outcome's bound.
- `relax` (bounds): every exact solution, its continuous values rounded down onto the grid,
  satisfies the grid rows, so the grid model's bound, less what the rounding can take off the
  objective, is a bound of the exact model. Its values need not satisfy the exact rows and are
  not returned.

Both need every variable in a fractional row to be >= 0 (so that rounding a coefficient moves
the row's value one way), which holds for the scheduling models.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Literal

import ortools
from ortools.sat.python import cp_model

from heatcraft.scheduling.backends.outcome import SolveOutcome
from heatcraft.scheduling.backends.outcome import not_started as engine_not_started
from heatcraft.scheduling.linear_model import INF, Cumulative, LinearModel, Row

VERSION = f"CP-SAT (OR-Tools {ortools.__version__})"

Rounding = Literal["restrict", "relax"]

ROW_SCALE = 1000.0
# In `restrict`, a fractional row whose coefficients are ratios of whole numbers (an input of
# 1/0.98 = 50/49 of the output, a heat pump's 1/3, a block's 1/4) is multiplied by their least
# common denominator, up to this, and stated exactly. Scaled by ROW_SCALE and rounded instead,
# each grid unit of a variable moves the row by up to 1/ROW_SCALE of a grid unit: 1 % of a
# unit's output in its input (1.3 kW at 140 kW, 2 % for a heat pump), which left sites with a
# unit at capacity without a grid plan and skewed what CP-SAT's searches paid for power.
MAX_ROW_MULTIPLIER = 1_000_000
# ...and only while every multiplied coefficient stays below this, far from where CP-SAT
# refuses a row whose sum could overflow 64 bits (it would answer MODEL_INVALID, no plan).
MAX_EXACT_COEFFICIENT = 2**31
CUMULATIVE_SCALE = 10.0  # constant capacities: 0.1 kW
# What rounding the objective's coefficients (`relax`) may take off it, in currency.
OBJECTIVE_LOSS = 1e-3
# Float noise allowance when a computed value should be a whole number of grid units.
_NOISE = 1e-9


def _integral(values: list[float]) -> bool:
    return all(abs(v - round(v)) < _NOISE for v in values)


def _exact_multiplier(coefs: list[float]) -> int | None:
    """The least whole k that makes every k * c whole, or None above MAX_ROW_MULTIPLIER or
    where a k * c reaches MAX_EXACT_COEFFICIENT."""
    multiplier = 1
    for c in coefs:
        ratio = Fraction(c).limit_denominator(MAX_ROW_MULTIPLIER)
        multiplier = math.lcm(multiplier, ratio.denominator)
        if multiplier > MAX_ROW_MULTIPLIER:
            return None
    scaled = [c * multiplier for c in coefs]
    return multiplier if all(abs(v - round(v)) < _NOISE * max(1.0, abs(v))
                             and abs(v) < MAX_EXACT_COEFFICIENT for v in scaled) else None


def _up(value: float) -> int:
    """The whole number at or above `value`, float noise aside."""
    return math.ceil(value - _NOISE)


def _down(value: float) -> int:
    """The whole number at or below `value`, float noise aside."""
    return math.floor(value + _NOISE)


def _add_cumulative(cp: cp_model.CpModel, cumulative: Cumulative, variables: list,
                    res: list[float], rounding: Rounding) -> None:
    """Demands round down and a constant capacity up. With a capacity variable (a peak), the
    offset rounds up in `restrict` and down in `relax`: with the peak rounded down, the
    floors sum to at most floor(peak) there (floor(a - b) + floor(b) <= floor(a))."""
    scale = CUMULATIVE_SCALE if cumulative.capacity_variable is None \
        else res[cumulative.capacity_variable]
    intervals, demands = [], []
    for presence, start, end, demand in cumulative.items:
        amount = _down(demand * scale)
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
    if cumulative.capacity_variable is None:
        cp.add_cumulative(intervals, demands, max(_up(cumulative.capacity * scale), 0))
        return
    offset = (_up if rounding == "restrict" else _down)(cumulative.capacity * scale)
    peak = variables[cumulative.capacity_variable]
    domain = peak.proto.domain  # (its repeated field does not take negative indexes)
    capacity = cp.new_int_var(0, max(0, domain[len(domain) - 1] - offset), "")
    cp.add(capacity == peak - offset)
    cp.add_cumulative(intervals, demands, capacity)


def _row_slack(grid_coefs: list[float], continuous: list[bool]) -> tuple[float, float]:
    """How far rounding the continuous values down (each by less than one grid unit) can move
    the row's value: (its most negative change, its most positive change)."""
    fall = sum(c for c, cont in zip(grid_coefs, continuous, strict=True) if cont and c > 0)
    rise = sum(-c for c, cont in zip(grid_coefs, continuous, strict=True) if cont and c < 0)
    return -fall, rise


def _add_row(cp: cp_model.CpModel, row: Row, variables: list, res: list[float],
             integer: list[bool], rounding: Rounding) -> None:
    coefs = [c / res[v] for v, c in zip(row.variables, row.coefficients, strict=True)]
    vars_ = [variables[v] for v in row.variables]
    lower, upper = row.lower, row.upper
    if rounding == "relax":
        fall, rise = _row_slack(coefs, [not integer[v] for v in row.variables])
        lower, upper = lower + fall, upper + rise
    # Exact where every grid solution must be a plan (`restrict`). `relax` keeps the scaled
    # rows, looser by their rounding and as valid: stated exactly, the commitment search no
    # longer proved the 20-job day's relaxation within its count (seed 0 at 10 s).
    multiplier = 1 if _integral(coefs) else \
        _exact_multiplier(coefs) if rounding == "restrict" else None
    if multiplier is not None:  # an integer sum: whole-number bounds say the same
        lo = -cp_model.INT_MAX if lower == -INF else _up(lower * multiplier)
        hi = cp_model.INT_MAX if upper == INF else _down(upper * multiplier)
        cp.add_linear_constraint(cp_model.LinearExpr.weighted_sum(
            vars_, [int(round(c * multiplier)) for c in coefs]), lo, hi)
        return
    # Scaled: `restrict` rounds the row tighter (every grid solution satisfies it), `relax`
    # looser (every rounded exact solution does). A <= row tightens with its coefficients
    # rounded up and its limit down, a >= row the other way.
    if any(var.proto.domain[0] < 0 for var in vars_):
        raise ValueError(f"row over {[var.name for var in vars_][:5]}: rounding its fractional "
                         "coefficients needs every variable >= 0")
    grow, shrink = (_up, _down) if rounding == "restrict" else (_down, _up)
    if upper < INF:
        cp.add(cp_model.LinearExpr.weighted_sum(vars_, [grow(c * ROW_SCALE) for c in coefs])
               <= shrink(upper * ROW_SCALE))
    if lower > -INF:
        cp.add(cp_model.LinearExpr.weighted_sum(vars_, [shrink(c * ROW_SCALE) for c in coefs])
               >= grow(lower * ROW_SCALE))


def _objective_scale(grid_coefs: list[float], variables: list) -> float:
    """The power of ten that makes every objective coefficient whole, or else the first that
    keeps what rounding them down can take off the objective under a tenth of a cent (or the
    objective's range under 2^50, CP-SAT's integers being 64-bit)."""
    tops = [max(abs(var.proto.domain[0]), abs(var.proto.domain[len(var.proto.domain) - 1]), 1)
            for var in variables]
    reach = sum(abs(c) * top for c, top in zip(grid_coefs, tops, strict=True)) or 1.0
    scale = 1.0
    while reach * scale * 10 <= 2.0 ** 50:
        loss = sum(top for c, top in zip(grid_coefs, tops, strict=True)
                   if abs(c * scale - round(c * scale)) >= _NOISE)
        if loss <= OBJECTIVE_LOSS * scale:
            break
        scale *= 10
    return scale


def solve_cpsat(model: LinearModel, *, time_limit_s: float, threads: int, seed: int,
                relative_gap: float, hint: dict[int, float] | None,
                deterministic_time: float | None = None,
                linearization_level: int = 2, presolve: bool = True,
                rounding: Rounding = "restrict", objective_scale: float | None = None,
                decisions: bool = False,
                stop: Callable[[], bool] | None = None,
                min_seconds: float = 0.0) -> SolveOutcome:
    """`objective_scale` (`relax`): grid units of the objective per currency unit, instead of
    the power of ten that keeps rounding under a tenth of a cent; coarser keeps the search's
    objective small (its coefficients still round down, so the bound stays valid).
    `decisions` (`relax`): return the solution's values too; only the integer ones (the
    plan's decisions) mean anything, and a plan built from them must be verified.
    `stop`: asked every STOP_POLL_S while the search runs; when it says so the search ends
    (`stopped_early` in the report), and what it found then depends on when that was.
    `time_limit_s` counts writing the model; with under `min_seconds` left, before writing it
    or after, the search is not started (status no_solution, stopped by the clock)."""
    began = time.monotonic()
    if time_limit_s < min_seconds:
        return not_started(time_limit_s, time_limit_s, written=False)
    cp = cp_model.CpModel()
    res = model.resolution
    relax = rounding == "relax"
    variables = []
    for name, lo, hi, res_v in zip(model.names, model.lower, model.upper, res, strict=True):
        # `relax` rounds a value down onto the grid, so a lower bound between two grid points
        # rounds down as well.
        bottom = (_down if relax else _up)(lo * res_v)
        variables.append(cp.new_int_var(bottom, _down(hi * res_v), name))
    for row in model.rows:
        _add_row(cp, row, variables, res, model.integer, rounding)
    for cumulative in model.cumulatives:
        _add_cumulative(cp, cumulative, variables, res, rounding)
    obj_vars = list(model.objective)
    grid_coefs = [model.objective[v] / res[v] for v in obj_vars]
    scale = 1.0
    margin = 0.0
    if relax:
        # Every variable is >= 0: coefficients rounded down keep the objective at or below
        # the exact one. Rounding a continuous value down raises the objective where its
        # coefficient is negative, by less than that coefficient's grid step (`margin`, given
        # back to the bound).
        objective_vars = [variables[v] for v in obj_vars]
        if any(var.proto.domain[0] < 0 for var in objective_vars):
            raise ValueError("the relaxed objective needs every variable >= 0")
        scale = objective_scale or _objective_scale(grid_coefs, objective_vars)
        whole = cp_model.LinearExpr.weighted_sum(
            objective_vars, [_down(c * scale) for c in grid_coefs])
        cp.minimize(whole)
        margin = sum(-c for v, c in zip(obj_vars, grid_coefs, strict=True)
                     if c < 0 and not model.integer[v])
    else:
        cp.minimize(cp_model.LinearExpr.weighted_sum([variables[v] for v in obj_vars],
                                                     grid_coefs) + model.objective_constant)
    if hint:
        # Only the decisions: the continuous values follow from them, and rounding them onto
        # the 0.1 kW grid could make the hint look infeasible.
        for v, value in hint.items():
            if model.integer[v]:
                cp.add_hint(variables[v], int(round(value)))
    # The limit is the whole call's: on the 30-job day at a 2 s limit (3.7 s in a CI run) the
    # commitment searches spent 0.45-1.2 s outside their 0.1-0.23 s solves, building and
    # writing their models beside the other core's Python.
    left = time_limit_s - (time.monotonic() - began)
    if left < min_seconds:
        return not_started(time_limit_s, left, written=True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(left, 0.1)
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = seed
    solver.parameters.relative_gap_limit = relative_gap
    solver.parameters.linearization_level = linearization_level
    solver.parameters.cp_model_presolve = presolve
    # Racing workers return whichever plan one of them finds first, even among proven optima;
    # interleaved, they share their work in fixed batches, so a run that ends by its proof or
    # its work count repeats.
    solver.parameters.interleave_search = threads > 1
    if deterministic_time is not None:  # the limit that makes a run repeatable
        solver.parameters.max_deterministic_time = max(deterministic_time, 0.01)
    parameters: dict[str, str | int | float | bool | None] = {
        "max_time_in_seconds": round(time_limit_s, 3), "num_workers": threads,
        "interleave_search": threads > 1,
        "random_seed": seed, "relative_gap_limit": relative_gap,
        "linearization_level": linearization_level, "hint": bool(hint),
        "kw_resolution": "0.1 kW", "row_scale": ROW_SCALE, "rounding": rounding,
        "max_deterministic_time": deterministic_time, "presolve": presolve,
        "cumulatives": len(model.cumulatives), "objective_scale": scale}
    code, stopped_early = _solve(solver, cp, stop)
    parameters["deterministic_time_used"] = round(solver.deterministic_time, 3)
    if stop is not None:
        parameters["stopped_early"] = stopped_early
    # An unfinished search ended by the clock, not by its work count (or with no count at all),
    # gives a result that depends on the machine's speed.
    parameters["stopped_by_clock"] = code not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) \
        and (deterministic_time is None or solver.deterministic_time < 0.999 * deterministic_time)
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    grid_bound = float(solver.best_objective_bound) if code != cp_model.INFEASIBLE else None
    if relax:
        # A relaxation: infeasible or its bound hold for the exact model; its values do not.
        status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
                  cp_model.INFEASIBLE: "infeasible"}.get(code, "no_solution")
        bound = None if grid_bound is None \
            else grid_bound / scale + model.objective_constant - margin
        objective = float(solver.objective_value) / scale + model.objective_constant \
            if found else None
        values = [solver.value(var) / r for var, r in zip(variables, res, strict=True)] \
            if found and decisions else None
        return SolveOutcome("CP-SAT", VERSION, status, values, objective, bound,
                            time.monotonic() - began, parameters, solver.status_name(code))
    # A restriction: its plans are exact plans, but optimal on the grid is not optimal, and
    # infeasible on the grid is not infeasible.
    status = "feasible" if found else "no_solution"
    parameters["grid_model_status"] = solver.status_name(code)
    parameters["grid_model_bound"] = grid_bound
    values = None
    objective = None
    if found:
        values = [solver.value(var) / r for var, r in zip(variables, res, strict=True)]
        objective = float(solver.objective_value)
    message = solver.status_name(code) + " on the 0.1 kW and cent grid; its bound holds " \
        "for that grid only"
    return SolveOutcome("CP-SAT", VERSION, status, values, objective, None,
                        time.monotonic() - began, parameters, message)


def not_started(time_limit_s: float, left: float, *, written: bool) -> SolveOutcome:
    """A search the clock left too little time to start (`left` of `time_limit_s`, before
    writing its model or after)."""
    return engine_not_started("CP-SAT", VERSION,
                              {"max_time_in_seconds": round(time_limit_s, 3)}, left=left,
                              seconds=max(time_limit_s - left, 0.0), written=written)


def _solve(solver: cp_model.CpSolver, cp: cp_model.CpModel,
           stop: Callable[[], bool] | None) -> tuple[Any, bool]:
    """solver.solve(cp), ended early by `stop` (polled on a watcher thread; stop_search is
    CP-SAT's own asynchronous stop). Returns the status and whether `stop` ended it."""
    if stop is None:
        return solver.solve(cp), False
    finished = threading.Event()
    fired = threading.Event()
    failed: list[BaseException] = []  # raised again here, not lost with the watcher thread

    def watch() -> None:
        try:
            while not finished.wait(STOP_POLL_S):
                if stop():
                    fired.set()
                    solver.stop_search()
                    return
        except BaseException as exc:
            failed.append(exc)
            solver.stop_search()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        code = solver.solve(cp)
    finally:
        finished.set()
        watcher.join()
    if failed:
        raise failed[0]
    return code, fired.is_set()


# How often a search's `stop` is asked whether to end it. CP-SAT returned 8 ms after a stop
# said so (the 20-job day's commitment search, stopped at 0, 1 and 2 s; 2026-12-07).
STOP_POLL_S = 0.05

# The plan's share of the limit when CP-SAT must also bound the exact model; the relaxation
# gets the rest, and all of it when the plan's search ends early.
PLAN_SHARE = 0.5


def solve_cpsat_bounded(model: LinearModel, *, time_limit_s: float, threads: int, seed: int,
                        relative_gap: float, hint: dict[int, float] | None,
                        deterministic_time: float | None = None) -> SolveOutcome:
    """A plan from the restricted grid model, then a bound of the exact model from the relaxed
    one, hinted with the plan's decisions. (Telling it the plan's cost as an objective limit
    left its bound at the trivial one on plant_a's model.) The outcome is the plan's, with
    the relaxation's bound, and optimal when that bound proves the plan within the gap."""
    began = time.monotonic()
    plan = solve_cpsat(model, time_limit_s=PLAN_SHARE * time_limit_s, threads=threads,
                       seed=seed, relative_gap=relative_gap, hint=hint,
                       deterministic_time=deterministic_time)
    left = time_limit_s - (time.monotonic() - began)
    if plan.values is None or left < 0.1:
        return plan
    relaxed = solve_cpsat(model, time_limit_s=left, threads=threads, seed=seed,
                          relative_gap=relative_gap, hint=dict(enumerate(plan.values)),
                          deterministic_time=deterministic_time, rounding="relax")
    parameters = {**plan.parameters, "bound_from": "CP-SAT on the relaxed grid model",
                  "bound_status": relaxed.status, "bound_seconds": round(relaxed.seconds, 3),
                  "bound_objective_scale": relaxed.parameters["objective_scale"],
                  "stopped_by_clock": bool(plan.parameters["stopped_by_clock"]
                                           or relaxed.parameters["stopped_by_clock"])}
    bound = relaxed.bound
    status = plan.status
    if bound is not None and plan.objective - bound <= relative_gap * max(abs(plan.objective),
                                                                         1e-9):
        status = "optimal"
    return SolveOutcome(plan.engine, plan.version, status, plan.values, plan.objective, bound,
                        time.monotonic() - began, parameters, plan.message)
