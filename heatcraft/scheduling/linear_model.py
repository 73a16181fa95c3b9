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
        kept = {v: c for v, c in terms.items() if c != 0.0}
        if not kept:
            return
        self.rows.append(Row(list(kept), list(kept.values()), lower, upper))

    def add_objective(self, variable: int, coefficient: float) -> None:
        self.objective[variable] = self.objective.get(variable, 0.0) + coefficient

    @property
    def size(self) -> dict[str, int]:
        return {"variables": len(self.names), "integer": sum(self.integer), "rows": len(self.rows),
                "nonzeros": sum(len(r.variables) for r in self.rows)}
