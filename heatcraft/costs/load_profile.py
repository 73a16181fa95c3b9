"""Per-step power of a plan: heat, input energy, starts, electric and fuel demand.

Conventions (shared by the optimizer, the verifier and the bill):
- a job delivers heat_kw over [start, end); a step's value is the average over the step;
- a unit is on in every step that any of its runs touches, and then delivers at least
  min_load_kw (surplus heat is the price of keeping the unit on);
- input = output / efficiency (COP for heat pumps); each start adds startup_energy_kwh of input
  in the step the run starts;
- only electric units (and the site's base load) count towards the electric demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from heatcraft.models import Equipment, Plan, UnitState
from heatcraft.timegrid import TimeGrid


@dataclass(frozen=True)
class LoadProfile:
    grid: TimeGrid
    unit_ids: tuple[str, ...]
    heat_kw: np.ndarray  # (units, steps) heat the jobs take
    output_kw: np.ndarray  # (units, steps) heat delivered, at least min load while on
    input_kw: np.ndarray  # (units, steps) energy in, startup energy included
    startup_kw: np.ndarray  # (units, steps) the part of input_kw that is startup energy
    on: np.ndarray  # (units, steps) bool
    starts: np.ndarray  # (units, steps) bool: a run starts in this step
    base_load_kw: np.ndarray  # (steps,)
    electric_kw: np.ndarray  # (steps,) base load + electric units' input
    carrier_of_unit: tuple[str, ...]

    def carrier_kw(self, carrier: str) -> np.ndarray:
        rows = [i for i, c in enumerate(self.carrier_of_unit) if c == carrier]
        if not rows:
            return np.zeros(len(self.grid))
        return self.input_kw[rows].sum(axis=0)

    @property
    def peak_electric_kw(self) -> float:
        return float(self.electric_kw.max()) if len(self.electric_kw) else 0.0


def step_overlap(grid: TimeGrid, start: datetime, end: datetime) -> np.ndarray:
    """Share of each step covered by [start, end)."""
    first = grid.index_of(start)
    last = grid.index_of(end)
    steps = np.arange(len(grid), dtype=float)
    return np.clip(np.minimum(steps + 1, last) - np.maximum(steps, first), 0.0, 1.0)


def base_load_series(grid: TimeGrid, base_load_by_hour: tuple[float, ...]) -> np.ndarray:
    return np.array([base_load_by_hour[h] for h in grid.local_hours], dtype=float)


def load_profile(
    plan: Plan,
    equipment: tuple[Equipment, ...],
    grid: TimeGrid,
    base_load_by_hour: tuple[float, ...] = (0.0,) * 24,
) -> LoadProfile:
    unit_ids = tuple(unit.equipment_id for unit in equipment)
    row = {unit_id: i for i, unit_id in enumerate(unit_ids)}
    shape = (len(unit_ids), len(grid))
    heat = np.zeros(shape)
    on = np.zeros(shape, dtype=bool)
    starts = np.zeros(shape, dtype=bool)
    for assignment in plan.assignments:
        heat[row[assignment.equipment_id]] += assignment.heat_kw * step_overlap(
            grid, assignment.start, assignment.end
        )
    for run in plan.runs:
        covered = step_overlap(grid, run.start, run.end) > 0
        on[row[run.equipment_id]] |= covered
        first = int(np.argmax(covered)) if covered.any() else None
        unit = equipment[row[run.equipment_id]]
        continues_initial = run.start <= grid.start and unit.initial_state == UnitState.ON
        if first is not None and not continues_initial:
            starts[row[run.equipment_id], first] = True
    min_load = np.array([unit.min_load_kw for unit in equipment])[:, None]
    efficiency = np.array([unit.efficiency for unit in equipment])[:, None]
    startup = np.array([unit.startup_energy_kwh for unit in equipment])[:, None]
    output = np.where(on, np.maximum(heat, min_load), heat)
    startup_kw = starts * startup / grid.step_hours
    input_kw = output / efficiency + startup_kw
    base = base_load_series(grid, base_load_by_hour)
    electric_rows = [i for i, unit in enumerate(equipment) if unit.is_electric]
    electric = base + input_kw[electric_rows].sum(axis=0)
    return LoadProfile(
        grid=grid,
        unit_ids=unit_ids,
        heat_kw=heat,
        output_kw=output,
        input_kw=input_kw,
        startup_kw=startup_kw,
        on=on,
        starts=starts,
        base_load_kw=base,
        electric_kw=electric,
        carrier_of_unit=tuple(unit.fuel.value for unit in equipment),
    )
