"""Validate a gas composition (mole fractions by ISO 6976 component name)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from types import MappingProxyType

from heatcraft.gas.errors import CompositionError
from heatcraft.gas.iso6976_data import components

SUM_TOLERANCE = 1e-6

# Chemical formulas and US spellings people type instead of the ISO 6976 names.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "ch4": "methane",
        "c2h6": "ethane",
        "c3h8": "propane",
        "n2": "nitrogen",
        "co2": "carbon dioxide",
        "h2": "hydrogen",
        "h2o": "water",
        "h2s": "hydrogen sulphide",
        "hydrogen sulfide": "hydrogen sulphide",
        "carbonyl sulfide": "carbonyl sulphide",
        "carbon disulfide": "carbon disulphide",
        "sulfur dioxide": "sulphur dioxide",
        "so2": "sulphur dioxide",
        "o2": "oxygen",
        "co": "carbon monoxide",
        "he": "helium",
        "ar": "argon",
        "nh3": "ammonia",
        "i-butane": "isobutane",
        "i-pentane": "isopentane",
    }
)


def canonical_component_name(name: str) -> str:
    """The ISO 6976 name for `name` (case-insensitive, formulas accepted), or CompositionError."""
    table = components()
    key = " ".join(str(name).strip().lower().split())
    if key in table:
        return key
    if key in ALIASES:
        return ALIASES[key]
    close = difflib.get_close_matches(key, list(table) + list(ALIASES), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise CompositionError(
        f"unknown gas component {name!r}: use an ISO 6976:2016 component name{hint}"
    )


def validate_composition(
    composition: Mapping[str, float], *, normalize: bool = False
) -> dict[str, float]:
    """Mole fractions keyed by ISO name, in ISO table order, summing to 1.

    Raises CompositionError for unknown names, duplicates (e.g. "CH4" and "methane"), negative or
    non-finite fractions, an empty composition, or a sum off 1 by more than 1e-6 (unless
    `normalize`, which rescales a positive sum to 1).
    """
    if not composition:
        raise CompositionError("composition is empty: give mole fractions by component name")
    fractions: dict[str, float] = {}
    for raw_name, raw_value in composition.items():
        name = canonical_component_name(raw_name)
        if name in fractions:
            raise CompositionError(f"component {name!r} is given more than once ({raw_name!r})")
        try:
            value = float(raw_value)
        except (TypeError, ValueError):
            raise CompositionError(
                f"mole fraction of {raw_name!r} is not a number: {raw_value!r}"
            ) from None
        if not math.isfinite(value):
            raise CompositionError(f"mole fraction of {raw_name!r} is not finite: {value}")
        if value < 0:
            raise CompositionError(f"mole fraction of {raw_name!r} is negative: {value}")
        fractions[name] = value
    total = math.fsum(fractions.values())
    if normalize:
        if total <= 0:
            raise CompositionError("cannot normalize a composition whose fractions sum to 0")
        fractions = {name: value / total for name, value in fractions.items()}
    elif abs(total - 1.0) > SUM_TOLERANCE:
        raise CompositionError(
            f"mole fractions sum to {total:.9g}, not 1 (tolerance {SUM_TOLERANCE:g}); "
            "fix them or set normalize=true"
        )
    order = components()
    return {name: fractions[name] for name in sorted(fractions, key=lambda n: order[n].index)}
