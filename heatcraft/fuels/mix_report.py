"""The fuel-mix result as plain data: `to_dict()` for JSON and row lists for warehouse tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from heatcraft.fuels.greedy_baseline import GreedyMix
from heatcraft.fuels.mix_evaluation import GJ_PER_MWH, evaluate, fuel_kg, orders_needed
from heatcraft.fuels.mix_optimizer import OptimizedMix
from heatcraft.fuels.mix_problem import FuelMixProblem
from heatcraft.fuels.pareto import ParetoPoint

ENERGY_BASIS = "GJ net (lower heating value); heat = efficiency x fuel energy"


@dataclass
class FuelMixReport:
    problem: FuelMixProblem
    mix: OptimizedMix
    currency: str = "USD"
    greedy: GreedyMix | None = None
    pareto: list[ParetoPoint] = field(default_factory=list)
    gwp_set: str | None = None

    # ---- tables -------------------------------------------------------------------------
    def rows(self) -> list[dict[str, object]]:
        """fuel_mix table: one row per period and fuel."""
        problem, rows = self.problem, []
        for t in problem.periods:
            total = sum(values[t] for values in self.mix.energies.values())
            for option in problem.options:
                energy = self.mix.energies.get(option.fuel_id, [0.0] * (t + 1))[t]
                rows.append(
                    {
                        "period": problem.label(t),
                        "fuel_id": option.fuel_id,
                        "energy_gj": energy,
                        "heat_gj": energy * option.efficiency,
                        "share": energy / total if total > 0 else 0.0,
                        "quantity_kg": energy * option.kg_per_gj(),
                        "fuel_cost": energy * option.price_per_gj,
                        "co2e_kg": energy
                        * option.cap_coefficient("co2e_t", problem.include_upstream_in_co2e)
                        * 1000.0,
                    }
                )
        return rows

    def binding_limit_rows(self) -> list[dict[str, object]]:
        return [limit.to_dict() for limit in self.mix.binding_limits]

    def pareto_rows(self) -> list[dict[str, object]]:
        return [
            {k: v for k, v in point.to_dict().items() if k != "fuel_gj"} | {"point": index}
            for index, point in enumerate(self.pareto)
        ]

    def summary_row(self) -> dict[str, object]:
        summary = self.to_dict()
        flat = {
            "status": summary["status"],
            "objective": self.problem.objective,
            "objective_value": self.mix.objective_value,
            "relative_gap": self.mix.relative_gap,
            "solver": self.mix.solver,
            "model_type": self.mix.model_type,
        }
        if self.mix.ok:
            flat |= summary["totals"] | {
                f"{gas}_kg": value for gas, value in summary["emissions_kg"].items()
            }
        return flat

    # ---- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, object]:
        mix, problem = self.mix, self.problem
        result: dict[str, object] = {
            "status": mix.status,
            "objective": {
                "kind": problem.objective,
                "value": mix.objective_value,
                "best_bound": mix.best_bound,
                "relative_gap": mix.relative_gap,
                "note": _objective_note(problem.objective),
            },
            "solver": {
                "name": mix.solver,
                "model_type": mix.model_type,
                "wall_time_s": mix.wall_time_s,
                "stages": mix.stages,
            },
            "energy_basis": ENERGY_BASIS,
            "currency": self.currency,
            "gwp_set": self.gwp_set,
        }
        if not mix.ok:
            result["diagnosis"] = {
                "message": "no mix satisfies every limit; relaxing these limits by the amounts "
                "shown is the smallest total change that makes the problem feasible",
                "relaxations": [r.to_dict() for r in mix.relaxations],
            }
            return result
        totals = evaluate(problem, mix.energies)
        heat_mwh = totals.heat_gj / GJ_PER_MWH
        fuel_mwh = totals.fuel_gj / GJ_PER_MWH
        kg = fuel_kg(problem, mix.energies)
        result["fuels"] = self._fuel_entries(totals.fuel_gj, totals.heat_gj, kg)
        result["totals"] = {
            "fuel_cost": totals.fuel_cost,
            "carbon_cost": totals.carbon_cost,
            "order_cost": totals.order_cost,
            "total_cost": totals.total_cost,
            "fuel_gj": totals.fuel_gj,
            "heat_gj": totals.heat_gj,
            "cost_per_mwh_heat": totals.total_cost / heat_mwh if heat_mwh else None,
            "cost_per_mwh_fuel": totals.total_cost / fuel_mwh if fuel_mwh else None,
        }
        gases = totals.emissions_kg
        result["emissions_kg"] = {
            "co2_fossil": gases["co2_fossil"],
            "co2_biogenic": gases["co2_biogenic"],
            "ch4": gases["ch4"],
            "n2o": gases["n2o"],
            "co2e": totals.co2e_kg,
            "nox": gases["nox"],
            "sox": gases["sox"],
            "pm": gases["pm"],
            "upstream_co2e": gases["upstream"],
        }
        result["emissions_note"] = (
            "co2e = fossil CO2 + GWP-weighted CH4 and N2O"
            + (" + upstream" if problem.include_upstream_in_co2e else "")
            + "; biogenic CO2 reported separately, outside co2e"
        )
        result["co2e_intensity_kg_per_mwh_heat"] = totals.co2e_kg / heat_mwh if heat_mwh else None
        result["renewable_share_of_heat"] = (
            totals.renewable_heat_gj / totals.heat_gj if totals.heat_gj else None
        )
        result["supply_security_index"] = (
            totals.security_weighted_heat_gj / totals.heat_gj if totals.heat_gj else None
        )
        result["binding_limits"] = self.binding_limit_rows()
        result["shadow_price_method"] = mix.shadow_price_method
        result["shadow_price_meaning"] = (
            "d(objective of the last stage)/d(limit bound) in currency per unit shown; negative: "
            "relaxing the limit by one unit saves that much"
        )
        result["marginal_heat_cost_per_gj"] = mix.marginal_heat_cost_per_gj
        if problem.inventory_mode == "with_procurement":
            needed = orders_needed(problem, mix.energies)
            result["purchases_kg"] = {
                fuel: kg[fuel] - (problem.option(fuel).on_hand_kg or 0.0)
                for fuel, flag in needed.items()
                if flag
            }
        if self.greedy is not None:
            result["greedy_baseline"] = _greedy_entry(self.greedy, totals.total_cost)
        if self.pareto:
            result["pareto_frontier"] = [point.to_dict() for point in self.pareto]
        return result

    def _fuel_entries(
        self, fuel_gj: float, heat_gj: float, kg: dict[str, float]
    ) -> list[dict[str, object]]:
        entries = []
        upstream = self.problem.include_upstream_in_co2e
        for option in self.problem.options:
            energies = self.mix.energies[option.fuel_id]
            energy = sum(energies)
            entries.append(
                {
                    "fuel_id": option.fuel_id,
                    "share_of_fuel_energy": energy / fuel_gj if fuel_gj else 0.0,
                    "share_of_heat": energy * option.efficiency / heat_gj if heat_gj else 0.0,
                    "energy_gj": energy,
                    "quantity_kg": kg[option.fuel_id],
                    "price_per_gj": option.price_per_gj,
                    "fuel_cost": energy * option.price_per_gj,
                    "co2e_kg": energy * option.cap_coefficient("co2e_t", upstream) * 1000.0,
                    "energy_gj_by_period": energies,
                }
            )
        return entries


def _objective_note(kind: str) -> str:
    return {
        "cost": "minimum fuel + carbon + order cost",
        "co2e": "minimum CO2e, then minimum cost at that CO2e (value is the cost)",
        "renewable_share": "maximum renewable heat, then minimum cost (value is the cost)",
        "supply_security": "maximum security-weighted heat, then minimum cost (value is the cost)",
        "weighted": "weights x cost and CO2e, each normalised by its payoff-table range",
    }[kind]


def _greedy_entry(greedy: GreedyMix, exact_cost: float) -> dict[str, object]:
    entry: dict[str, object] = {
        "feasible": greedy.feasible,
        "total_cost": greedy.total_cost,
        "co2e_kg": greedy.co2e_kg,
        "violations": greedy.violations,
    }
    if greedy.feasible:
        entry["exact_saving"] = greedy.total_cost - exact_cost
        entry["exact_saving_pct"] = (
            100.0 * (greedy.total_cost - exact_cost) / greedy.total_cost
            if greedy.total_cost
            else 0.0
        )
    return entry
