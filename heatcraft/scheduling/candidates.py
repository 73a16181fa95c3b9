"""A plan offered to the final choice (optimize_plan): where it came from, the model's price
of it and its penalties; every candidate is verified and priced again by plan_choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heatcraft.models import Plan
from heatcraft.scheduling.evaluation import Solution, evaluate, plan_rank
from heatcraft.scheduling.plan_builder import solution_to_plan
from heatcraft.scheduling.problem import Problem


@dataclass
class Candidate:
    source: str
    plan: Plan
    claimed_cost: float | None  # the step model's own price of the plan, if it has one
    penalty: float


def best_of(problem: Problem, solutions: list[Solution]) -> Solution:
    """The first of the best by plan_rank: fewest required jobs left out, then least bill
    plus penalties."""
    return min(solutions, key=lambda s: plan_rank(problem, s))


def solution_candidate(source: str, problem: Problem, solution: Solution,
                       inputs: Any) -> Candidate:
    """`solution` as a plan, with the step model's price of it (where the model prices the
    tariff exactly) and its penalties (infinite where it leaves out a job that may not be
    dropped)."""
    cost, penalty = evaluate(problem, solution)
    if any(p is None and j.penalty is None for j, p in zip(problem.jobs, solution.placement,
                                                           strict=True)):
        penalty = float("inf")
    plan = solution_to_plan(problem, solution, inputs, site_id=inputs.site.id)
    return Candidate(source, plan, cost if problem.exact_tariff else None, penalty)
