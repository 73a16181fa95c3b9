"""Greedy cheapest insertion, then local search (reinsertion and ruin-and-recreate).

Fast plans that respect every limit: each move re-commits the touched unit with
`commit_steps` and is priced exactly (energy, fuel, startups, min-load idling, demand charges).
Work is counted in moves, not seconds, so the same seed gives the same plan; the wall clock is
only a safety stop.

Demand charges are set by one maximum, so most single moves leave the bill unchanged and a
plain descent stops on a plateau. Three things walk it further: equal-cost moves are ranked by
the load's roughness (rate-weighted squared demand), the first phase pays a little for
flatter load, and the last phase is a target descent (`lower_peaks`) that prices every step
above a slightly lower peak target, so that the search sees progress before the maximum moves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from heatcraft.scheduling.evaluation import (
    Solution,
    better_rank,
    penalty_of,
    required_left_out,
)
from heatcraft.scheduling.problem import JobData, Problem
from heatcraft.scheduling.step_commitment import blocks_of, commit_steps

EXACT_CANDIDATES = 8
# How far a run may start before its first job so that its startup energy does not land on top
# of the job's load where that breaks the contract peak.
EARLIER_START_STEPS = 4
IMPROVE = 1e-6
# Target descent (lower_peaks): ask each peak this share of its billable kW lower per attempt,
# give an attempt this many moves, and stop after this many attempts in a row fail.
LOWER_STEP = 0.03
ATTEMPT_MOVES = 3000
LOWER_FAILURES = 4
# Roughness weight of the first phase and its share of the move budget. Heuristic alone on the
# 100-job days, 45,000 moves, seeds 0-2 (benchmarks/results/scheduling.md): mean 54,931 /
# 51,654 $ and no job dropped, against 55,419 / 54,572 $ and a dropped job (day a) and a mean
# of 55,495 $ (day b) for session 1's descent. Blend 0.03 beat 0, 0.1 and 0.3 (one seed).
BLEND = 0.03
BLEND_SHARE = 0.6


@dataclass
class _Move:
    unit: int
    start: int
    delta: float
    on_row: np.ndarray
    input_row: np.ndarray
    flatter: float = 0.0  # change of the load's roughness (the tie-breaker)

    def better_than(self, other: _Move | None, blend: float = 0.0) -> bool:
        if other is None:
            return True
        mine, theirs = self.delta + blend * self.flatter, other.delta + blend * other.flatter
        if mine < theirs - IMPROVE:
            return True
        return mine <= theirs + IMPROVE and self.flatter < other.flatter - IMPROVE


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
        self._term_steps = [np.concatenate(t.blocks) for t in problem.demand]
        self._term_rates = [max((r for _, r in t.tiers), default=0.0) for t in problem.demand]
        # Target mode (see `lower_peaks`): demand above these kW costs per step, not per peak.
        self.targets: list[float] | None = None
        self.roughness_weight = self._roughness_weight()
        # Weight of roughness in the search's score: > 0 lets the search pay a little to make
        # the load flatter (out of local optima where two peaks must fall together).
        self.blend = 0.0
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

    def _block_values(self, k: int, elec: np.ndarray) -> np.ndarray:
        matrix = self._demand_rows[k]
        if matrix is None:
            return elec[self._term_steps[k]]
        return matrix @ elec

    def demand_cost(self, elec: np.ndarray) -> float:
        """The demand charges; in target mode, each term's charge at its target plus its rate
        on every kW above the target in every block (so every step over it counts)."""
        total = 0.0
        for k, term in enumerate(self.p.demand):
            values = self._block_values(k, elec)
            if self.targets is None:
                total += term.cost(float(values.max()))
            else:
                over = float(np.maximum(values - self.targets[k], 0.0).sum())
                total += term.cost(self.targets[k]) + self._term_rates[k] * over
        return total

    def peaks(self) -> list[float]:
        return [float(self._block_values(k, self.elec).max()) for k in range(len(self.p.demand))]

    def bill(self) -> float:
        """The plan's true cost (with penalties), whatever mode the search is in."""
        targets, self.targets = self.targets, None
        try:
            return self.total_cost()
        finally:
            self.targets = targets

    def _roughness_weight(self) -> np.ndarray:
        """Per step, the demand rates that apply there, scaled so that roughness is in the
        currency's order of magnitude: the sum of rate * load^2 / (2 * reference load)."""
        weight = np.zeros(self.p.n_steps)
        for steps, rate in zip(self._term_steps, self._term_rates, strict=True):
            weight[steps] += rate
        reference = max(float(self.p.base_kw.max()) if self.p.n_steps else 0.0, 1.0) + sum(
            u.capacity_kw / u.efficiency for u in self.p.units if u.electric) / 2
        return weight / (2.0 * reference)

    def roughness(self) -> float:
        """Sum of rate-weighted squared demand: the same bill with fewer steps at the peak
        scores lower, so equal-cost moves that take load off the peak steps are preferred and
        the search walks across the plateaus of a max-based demand charge."""
        return float((self.roughness_weight * self.elec * self.elec).sum())

    def total_cost(self) -> float:
        return (self.p.constant_cost + float((self.inputs * self.unit_price).sum())
                + self.demand_cost(self.elec) + self.penalty())

    def penalty(self) -> float:
        return penalty_of(self.p, self.placement)

    def unplaced_required(self) -> int:
        """Jobs that may not be dropped (no penalty) and are not placed: the search ranks
        plans by this count first, so it never leaves one out to save its energy."""
        return required_left_out(self.p, self.placement)

    def rank(self) -> tuple[int, float]:
        """(required jobs left out, true bill): smaller is better."""
        return self.unplaced_required(), self.bill()

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
        kept = self._within_contract_for(u, on, heat)
        if kept is None:
            return None
        on, row = kept
        delta = float(((row - self.inputs[u]) * self.unit_price[u]).sum()) \
            + job.placement_cost(u, s)
        flatter = 0.0
        if self.electric[u]:
            change = row - self.inputs[u]
            elec = self.elec + change
            delta += self.demand_cost(elec) - self.demand_cost(self.elec)
            flatter = float((self.roughness_weight * change * (2 * self.elec + change)).sum())
        self.moves += 1
        return _Move(u, s, delta, on, row, flatter)

    def _within_contract_for(self, u: int, on: np.ndarray,
                             heat: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(on, input row) of unit `u` carrying `heat` within the contract peak, its runs
        started sooner where a startup breaks it (_start_earlier); None: it cannot."""
        row = self._input_row(u, heat, on)
        if not self.electric[u] or self._within_contract(self.elec + row - self.inputs[u]):
            return on, row
        return self._start_earlier(u, on, heat, row)

    def _start_earlier(self, u: int, on: np.ndarray, heat: np.ndarray,
                       row: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Runs of unit `u` (input `row`) whose first step breaks the contract peak (a
        startup's energy on top of a job) start up to EARLIER_START_STEPS steps sooner and idle
        at min load there, as the exact model may: (on, input row) within the limit, or None."""
        base = self.elec - self.inputs[u]
        over = [first for first, _ in blocks_of(on)
                if base[first] + row[first] > self.p.contract_peak_kw + 1e-6]
        if not over:
            return None  # no start breaks it: the jobs or min loads themselves do
        for steps in range(1, EARLIER_START_STEPS + 1):
            busy = on.copy()
            for first in over:
                busy[max(0, first - steps):first] = True
            moved = self._commit(u, busy)
            if moved is None:
                continue
            row = self._input_row(u, heat, moved)
            if self._within_contract(base + row):
                return moved, row
        return None

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
            if job.late_per_step or job.move_cost:
                score = score + np.array([job.placement_cost(u, int(s)) for s in starts_arr])
            if self.electric[u] and self.targets is not None:
                for k in range(len(self.p.demand)):
                    if self._demand_rows[k] is not None:
                        continue  # averaged windows: the exact check prices them
                    level = np.full(len(self.elec), np.inf)
                    level[self._term_steps[k]] = self.targets[k]
                    grow = np.maximum(self.elec + add - level, 0) - np.maximum(
                        self.elec - level, 0)
                    cum = np.concatenate([[0.0], np.cumsum(grow)])
                    score = score + self._term_rates[k] * (cum[starts_arr + d] - cum[starts_arr])
            elif self.electric[u]:
                for term, idx in zip(self.p.demand, self._term_steps, strict=True):
                    masked = np.full(len(self.elec), -np.inf)
                    masked[idx] = self.elec[idx]
                    if d > len(masked):
                        continue
                    window_max = sliding_window_view(masked, d).max(axis=1)[starts_arr]
                    old_peak = float(self.elec[idx].max())
                    new_peak = np.maximum(window_max + add, old_peak)
                    score = score + np.array([term.cost(v) for v in new_peak]) - term.cost(old_peak)
            rough = np.zeros(len(starts_arr))
            if self.electric[u]:
                # Roughness added on the covered steps: sum of w * (2 e add + add^2).
                weighted = np.concatenate([[0.0], np.cumsum(self.roughness_weight
                                                            * (2 * self.elec + add) * add)])
                rough = weighted[starts_arr + d] - weighted[starts_arr]
            # Equal prices (to the cent) are ranked by how much flatter the load stays.
            score = score + self.blend * rough
            scored.extend((round(float(c), 2), float(r), int(s), u)
                          for c, r, s in zip(score, rough, starts_arr, strict=True))
        scored.sort()
        return [(u, s) for _, _, s, u in scored]

    def best_insertion(self, job: JobData, limit: int = EXACT_CANDIDATES) -> _Move | None:
        best: _Move | None = None
        tried = 0
        for u, s in self._ranked_candidates(job):
            move = self._exact(job, u, s)
            if move is None:
                continue
            tried += 1
            if move.better_than(best, self.blend):
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
        heat = self.heat[u].copy()
        heat[cover] -= job.heat_kw * job.energy_share
        # The runs left may start where a run started sooner for the contract peak.
        kept = self._within_contract_for(u, on, heat)
        if kept is None:
            return False
        on, row = kept
        self.heat[u] = heat
        self.load[u, cover] -= job.heat_kw
        self.count[u] = busy
        self._set_row(u, on, row)
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
            self._insert_or_leave_out(job)

    def _insert_or_leave_out(self, job: JobData) -> _Move | None:
        """Place `job` where it adds least, unless leaving it out costs less (a planner who
        prices a lost job low means it); returns the move made."""
        move = self.best_insertion(job)
        if move is None or (job.drop_cost is not None and move.delta > job.drop_cost):
            return None
        self.apply(job, move)
        return move

    def reinsertion_pass(self, jobs: list[JobData], budget: int, wall: float) -> bool:
        improved = False
        for job in jobs:
            if self.moves >= budget or time.monotonic() > wall:
                break
            if job.fixed is not None:
                continue
            old = self.placement[job.index]
            before = self._score()
            if old is not None:
                snapshot = self._snapshot()
                if not self.remove(job):
                    continue
            move = self._insert_or_leave_out(job)
            if self._improves(before):
                improved = True
            elif old is not None:
                self._restore(snapshot)
            elif move is not None:
                self.remove(job)
        return improved

    def ruin_and_recreate(self, budget: int, wall: float, size: int = 6,
                          patience: int | None = None) -> None:
        movable = [j for j in self.p.jobs if j.fixed is None]
        if not movable:
            return
        # Stop after many fruitless rounds: small problems converge long before the budget.
        patience = 5 * len(movable) + 50 if patience is None else patience
        idle = 0
        while self.moves < budget and time.monotonic() < wall and idle < patience:
            idle += 1
            before = self._score()
            snapshot = self._snapshot()
            # Ruin jobs that overlap in time: they compete for the same steps and peaks.
            dropped = [j for j in movable if self.placement[j.index] is None and j.candidates]
            if dropped and self.rng.random() < 0.5:
                pivot = dropped[int(self.rng.integers(len(dropped)))]
            else:
                pivot = movable[int(self.rng.integers(len(movable)))]
            centre = pivot.candidates[len(pivot.candidates) // 2][1] if pivot.candidates else 0
            near = sorted(movable, key=lambda j: (abs(self._centre(j) - centre), j.index))
            # A job whose unit cannot be re-committed without it stays where it is; only the
            # jobs taken out are inserted again (twice placed, it would be counted twice).
            chosen = [job for job in near[:size] if self.remove(job)]
            order = sorted(chosen, key=lambda j: (j.priority, -j.heat_kw * j.steps, j.index))
            if self.rng.random() < 0.5:
                self.rng.shuffle(order)
            self.greedy(order)
            if not self._improves(before):
                self._restore(snapshot)
            else:
                idle = 0

    def shift_earlier(self, budget: int) -> int:
        """The lexicographic second stage: each job, earliest first, moves to the earliest
        start on its unit that leaves the bill as it is, so that of plans that cost the same
        (flat tariffs) the earliest is returned. Returns how many jobs moved. It removes a
        job once for all its earlier starts, where _try_returning would remove it for each
        try: on the week's earliest-tie stage that took 1.5-2.0 s against 1.1-1.4 s."""
        moved = 0
        placed = [j for j in self.p.jobs if j.fixed is None and self.placement[j.index]]
        for job in sorted(placed, key=lambda j: (self.placement[j.index][1], j.index)):
            if self.moves >= budget:
                break
            unit, start = self.placement[job.index]
            earlier = sorted(t for u, t in job.candidates if u == unit and t < start)
            if not earlier:
                continue
            before = self.bill()
            tolerance = 1e-9 * max(1.0, abs(before))
            snapshot = self._snapshot()
            if not self.remove(job):
                continue
            for t in earlier:
                move = self._exact(job, unit, t)
                if move is None:
                    continue
                self.apply(job, move)
                if self.bill() <= before + tolerance:
                    moved += 1
                    break
                if not self.remove(job):
                    self._restore(snapshot)
                    break
            else:
                self._restore(snapshot)
        return moved

    def return_to(self, targets: list[tuple[int, int] | None], budget: int) -> int:
        """The re-plan's second stage: each job with a target (its unit and start in the plan
        before a re-plan) that sits elsewhere goes back there where the bill with penalties
        does not rise and no required job is left out, so that of plans that cost the same the
        one nearest the previous plan is returned. One job at a time while any returns (one
        job's return can make room for another's), then two at once where each sits in the
        other's way (two jobs swapped between identical units, which neither can undo alone),
        within `budget` moves. Returns how many jobs returned."""
        returned = 0
        while self.moves < budget:
            moved = self._return_each(targets, budget) or self._return_pair(targets, budget)
            returned += moved
            if moved == 0:
                break
        return returned

    def _away(self, targets: list[tuple[int, int] | None]) -> list[JobData]:
        """Movable jobs whose target is one of their starts and not where they are."""
        away = [j for j in self.p.jobs if j.fixed is None and targets[j.index] is not None
                and self.placement[j.index] != targets[j.index]
                and targets[j.index] in set(j.candidates)]
        return sorted(away, key=lambda j: (targets[j.index][1], j.index))

    def _return_each(self, targets: list[tuple[int, int] | None], budget: int) -> int:
        moved = 0
        for job in self._away(targets):
            if self.moves >= budget:
                break
            moved += self._try_returning([job], targets)
        return moved

    def _return_pair(self, targets: list[tuple[int, int] | None], budget: int) -> int:
        away = self._away(targets)
        for first in away:
            unit, start = targets[first.index]
            for second in away:
                if self.moves >= budget:
                    return 0
                place = self.placement[second.index]
                in_the_way = place is not None and place[0] == unit and \
                    place[1] < start + first.steps and start < place[1] + second.steps
                if second is not first and in_the_way and \
                        self._try_returning([first, second], targets):
                    return 2
        return 0

    def _try_returning(self, jobs: list[JobData], targets: list[tuple[int, int] | None]) -> int:
        """All of `jobs` at their targets if the bill with penalties (bill()) does not rise:
        len(jobs), else 0 (and the plan as it was). Each try counts as a move, failed or not,
        so the budget ends the stage. Every job of `jobs` ends placed, so no required job is
        left out."""
        self.moves += 1
        before = self.bill()
        snapshot = self._snapshot()
        if all(self.remove(job) for job in jobs):
            for job in jobs:
                move = self._exact(job, *targets[job.index])
                if move is None:
                    break
                self.apply(job, move)
            else:
                if self.bill() <= before + 1e-9 * max(1.0, abs(before)):
                    return len(jobs)
        self._restore(snapshot)
        return 0

    def _score(self) -> tuple[int, float, float]:
        rough = self.roughness()
        return self.unplaced_required(), self.total_cost() + self.blend * rough, rough

    def _improves(self, before: tuple[int, float, float]) -> bool:
        """Fewer required jobs left out; or as many, and cheaper, or as cheap and flatter (by
        a margin, so that the search ends)."""
        missing, cost, rough = self._score()
        if missing != before[0]:
            return missing < before[0]
        tolerance = IMPROVE * max(1.0, abs(before[1]))
        if cost < before[1] - tolerance:
            return True
        return cost <= before[1] + tolerance and rough < before[2] - 1e-4 * max(1.0, before[2])

    def _centre(self, job: JobData) -> float:
        place = self.placement[job.index]
        if place is not None:
            return place[1] + job.steps / 2
        return job.candidates[len(job.candidates) // 2][1] if job.candidates else 0

    def _snapshot(self) -> tuple:
        return (self.heat.copy(), self.load.copy(), self.count.copy(), self.on.copy(),
                self.inputs.copy(), self.elec.copy(), list(self.placement))

    def _restore(self, snap: tuple) -> None:
        # Copies: moves change the arrays in place, and a snapshot may be restored again
        # (lower_peaks goes back to its best plan after every failed attempt).
        (self.heat, self.load, self.count, self.on, self.inputs, self.elec) = (
            array.copy() for array in snap[:6])
        self.placement = list(snap[6])

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
                   start: Solution | None = None, blend: float = BLEND,
                   blend_share: float = BLEND_SHARE) -> Solution:
    """Greedy insertion, then local search in two phases: first on cost plus `blend` times
    roughness (it pays a little for flatter load, which walks out of the local optima of
    max-based demand charges), then on cost alone with roughness only breaking ties. The
    cheapest plan seen in either phase is returned."""
    wall = time.monotonic() + wall_seconds
    search = InsertionSearch(problem, seed)
    search.blend = blend
    search.greedy(insertion_order(problem))
    if start is not None and any(p is None for p in search.placement):
        # Greedy left jobs out: start from the given plan (FIFO), which may hold them all.
        seeded = InsertionSearch(problem, seed)
        seeded.blend = blend
        if seeded.load_solution(start):
            seeded.greedy([j for j in insertion_order(problem)
                           if seeded.placement[j.index] is None])
            if seeded.rank() < search.rank():
                search = seeded
    return _two_phase_descent(search, move_budget, wall, blend_share)


def heuristic_from(problem: Problem, seed: int, placement: list[tuple[int, int] | None],
                   move_budget: int, wall_seconds: float, blend: float = BLEND,
                   blend_share: float = BLEND_SHARE) -> Solution:
    """The same descent from given placements (another method's plan, whose units need not
    be committed): each job goes where it is placed if the units' limits allow it there once
    committed by this search's rule, in start order; the others are inserted where they cost
    least."""
    wall = time.monotonic() + wall_seconds
    search = _placed_where_possible(problem, seed, placement, blend)
    return _two_phase_descent(search, move_budget, wall, blend_share)


def kept_where_possible(problem: Problem, placement: list[tuple[int, int] | None]) -> Solution:
    """Each job where `placement` has it (a re-plan's previous plan) if the units' limits
    allow it there, in start order; the others inserted where they cost least: the plan that
    changes least, without a search."""
    return _placed_where_possible(problem, 0, placement, 0.0).solution()


def _placed_where_possible(problem: Problem, seed: int,
                           placement: list[tuple[int, int] | None],
                           blend: float) -> InsertionSearch:
    search = InsertionSearch(problem, seed)
    search.blend = blend
    placed = sorted((job for job in problem.jobs if placement[job.index] is not None),
                    key=lambda j: (j.fixed is None, placement[j.index][1], j.index))
    left = [job for job in problem.jobs if placement[job.index] is None]
    for job in placed:
        place = job.fixed or placement[job.index]
        if place not in job.candidates or not search.place_fixed(job, *place):
            left.append(job)
    rank = {job.index: k for k, job in enumerate(insertion_order(problem))}
    search.greedy(sorted(left, key=lambda job: rank[job.index]))
    return search


def _two_phase_descent(search: InsertionSearch, move_budget: int, wall: float,
                       blend_share: float) -> Solution:
    best, best_rank = search.solution(), search.rank()
    _descend(search, int(move_budget * blend_share), wall)
    search.blend = 0.0
    if better_rank(search.rank(), best_rank, IMPROVE):
        best, best_rank = search.solution(), search.rank()
    lower_peaks(search, move_budget, wall)
    _descend(search, move_budget, wall)  # what the target descent left of the budget
    if better_rank(search.rank(), best_rank, IMPROVE):
        best = search.solution()
    return best


def lower_peaks(search: InsertionSearch, budget: int, wall: float, step: float = LOWER_STEP,
                attempt_moves: int = ATTEMPT_MOVES) -> None:
    """Target descent for the demand peaks: ask for every peak a little lower (`step` of its
    billable part), let the local search push the load under the targets (every step above
    one costs, so the search sees progress long before the maximum moves), keep the plan if
    its true bill fell, otherwise go back and ask for less. Ends after repeated failures."""
    best, best_rank = search._snapshot(), search.rank()
    failures = 0
    while search.moves < budget and time.monotonic() < wall and failures < LOWER_FAILURES:
        floors = [t.floor_kw for t in search.p.demand]
        search.targets = [f + (p - f) * (1.0 - step) if p > f else f
                          for p, f in zip(search.peaks(), floors, strict=True)]
        _descend(search, min(budget, search.moves + attempt_moves), wall, patience=20)
        search.targets = None
        rank = search.rank()
        if better_rank(rank, best_rank, IMPROVE * max(1.0, abs(best_rank[1]))):
            best, best_rank, failures = search._snapshot(), rank, 0
        else:
            search._restore(best)
            failures += 1
            step /= 2
    search.targets = None
    search._restore(best)


def _descend(search: InsertionSearch, budget: int, wall: float,
             patience: int | None = None) -> None:
    jobs = list(search.p.jobs)
    while search.moves < budget and time.monotonic() < wall:
        order = [jobs[i] for i in search.rng.permutation(len(jobs))]
        if not search.reinsertion_pass(order, budget, wall):
            break
    search.ruin_and_recreate(budget, wall, patience=patience)
