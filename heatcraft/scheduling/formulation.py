"""The tight scheduling model, written once as a solver-neutral linear model.

- x[j,u,s]: job j starts on unit u at step s, only for starts where it may run (no variables in
  maintenance, outside windows, or where it cannot meet its must-run window);
- on/start/stop per unit and step with turn-on/turn-off inequalities for min run and min off,
  starts per local calendar day, the initial state as fixed steps;
- x <= on for every step a job covers (tight linking), capacity and parallelism scaled by on;
- min load as out >= min_load * on; electric demand e[t] >= base + electric units' input;
- demand charges as epigraph variables: peak >= each block average, z >= tangent of each tier
  (no binaries while tier prices do not decrease); only the part above the billed peak costs;
- identical units ordered by their on-time (symmetry breaking).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from heatcraft.scheduling.evaluation import Solution, electric_kw, starts_of, unit_heat
from heatcraft.scheduling.linear_model import LinearModel
from heatcraft.scheduling.peak_bounds import DemandBounds
from heatcraft.scheduling.problem import JobData, Problem, UnitData
from heatcraft.scheduling.redundant_cumulatives import add_redundant_cumulatives
from heatcraft.tariffs import tiered_cost

KW_RESOLUTION = 10.0  # CP-SAT: 0.1 kW
MONEY_RESOLUTION = 100.0  # CP-SAT: cents
# Above the site's greatest electric input by more than CP-SAT's 0.1 kW grid step, so that
# its restriction, rounding the bound down onto the grid, cuts off no plan.
ELECTRIC_BOUND_MARGIN_KW = 1.0


@dataclass
class ModelIndex:
    x: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (job, unit, start)
    drop: dict[int, int] = field(default_factory=dict)
    on: dict[tuple[int, int], int] = field(default_factory=dict)
    start: dict[tuple[int, int], int] = field(default_factory=dict)
    stop: dict[tuple[int, int], int] = field(default_factory=dict)
    out: dict[tuple[int, int], int] = field(default_factory=dict)
    electric: dict[int, int] = field(default_factory=dict)
    peak: list[int] = field(default_factory=list)
    charge: list[int] = field(default_factory=list)


def build_model(problem: Problem, tight_linking: bool = True, symmetry_breaking: bool = True,
                redundant_cumulatives: bool = True,
                allow_drops: bool = True,
                demand_bounds: DemandBounds | None = None) -> tuple[LinearModel, ModelIndex]:
    """`allow_drops=False` leaves out the drop variables (every job must be placed): the caller
    may do so when a known plan places every job for less than the smallest drop penalty,
    since then no plan that drops a job can be optimal; the huge penalties also hurt the LP.
    `demand_bounds` (valid only when every job must be placed) become cuts on the peaks."""
    m, ix = LinearModel(), ModelIndex()
    n, dt = problem.n_steps, problem.step_hours
    unit_price = np.array([problem.energy_price if u.electric else np.full(n, u.fuel_price)
                           for u in problem.units]).reshape(len(problem.units), n) * dt
    # (unit, step) -> [(job, variable, start step)] of every start that covers the step
    covering: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for job in problem.jobs:
        assign: dict[int, float] = {}
        must = len(job.candidates) == 1 and (job.penalty is None or not allow_drops)
        for u, s in job.candidates:
            var = m.binary(f"x[{job.job.job_id},{u},{s}]", 1.0 if must else 0.0)
            ix.x[job.index, u, s] = var
            assign[var] = 1.0
            if job.placement_cost(u, s):
                m.add_objective(var, job.placement_cost(u, s))
            for k in range(job.steps):
                covering.setdefault((u, s + k), []).append((job.index, var, s))
        if job.penalty is not None and allow_drops:
            ix.drop[job.index] = var = m.binary(f"drop[{job.job.job_id}]")
            assign[var] = 1.0
            m.add_objective(var, job.drop_cost)
        m.add_row(assign, 1.0, 1.0)
    electric_terms: dict[int, dict[int, float]] = {t: {} for t in range(n)}
    for unit in problem.units:
        u = unit.index
        eff = unit.efficiency
        for t in range(n):
            fixed = unit.fixed_on[t]
            lo, hi = (0.0, 0.0) if fixed == 0 else (1.0, 1.0) if fixed == 1 else (0.0, 1.0)
            ix.on[u, t] = m.binary(f"on[{u},{t}]", lo, hi)
            before = (1 if unit.initial_on else 0) if t == 0 else unit.fixed_on[t - 1]
            if fixed >= 0 and before >= 0:  # both states known: so are start and stop
                went_on, went_off = float(fixed > before), float(fixed < before)
                ix.start[u, t] = m.binary(f"start[{u},{t}]", went_on, went_on)
                ix.stop[u, t] = m.binary(f"stop[{u},{t}]", went_off, went_off)
                continue
            ix.start[u, t] = m.binary(f"start[{u},{t}]", 0.0, hi)
            ix.stop[u, t] = m.binary(f"stop[{u},{t}]", 0.0, 1.0 - lo)
        for t in range(n):
            on, st, sd = ix.on[u, t], ix.start[u, t], ix.stop[u, t]
            flow = {on: 1.0, st: -1.0, sd: 1.0}
            if t > 0:
                flow[ix.on[u, t - 1]] = -1.0
                m.add_row(flow, 0.0, 0.0)
            else:
                initial = 1.0 if unit.initial_on else 0.0
                m.add_row(flow, initial, initial)
            m.add_row({st: 1.0, sd: 1.0}, upper=1.0)
            jobs_here = covering.get((u, t), [])
            heat_terms: dict[int, float] = {}
            share_terms: dict[int, float] = {}
            for j, var, s in jobs_here:
                job = problem.jobs[j]
                heat_terms[var] = heat_terms.get(var, 0.0) + job.heat_kw
                share_terms[var] = job.heat_kw * job.energy_share[t - s]
            if heat_terms:
                total = sum(heat_terms.values())
                if total > unit.capacity_kw + 1e-9:
                    m.add_row({**heat_terms, on: -unit.capacity_kw}, upper=0.0)
                if len(jobs_here) > unit.parallel:
                    m.add_row({**dict.fromkeys(heat_terms, 1.0), on: -float(unit.parallel)},
                              upper=0.0)
                if tight_linking:
                    by_job: dict[int, list[int]] = {}
                    for j, var, _ in jobs_here:
                        by_job.setdefault(j, []).append(var)
                    for vars_ in by_job.values():
                        m.add_row({**dict.fromkeys(vars_, 1.0), on: -1.0}, upper=0.0)
                else:
                    m.add_row({**dict.fromkeys(heat_terms, 1.0),
                               on: -float(len(jobs_here))}, upper=0.0)
            # Input energy: output / efficiency, and startup energy in the start step.
            price = unit_price[u, t]
            m.add_objective(st, unit.startup_kwh * price / dt)
            if unit.electric:
                electric_terms[t][st] = unit.startup_kwh / dt
            if unit.min_load_kw > 0:
                ix.out[u, t] = out = m.add_variable(f"out[{u},{t}]", 0.0, unit.capacity_kw, False,
                                                    KW_RESOLUTION)
                m.add_row({out: 1.0, **{v: -c for v, c in share_terms.items()}}, lower=0.0)
                m.add_row({out: 1.0, on: -unit.min_load_kw}, lower=0.0)
                m.add_objective(out, price / eff)
                if unit.electric:
                    electric_terms[t][out] = 1.0 / eff
            else:
                for var, c in share_terms.items():
                    m.add_objective(var, price * c / eff)
                    if unit.electric:
                        electric_terms[t][var] = electric_terms[t].get(var, 0.0) + c / eff
        _commitment_rows(m, ix, problem, unit)
    _demand_rows(m, ix, problem, electric_terms)
    if demand_bounds is not None and not ix.drop:
        _demand_cuts(m, ix, demand_bounds)
    if redundant_cumulatives:
        add_redundant_cumulatives(m, problem, ix.x, ix.peak)
    if symmetry_breaking:
        _order_identical_units(m, ix, problem)
    m.objective_constant += problem.constant_cost
    return m, ix


def _commitment_rows(m: LinearModel, ix: ModelIndex, problem: Problem, unit) -> None:
    u, n = unit.index, problem.n_steps
    exempt = unit.exempt_min_run_before
    for t in range(n):
        if unit.min_run > 1 and not (exempt and exempt <= t < exempt + unit.min_run):
            window = range(max(0, t - unit.min_run + 1), t + 1)
            m.add_row({**{ix.start[u, k]: 1.0 for k in window}, ix.on[u, t]: -1.0}, upper=0.0)
        if unit.min_off > 1:
            window = range(max(0, t - unit.min_off + 1), t + 1)
            m.add_row({**{ix.stop[u, k]: 1.0 for k in window}, ix.on[u, t]: 1.0}, upper=1.0)
        elif unit.min_off == 1:
            pass  # a stop and a start cannot share a step: the flow row already says so
    if unit.max_starts is not None:
        for day in np.unique(problem.day_of_step):
            steps = np.flatnonzero(problem.day_of_step == day)
            m.add_row({ix.start[u, int(t)]: 1.0 for t in steps}, upper=float(unit.max_starts))


def _demand_rows(m: LinearModel, ix: ModelIndex, problem: Problem,
                 electric_terms: dict[int, dict[int, float]]) -> None:
    measured = sorted({int(t) for term in problem.demand for b in term.blocks for t in b})
    if problem.contract_peak_kw is not None:
        measured = list(range(problem.n_steps))
    # A bound no plan reaches (every electric unit at capacity and starting), widened: CP-SAT's
    # restriction rounds a bound down onto its 0.1 kW grid, and without the margin a site whose
    # one electric unit runs a job at capacity (80 kW at 0.98: 81.63 kW in, bound 81.6) had no
    # grid plan, so every CP-SAT search and repair on it found none.
    max_electric = float(problem.base_kw.max() if len(problem.base_kw) else 0.0) + sum(
        u.capacity_kw / u.efficiency + u.startup_kwh / problem.step_hours
        for u in problem.units if u.electric) + ELECTRIC_BOUND_MARGIN_KW
    upper = max_electric if problem.contract_peak_kw is None else min(
        max_electric, problem.contract_peak_kw)
    for t in measured:
        lower_bound = float(problem.base_kw[t])
        # If base load alone breaks the contract, the verifier reports it; the model still solves.
        upper_t = max(upper, lower_bound)
        ix.electric[t] = e = m.add_variable(f"e[{t}]", lower_bound, upper_t, False,
                                            KW_RESOLUTION)
        m.add_row({e: 1.0, **{v: -c for v, c in electric_terms[t].items()}},
                  lower=float(problem.base_kw[t]))
    for _c, term in enumerate(problem.demand):
        top = max(upper, term.floor_kw)
        peak = m.add_variable(f"peak[{term.key}]", term.floor_kw, top, False, KW_RESOLUTION)
        ix.peak.append(peak)
        for block in term.blocks:
            share = 1.0 / len(block)
            m.add_row({peak: 1.0, **{ix.electric[int(t)]: -share for t in block}}, lower=0.0)
        floor_cost = tiered_cost(term.floor_kw, term.tiers)
        # Above the rows' charge at the top peak, so the bound never caps the peak.
        z = m.add_variable(f"demand[{term.key}]", floor_cost, term.epigraph_charge(top) + 1.0,
                           False, MONEY_RESOLUTION)
        ix.charge.append(z)
        for breakpoint, rate in term.segments():
            # z >= F(b) + rate * (peak - b): exact for non-decreasing tier prices.
            m.add_row({z: 1.0, peak: -rate},
                      lower=tiered_cost(breakpoint, term.tiers) - rate * breakpoint)
        m.add_objective(z, 1.0)
        m.objective_constant -= floor_cost


def _demand_cuts(m: LinearModel, ix: ModelIndex, bounds: DemandBounds) -> None:
    """peak_k >= L_k and sum_k charge_k >= D, from the indivisible-job relaxation."""
    for peak, kw in zip(ix.peak, bounds.peak_kw, strict=True):
        m.lower[peak] = max(m.lower[peak], min(kw, m.upper[peak]))
    if bounds.charges is not None and ix.charge:
        m.add_row(dict.fromkeys(ix.charge, 1.0), lower=bounds.charges)


def _order_identical_units(m: LinearModel, ix: ModelIndex, problem: Problem) -> None:
    """Identical units (same data, same maintenance, same allowed jobs): order by on-time."""
    def signature(unit) -> tuple:
        allowed = tuple(sorted(j.index for j in problem.jobs
                               if any(u == unit.index for u, _ in j.candidates)))
        starts = tuple(sorted(s for j in problem.jobs for u, s in j.candidates if u == unit.index))
        return (unit.capacity_kw, unit.min_load_kw, unit.efficiency, unit.electric,
                unit.fuel_price, unit.startup_kwh, unit.min_run, unit.min_off, unit.max_starts,
                unit.parallel, unit.initial_on, unit.fixed_on.tobytes(), allowed, hash(starts),
                unit.exempt_min_run_before)
    groups: dict[tuple, list[int]] = {}
    for unit in problem.units:
        groups.setdefault(signature(unit), []).append(unit.index)
    for members in groups.values():
        for a, b in zip(members, members[1:], strict=False):
            terms = {ix.on[a, t]: 1.0 for t in range(problem.n_steps)}
            for t in range(problem.n_steps):
                terms[ix.on[b, t]] = -1.0
            m.add_row(terms, lower=0.0)


def job_energy_objective(problem: Problem, m: LinearModel, ix: ModelIndex, *,
                         min_load_alone: bool = False) -> dict[int, float] | None:
    """A search objective over the model's variables: each start pays its job's input energy
    at the step prices (heat / efficiency), each startup its energy, the demand charges and
    drop penalties as in the model; what a unit's min load adds while it runs below it is left
    out (the rows still hold it). Every plan pays at least this much, so its proven optimum is
    a bound (commitment_bound); and without the min-load energy on continuous outputs, whose
    tiny coefficients make CP-SAT scale its objective by up to 10^10, CP-SAT searches it
    faster. None where a negative energy or fuel price would make it no lower bound.

    `min_load_alone`: a job on a unit that runs one job at a time pays at least the unit's min
    load (it is alone there, so the unit's output is exactly the larger of the two), still a
    bound; the min load of a unit kept on between jobs stays left out."""
    if problem.negative_price:
        return None
    objective: dict[int, float] = {}
    for (j, u, s), var in ix.x.items():
        job, unit = problem.jobs[j], problem.units[u]
        energy = start_energy_cost(problem, job, unit, s,
                                   least_input_kw(job, unit, min_load_alone=min_load_alone))
        if energy + job.placement_cost(u, s) > 0:
            objective[var] = energy + job.placement_cost(u, s)
    for (u, t), var in ix.start.items():
        unit = problem.units[u]
        price = problem.energy_price[t] if unit.electric else unit.fuel_price
        if unit.startup_kwh > 0 and m.upper[var] > 0:
            objective[var] = unit.startup_kwh * float(price)
    for var in ix.charge:
        objective[var] = 1.0
    for var in ix.drop.values():
        objective[var] = m.objective.get(var, 0.0)
    return objective


def least_input_kw(job: JobData, unit: UnitData, *, min_load_alone: bool) -> np.ndarray:
    """The least average input kW the job makes its unit draw in each step it covers (the
    same for every start): its heat (times the share of the step it covers) over the unit's
    efficiency; with `min_load_alone`, at least the unit's min load where it runs one job at a
    time (the job is alone there, and the unit is on for the whole step)."""
    output = job.heat_kw * job.energy_share
    if min_load_alone and unit.parallel == 1:
        output = np.maximum(output, unit.min_load_kw)
    return output / unit.efficiency


def start_energy_cost(problem: Problem, job: JobData, unit: UnitData, start: int,
                      input_kw: np.ndarray) -> float:
    """What `input_kw` (least_input_kw) costs from `start`: step prices for an electric unit,
    the fuel price for a fuel unit."""
    steps = slice(start, start + job.steps)
    price = problem.energy_price[steps] if unit.electric else np.full(job.steps, unit.fuel_price)
    return float((price * input_kw).sum()) * problem.step_hours


def hint_values(problem: Problem, m: LinearModel, ix: ModelIndex,
                solution: Solution) -> dict[int, float] | None:
    """Values of every model variable for a heuristic solution (a complete MIP start), or None
    where the solution is no point of the model: a job left out that the model must place, a
    start the model does not offer, or a value outside its variable's bounds (a unit off where
    the model holds it on). HiGHS stops with an internal error on such a start and PuLP refuses
    it (a plan that drops a job under `drop_penalty_per_priority=None` did both)."""
    for job, place in zip(problem.jobs, solution.placement, strict=True):
        if (job.index not in ix.drop) if place is None else ((job.index, *place) not in ix.x):
            return None
    values = _hint_values(problem, ix, solution)
    for var, value in values.items():
        lower, upper = m.lower[var], m.upper[var]
        slack = 1e-6 * max(1.0, abs(value))
        if not lower - slack <= value <= upper + slack:
            return None
        values[var] = min(max(value, lower), upper)  # float noise at a bound, which PuLP refuses
    return values


def _hint_values(problem: Problem, ix: ModelIndex, solution: Solution) -> dict[int, float]:
    values: dict[int, float] = {var: 0.0 for var in ix.x.values()}
    for j, var in ix.drop.items():
        values[var] = 1.0 if solution.placement[j] is None else 0.0
    for job, place in zip(problem.jobs, solution.placement, strict=True):
        if place is not None:
            values[ix.x[job.index, place[0], place[1]]] = 1.0
    starts = starts_of(problem, solution.on)
    before = np.array([u.initial_on for u in problem.units], dtype=bool)[:, None]
    previous = np.concatenate([before, solution.on[:, :-1]], axis=1)
    stops = previous & ~solution.on
    heat = unit_heat(problem, solution.placement)
    for (u, t), var in ix.on.items():
        values[var] = float(solution.on[u, t])
        values[ix.start[u, t]] = float(starts[u, t])
        values[ix.stop[u, t]] = float(stops[u, t])
    for (u, t), var in ix.out.items():
        unit = problem.units[u]
        values[var] = float(max(heat[u, t], unit.min_load_kw if solution.on[u, t] else 0.0))
    elec = electric_kw(problem, solution)
    for t, var in ix.electric.items():
        values[var] = float(elec[t])
    for term, peak, z in zip(problem.demand, ix.peak, ix.charge, strict=True):
        kw = max(max(float(elec[b].mean()) for b in term.blocks), term.floor_kw)
        values[peak] = kw
        values[z] = term.epigraph_charge(kw)
    return values


def decode(problem: Problem, ix: ModelIndex, values: dict[int, float] | list[float]) -> Solution:
    placement: list[tuple[int, int] | None] = [None] * len(problem.jobs)
    for (j, u, s), var in ix.x.items():
        if values[var] > 0.5:
            placement[j] = (u, s)
    on = np.zeros((len(problem.units), problem.n_steps), dtype=bool)
    for (u, t), var in ix.on.items():
        on[u, t] = values[var] > 0.5
    return Solution(placement, on)
