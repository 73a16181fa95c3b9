"""Turn cell values into typed values: quantities with units, local times, lists."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

_HAS_UNIT = re.compile(r"[A-Za-z%]")


class ValueProblem(ValueError):
    """A single cell that cannot become the value its field needs."""


@lru_cache(maxsize=1)
def _units():
    # pint is imported only when a cell carries a unit: most files are plain numbers.
    import pint

    registry = pint.UnitRegistry()
    registry.define("MMBtu = 1e6 * Btu")
    return registry


def to_quantity(value: Any, unit: str) -> float | None:
    """A number in `unit`; text like '0.5 MWh' or '90 min' is converted with pint."""
    if value is None or isinstance(value, bool):
        return None if value is None else _fail(value, unit)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if not _HAS_UNIT.search(text):
        try:
            return float(text)
        except ValueError:
            _fail(value, unit)
    import pint

    registry = _units()
    try:
        return float(registry.Quantity(text).to(unit).magnitude)
    except pint.DimensionalityError as exc:
        raise ValueProblem(
            f"{text!r} has units of {exc.dim1 or exc.units1}, expected a quantity in {unit}"
        ) from exc
    except (
        pint.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        ValueError,
        TypeError,
        AttributeError,
    ) as exc:
        raise ValueProblem(f"{text!r} is not a number or a quantity in {unit}") from exc


def _fail(value: Any, unit: str) -> float:
    raise ValueProblem(f"{value!r} is not a number (expected {unit})")


def to_aware(value: Any, timezone: str) -> datetime | None:
    """ISO 8601 with offset; a time without offset is read as the site's local time."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueProblem(f"{text!r} is not an ISO 8601 date-time") from exc
    if moment.tzinfo is not None:
        return moment
    tz = ZoneInfo(timezone)
    early = moment.replace(tzinfo=tz, fold=0)
    late = moment.replace(tzinfo=tz, fold=1)
    if early.utcoffset() != late.utcoffset():
        # Either skipped (spring forward) or repeated (fall back): the offset cannot be guessed.
        kind = "does not exist" if _round_trips(early) is False else "is ambiguous"
        raise ValueProblem(
            f"local time {moment.isoformat()} {kind} in {timezone} (DST change); give the offset"
        )
    return early


def _round_trips(moment: datetime) -> bool:
    utc = moment.astimezone(ZoneInfo("UTC"))
    return utc.astimezone(moment.tzinfo).replace(tzinfo=None) == moment.replace(tzinfo=None)


def to_id_list(value: Any) -> tuple[str, ...]:
    """'B1;B2', 'B1|B2', 'B1, B2' or a list."""
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else re.split(r"[;|,]", str(value))
    return tuple(str(item).strip() for item in items if str(item).strip())
