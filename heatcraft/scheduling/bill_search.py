"""The whole bill as an integer CP-SAT model, to prove small days where the relaxations stop.

The linear model keeps each unit's output as a continuous variable, so CP-SAT must put it on
a 0.1 kW grid: its rounding alone moves the demand charges by about 0.45 kW x 45 $/kW (20 $
on the 20-job benchmark day, 0.15 % of its bill), and the fine grid a proof needs leaves the
search stuck. Here every quantity follows from the decisions (starts, on states), so nothing
continuous is left:

- a unit that runs one job at a time: its output is the job's heat or its min load, whichever
  is larger, while the job runs, and its min load while it idles on
  (`on = idle + jobs running`, one boolean per step);
- a unit that runs several at once: an integer output >= its min load while on and >= the
  jobs' heat (on the kW grid);
- electric input is output / efficiency on a grid of 1/D kW, D the common denominator of the
  units' 1/efficiency (50/49, 100/99, 1/3 ... are exact), startup energy in its start step;
- each demand term's peak on the same grid above every block it bills, its charge as the
  tier lines; the jobs' input as cumulatives under each period's peak (CP-SAT's scheduling
  reasoning, as in redundant_cumulatives), and the peaks' lower bounds of peak_bounds.

Coefficients that are not whole on these grids round down, so every plan pays at least the
model's objective and its proven bound holds for the exact model; the plan it finds is
verified like any other. On the 20-job day (2026-12-05) it finds 13,633.77 $, below every
plan of the other searches (13,642 $ or more), and proves it optimal: in the optimizer at
30 s on seeds 0-3 in 16.7-22.0 s (2026-12-05, probing at level 1; 21.0-35.5 s at the default);
alone from that plan it needs 2.9-3.1 units of deterministic time (seeds 0 and 2, 6.2-6.5 s of
wall; 5.2 units at the default probing): the proof, not the search, takes the time. It
proves nothing on the 30-job day in 120 s (bound 17,563 $ against 20,816 $), so the optimizer
runs it only where the commitment search has proven its relaxation.

Work is CP-SAT's deterministic time on one worker, so the same inputs give the same result;
the wall clock is only a backstop, and the outcome says if it ended the search.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np

from heatcraft.scheduling.backends import SolveOutcome
from heatcraft.scheduling.commitment_bound import SearchBound
from heatcraft.scheduling.evaluation import Solution, starts_of
from heatcraft.scheduling.problem import Problem
from heatcraft.tariffs import tiered_cost

# Heat, min load and capacity in tenths of a kW; a value off this grid leaves the day out.
HEAT_GRID_PER_KW = 10
# The largest common denominator of the units' 1/efficiency; above it the day is left out
# (input power and peaks live on a grid of 1/D kW).
MAX_DENOMINATOR = 1_000_000
# Money in units of 1/(100 D 10^k) currency, k the least that makes at least 10^5 units of a
# currency unit: a rate in currency per kW with up to three decimals is then a whole number per
# grid unit of peak, and each price rounded down loses under 10^-5 currency (under a cent
# over the thousand-odd priced variables of a day; with the 20-job day's D = 4,851, k = 0).
CENTS = 100
MIN_MONEY_UNITS = 100_000
# The output of a unit that runs several jobs at once is an integer on the 0.1 kW grid priced
# per grid unit, so rounding its price down loses on every unit of it: k also grows until each
# such price is at least 10^4 money units (a loss under 10^-4 of that energy, the default
# gap). With 10^5 units alone, gas at 0.03 $/kWh and D = 153 priced a 0.1 kW step at 127
# units for 127.5, and a day whose optimum is 13.15 $ was proven at 13.10 $. The 20-job day
# (k = 2 now) proves its optimum in about the same work (6.0 / 4.1 units, seeds 0 and 2,
# against 6.9 / 4.4), to the cent.
MIN_UNITS_PER_OUTPUT_STEP = 10_000
MAX_MONEY_UNITS = 10**12  # int64 room for a bill of up to a million currency units
# Linearization level 1: its LP is what proves the min load of idle units; level 0 left the
# 20-job day's bound at 11.5 k$ after 60 s.
LINEARIZATION = 1
# CP-SAT's probing (presolve and search) at level 1 of 0-2: on the 20-job day, from the
# commitment search's plans of seeds 0-3, the proof took 6.9 / 8.8 / 4.4 / 8.1 units against
# 7.5 / 16.5 / 6.7 / 10.5 at the default 2 (and 5.7 / 12.4 / 5.5 / 12.3 at 0). The commitment
# search keeps the default: level 1 there took 4.6 / 6.1 / 2.3 / 7.0 units against
# 2.8 / 4.7 / 3.3 / 6.3.
PROBING = 1


def unsupported(problem: Problem) -> str | None:
    """Why the day does not fit the integer model, or None."""
    why = problem.why_no_start_bound()
    if why is not None:
        return why
    if any((j.energy_share < 1.0 - 1e-9).any() for j in problem.jobs):
        return "a job that ends inside a step"
    values = [j.heat_kw for j in problem.jobs] + [
        v for u in problem.units for v in (u.min_load_kw, u.capacity_kw)]
    if any(abs(v * HEAT_GRID_PER_KW - round(v * HEAT_GRID_PER_KW)) > 1e-6 for v in values):
        return "a heat or load off the 0.1 kW grid"
    if _denominator(problem) is None:
        return "efficiencies without a small common denominator"
    return None


def _inverse_efficiency(efficiency: float) -> Fraction:
    return 1 / Fraction(efficiency).limit_denominator(10_000)


def _denominator(problem: Problem) -> int | None:
    fractions = [_inverse_efficiency(u.efficiency) for u in problem.units]
    if any(abs(float(f) - 1 / u.efficiency) > 1e-12 * float(f)
           for f, u in zip(fractions, problem.units, strict=True)):
        return None
    denominator = math.lcm(*(f.denominator for f in fractions))
    return denominator if denominator <= MAX_DENOMINATOR else None


def bill_search(problem: Problem, hint: Solution, peak_kw: list[float] | None, *, work: float,
                wall_seconds: float, seed: int, relative_gap: float = 0.0) -> SearchBound:
    """`peak_kw`: valid lower bounds of the demand terms' peaks (peak_bounds), or None.
    `work`: CP-SAT deterministic time (about seconds of one core); the wall is a backstop.
    `relative_gap`: of the whole bill (the search's objective leaves out the constant part,
    which is never negative, so its own gap is at least the bill's).
    The caller must know that every job is placed in an optimal plan (no drops)."""
    from ortools.sat.python import cp_model

    from heatcraft.scheduling.backends.cpsat import VERSION

    why = unsupported(problem)
    if why is not None:
        return SearchBound(None, None, why)
    began = time.monotonic()
    model = _BillModel(problem, peak_kw, _denominator(problem))
    model.add_hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = LINEARIZATION
    solver.parameters.cp_model_probing_level = PROBING
    # The wall counts building the model (a backstop: the work count ends a search in time).
    solver.parameters.max_time_in_seconds = max(wall_seconds - (time.monotonic() - began), 0.1)
    solver.parameters.max_deterministic_time = max(work, 0.01)
    solver.parameters.relative_gap_limit = relative_gap if problem.constant_cost >= 0 else 0.0
    code = solver.solve(model.cp)
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
              cp_model.INFEASIBLE: "infeasible"}.get(code, "no_solution")
    bound = None if code == cp_model.INFEASIBLE else model.currency(solver.best_objective_bound)
    parameters: dict[str, str | int | float | bool | None] = {
        "num_workers": 1, "random_seed": seed, "linearization_level": LINEARIZATION,
        "probing_level": PROBING,
        "relative_gap_limit": solver.parameters.relative_gap_limit,
        "max_deterministic_time": round(work, 3), "max_time_in_seconds": round(wall_seconds, 3),
        "deterministic_time_used": round(solver.deterministic_time, 3),
        "kw_denominator": model.denominator,
        "stopped_by_clock": code != cp_model.OPTIMAL and code != cp_model.INFEASIBLE
        and solver.deterministic_time < 0.999 * work}
    outcome = SolveOutcome("CP-SAT (whole bill)", VERSION,
                           status, None,
                           model.currency(solver.objective_value) if found else None, bound,
                           time.monotonic() - began, parameters, solver.status_name(code))
    return SearchBound(model.decode(solver) if found else None, outcome, solver.status_name(code))


class _BillModel:
    def __init__(self, problem: Problem, peak_kw: list[float] | None, denominator: int) -> None:
        from ortools.sat.python import cp_model

        self.problem = problem
        self.cp = cp = cp_model.CpModel()
        self.denominator = d = denominator
        n, dt = problem.n_steps, problem.step_hours
        # 1/D-kW of input per kW of output, per unit
        self.input_per_kw = [int(_inverse_efficiency(u.efficiency) * d) for u in problem.units]
        self.money = CENTS * d  # objective units per currency unit
        cheapest = self._cheapest_output_step()
        while self.money * 10 <= MAX_MONEY_UNITS and (
                self.money < MIN_MONEY_UNITS
                or self.money * cheapest < MIN_UNITS_PER_OUTPUT_STEP):
            self.money *= 10
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        for job in problem.jobs:
            choices = []
            for u, s in job.candidates:
                self.x[job.index, u, s] = var = cp.new_bool_var(f"x[{job.index},{u},{s}]")
                choices.append(var)
            cp.add_exactly_one(choices)
        self.on: dict[tuple[int, int], cp_model.IntVar] = {}
        self.start: dict[tuple[int, int], cp_model.IntVar] = {}
        covering: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = {}
        for (j, u, s), var in self.x.items():
            for t in range(s, s + problem.jobs[j].steps):
                covering.setdefault((u, t), []).append((j, var))
        for unit in problem.units:
            self._commitment(unit)
            self._unit_limits(unit, covering)
        self.objective: list[tuple[int, cp_model.IntVar]] = []
        for (j, u, s), var in self.x.items():  # ending late, or a re-plan's move, if priced
            if problem.jobs[j].placement_cost(u, s):
                self.objective.append(
                    (_down(problem.jobs[j].placement_cost(u, s) * self.money), var))
        electric = [self._step_costs(t, covering, dt) for t in range(n)]
        self._demand(electric, peak_kw)
        cp.minimize(sum(c * v for c, v in self.objective if c))

    def _cheapest_output_step(self) -> float:
        """Currency of 0.1 kW for a step, the least positive over the units that run several
        jobs at once (inf: none)."""
        problem, d = self.problem, self.denominator
        prices = [price * problem.step_hours * self.input_per_kw[u.index]
                  / (HEAT_GRID_PER_KW * d)
                  for u in problem.units if u.parallel > 1
                  for price in (problem.energy_price if u.electric else [u.fuel_price])]
        return min((p for p in prices if p > 0), default=math.inf)

    # -- rows ----------------------------------------------------------------------------
    def _commitment(self, unit) -> None:
        cp, u, n = self.cp, unit.index, self.problem.n_steps
        for t in range(n):
            self.on[u, t] = on = self.cp.new_bool_var(f"on[{u},{t}]")
            if unit.fixed_on[t] >= 0:
                cp.add(on == int(unit.fixed_on[t]))
        exempt = unit.exempt_min_run_before
        for t in range(n):
            on, before = self.on[u, t], self._before(unit, t)
            self.start[u, t] = start = cp.new_bool_var(f"start[{u},{t}]")
            # start <=> on now and off before (startup energy and starts per day count it)
            cp.add_bool_or([on.Not(), before, start])
            cp.add_implication(start, on)
            cp.add_implication(start, before.Not())
            for later in range(t + 1, min(t + unit.min_run, n)):
                if not (exempt and exempt <= later < exempt + unit.min_run):
                    cp.add_implication(start, self.on[u, later])
            for later in range(t + 1, min(t + unit.min_off, n)):
                # on before, off now (a stop): off for min_off steps
                cp.add_bool_or([before.Not(), on, self.on[u, later].Not()])
        if unit.max_starts is not None:
            for day in np.unique(self.problem.day_of_step):
                steps = np.flatnonzero(self.problem.day_of_step == day)
                cp.add(sum(self.start[u, int(t)] for t in steps) <= unit.max_starts)

    def _before(self, unit, t: int):
        if t > 0:
            return self.on[unit.index, t - 1]
        return self.cp.new_constant(1 if unit.initial_on else 0)

    def _unit_limits(self, unit, covering) -> None:
        cp, u, jobs = self.cp, unit.index, self.problem.jobs
        for t in range(self.problem.n_steps):
            for _, var in covering.get((u, t), []):
                cp.add_implication(var, self.on[u, t])
        items = [(var, s, jobs[j].steps, _grid(jobs[j].heat_kw))
                 for (j, uu, s), var in self.x.items() if uu == u]
        if not items:
            return
        intervals = [cp.new_optional_fixed_size_interval_var(s, d, var, "")
                     for var, s, d, _ in items]
        if unit.parallel == 1:
            cp.add_no_overlap(intervals)
        else:
            cp.add_cumulative(intervals, [1] * len(intervals), unit.parallel)
        cp.add_cumulative(intervals, [h for *_, h in items], _grid(unit.capacity_kw))

    def _step_costs(self, t: int, covering, dt: float) -> list[tuple[int, object]]:
        """Adds the step's energy to the objective; returns its electric input terms
        (coefficient in 1/D kW, variable)."""
        cp, problem, d = self.cp, self.problem, self.denominator
        electric: list[tuple[int, object]] = []
        for unit in problem.units:
            u = unit.index
            price = float(problem.energy_price[t]) if unit.electric else unit.fuel_price
            running = covering.get((u, t), [])
            min_load = _grid(unit.min_load_kw)
            if unit.parallel == 1:
                # out = min load while idle, max(heat, min load) while a job runs
                idle = cp.new_bool_var("")
                cp.add(self.on[u, t] == idle + sum(var for _, var in running))
                outputs = [(min_load, idle)] + [
                    (max(_grid(problem.jobs[j].heat_kw), min_load), var) for j, var in running]
            else:
                out = cp.new_int_var(0, _grid(unit.capacity_kw), "")
                cp.add(out >= min_load * self.on[u, t])
                cp.add(out >= sum(_grid(problem.jobs[j].heat_kw) * var for j, var in running))
                outputs = [(1, out)]
            # output in 0.1 kW grid units -> input in 1/D kW: x input_per_kw / 10
            for tenths, var in outputs:
                input_units = tenths * self.input_per_kw[u]  # 1/(10 D) kW
                self.objective.append(
                    (_down(price * dt * input_units / (HEAT_GRID_PER_KW * d) * self.money),
                     var))
                if unit.electric:
                    electric.append((input_units, var))
            if unit.startup_kwh > 0:
                self.objective.append((_down(unit.startup_kwh * price * self.money),
                                       self.start[u, t]))
                if unit.electric:
                    electric.append((_down(unit.startup_kwh / dt * d * HEAT_GRID_PER_KW),
                                     self.start[u, t]))
        return electric

    def _demand(self, electric: list[list[tuple[int, object]]],
                peak_kw: list[float] | None) -> None:
        """Peaks in 1/(10 D) kW above every billed block; charges as tier lines."""
        cp, problem = self.cp, self.problem
        scale = HEAT_GRID_PER_KW * self.denominator  # grid units per kW
        top = scale * int(math.ceil(float(problem.base_kw.max()) + sum(
            u.capacity_kw / u.efficiency + u.startup_kwh / problem.step_hours
            for u in problem.units if u.electric))) + 1
        if problem.contract_peak_kw is not None:
            for t in range(problem.n_steps):
                # the inputs are whole grid units: rounding the room up keeps every plan
                room = math.ceil((problem.contract_peak_kw - float(problem.base_kw[t])) * scale)
                cp.add(sum(c * v for c, v in electric[t]) <= max(room, 0))
        for k, term in enumerate(problem.demand):
            lowest = term.floor_kw if peak_kw is None else max(term.floor_kw, peak_kw[k])
            peak = cp.new_int_var(_down(lowest * scale), max(top, _down(lowest * scale)),
                                  f"peak[{term.key}]")
            for block in term.blocks:
                base = _down(float(problem.base_kw[block].sum()) * scale)
                cp.add(len(block) * peak >= sum(c * v for t in block for c, v in electric[int(t)])
                       + base)
            floor_cost = tiered_cost(term.floor_kw, term.tiers)
            charge = cp.new_int_var(0, 2**50, f"charge[{term.key}]")
            for breakpoint, rate in term.segments():
                # charge >= F(b) - F(floor) + rate (peak - b), in money units
                per_unit = _down(rate * self.money / scale)
                offset = (tiered_cost(breakpoint, term.tiers) - floor_cost
                          - rate * breakpoint) * self.money
                cp.add(charge >= per_unit * peak + _down(offset))
            self.objective.append((1, charge))
            if all(len(block) == 1 for block in term.blocks):
                self._peak_cumulatives(term, peak, scale)

    def _peak_cumulatives(self, term, peak, scale: int) -> None:
        """The jobs' input (at least a lone job's min load) under the peak, per run of steps."""
        cp, problem = self.cp, self.problem
        steps = np.sort(np.concatenate(term.blocks))
        breaks = np.flatnonzero(np.diff(steps) != 1)
        for first, last in zip(np.concatenate([[0], breaks + 1]),
                               np.concatenate([breaks, [len(steps) - 1]]), strict=True):
            lo, hi = int(steps[first]), int(steps[last]) + 1
            base = problem.base_kw[lo:hi]
            floor = float(base.min())
            intervals, demands = [], []
            for k, b in enumerate(base):
                if b > floor:
                    intervals.append(cp.new_fixed_size_interval_var(lo + k, 1, ""))
                    demands.append(_down((b - floor) * scale))
            for (j, u, s), var in self.x.items():
                unit, job = problem.units[u], problem.jobs[j]
                a, b = max(s, lo), min(s + job.steps, hi)
                if not unit.electric or a >= b:
                    continue
                heat = max(job.heat_kw, unit.min_load_kw) if unit.parallel == 1 else job.heat_kw
                intervals.append(cp.new_optional_fixed_size_interval_var(a, b - a, var, ""))
                demands.append(_grid(heat) * self.input_per_kw[u])
            if not intervals:
                continue
            room = cp.new_int_var(0, 2**50, "")
            # floor(base) >= floor(base - min) + floor(min): the peak row implies this
            cp.add(room == peak - _down(floor * scale))
            cp.add_cumulative(intervals, demands, room)

    # -- values --------------------------------------------------------------------------
    def currency(self, value: float) -> float:
        return value / self.money + self.problem.constant_cost

    def add_hint(self, solution: Solution) -> None:
        for (j, u, s), var in self.x.items():
            self.cp.add_hint(var, int(solution.placement[j] == (u, s)))
        starts = starts_of(self.problem, solution.on)
        for (u, t), var in self.on.items():
            self.cp.add_hint(var, int(solution.on[u, t]))
            self.cp.add_hint(self.start[u, t], int(starts[u, t]))

    def decode(self, solver) -> Solution:
        placement: list[tuple[int, int] | None] = [None] * len(self.problem.jobs)
        for (j, u, s), var in self.x.items():
            if solver.value(var):
                placement[j] = (u, s)
        on = np.zeros((len(self.problem.units), self.problem.n_steps), dtype=bool)
        for (u, t), var in self.on.items():
            on[u, t] = bool(solver.value(var))
        return Solution(placement, on)


def _down(value: float) -> int:
    """The whole number at or below `value`, float noise aside (0.05 x 0.25 x 3 / 90 x 9e5 is
    374.99999999999994: a plain floor took a grid unit off every step's price). The allowance
    is absolute: one relative to the value raised a tier line's offset of -7.65e9 units by 7,
    above the charge it bounds; past about 1e9 the noise may exceed it and the floor then
    takes one unit more, which a bound can afford."""
    return math.floor(value + 1e-6)


def _grid(kw: float) -> int:
    return int(round(kw * HEAT_GRID_PER_KW))
