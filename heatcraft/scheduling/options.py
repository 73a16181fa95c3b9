"""What the caller can ask of the optimizer, and the state a rolling re-plan starts from."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from heatcraft.models import Assignment, Plan

if TYPE_CHECKING:
    from heatcraft.timegrid import TimeGrid

Backend = Literal["auto", "guided", "cpsat", "highs", "scip", "cbc", "heuristic"]

# How many times the time limit a repeatable search may run before the clock stops it, and
# for how many seconds at least: at a 2 s limit, with both cores busy with other work, the
# 20-job day's search took 16.5-18.1 s against the 18.6 s a tenfold backstop left (its test
# failed once in four runs then).
REPEATABLE_BACKSTOP = 10.0
REPEATABLE_BACKSTOP_MIN_S = 120.0

# Dropping a job must cost more than anything a plan can save; each priority level doubles it.
DEFAULT_DROP_PENALTY = (1_600_000.0, 800_000.0, 400_000.0, 200_000.0, 100_000.0)


def parse_drop_penalty(text: str) -> tuple[float, ...] | None:
    """'never' (no job may be dropped), or currency per dropped job for priority 1, 2, ...
    comma-separated; priorities past the last value take the last. ValueError says why not."""
    return _parse_per_priority(text, "amounts per priority (e.g. 5000,2000,1000,500,200)",
                               "drop")


def parse_late_penalty(text: str) -> tuple[float, ...] | None:
    """'never' (no job may end after its deadline), or currency per hour a job ends late for
    priority 1, 2, ... comma-separated. ValueError says why not."""
    return _parse_per_priority(
        text, "amounts per hour and priority (e.g. 500,200,100,50,20)", "delay")


def amounts_text(values: tuple[float, ...]) -> str:
    """Amounts by priority as they are written and reported: comma-separated, shortest form
    (`100,20,5`), as --drop-penalty, --late-penalty and --move-penalty read them."""
    return ",".join(f"{v:g}" for v in values)


def _parse_per_priority(text: str, amounts: str, what: str) -> tuple[float, ...] | None:
    if text.strip().lower() == "never":
        return None
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"{text!r} is not 'never' or comma-separated {amounts}") from None
    return check_drop_penalty(values, text, what)


def check_drop_penalty(values: tuple[float, ...], given: str | None = None,
                       what: str = "drop") -> tuple[float, ...]:
    """`values` if they can be ScheduleOptions.drop_penalty_per_priority (or, `what="delay"`,
    late_penalty_per_hour); ValueError (quoting `given`, or the values) says why not."""
    quoted = repr(given) if given is not None else amounts_text(values)
    if not 1 <= len(values) <= len(DEFAULT_DROP_PENALTY):
        raise ValueError(f"{quoted}: give 1 to {len(DEFAULT_DROP_PENALTY)} amounts, one per "
                         "priority from 1 (highest)")
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"{quoted}: every amount must be a finite number >= 0")
    if any(b > a for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(f"{quoted}: a higher priority (earlier) may not cost less to {what}")
    return values


MovePenalty = float | tuple[float, ...]


def parse_move_penalty(text: str) -> MovePenalty:
    """One amount for every job, or amounts per priority 1, 2, ... comma-separated (priorities
    past the last take the last). ValueError says why not."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"{text!r} is not an amount or comma-separated amounts per priority "
                         "(e.g. 50,20,5)") from None
    return check_move_penalty(values[0] if len(values) == 1 else values)


def check_move_penalty(value: float | Sequence[float]) -> MovePenalty:
    """`value` if it can be ScheduleOptions.move_penalty (one amount, or a sequence of them by
    priority, returned as a tuple); ValueError says why not. Unlike dropping, moving a
    higher-priority job may cost less: a plant may rather keep its routine jobs in place."""
    if not isinstance(value, Sequence):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{value!r}: the move penalty must be a finite amount >= 0")
        return float(value)
    values = tuple(float(v) for v in value)
    quoted = amounts_text(values)
    if not 1 <= len(values) <= len(DEFAULT_DROP_PENALTY):
        raise ValueError(f"{quoted!r}: give 1 to {len(DEFAULT_DROP_PENALTY)} move penalties, "
                         "one per priority from 1 (highest)")
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"{quoted!r}: every move penalty must be a finite amount >= 0")
    return values


def move_price(penalty: MovePenalty, priority: int) -> float:
    """What moving a job of `priority` costs under `penalty` (ScheduleOptions.move_penalty)."""
    if isinstance(penalty, tuple):
        return _by_priority(penalty, priority)
    return float(penalty)


def _by_priority(table: tuple[float, ...] | None, priority: int) -> float | None:
    """The table's amount for `priority` (1 first; priorities past its end take its last)."""
    if table is None:
        return None
    return float(table[min(max(priority, 1), len(table)) - 1])


@dataclass(frozen=True)
class ScheduleOptions:
    backend: Backend = "auto"
    time_limit_s: float = 60.0
    seed: int = 0
    threads: int = 2
    # Currency per dropped job, by priority 1 (highest) .. 5; None forbids dropping.
    drop_penalty_per_priority: tuple[float, ...] | None = DEFAULT_DROP_PENALTY
    # Share of the time limit given to the heuristic before the exact model starts.
    heuristic_share: float = 0.35
    # Add x <= on for every job, unit and step it may cover. On the benchmark day it moved the
    # LP bound by < 0.01 % and made the root LP 4x slower, so it is off by default.
    tight_linking: bool = False
    relative_gap: float = 1e-4
    # Break ties under flat tariffs: among equal-cost plans prefer earlier job starts. A
    # re-plan prefers the plan nearest its previous plan instead, whatever this says.
    prefer_early_ties: bool = True
    # Currency per hour a job ends after its deadline, by priority 1 (highest) .. 5; None (the
    # default): no job ends late. A job with a must-run window is never late.
    late_penalty_per_hour: tuple[float, ...] | None = None
    # A re-plan's price of change: currency per job of the previous plan, not yet started,
    # that the re-plan moves to another unit or start, or drops; one amount, or a tuple by
    # priority 1 (highest) .. 5. 0 (the default): only moves that cost nothing are undone, so
    # the re-plan is the cheapest plan nearest the previous.
    move_penalty: MovePenalty = 0.0
    # Every phase of the search ends by its work count (moves, neighbourhoods, CP-SAT
    # deterministic time, MIP nodes), each sized from time_limit_s, and never by the clock:
    # the same inputs and options then give the same plan on any machine, busy or not, however
    # long the counts take there. The clock only guards against a runaway, at
    # REPEATABLE_BACKSTOP times the limit or REPEATABLE_BACKSTOP_MIN_S (the report says so if
    # it ever ends a phase).
    repeatable: bool = False

    def penalty(self, priority: int) -> float | None:
        """What dropping a job of `priority` costs; None: it may not be dropped."""
        return _by_priority(self.drop_penalty_per_priority, priority)

    def late_penalty(self, priority: int) -> float | None:
        """Currency per hour late for a job of `priority`; None: it may not end late."""
        return _by_priority(self.late_penalty_per_hour, priority)

    def move_cost(self, priority: int) -> float:
        """What a re-plan pays for moving or dropping a job of `priority` it had planned."""
        return move_price(self.move_penalty, priority)

    def wall_seconds(self, seconds: float) -> float:
        """The clock's share for a phase given `seconds` of the limit: the same, or, when the
        search is repeatable, the backstop's multiple of it (the phase's count ends it)."""
        if not self.repeatable:
            return seconds
        return seconds * max(REPEATABLE_BACKSTOP,
                             REPEATABLE_BACKSTOP_MIN_S / max(self.time_limit_s, 1e-9))

    def as_parameters(self) -> dict[str, str | int | float | bool | None]:
        return {"backend": self.backend, "time_limit_s": self.time_limit_s, "seed": self.seed,
                "threads": self.threads,
                "drop_penalty_per_priority": None if self.drop_penalty_per_priority is None
                else amounts_text(self.drop_penalty_per_priority),
                "late_penalty_per_hour": None if self.late_penalty_per_hour is None
                else amounts_text(self.late_penalty_per_hour),
                "move_penalty": amounts_text(self.move_penalty)
                if isinstance(self.move_penalty, tuple) else self.move_penalty,
                "heuristic_share": self.heuristic_share, "tight_linking": self.tight_linking,
                "relative_gap": self.relative_gap, "repeatable": self.repeatable}


@dataclass(frozen=True)
class FrozenState:
    """Re-plan from `now`: what happened before it stays as `previous` planned it.

    Jobs of `previous` that started before `now` keep their unit and start (running or done);
    every unit keeps its on/off state of `previous` before `now`. Units in `tripped` are off
    from `now` until their `back_at` moment, else `unavailable_until`, else the horizon's end
    (a unit tripped earlier and still down has its own return), and the jobs they were running
    are planned again from `now` (an interrupted job restarts from scratch).
    """

    now: datetime
    previous: Plan
    tripped: frozenset[str] = field(default_factory=frozenset)
    unavailable_until: datetime | None = None
    back_at: Mapping[str, datetime] = field(default_factory=dict)

    def interrupts(self, assignment: Assignment) -> bool:
        """`assignment` of `previous` was running on a unit that tripped: it starts again."""
        return (assignment.start < self.now < assignment.end
                and assignment.equipment_id in self.tripped)

    def keeps(self, assignment: Assignment) -> bool:
        """`assignment` of `previous` started before `now` and stays as it was."""
        return assignment.start < self.now and not self.interrupts(assignment)

    def outage_end(self, unit_id: str) -> datetime | None:
        """When tripped unit `unit_id` may run again (None: not within the horizon)."""
        return self.back_at.get(unit_id, self.unavailable_until)

    def now_step(self, grid: TimeGrid) -> int:
        """The first whole step at or after `now`: a unit is on for whole steps, so the re-plan
        (and a tripped unit's cut run) starts there."""
        return max(0, min(grid.n_steps, math.ceil(grid.index_of(self.now) - 1e-9)))


def unavailable_windows(inputs: Any, grid: TimeGrid,
                        frozen: FrozenState | None) -> tuple[Any, ...]:
    """When each unit may not run within the horizon: maintenance and the trips' outages
    (`trip_outages`)."""
    return tuple(inputs.maintenance) + trip_outages(inputs, grid, frozen)


def trip_outages(inputs: Any, grid: TimeGrid, frozen: FrozenState | None) -> tuple[Any, ...]:
    """The trips' outages within the horizon (SiteInputs.outages). A re-plan sets its own
    tripped units' outage and keeps the past before its moment as it was, so only what lies
    after that moment counts there."""
    if frozen is None:
        return inputs.outages(grid.start, grid.end)
    return inputs.outages(grid.start, grid.end, after=frozen.now,
                          left_to_caller=frozen.tripped)
