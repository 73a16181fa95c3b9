"""A solver-neutral mixed-integer linear model: one formulation, handed to any backend."""

from __future__ import annotations

from dataclasses import dataclass, field

INF = float("inf")


@dataclass
class Row:
    variables: list[int]
    coefficients: list[float]
    lower: float
    upper: float


@dataclass
class Cumulative:
    """A redundant resource constraint for engines with scheduling reasoning (CP-SAT).

    At every step, the demands of the present items that cover it sum to at most the capacity
    (a constant, or a model variable minus an offset). The linear rows already imply it; stated
    as intervals it lets CP-SAT reason on energy and overlap, which an LP cannot.
    """

    # (presence variable or None for always present, start step, end step, demand)
    items: list[tuple[int | None, int, int, float]]
    capacity: float = 0.0
    capacity_variable: int | None = None  # capacity = variable - capacity


@dataclass
class LinearModel:
    names: list[str] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    # Continuous variables carry a resolution for integer-only engines (CP-SAT): units per 1.
    resolution: list[float] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    objective: dict[int, float] = field(default_factory=dict)
    objective_constant: float = 0.0
    cumulatives: list[Cumulative] = field(default_factory=list)  # only engines that can use them

    def add_variable(self, name: str, lower: float, upper: float, integer: bool,
                     resolution: float = 1.0) -> int:
        self.names.append(name)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        self.resolution.append(1.0 if integer else resolution)
        return len(self.names) - 1

    def binary(self, name: str, lower: float = 0.0, upper: float = 1.0) -> int:
        return self.add_variable(name, lower, upper, True)

    def add_row(self, terms: dict[int, float], lower: float = -INF, upper: float = INF) -> None:
        # Variables fixed by their bounds move into the row's bounds: a neighbourhood model,
        # where most of the plan is fixed, then stays small for the engine's presolve.
        kept, shift = {}, 0.0
        for v, c in terms.items():
            if c == 0.0:
                continue
            if self.lower[v] == self.upper[v]:
                shift += c * self.lower[v]
            else:
                kept[v] = c
        if not kept:
            return
        self.rows.append(Row(list(kept), list(kept.values()), lower - shift, upper - shift))

    def add_objective(self, variable: int, coefficient: float) -> None:
        self.objective[variable] = self.objective.get(variable, 0.0) + coefficient

    @property
    def size(self) -> dict[str, int]:
        return {"variables": len(self.names), "integer": sum(self.integer), "rows": len(self.rows),
                "nonzeros": sum(len(r.variables) for r in self.rows)}
