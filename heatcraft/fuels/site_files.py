"""Loaders for a site's `fuels.csv`, `fuel_prices.csv` and `inventory.csv`.

Every problem is collected and raised together as one `InputError` naming file, row (header = 1)
and field, so a planner can fix a file in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from heatcraft.errors import InputError, InputIssue
from heatcraft.fuels.price_units import PriceUnitError, price_per_gj_net, split_price_unit
from heatcraft.fuels.properties import FuelPrice, FuelProperties, InventoryItem
from heatcraft.intake.records import read_records
from heatcraft.intake.tables import build_models

FUELS_FILE = "fuels.csv"
PRICES_FILE = "fuel_prices.csv"
INVENTORY_FILE = "inventory.csv"

RowModel = TypeVar("RowModel", bound=BaseModel)


@dataclass(frozen=True)
class SiteFuels:
    """Everything the fuel engines need from one site folder, keyed by fuel_id."""

    fuels: dict[str, FuelProperties]
    prices: dict[str, FuelPrice]
    inventory: dict[str, InventoryItem]
    currency: str

    def price_per_gj_net(self, fuel_id: str) -> float:
        return price_per_gj_net(self.prices[fuel_id], self.fuels[fuel_id])


def read_rows(path: Path, model: type[RowModel]) -> list[RowModel]:
    """Read one CSV into models with the shared intake: unknown and missing columns are errors,
    blank optional cells take the model default, a repeated fuel_id names both rows."""
    fields = model.model_fields
    required = [name for name, field in fields.items() if field.is_required()]
    optional = [name for name in fields if name not in required]
    records = read_records(path, required=required, optional=optional)
    rows = build_models(records, model, {}, id_field="fuel_id" if "fuel_id" in fields else None)
    if not rows:
        raise InputError([InputIssue(path.name, None, None, "no data rows")])
    return rows


def _by_fuel(rows: Sequence[RowModel]) -> dict[str, RowModel]:
    return {row.fuel_id: row for row in rows}  # type: ignore[attr-defined]


def load_site_fuels(site_dir: str | Path) -> SiteFuels:
    """Load and cross-check the three fuel files of a site folder (inventory is optional)."""
    folder = Path(site_dir)
    fuels = _by_fuel(read_rows(folder / FUELS_FILE, FuelProperties))
    prices = _by_fuel(read_rows(folder / PRICES_FILE, FuelPrice))
    inventory_path = folder / INVENTORY_FILE
    inventory = (
        _by_fuel(read_rows(inventory_path, InventoryItem))
        if inventory_path.exists()
        else {}
    )
    return cross_check(fuels, prices, inventory)


def cross_check(
    fuels: dict[str, FuelProperties],
    prices: dict[str, FuelPrice],
    inventory: dict[str, InventoryItem],
) -> SiteFuels:
    """Every price and inventory row names a known fuel, every fuel has a price, prices convert,
    and one currency is used throughout."""
    issues: list[InputIssue] = []
    currencies: set[str] = set()
    for offset, (fuel_id, price) in enumerate(prices.items()):
        row = offset + 2
        if fuel_id not in fuels:
            issues.append(InputIssue(PRICES_FILE, row, "fuel_id", f"unknown fuel {fuel_id!r}"))
            continue
        try:
            currencies.add(split_price_unit(price.unit)[0])
            price_per_gj_net(price, fuels[fuel_id])
        except PriceUnitError as exc:
            issues.append(InputIssue(PRICES_FILE, row, "unit", str(exc)))
    for fuel_id in fuels:
        if fuel_id not in prices:
            issues.append(InputIssue(PRICES_FILE, None, "fuel_id", f"no price for {fuel_id!r}"))
    if len(currencies) > 1:
        issues.append(
            InputIssue(PRICES_FILE, None, "unit", f"mixed currencies {sorted(currencies)}")
        )
    for offset, fuel_id in enumerate(inventory):
        if fuel_id not in fuels:
            issues.append(
                InputIssue(INVENTORY_FILE, offset + 2, "fuel_id", f"unknown fuel {fuel_id!r}")
            )
    if issues:
        raise InputError(issues)
    return SiteFuels(
        fuels=fuels,
        prices=prices,
        inventory=inventory,
        currency=currencies.pop() if currencies else "USD",
    )
