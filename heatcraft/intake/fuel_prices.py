"""Input-energy prices of the fuels that the site's fuel-fired units burn, in $/kWh.

Prices come from the site's fuels.csv and fuel_prices.csv through the fuels engine (pint unit
conversion, net calorific basis). A multi-fuel boiler is planned at the site's planning price:
its real fuel mix is chosen afterwards by the fuel-mix optimizer.
"""

from __future__ import annotations

from pathlib import Path

from heatcraft.errors import InputError, InputIssue

KWH_PER_GJ = 1e6 / 3600.0


def carrier_prices_per_kwh(
    folder: Path,
    carriers: list[str],
    multi_fuel_price_per_mwh: float | None = None,
) -> tuple[dict[str, float], list[Path]]:
    prices: dict[str, float] = {}
    wanted = [c for c in carriers if c != "multi"]
    used: list[Path] = []
    if "multi" in carriers:
        if multi_fuel_price_per_mwh is None:
            raise InputError(
                [
                    InputIssue(
                        "site.yaml",
                        None,
                        "multi_fuel_planning_price_per_mwh",
                        "required when equipment.csv has a multi_fuel_boiler",
                    )
                ]
            )
        prices["multi"] = multi_fuel_price_per_mwh / 1000.0
    if wanted:
        from heatcraft.fuels.site_files import PRICES_FILE, load_site_fuels

        site_fuels = load_site_fuels(folder)
        missing = [c for c in wanted if c not in site_fuels.prices or c not in site_fuels.fuels]
        if missing:
            raise InputError(
                [
                    InputIssue(
                        PRICES_FILE,
                        None,
                        "fuel_id",
                        f"no price (or no fuels.csv entry) for {fuel!r}, "
                        "burnt by a unit in equipment.csv",
                    )
                    for fuel in missing
                ]
            )
        for carrier in wanted:
            prices[carrier] = site_fuels.price_per_gj_net(carrier) / KWH_PER_GJ
        used = [folder / "fuels.csv", folder / PRICES_FILE]
    return prices, used
