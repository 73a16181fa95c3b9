"""CBC through PuLP (a child process, so it is safe next to OR-Tools)."""

from __future__ import annotations

import re
import tempfile
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pulp

from heatcraft.scheduling.backends.outcome import SolveOutcome
from heatcraft.scheduling.linear_model import INF, LinearModel

# CBC's summary ("Lower bound:  29873.272", three decimals); PuLP does not read it.
_NODE_LIMIT_REACHED = re.compile(r"^Result - Stopped on node", re.MULTILINE)
_LOWER_BOUND = re.compile(r"^Lower bound:\s+(\S+)\s*$", re.MULTILINE)


# CBC's own elapsed time at its end ("Total time (CPU seconds): 0.52 (Wallclock seconds): 0.53").
_WALLCLOCK = re.compile(r"\(Wallclock seconds\):\s+(\S+)")
# An answer given after this share of CBC's time limit was given with the clock running out.
LATE_ANSWER_SHARE = 0.9


def _last_match(pattern: re.Pattern[str], log: str) -> str | None:
    """The text the pattern last found in CBC's log, if any."""
    found = pattern.findall(log)
    return found[-1] if found else None


def _last_logged(pattern: re.Pattern[str], log: str) -> float | None:
    """The number the pattern last found in CBC's log, if any."""
    text = _last_match(pattern, log)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def logged_lower_bound(log: str) -> float | None:
    """CBC's summary's lower bound, less half a unit of its last printed digit: it prints the
    bound rounded, which may round it up past what was proven."""
    text = _last_match(_LOWER_BOUND, log)
    try:
        printed = Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
    if printed is None or not printed.is_finite():
        return None
    last_digit = printed.as_tuple().exponent  # 6159.988: -3
    return float(printed) - 0.5 * 10.0 ** last_digit


def infeasible_is_proven(log: str, time_limit_s: float, seconds: float) -> bool:
    """CBC's "infeasible" counts as a proof only when it came well before its time limit, by
    CBC's own wallclock in its log (`seconds`, ours around the call, where it wrote none). On
    the 20-job benchmark day (which has plans: the heuristic's place every job) at 1 s, with
    the machine busy, CBC 2.10.3 through PuLP once answered Infeasible; in 18 other runs at
    0.05-1 s, idle or busy, it answered Not Solved ("Stopped on time limit")."""
    took = _last_logged(_WALLCLOCK, log)
    return (took if took is not None else seconds) < LATE_ANSWER_SHARE * time_limit_s


def solve_cbc(model: LinearModel, *, time_limit_s: float, threads: int, seed: int,
              relative_gap: float, hint: dict[int, float] | None,
              node_limit: int | None = None) -> SolveOutcome:
    began = time.monotonic()
    problem = pulp.LpProblem("heatcraft", pulp.LpMinimize)
    variables = [pulp.LpVariable(f"v{i}", lowBound=lo if lo > -INF else None,
                                 upBound=hi if hi < INF else None,
                                 cat=pulp.LpInteger if integer else pulp.LpContinuous)
                 for i, (lo, hi, integer) in enumerate(zip(model.lower, model.upper,
                                                           model.integer, strict=True))]
    for number, row in enumerate(model.rows):
        expr = pulp.LpAffineExpression(
            [(variables[v], c) for v, c in zip(row.variables, row.coefficients, strict=True)])
        if row.lower == row.upper:
            problem += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{number}", row.lower)
            continue
        if row.upper < INF:
            problem += pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{number}u", row.upper)
        if row.lower > -INF:
            problem += pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{number}l", row.lower)
    problem += pulp.LpAffineExpression(
        [(variables[v], c) for v, c in model.objective.items()], constant=model.objective_constant)
    if hint:
        for v, value in hint.items():
            variables[v].setInitialValue(value)
    options = [f"randomSeed {seed + 1}", f"randomCbcSeed {seed + 1}"]
    if hint:
        # CBC 2.10.3 (PuLP's binary; Debian's 2.10.8 too) segfaults in its preprocessing's
        # post-processing when the clock stops it before the root with a MIP start: on the
        # 20-30 job days at 1-2 s it always did. Without preprocessing it does not, and from
        # the same start it found better plans there (30-job day, 5 s: 35,087 against 36,540
        # in the model's units, bound 29,987 against 30,023).
        options.append("preprocess off")
    parameters = {"timeLimit": round(time_limit_s, 3), "threads": threads, "gapRel": relative_gap,
                  "warmStart": bool(hint), "randomSeed": seed + 1,
                  "preprocess": "off" if hint else "sos", "node_limit": node_limit}
    version = f"CBC via PuLP {pulp.__version__}"
    with tempfile.TemporaryDirectory(prefix="heatcraft-cbc-") as scratch:
        log_path = Path(scratch) / "cbc.log"  # CBC's summary, for its bound (see below)
        limit = max(time_limit_s, 1.0)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=threads,
                                   gapRel=relative_gap, warmStart=bool(hint), options=options,
                                   logPath=str(log_path), maxNodes=node_limit)
        try:
            problem.solve(solver)
            failure = None
        except pulp.PulpSolverError as exc:
            failure = str(exc)
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    if failure is not None:
        tail = " | ".join(line for line in log.strip().splitlines()[-3:] if line.strip())
        detail = f"; CBC's log ends: {tail}" if tail else "; CBC wrote no log (it crashed)"
        return SolveOutcome("CBC", version, "error", None, None, None,
                            time.monotonic() - began, parameters, failure + detail)
    status_name = pulp.LpStatus.get(problem.status, "Undefined")
    has_solution = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    values = [v.varValue or 0.0 for v in variables] if has_solution else None
    if problem.sol_status == pulp.LpSolutionOptimal:
        status = "optimal"
    elif has_solution:
        status = "feasible"
    elif status_name == "Infeasible":
        status = "infeasible" if infeasible_is_proven(log, limit, time.monotonic() - began) \
            else "no_solution"
        parameters["infeasible_answer_late"] = status == "no_solution"
    else:
        status = "no_solution"
    objective = float(pulp.value(problem.objective)) if has_solution else None
    # CBC's summary gives its best bound, without the objective's constant (PuLP's MPS file
    # leaves it out). Even where CBC says optimal: it stops within its gap tolerance (gapRel),
    # so its objective is no bound (a random 12-job site: "optimal" at 6,208.06 $, lower bound
    # 6,207.99 $, HiGHS's proven optimum 6,208.01 $).
    bound = None
    if status_name != "Infeasible":  # a late "infeasible" proves nothing
        logged = logged_lower_bound(log)
        if logged is not None:
            bound = logged + model.objective_constant
        elif status == "optimal" and objective is not None:  # what its gap tolerance allows
            bound = objective - relative_gap * max(abs(objective), 1.0)
        if bound is not None and objective is not None:
            bound = min(bound, objective)
    # Whatever CBC did not finish, the clock ended, unless its log says the node count did.
    parameters["stopped_by_clock"] = status not in ("optimal", "infeasible") \
        and _NODE_LIMIT_REACHED.search(log) is None
    return SolveOutcome("CBC", version, status, values, objective, bound,
                        time.monotonic() - began, parameters, status_name)
