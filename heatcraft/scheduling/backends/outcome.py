"""What an engine reports back, and the dispatch by backend name."""

from __future__ import annotations

from dataclasses import dataclass, field

from heatcraft.scheduling.linear_model import LinearModel


@dataclass
class SolveOutcome:
    engine: str
    version: str
    status: str  # optimal | feasible | infeasible | no_solution | error
    values: list[float] | None
    objective: float | None
    bound: float | None
    seconds: float
    parameters: dict[str, str | int | float | bool | None] = field(default_factory=dict)
    message: str = ""
    # The engine's own count of work done (simplex and barrier iterations, MathOpt engines):
    # reported beside the seconds, it is the same on any machine.
    iterations: int | None = None


def not_started(engine: str, version: str, parameters: dict[str, str | int | float | bool | None],
                *, left: float, seconds: float, written: bool) -> SolveOutcome:
    """An engine the clock left too little time to start: `left` seconds, before writing the
    model for it (`written` False) or after, `seconds` spent so far."""
    return SolveOutcome(engine, version, "no_solution", None, None, None, seconds,
                        {**parameters, "stopped_by_clock": True},
                        f"not started: {max(left, 0.0):.2f} s left"
                        + (" after writing the model" if written else ""))


def solve_with(backend: str, model: LinearModel, *, time_limit_s: float, threads: int, seed: int,
               relative_gap: float, hint: dict[int, float] | None = None,
               node_limit: int | None = None,
               deterministic_time: float | None = None, bounded: bool = True) -> SolveOutcome:
    """`node_limit` (MathOpt engines and CBC) and `deterministic_time` (CP-SAT) bound the work of a
    solve independently of the machine's speed and load. `bounded=False` spares CP-SAT the
    second solve that bounds the exact model (a neighbourhood needs only its plan)."""
    if backend == "cpsat":
        from heatcraft.scheduling.backends.cpsat import solve_cpsat, solve_cpsat_bounded

        solve = solve_cpsat_bounded if bounded else solve_cpsat
        return solve(model, time_limit_s=time_limit_s, threads=threads, seed=seed,
                     relative_gap=relative_gap, hint=hint, deterministic_time=deterministic_time)
    if backend in ("highs", "scip"):
        from heatcraft.scheduling.backends.mathopt import solve_mathopt

        return solve_mathopt(model, backend, time_limit_s=time_limit_s, threads=threads,
                             seed=seed, relative_gap=relative_gap, hint=hint,
                             node_limit=node_limit)
    if backend == "cbc":
        from heatcraft.scheduling.backends.cbc import solve_cbc

        return solve_cbc(model, time_limit_s=time_limit_s, threads=threads, seed=seed,
                         relative_gap=relative_gap, hint=hint, node_limit=node_limit)
    raise ValueError(f"unknown backend {backend!r}")
