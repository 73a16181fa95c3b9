"""Cost-versus-CO2e Pareto frontier by the epsilon-constraint method: minimise cost under a CO2e
cap stepped evenly from the CO2e of the cheapest mix down to the lowest CO2e any mix reaches."""

from __future__ import annotations

from dataclasses import dataclass

from heatcraft.fuels.linear_model import INF, Row
from heatcraft.fuels.mix_evaluation import evaluate
from heatcraft.fuels.mix_optimizer import optimize_mix
from heatcraft.fuels.mix_problem import FuelMixProblem
from heatcraft.fuels.mix_rows import build_model

EPSILON_ROW = "pareto_co2e_cap"


@dataclass(frozen=True)
class ParetoPoint:
    co2e_cap_t: float
    status: str
    total_cost: float | None
    co2e_t: float | None
    marginal_abatement_cost_per_t: float | None
    """-(d cost / d cap): what one more tonne of reduction costs at this point."""
    fuel_gj: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        return {
            "co2e_cap_t": self.co2e_cap_t,
            "status": self.status,
            "total_cost": self.total_cost,
            "co2e_t": self.co2e_t,
            "marginal_abatement_cost_per_t": self.marginal_abatement_cost_per_t,
            "fuel_gj": self.fuel_gj,
        }


def pareto_frontier(problem: FuelMixProblem, points: int) -> list[ParetoPoint]:
    if points < 2:
        raise ValueError("a Pareto frontier needs at least 2 points")
    cost_problem = problem.model_copy(update={"objective": "cost"})
    green_problem = problem.model_copy(update={"objective": "co2e"})
    cheapest = optimize_mix(cost_problem)
    greenest = optimize_mix(green_problem)
    if not (cheapest.ok and greenest.ok):
        return []
    high = evaluate(problem, cheapest.energies).co2e_kg / 1000.0
    low = evaluate(problem, greenest.energies).co2e_kg / 1000.0
    _, expressions = build_model(problem)
    frontier = []
    for index in range(points):
        cap = high - (high - low) * index / (points - 1)
        # Round-off guard at the low end: the min-CO2e optimum itself must stay feasible.
        cap_row = Row(
            EPSILON_ROW,
            dict(expressions.co2e_t),
            -INF,
            cap + 1e-7 * max(1.0, cap),
            True,
            "pareto_cap",
            "t",
        )
        mix = optimize_mix(cost_problem, extra_rows=[cap_row])
        if not mix.ok:
            frontier.append(ParetoPoint(cap, mix.status, None, None, None, {}))
            continue
        totals = evaluate(problem, mix.energies)
        dual = next((b.shadow_price for b in mix.binding_limits if b.name == EPSILON_ROW), 0.0)
        frontier.append(
            ParetoPoint(
                co2e_cap_t=cap,
                status=mix.status,
                total_cost=totals.total_cost,
                co2e_t=totals.co2e_kg / 1000.0,
                marginal_abatement_cost_per_t=-dual if dual else 0.0,
                fuel_gj={fuel: sum(values) for fuel, values in mix.energies.items()},
            )
        )
    return frontier
