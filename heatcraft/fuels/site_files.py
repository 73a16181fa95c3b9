"""Loaders for a site's `fuels.csv`, `fuel_prices.csv` and `inventory.csv`.

Every problem is collected and raised together as one `InputError` naming file, row (header = 1)
and field, so a planner can fix a file in one pass.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from heatcraft.errors import InputError, InputIssue
from heatcraft.fuels.price_units import PriceUnitError, price_per_gj_net, split_price_unit
from heatcraft.fuels.properties import FuelPrice, FuelProperties, InventoryItem

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
    """Read one CSV into models; unknown and missing columns are errors, blank optional cells take
    the model default."""
    name = path.name
    if not path.is_file():
        raise InputError([InputIssue(name, None, None, f"file not found: {path}")])
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [column.strip() for column in (reader.fieldnames or [])]
        issues = _header_issues(name, header, model)
        if issues:
            raise InputError(issues)
        rows: list[RowModel] = []
        for offset, raw in enumerate(reader):
            row_number = offset + 2
            if None in raw:
                issues.append(InputIssue(name, row_number, None, "more cells than header columns"))
                continue
            cells = {key.strip(): (value or "").strip() for key, value in raw.items()}
            values = {key: value for key, value in cells.items() if value != ""}
            try:
                rows.append(model.model_validate(values))
            except ValidationError as exc:
                issues.extend(_validation_issues(name, row_number, exc))
    if not rows and not issues:
        issues.append(InputIssue(name, None, None, "no data rows"))
    if issues:
        raise InputError(issues)
    return rows


def _header_issues(name: str, header: Sequence[str], model: type[BaseModel]) -> list[InputIssue]:
    known = set(model.model_fields)
    required = {key for key, field in model.model_fields.items() if field.is_required()}
    issues = [
        InputIssue(name, 1, column, "unknown column") for column in header if column not in known
    ]
    issues += [
        InputIssue(name, 1, column, "missing required column")
        for column in sorted(required - set(header))
    ]
    return issues


def _validation_issues(name: str, row: int, exc: ValidationError) -> list[InputIssue]:
    issues = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or None
        issues.append(InputIssue(name, row, field, error["msg"]))
    return issues


def _unique_by_fuel(name: str, rows: Sequence[RowModel]) -> dict[str, RowModel]:
    keyed: dict[str, RowModel] = {}
    issues = []
    for offset, row in enumerate(rows):
        fuel_id = row.fuel_id  # type: ignore[attr-defined]
        if fuel_id in keyed:
            issues.append(InputIssue(name, offset + 2, "fuel_id", f"duplicate fuel_id {fuel_id!r}"))
        keyed[fuel_id] = row
    if issues:
        raise InputError(issues)
    return keyed


def load_site_fuels(site_dir: str | Path) -> SiteFuels:
    """Load and cross-check the three fuel files of a site folder (inventory is optional)."""
    folder = Path(site_dir)
    fuels = _unique_by_fuel(FUELS_FILE, read_rows(folder / FUELS_FILE, FuelProperties))
    prices = _unique_by_fuel(PRICES_FILE, read_rows(folder / PRICES_FILE, FuelPrice))
    inventory_path = folder / INVENTORY_FILE
    inventory = (
        _unique_by_fuel(INVENTORY_FILE, read_rows(inventory_path, InventoryItem))
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
