"""The planning problem on the time grid: what every model, heuristic and decoder shares.

Jobs start on step boundaries (a job whose window does not allow one has no start). A job of
d steps occupies steps s..s+d-1 with its full heat power (its last step may be partial: the
energy counts the covered share). A unit is on in whole steps, so "run" = a block of on-steps.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from heatcraft.costs.load_profile import base_load_series
from heatcraft.models import Job, UnitState
from heatcraft.scheduling.options import FrozenState, ScheduleOptions, unavailable_windows
from heatcraft.tariffs import tiered_cost
from heatcraft.timegrid import TimeGrid

EPS = 1e-9
# How late a job may end where the options allow lateness: a day. Without a limit every job of
# a week-long horizon would get a start in every later step, on every unit it may use.
LATE_LIMIT = timedelta(hours=24)


@dataclass
class UnitData:
    index: int
    equipment_id: str
    capacity_kw: float
    min_load_kw: float
    efficiency: float
    electric: bool
    fuel_price: float  # currency/kWh of input for fuel units (0 for electric: tariff prices)
    startup_kwh: float
    min_run: int  # steps
    min_off: int  # steps
    max_starts: int | None
    parallel: int
    initial_on: bool
    fixed_on: np.ndarray  # int8 per step: -1 free, 0 forced off, 1 forced on
    exempt_min_run_before: int = 0  # a tripped unit may stop before min run at this step


@dataclass
class JobData:
    index: int
    job: Job
    heat_kw: float
    steps: int  # steps touched
    energy_share: np.ndarray  # (steps,) covered share of each touched step
    priority: int
    penalty: float | None  # None: may not be dropped
    candidates: list[tuple[int, int]]  # (unit index, start step)
    fixed: tuple[int, int] | None = None  # frozen placement
    # Ending after the deadline (when the options allow it): the deadline as a step index of
    # the grid, and the penalty per step of lateness (0: the job is never late).
    due_step: float = float("inf")
    late_per_step: float = 0.0
    # A re-plan's previous place of the job (unit, start step; None: it had none on the grid),
    # and what the re-plan pays for not keeping it there (ScheduleOptions.move_penalty).
    previous: tuple[int, int] | None = None
    move_cost: float = 0.0
    not_started: bool = False  # the previous plan's start is at or after the re-plan's now

    def late_steps(self, start: int) -> float:
        """How many steps after its deadline the job ends when it starts at `start`."""
        late = start + self.duration_steps - self.due_step
        return late if late > EPS else 0.0

    def late_cost(self, start: int) -> float:
        return self.late_per_step * self.late_steps(start) if self.late_per_step else 0.0

    @property
    def replannable(self) -> bool:
        """A re-plan's job that the previous plan placed on the grid and that had not started
        (so not kept either): the re-plan may keep it where it was or move it."""
        return self.previous is not None and self.not_started

    def placement_cost(self, unit: int, start: int) -> float:
        """What starting at `start` on `unit` costs beside the bill: lateness, and a move
        away from the job's place in the previous plan."""
        cost = self.late_cost(start)
        if self.move_cost and (unit, start) != self.previous:
            cost += self.move_cost
        return cost

    @property
    def drop_cost(self) -> float | None:
        """What leaving the job out costs beside the bill (its drop penalty, and the move
        penalty where the previous plan placed it); None: it may not be left out."""
        return None if self.penalty is None else self.penalty + self.move_cost

    @property
    def duration_steps(self) -> float:
        return float(self.steps - 1 + self.energy_share[-1])


@dataclass
class DemandTerm:
    key: str
    blocks: list[np.ndarray]  # each: the masked steps averaged into one demand value
    tiers: tuple[tuple[float | None, float], ...]
    floor_kw: float

    def cost(self, kw: float) -> float:
        billed = max(kw, self.floor_kw)
        return tiered_cost(billed, self.tiers) - tiered_cost(self.floor_kw, self.tiers)

    def segments(self) -> list[tuple[float, float]]:
        """(breakpoint kW, slope) of each tier the peak can reach, for epigraph cuts
        z >= F(b) + r (p - b). Tiers that end at or below the floor are left out: the peak
        never falls there, and a dearer first block (13.52 $/kW up to 100 kW, then 7.85) would
        otherwise overcharge every kW above it."""
        out, lower = [], 0.0
        for upper, rate in self.tiers:
            if upper is None or upper > self.floor_kw + EPS:
                out.append((lower, rate))
            if upper is None:
                break
            lower = upper
        return out

    @property
    def convex(self) -> bool:
        """The reachable tiers' rates do not fall: the rows price the charge exactly."""
        rates = [rate for _, rate in self.segments()]
        return all(b >= a - EPS for a, b in zip(rates, rates[1:], strict=False))

    def epigraph_charge(self, kw: float) -> float:
        """The least charge the rows allow at a peak of `kw`: the highest tier line there
        (the bill's charge when convex, more otherwise)."""
        billed = max(kw, self.floor_kw)
        return max(tiered_cost(b, self.tiers) + r * (billed - b) for b, r in self.segments())


@dataclass
class Problem:
    grid: TimeGrid
    units: list[UnitData]
    jobs: list[JobData]
    outside: list[tuple[Job, str]]  # jobs not in this horizon at all, with the reason
    step_hours: float
    energy_price: np.ndarray  # currency/kWh per step
    base_kw: np.ndarray
    day_of_step: np.ndarray  # int: local calendar day index
    demand: list[DemandTerm]
    contract_peak_kw: float | None
    constant_cost: float  # base load energy + fixed charges
    exact_tariff: bool  # the model prices the tariff exactly as the bill engine does
    notes: list[str] = field(default_factory=list)
    frozen: FrozenState | None = None  # a rolling re-plan: the verifier needs it too

    @property
    def n_steps(self) -> int:
        return self.grid.n_steps

    def cover(self, job: JobData, start: int) -> range:
        return range(start, start + job.steps)

    @property
    def negative_price(self) -> bool:
        """Some step's energy price or some fuel costs less than nothing: drawing more could
        then cost less, so pricing a job at its least input bounds nothing."""
        return bool((self.energy_price < 0).any()) or any(u.fuel_price < 0 for u in self.units)

    def why_no_start_bound(self) -> str | None:
        """Why a bound that places every job and prices each start at its least cost would not
        hold for the bill (commitment-free searches and window_bound), or None."""
        if not self.exact_tariff:
            return "the tariff is priced approximately"
        if self.negative_price:
            return "a negative price"
        if any(not j.candidates for j in self.jobs):
            return "a job without a start"
        return None


def build_problem(inputs: Any, grid: TimeGrid, series: Any, options: ScheduleOptions,
                  frozen: FrozenState | None = None, *, late_starts: bool = True) -> Problem:
    """`late_starts`: jobs may start so late that they end after their deadline, where the
    options price lateness (False: only a frozen job that already runs late ends late)."""
    step_minutes = grid.step_minutes
    now_step = 0 if frozen is None else frozen.now_step(grid)
    windows = unavailable_windows(inputs, grid, frozen)
    units = [_unit(u, i, inputs, grid, frozen, now_step, windows)
             for i, u in enumerate(inputs.equipment)]
    by_id = {u.equipment_id: u for u in units}
    unit_index = {u.equipment_id: u.index for u in units}
    previous = {} if frozen is None else {a.job_id: a for a in frozen.previous.assignments}
    jobs, outside = [], []
    for job in inputs.jobs:
        if not job.window_overlaps(grid.start, grid.end):
            outside.append((job, "outside the planning horizon"))
            continue
        steps = math.ceil(job.duration_minutes / step_minutes - EPS)
        share = np.ones(steps)
        share[-1] = job.duration_minutes / step_minutes - (steps - 1)
        fixed = None
        earliest_step = now_step
        done = previous.get(job.job_id)
        before = None if done is None else grid_place(done, unit_index, grid)
        not_started = done is not None and done.start >= frozen.now  # neither kept nor restarted
        if done is not None and frozen.keeps(done):
            fixed = (by_id[done.equipment_id].index, int(round(grid.index_of(done.start))))
        allowed = [u for u in units if not job.allowed_equipment
                   or u.equipment_id in job.allowed_equipment]
        # A job may end late (after its deadline, within the horizon) where the options price
        # it, unless a must-run window holds it. A frozen job that already runs late keeps its
        # penalty, a constant: the objective is the bill plus the penalties the plan lists.
        late_per_hour = None if job.must_run_window is not None \
            else options.late_penalty(job.priority)
        candidates = [fixed] if fixed else [
            (u.index, s) for u in allowed
            for s in _starts(job, grid, steps, earliest_step,
                             late=late_starts and late_per_hour is not None)
            if job.heat_kw <= u.capacity_kw + EPS and (u.fixed_on[s:s + steps] != 0).all()]
        jobs.append(JobData(index=len(jobs), job=job, heat_kw=job.heat_kw, steps=steps,
                            energy_share=share, priority=job.priority,
                            penalty=None if fixed else options.penalty(job.priority),
                            candidates=candidates, fixed=fixed,
                            due_step=grid.index_of(job.deadline),
                            late_per_step=(late_per_hour or 0.0) * grid.step_hours,
                            previous=before,
                            move_cost=options.move_cost(job.priority)
                            if before and not_started else 0.0,
                            not_started=not_started))
    demand, exact = _demand_terms(inputs, series)
    base = base_load_series(grid, inputs.base_load_by_hour)
    dates = grid.local_dates
    day_index = {d: i for i, d in enumerate(sorted(set(dates)))}
    constant = float((base * series.energy_price).sum() * grid.step_hours)
    constant += float(series.fixed_charge_for_horizon)
    tariff = inputs.tariff
    if getattr(tariff, "has_energy_tiers", False) or getattr(tariff, "minimum_charges", ()):
        exact = False
    if getattr(series, "real_time_mode", None) == "add":
        exact = False
    return Problem(grid=grid, units=units, jobs=jobs, outside=outside,
                   step_hours=grid.step_hours, energy_price=np.asarray(series.energy_price, float),
                   base_kw=base, day_of_step=np.array([day_index[d] for d in dates]),
                   demand=demand, contract_peak_kw=inputs.site.contract_peak_kw,
                   constant_cost=constant, exact_tariff=exact, frozen=frozen)


def grid_place(assignment: Any, unit_index: Mapping[str, int],
               grid: TimeGrid) -> tuple[int, int] | None:
    """`assignment`'s unit index and start step; None off the grid or on an unknown unit."""
    unit = unit_index.get(assignment.equipment_id)
    position = grid.index_of(assignment.start)
    if unit is None or abs(position - round(position)) > 1e-9:
        return None
    return unit, int(round(position))


def _starts(job: Job, grid: TimeGrid, steps: int, earliest_step: int, *,
            late: bool = False) -> range:
    """`late`: the job may end after its deadline, up to LATE_LIMIT (and the horizon's end)."""
    first, last = job.start_bounds(grid.start, grid.end)
    if late:
        last = min(job.deadline + LATE_LIMIT, grid.end) - job.duration
    lo = max(math.ceil(grid.index_of(first) - EPS), earliest_step)
    hi = min(math.floor(grid.index_of(last) + EPS), grid.n_steps - steps)
    return range(lo, hi + 1)


def _unit(unit: Any, index: int, inputs: Any, grid: TimeGrid, frozen: FrozenState | None,
          now_step: int, windows: tuple[Any, ...]) -> UnitData:
    n, step = grid.n_steps, grid.step_minutes
    fixed = np.full(n, -1, dtype=np.int8)
    for window in windows:
        if window.equipment_id != unit.equipment_id:
            continue
        # Every step that overlaps maintenance is off (a unit is on for whole steps).
        lo = max(0, math.floor(grid.index_of(window.start) + EPS))
        hi = min(n, math.ceil(grid.index_of(window.end) - EPS))
        fixed[lo:hi] = 0
    initial_on = unit.initial_state == UnitState.ON
    since = unit.initial_state_minutes
    min_run = math.ceil(unit.min_run_minutes / step - EPS) if unit.min_run_minutes else 1
    min_off = math.ceil(unit.min_off_minutes / step - EPS) if unit.min_off_minutes else 0
    if since is not None:
        if initial_on and since < unit.min_run_minutes:
            held = math.ceil((unit.min_run_minutes - since) / step - EPS)
            # Maintenance stops the unit even inside its min run: the run it is on at the
            # horizon start ends where the first window begins (the verifier allows it).
            outage = np.flatnonzero(fixed[:held] == 0)
            fixed[:int(outage[0]) if outage.size else held] = 1
        if not initial_on and since < unit.min_off_minutes:
            fixed[:math.ceil((unit.min_off_minutes - since) / step - EPS)] = 0
    exempt = 0
    if frozen is not None:
        past = _on_steps_of(frozen.previous, unit.equipment_id, grid)
        fixed[:now_step] = past[:now_step].astype(np.int8)
        if unit.equipment_id in frozen.tripped:
            back = frozen.outage_end(unit.equipment_id)
            until = n if back is None else min(n, math.ceil(grid.index_of(back) - EPS))
            fixed[now_step:until] = 0
            exempt = now_step
    fuel_price = 0.0 if unit.is_electric else float(inputs.carrier_prices_per_kwh[unit.fuel.value])
    return UnitData(index=index, equipment_id=unit.equipment_id, capacity_kw=unit.capacity_kw,
                    min_load_kw=unit.min_load_kw, efficiency=unit.efficiency,
                    electric=unit.is_electric, fuel_price=fuel_price,
                    startup_kwh=unit.startup_energy_kwh, min_run=min_run, min_off=min_off,
                    max_starts=unit.max_starts_per_day, parallel=unit.max_parallel_jobs,
                    initial_on=initial_on, fixed_on=fixed, exempt_min_run_before=exempt)


def _on_steps_of(plan: Any, unit_id: str, grid: TimeGrid) -> np.ndarray:
    on = np.zeros(grid.n_steps, dtype=bool)
    for run in plan.runs:
        if run.equipment_id == unit_id:
            lo = max(0, math.floor(grid.index_of(run.start) + EPS))
            hi = min(grid.n_steps, math.ceil(grid.index_of(run.end) - EPS))
            on[lo:hi] = True
    return on


def _demand_terms(inputs: Any, series: Any) -> tuple[list[DemandTerm], bool]:
    terms, exact = [], True
    first_month = series.months[0] if len(series.months) else None
    blocks_of = np.asarray(series.demand_block) if len(series.demand_block) else None
    billed = inputs.site.billed_peak_kw
    if getattr(inputs.tariff, "ratchet", None) is not None and inputs.tariff.ratchet.is_active:
        exact = False  # ratchet floors from months inside the horizon are not modelled
    for charge in series.demand_charges:
        steps = np.flatnonzero(charge.step_mask)
        if steps.size == 0 or not charge.tiers:
            continue
        if charge.window_steps > 1 and blocks_of is not None:
            groups = [steps[blocks_of[steps] == b] for b in np.unique(blocks_of[steps])]
        else:
            groups = [np.array([s]) for s in steps]
        floor = max(charge.floor_kw, billed if charge.month == first_month else 0.0)
        term = DemandTerm(key=charge.key, blocks=groups, tiers=charge.tiers, floor_kw=floor)
        exact = exact and term.convex
        terms.append(term)
    return terms, exact


def anchored(problem: Problem, move_cost: float) -> Problem:
    """The problem with each replannable job's move priced at least `move_cost`: what a
    re-plan's heuristic searches, so that its descent starts from the previous plan and
    moves a job only where that saves more (the plans it finds are priced on `problem`)."""
    if not any(job.replannable and job.move_cost < move_cost for job in problem.jobs):
        return problem  # nothing to anchor: the same problem, searched once
    jobs = [dataclasses.replace(job, move_cost=max(job.move_cost, move_cost))
            if job.replannable else job for job in problem.jobs]
    return dataclasses.replace(problem, jobs=jobs)
