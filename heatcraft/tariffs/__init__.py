"""Tariffs and bills: load (native YAML, URDB JSON), expand to per-step arrays, bill a load."""

from heatcraft.tariffs.bill import Bill, MonthBill, Peak, bill_load, tiered_cost
from heatcraft.tariffs.command import bill_command
from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.expand import DemandCharge, TariffSeries, expand_tariff
from heatcraft.tariffs.loader import load_tariff
from heatcraft.tariffs.model import Tariff

__all__ = [
    "Bill",
    "DemandCharge",
    "MonthBill",
    "Peak",
    "Tariff",
    "TariffError",
    "TariffSeries",
    "bill_command",
    "bill_load",
    "expand_tariff",
    "load_tariff",
    "tiered_cost",
]
