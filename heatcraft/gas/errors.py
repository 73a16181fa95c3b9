"""Errors raised by the gas-quality and gas-blend engines (all are ValueErrors: bad input)."""

from __future__ import annotations


class GasInputError(ValueError):
    """A gas request or composition that cannot be evaluated as given."""


class CompositionError(GasInputError):
    """A composition with unknown components, negative fractions or a sum other than 1."""


class ReferenceConditionError(GasInputError):
    """A combustion or metering temperature that ISO 6976:2016 does not tabulate."""
