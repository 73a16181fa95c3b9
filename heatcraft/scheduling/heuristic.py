"""Greedy cheapest insertion, then local search (reinsertion and ruin-and-recreate).

Fast plans that respect every limit: each move re-commits the touched unit with
`commit_steps` and is priced exactly (energy, fuel, startups, min-load idling, demand charges).
Work is counted in moves, not seconds, so the same seed gives the same plan; the wall clock is
only a safety stop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from heatcraft.scheduling.evaluation import Solution
from heatcraft.scheduling.problem import JobData, Problem
from heatcraft.scheduling.step_commitment import commit_steps

EXACT_CANDIDATES = 8
IMPROVE = 1e-6


@dataclass
class _Move:
    unit: int
    start: int
    delta: float
    on_row: np.ndarray
    input_row: np.ndarray


class InsertionSearch:
    def __init__(self, problem: Problem, seed: int = 0):
        self.p = problem
        self.rng = np.random.default_rng(seed)
        units, n = problem.units, problem.n_steps
        self.n_units = len(units)
        price = np.array([problem.energy_price if u.electric else np.full(n, u.fuel_price)
                          for u in units]).reshape(len(units), n)
        self.unit_price = price * problem.step_hours  # currency per kW held one step
        self.eff = np.array([u.efficiency for u in units])
        self.min_load = np.array([u.min_load_kw for u in units])
        self.startup = np.array([u.startup_kwh for u in units])
        self.idle_cost = self.min_load[:, None] / self.eff[:, None] * self.unit_price
        self.restart_cost = self.startup * price.mean(axis=1) if n else self.startup
        self.electric = np.array([u.electric for u in units], dtype=bool)
        self.heat = np.zeros((len(units), n))
        self.load = np.zeros((len(units), n))  # full heat power of jobs covering the step
        self.count = np.zeros((len(units), n), dtype=np.int32)
        self.on = np.zeros((len(units), n), dtype=bool)
        for u in units:
            self.on[u.index] = self._commit(u.index, np.zeros(n, dtype=bool))
        self.inputs = np.array([self._input_row(u.index, self.heat[u.index], self.on[u.index])
                                for u in units]).reshape(len(units), n)
        self.elec = problem.base_kw + self.inputs[self.electric].sum(axis=0)
        self.placement: list[tuple[int, int] | None] = [None] * len(problem.jobs)
        self._demand_rows = [self._demand_matrix(t.blocks, n) for t in problem.demand]
        self.moves = 0

    # -- pricing --------------------------------------------------------------------------
    @staticmethod
    def _demand_matrix(blocks: list[np.ndarray], n: int) -> np.ndarray | None:
        if all(len(b) == 1 for b in blocks):
            return None
        matrix = np.zeros((len(blocks), n))
        for row, block in enumerate(blocks):
            matrix[row, block] = 1.0 / len(block)
        return matrix

    def demand_cost(self, elec: np.ndarray) -> float:
        total = 0.0
        for term, matrix in zip(self.p.demand, self._demand_rows, strict=True):
            if matrix is None:
                peak = float(elec[np.concatenate(term.blocks)].max())
            else:
                peak = float((matrix @ elec).max())
            total += term.cost(peak)
        return total

    def total_cost(self) -> float:
        return (self.p.constant_cost + float((self.inputs * self.unit_price).sum())
                + self.demand_cost(self.elec) + self.penalty())

    def penalty(self) -> float:
        return sum(job.penalty or 0.0 for job, place in zip(self.p.jobs, self.placement,
                                                              strict=True) if place is None)

    def _input_row(self, u: int, heat: np.ndarray, on: np.ndarray) -> np.ndarray:
        output = np.where(on, np.maximum(heat, self.min_load[u]), heat)
        start = on.copy()
        start[1:] &= ~on[:-1]
        if self.p.units[u].initial_on:
            start[0] = False
        return output / self.eff[u] + start * self.startup[u] / self.p.step_hours

    def _commit(self, u: int, busy: np.ndarray) -> np.ndarray | None:
        return commit_steps(self.p.units[u], busy, self.p.day_of_step, self.idle_cost[u],
                            float(self.restart_cost[u]))

    def _within_contract(self, elec: np.ndarray) -> bool:
        limit = self.p.contract_peak_kw
        return limit is None or bool((elec <= limit + 1e-6).all())

    # -- moves ----------------------------------------------------------------------------
    def _exact(self, job: JobData, u: int, s: int) -> _Move | None:
        cover = slice(s, s + job.steps)
        unit = self.p.units[u]
        if (self.load[u, cover] + job.heat_kw > unit.capacity_kw + 1e-9).any():
            return None
        if (self.count[u, cover] + 1 > unit.parallel).any():
            return None
        busy = self.count[u] > 0
        busy[cover] = True
        on = self._commit(u, busy)
        if on is None:
            return None
        heat = self.heat[u].copy()
        heat[cover] += job.heat_kw * job.energy_share
        row = self._input_row(u, heat, on)
        delta = float(((row - self.inputs[u]) * self.unit_price[u]).sum())
        if self.electric[u]:
            elec = self.elec + row - self.inputs[u]
            if not self._within_contract(elec):
                return None
            delta += self.demand_cost(elec) - self.demand_cost(self.elec)
        self.moves += 1
        return _Move(u, s, delta, on, row)

    def _ranked_candidates(self, job: JobData) -> list[tuple[int, int]]:
        """Candidates by an approximate price: energy at the unit's price plus peak growth."""
        by_unit: dict[int, list[int]] = {}
        for u, s in job.candidates:
            by_unit.setdefault(u, []).append(s)
        scored: list[tuple[float, int, int]] = []
        d = job.steps
        for u, starts in by_unit.items():
            starts_arr = np.array(starts)
            add = job.heat_kw / self.eff[u]
            prefix = np.concatenate([[0.0], np.cumsum(self.unit_price[u])])
            score = add * (prefix[starts_arr + d] - prefix[starts_arr])
            # Steps already on at min load only cost the heat above min load.
            if self.electric[u]:
                for term in self.p.demand:
                    idx = np.concatenate(term.blocks)
                    masked = np.full(len(self.elec), -np.inf)
                    masked[idx] = self.elec[idx]
                    if d > len(masked):
                        continue
                    window_max = sliding_window_view(masked, d).max(axis=1)[starts_arr]
                    old_peak = float(self.elec[idx].max())
                    new_peak = np.maximum(window_max + add, old_peak)
                    score = score + np.array([term.cost(v) for v in new_peak]) - term.cost(old_peak)
            scored.extend((float(c), int(s), u) for c, s in zip(score, starts_arr, strict=True))
        scored.sort()
        return [(u, s) for _, s, u in scored]

    def best_insertion(self, job: JobData, limit: int = EXACT_CANDIDATES) -> _Move | None:
        best: _Move | None = None
        tried = 0
        for u, s in self._ranked_candidates(job):
            move = self._exact(job, u, s)
            if move is None:
                continue
            tried += 1
            if best is None or move.delta < best.delta - IMPROVE:
                best = move
            if tried >= limit:
                break
        return best

    def apply(self, job: JobData, move: _Move) -> None:
        u, cover = move.unit, slice(move.start, move.start + job.steps)
        self.heat[u, cover] += job.heat_kw * job.energy_share
        self.load[u, cover] += job.heat_kw
        self.count[u, cover] += 1
        self._set_row(u, move.on_row, move.input_row)
        self.placement[job.index] = (u, move.start)

    def _set_row(self, u: int, on: np.ndarray, row: np.ndarray) -> None:
        if self.electric[u]:
            self.elec = self.elec + row - self.inputs[u]
        self.on[u] = on
        self.inputs[u] = row

    def remove(self, job: JobData) -> bool:
        place = self.placement[job.index]
        if place is None:
            return True
        u, s = place
        cover = slice(s, s + job.steps)
        busy = self.count[u].copy()
        busy[cover] -= 1
        on = self._commit(u, busy > 0)
        if on is None:
            return False
        self.heat[u, cover] -= job.heat_kw * job.energy_share
        self.load[u, cover] -= job.heat_kw
        self.count[u] = busy
        self._set_row(u, on, self._input_row(u, self.heat[u], on))
        self.placement[job.index] = None
        return True

    def place_fixed(self, job: JobData, u: int, s: int) -> bool:
        move = self._exact(job, u, s)
        if move is None:
            return False
        self.apply(job, move)
        return True

    # -- search ---------------------------------------------------------------------------
    def greedy(self, order: list[JobData]) -> None:
        for job in order:
            if job.fixed is not None:
                self.place_fixed(job, *job.fixed)
                continue
            move = self.best_insertion(job)
            if move is not None:
                self.apply(job, move)

    def reinsertion_pass(self, jobs: list[JobData], budget: int, wall: float) -> bool:
        improved = False
        for job in jobs:
            if self.moves >= budget or time.monotonic() > wall:
                break
            if job.fixed is not None:
                continue
            old = self.placement[job.index]
            before = self.total_cost()
            if old is not None:
                snapshot = self._snapshot()
                if not self.remove(job):
                    continue
            move = self.best_insertion(job)
            if move is not None:
                self.apply(job, move)
            if self.total_cost() < before - IMPROVE:
                improved = True
            elif old is not None:
                self._restore(snapshot)
            elif move is not None:
                self.remove(job)
        return improved

    def ruin_and_recreate(self, budget: int, wall: float, size: int = 6) -> None:
        movable = [j for j in self.p.jobs if j.fixed is None]
        if not movable:
            return
        # Stop after many fruitless rounds: small problems converge long before the budget.
        patience = 5 * len(movable) + 50
        idle = 0
        while self.moves < budget and time.monotonic() < wall and idle < patience:
            idle += 1
            before = self.total_cost()
            snapshot = self._snapshot()
            # Ruin jobs that overlap in time: they compete for the same steps and peaks.
            dropped = [j for j in movable if self.placement[j.index] is None and j.candidates]
            if dropped and self.rng.random() < 0.5:
                pivot = dropped[int(self.rng.integers(len(dropped)))]
            else:
                pivot = movable[int(self.rng.integers(len(movable)))]
            centre = pivot.candidates[len(pivot.candidates) // 2][1] if pivot.candidates else 0
            near = sorted(movable, key=lambda j: (abs(self._centre(j) - centre), j.index))
            chosen = near[:size]
            for job in chosen:
                self.remove(job)
            order = sorted(chosen, key=lambda j: (j.priority, -j.heat_kw * j.steps, j.index))
            if self.rng.random() < 0.5:
                self.rng.shuffle(order)
            self.greedy(order)
            if self.total_cost() >= before - IMPROVE:
                self._restore(snapshot)
            else:
                idle = 0

    def _centre(self, job: JobData) -> float:
        place = self.placement[job.index]
        if place is not None:
            return place[1] + job.steps / 2
        return job.candidates[len(job.candidates) // 2][1] if job.candidates else 0

    def _snapshot(self) -> tuple:
        return (self.heat.copy(), self.load.copy(), self.count.copy(), self.on.copy(),
                self.inputs.copy(), self.elec.copy(), list(self.placement))

    def _restore(self, snap: tuple) -> None:
        (self.heat, self.load, self.count, self.on, self.inputs, self.elec,
         self.placement) = (snap[0], snap[1], snap[2], snap[3], snap[4], snap[5], list(snap[6]))

    def load_solution(self, solution: Solution) -> bool:
        """Start from a given plan (the FIFO baseline); False if it does not fit the model."""
        for job, place in zip(self.p.jobs, solution.placement, strict=True):
            if place is not None and place in set(job.candidates) and \
                    not self.place_fixed(job, *place):
                return False
        return True

    def solution(self) -> Solution:
        return Solution(list(self.placement), self.on.copy())


def insertion_order(problem: Problem) -> list[JobData]:
    """Fixed jobs first, then by priority, fewest choices, largest energy."""
    return sorted(problem.jobs, key=lambda j: (j.fixed is None, j.priority, len(j.candidates),
                                               -j.heat_kw * j.steps, j.index))


def heuristic_plan(problem: Problem, seed: int, move_budget: int, wall_seconds: float,
                   start: Solution | None = None) -> Solution:
    wall = time.monotonic() + wall_seconds
    search = InsertionSearch(problem, seed)
    search.greedy(insertion_order(problem))
    if start is not None and any(p is None for p in search.placement):
        # Greedy left jobs out: start from the given plan (FIFO), which may hold them all.
        seeded = InsertionSearch(problem, seed)
        if seeded.load_solution(start):
            seeded.greedy([j for j in insertion_order(problem)
                           if seeded.placement[j.index] is None])
            if seeded.total_cost() < search.total_cost():
                search = seeded
    jobs = list(problem.jobs)
    while search.moves < move_budget and time.monotonic() < wall:
        order = [jobs[i] for i in search.rng.permutation(len(jobs))]
        if not search.reinsertion_pass(order, move_budget, wall):
            break
    search.ruin_and_recreate(move_budget, wall)
    return search.solution()
