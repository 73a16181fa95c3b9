"""Unit trips: `equipment_trips.csv` in a site folder, and the re-plans they call for.

An operator, or a bridge from the plant's control system, appends a row when a unit stops
unplanned (equipment_id, tripped_at, optional back_at and reason) and fills in or changes
`back_at` when the return is known. Each new trip calls for a re-plan of its day from its
moment, and of each later day its return reaches from that day's start, with every unit then
down kept off until its own return; a changed return calls for one from the earlier of the old
and new returns (the plan's unit comes back sooner, or must stay off longer). Re-plans of one
site run one at a time in moment order, each from the plan the one before it stored (the
sensor in `sensors/` launches them).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from heatcraft.errors import InputError, InputIssue
from heatcraft.intake.records import read_records
from heatcraft.intake.tables import build_models
from heatcraft.intake.values import to_aware
from heatcraft.models import UnitTrip

TRIPS_FILE = "equipment_trips.csv"
TRIPS_REQUIRED = ("equipment_id", "tripped_at")
TRIPS_OPTIONAL = ("back_at", "reason")


def load_trips(path: Path, timezone: str, units: Iterable[str]) -> list[UnitTrip]:
    """The file's trips in moment order; unknown units, a return before its trip, the same
    trip twice and a unit tripping again before its return are errors with file and row."""
    records = read_records(path, required=TRIPS_REQUIRED, optional=TRIPS_OPTIONAL)
    when = partial(to_aware, timezone=timezone)
    trips = build_models(records, UnitTrip, {"tripped_at": when, "back_at": when})
    known = set(units)
    issues: list[InputIssue] = []
    numbered = zip(trips, (record.row for record in records), strict=True)
    previous: dict[str, tuple[UnitTrip, int]] = {}
    for trip, row in sorted(numbered, key=lambda pair: (pair[0].equipment_id,
                                                         pair[0].tripped_at)):
        if trip.equipment_id not in known:
            issues.append(InputIssue(path.name, row, "equipment_id", f"unknown unit "
                                     f"{trip.equipment_id!r} (the site has "
                                     f"{', '.join(sorted(known))})"))
            continue
        before, before_row = previous.get(trip.equipment_id, (None, 0))
        if before is not None and before.down_at(trip.tripped_at):
            back = "no return given" if before.back_at is None else \
                f"back at {before.back_at.isoformat()}"
            issues.append(InputIssue(path.name, row, "tripped_at", (
                "the same trip is listed twice" if before.tripped_at == trip.tripped_at else
                f"{trip.equipment_id} is still down from its trip at "
                f"{before.tripped_at.isoformat()} (row {before_row}, {back})")))
        previous[trip.equipment_id] = (trip, row)
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.row or 0))
    return sorted(trips, key=lambda t: (t.tripped_at, t.equipment_id))


@dataclass(frozen=True)
class TripReplan:
    """A re-plan a trip calls for: from `replan_at`, on the site's local day `plan_date`, with
    `tripped` (`UNIT` or `UNIT@RETURN`, as `heatcraft plan --tripped` takes them) off."""

    trip: UnitTrip
    replan_at: datetime
    plan_date: date
    tripped: tuple[str, ...]
    why: str

    @property
    def handled(self) -> tuple[str, str]:
        """What the caller records once it has asked for this re-plan: the trip on this day,
        and the return it knew."""
        return handled_key(self.trip, self.plan_date), _return_text(self.trip.back_at)


def trip_read(trip: UnitTrip) -> str:
    """The trip with the return a plan read it with (a fresh plan lists what it read, so that
    a re-plan that would only repeat it is not asked for)."""
    return f"{trip.key}|{_return_text(trip.back_at)}"


def repeats_fresh_plan(replan: TripReplan, timezone: str, fresh_plan_read: Collection[str]) -> bool:
    """A re-plan from the day's start (nothing planned before it is kept) of a day whose
    latest plan was made afresh with this trip and return: it would plan the same day again."""
    begins, _ = _day_bounds(replan.plan_date, ZoneInfo(timezone))
    return replan.replan_at == begins and trip_read(replan.trip) in fresh_plan_read


def handled_key(trip: UnitTrip, day: date) -> str:
    """A trip's re-plan of one day (an outage into later days re-plans each of them)."""
    return f"{trip.key}|{day.isoformat()}"


def split_handled_key(key: str) -> tuple[str, date]:
    """The trip (`UnitTrip.key`) and the day of a `handled_key`."""
    trip_key, _, day = key.rpartition("|")
    return trip_key, date.fromisoformat(day)


def pending_replans(trips: list[UnitTrip], handled: Mapping[str, str], timezone: str,
                    planned_days: Collection[date] = ()) -> list[TripReplan]:
    """The re-plans `trips` call for that `handled` (`handled_key` -> the return that day was
    re-planned with, "" for none) does not hold yet, in moment order.

    A trip re-plans its own day from its moment, and each later day its known return reaches
    from that day's start; a return not known yet reaches every later day of `planned_days`
    (the days that have a plan: one made before the trip would use the unit). A changed
    return re-plans each day the old or the new one reaches, from the earlier of the two (or
    the day's start)."""
    zone = ZoneInfo(timezone)
    handled_days: dict[str, set[date]] = {}
    for key in handled:
        trip_key, day = split_handled_key(key)
        handled_days.setdefault(trip_key, set()).add(day)
    pending = []
    for trip in trips:
        now_back = _return_text(trip.back_at)
        reached = _days_reached(trip, zone, planned_days)
        for day in sorted(set(reached) | handled_days.get(trip.key, set())):
            begins, ends = _day_bounds(day, zone)
            known = handled.get(handled_key(trip, day))
            if known is None:
                if day not in reached:
                    continue
                moment = max(begins, trip.tripped_at)
                why = f"{trip.equipment_id} tripped at {trip.tripped_at.isoformat()}"
            elif known != now_back:
                returns = [datetime.fromisoformat(known)] if known else []
                returns += [trip.back_at] if trip.back_at is not None else []
                moment = max(begins, trip.tripped_at, min(returns))
                why = (f"{trip.equipment_id}'s return changed from {known or 'unknown'} to "
                       f"{now_back or 'unknown'}")
            else:
                continue
            if moment < ends:
                pending.append(TripReplan(trip, moment, day, units_down(trips, moment), why))
    return sorted(pending, key=lambda r: (r.replan_at, r.trip.equipment_id))


def _days_reached(trip: UnitTrip, zone: ZoneInfo, planned_days: Collection[date]) -> list[date]:
    """The local days from the trip's to the last one its known return reaches into; with no
    return known, the trip's day and the later planned days."""
    first = trip.tripped_at.astimezone(zone).date()
    if trip.back_at is None:
        return [first, *sorted(day for day in set(planned_days) if day > first)]
    last = (trip.back_at - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time(0), tzinfo=zone),
            datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone))


def units_down(trips: list[UnitTrip], moment: datetime) -> tuple[str, ...]:
    """Every unit down at `moment`, as `UNIT@RETURN` (or `UNIT` with no return known)."""
    return tuple(sorted(
        trip.equipment_id if trip.back_at is None
        else f"{trip.equipment_id}@{trip.back_at.isoformat()}"
        for trip in trips if trip.down_at(moment)))


def _return_text(back_at: datetime | None) -> str:
    return "" if back_at is None else back_at.isoformat()
