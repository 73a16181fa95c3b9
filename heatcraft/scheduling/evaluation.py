"""Cost of a step-level solution, computed the way the bill engine prices the load profile."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatcraft.scheduling.problem import JobData, Problem

Placement = list[tuple[int, int] | None]  # per job: (unit index, start step) or None = dropped


@dataclass
class Solution:
    placement: Placement
    on: np.ndarray  # (units, steps) bool

    def copy(self) -> Solution:
        return Solution(list(self.placement), self.on.copy())


def unit_heat(problem: Problem, placement: Placement) -> np.ndarray:
    """(units, steps) average heat the jobs take in each step."""
    heat = np.zeros((len(problem.units), problem.n_steps))
    for job, place in zip(problem.jobs, placement, strict=True):
        if place is not None:
            unit, start = place
            heat[unit, start:start + job.steps] += job.heat_kw * job.energy_share
    return heat


def starts_of(problem: Problem, on: np.ndarray) -> np.ndarray:
    before = np.array([u.initial_on for u in problem.units], dtype=bool)[:, None]
    previous = np.concatenate([before, on[:, :-1]], axis=1)
    return on & ~previous


def unit_input(problem: Problem, heat: np.ndarray, on: np.ndarray) -> np.ndarray:
    """(units, steps) input kW: output / efficiency + startup energy in the start step."""
    min_load = np.array([u.min_load_kw for u in problem.units])[:, None]
    eff = np.array([u.efficiency for u in problem.units])[:, None]
    startup = np.array([u.startup_kwh for u in problem.units])[:, None]
    output = np.where(on, np.maximum(heat, min_load), heat)
    return output / eff + starts_of(problem, on) * startup / problem.step_hours


def demand_cost(problem: Problem, electric_kw: np.ndarray) -> float:
    total = 0.0
    for term in problem.demand:
        peak = max(float(electric_kw[block].mean()) for block in term.blocks)
        total += term.cost(peak)
    return total


def evaluate(problem: Problem, solution: Solution) -> tuple[float, float]:
    """(cost of the plan as billed, penalty of its dropped jobs and of its late ones)."""
    heat = unit_heat(problem, solution.placement)
    inputs = unit_input(problem, heat, solution.on)
    electric_rows = [u.index for u in problem.units if u.electric]
    electric = problem.base_kw + inputs[electric_rows].sum(axis=0)
    fuel_price = np.array([u.fuel_price for u in problem.units])[:, None]
    cost = problem.constant_cost
    cost += float((inputs[electric_rows].sum(axis=0) * problem.energy_price).sum()
                  * problem.step_hours)
    cost += float((inputs * fuel_price).sum() * problem.step_hours)
    cost += demand_cost(problem, electric)
    return cost, penalty_of(problem, solution.placement)


def penalty_of(problem: Problem, placement: list[tuple[int, int] | None]) -> float:
    """What the plan's dropped jobs (their drop penalty), late ones (per hour late) and a
    re-plan's moved ones (the move penalty) cost beside the bill."""
    return sum((job.drop_cost or 0.0) if place is None else job.placement_cost(*place)
               for job, place in zip(problem.jobs, placement, strict=True))


def left_out_with_starts(problem: Problem, placement: Placement) -> list[JobData]:
    """Jobs that have a start but are not placed."""
    return [job for job, place in zip(problem.jobs, placement, strict=True)
            if place is None and job.candidates]


def required_left_out(problem: Problem, placement: Placement) -> int:
    """Jobs that may not be dropped (no penalty) and have a start, but are not placed."""
    return sum(1 for job in left_out_with_starts(problem, placement) if job.penalty is None)


def drops_may_pay(problem: Problem, best: Solution) -> bool:
    """False when `best` places every job for less than any single drop penalty."""
    if any(place is None for place in best.placement):
        return True
    penalties = [j.penalty for j in problem.jobs if j.penalty is not None]
    return bool(penalties) and sum(evaluate(problem, best)) >= min(penalties)


def plan_rank(problem: Problem, solution: Solution) -> tuple[int, float]:
    """(jobs that may not be dropped left out, bill plus penalties): such a job counts no
    penalty, so a plan that leaves it out may look cheaper than one that places it."""
    return required_left_out(problem, solution.placement), sum(evaluate(problem, solution))


def better_rank(rank: tuple[int, float], than: tuple[int, float], margin: float) -> bool:
    """Ranks (required jobs left out, cost): fewer left out, or as many and a cost lower by
    more than `margin`."""
    if rank[0] != than[0]:
        return rank[0] < than[0]
    return rank[1] < than[1] - margin


def electric_kw(problem: Problem, solution: Solution) -> np.ndarray:
    heat = unit_heat(problem, solution.placement)
    inputs = unit_input(problem, heat, solution.on)
    rows = [u.index for u in problem.units if u.electric]
    return problem.base_kw + inputs[rows].sum(axis=0)
