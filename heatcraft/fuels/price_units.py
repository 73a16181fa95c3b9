"""Fuel price unit conversion with pint: any CURRENCY per mass or energy unit to currency per GJ
net."""

from __future__ import annotations

import re
from functools import lru_cache

import pint

from heatcraft.fuels.properties import FuelPrice, FuelProperties

_CURRENCY_UNIT = re.compile(r"^\s*([A-Z]{3})\s*/\s*(.+?)\s*$")
# US fuel prices per MMBtu or therm are quoted on a gross (HHV) basis by convention.
_GROSS_BY_CONVENTION = {"mmbtu", "therm", "btu", "mbtu"}


class PriceUnitError(ValueError):
    """The price unit is not CURRENCY/mass or CURRENCY/energy."""


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry()
    # Market spellings pint does not know; the Btu is the International Table Btu (1055.056 J).
    ureg.define("MMBtu = 1e6 * Btu = mmBtu = MMBTU = mmbtu")
    ureg.define("MBtu = 1e3 * Btu = mbtu")
    ureg.define("therm_us = 1e5 * Btu")
    return ureg


def split_price_unit(unit: str) -> tuple[str, str]:
    """'USD/MMBtu' -> ('USD', 'MMBtu')."""
    match = _CURRENCY_UNIT.match(unit)
    if not match:
        raise PriceUnitError(f"price unit {unit!r} is not CURRENCY/UNIT such as USD/GJ")
    return match.group(1), match.group(2)


def _quantity_unit(name: str) -> pint.Unit:
    ureg = _registry()
    alias = {"therm": "therm_us", "t": "tonne", "mt": "tonne"}.get(name.lower(), name)
    try:
        return ureg.Unit(alias)
    except (pint.UndefinedUnitError, ValueError, AttributeError) as exc:
        raise PriceUnitError(f"unknown quantity unit {name!r}") from exc


def default_price_basis(unit: str) -> str:
    _, per = split_price_unit(unit)
    return "gross" if per.lower() in _GROSS_BY_CONVENTION else "net"


def price_per_gj_net(price: FuelPrice, fuel: FuelProperties) -> float:
    """Currency per GJ of net (LHV) fuel energy."""
    ureg = _registry()
    _, per = split_price_unit(price.unit)
    unit = _quantity_unit(per)
    dimensionality = ureg.Quantity(1, unit).dimensionality
    if dimensionality == ureg.kilogram.dimensionality:
        per_kg = price.price / ureg.Quantity(1, unit).to("kg").magnitude
        return per_kg * 1000.0 / fuel.lhv_mj_kg
    if dimensionality == ureg.joule.dimensionality:
        per_gj_stated = price.price / ureg.Quantity(1, unit).to("GJ").magnitude
        basis = price.basis or default_price_basis(price.unit)
        # 1 GJ net of fuel carries HHV/LHV GJ gross, so a gross price buys less net energy.
        return per_gj_stated * (fuel.gross_to_net_ratio if basis == "gross" else 1.0)
    raise PriceUnitError(
        f"price unit {price.unit!r}: quantity must be a mass or an energy (volume needs a density)"
    )
