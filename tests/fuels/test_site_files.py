import shutil
from pathlib import Path

import pytest

from heatcraft.errors import InputError
from heatcraft.fuels.price_units import price_per_gj_net
from heatcraft.fuels.properties import FuelPrice
from heatcraft.fuels.site_files import load_site_fuels

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plant_a"


def test_example_site_loads_every_required_fuel():
    site = load_site_fuels(EXAMPLE)
    assert {"natural_gas", "propane", "coal_bituminous", "distillate_fuel_oil_2", "wood"} <= set(
        site.fuels
    )
    assert site.currency == "USD"
    assert site.inventory["coal_bituminous"].lead_time_days == 7


def test_mmbtu_price_is_gross_and_converted_to_net_gj():
    site = load_site_fuels(EXAMPLE)
    gas = site.fuels["natural_gas"]
    # 3.50 USD per MMBtu (HHV) = 3.50 / 1.055056 USD per GJ gross; one GJ net is HHV/LHV GJ gross.
    expected = 3.50 / 1.055056 * (53.2 / 48.0)
    assert site.price_per_gj_net("natural_gas") == pytest.approx(expected, rel=1e-9)
    per_tonne = FuelPrice(fuel_id="natural_gas", price=480.0, unit="USD/t", as_of="2026-01-01")
    assert price_per_gj_net(per_tonne, gas) == pytest.approx(480.0 / 48.0)


def _copy_site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(EXAMPLE, target)
    return target


def test_unknown_column_is_an_error_naming_file_row_and_field(tmp_path):
    site = _copy_site(tmp_path)
    path = site / "inventory.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",colour"
    lines[1:] = [line + ",red" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        load_site_fuels(site)
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.field) == ("inventory.csv", 1, "colour")


def test_bad_value_names_its_row_and_field(tmp_path):
    site = _copy_site(tmp_path)
    path = site / "fuels.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace("47.3,50.3", "47.3,-1", 1)  # propane hhv
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        load_site_fuels(site)
    assert any(i.row == 4 and i.field == "hhv_mj_kg" for i in caught.value.issues)


def test_missing_column_and_unknown_price_unit(tmp_path):
    site = _copy_site(tmp_path)
    prices = site / "fuel_prices.csv"
    prices.write_text(prices.read_text().replace("120,USD/t", "120,USD/gal"))
    with pytest.raises(InputError) as caught:
        load_site_fuels(site)
    assert caught.value.issues[0].field == "unit"
    fuels = site / "fuels.csv"
    text = fuels.read_text().splitlines()
    header = text[0].split(",")
    column = header.index("sulfur_pct")
    text = [",".join(c for i, c in enumerate(line.split(",")) if i != column) for line in text]
    fuels.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as caught:
        load_site_fuels(site)
    assert ("fuels.csv", "sulfur_pct") in {(i.file, i.field) for i in caught.value.issues}
