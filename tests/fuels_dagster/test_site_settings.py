"""gas_composition.csv and fuel_mix.yaml: the example loads, bad files name file, row and field."""

import shutil
from pathlib import Path

import pytest

from heatcraft.errors import InputError
from heatcraft.fuels import MixLimits
from heatcraft.fuels.site_settings import (
    load_fuel_mix_settings,
    load_gas_composition,
    load_site_fuel_inputs,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plant_a"


def test_example_gas_is_a_pipeline_natural_gas_that_sums_to_one():
    composition = load_gas_composition(EXAMPLE / "gas_composition.csv")
    assert sum(composition.values()) == pytest.approx(1.0, abs=1e-9)
    assert 0.85 < composition["methane"] < 0.98
    assert list(composition)[:2] == ["methane", "ethane"]  # ISO 6976 table order


def test_example_mix_settings_name_only_fuels_of_the_site():
    loaded = load_site_fuel_inputs(EXAMPLE)
    mix = loaded.mix
    assert isinstance(mix.limits, MixLimits)
    assert set(mix.fuels) <= set(loaded.fuels.fuels)
    assert set(mix.efficiency) == set(mix.fuels)
    assert mix.limits.pareto_points >= 2 and mix.procurement.horizon_days >= 7
    assert set(loaded.source_sha256) == {"fuels.csv", "fuel_prices.csv", "inventory.csv",
                                         "gas_composition.csv", "fuel_mix.yaml"}


def test_equal_content_gives_an_equal_hash(tmp_path: Path):
    copy = tmp_path / "site"
    shutil.copytree(EXAMPLE, copy)
    (copy / "fuel_mix.yaml").write_text("# a comment changes the bytes, not the meaning\n"
                                        + (copy / "fuel_mix.yaml").read_text())
    assert load_site_fuel_inputs(copy).sha256 == load_site_fuel_inputs(EXAMPLE).sha256


def test_optional_files_may_be_absent(tmp_path: Path):
    copy = tmp_path / "site"
    shutil.copytree(EXAMPLE, copy)
    (copy / "fuel_mix.yaml").unlink()
    (copy / "gas_composition.csv").unlink()
    loaded = load_site_fuel_inputs(copy)
    assert loaded.mix is None and loaded.gas_composition is None


@pytest.mark.parametrize(("text", "row", "field", "rule"), [
    ("component,mole_fraction\nmethane,0.9\nethane,0.05\n", None, "mole_fraction", "sum to"),
    ("component,mole_fraction\nmethane,0.95\nunobtainium,0.05\n", 3, "component", "unknown"),
    ("component,mole_fraction\nmethane,0.95\nCH4,0.05\n", 3, "component", "twice"),
    ("component,mole_fraction\nmethane,lots\n", 2, "mole_fraction", "not a number"),
    ("component,mole_fraction,unit\nmethane,1,mol/mol\n", 1, "unit", "unknown column"),
])
def test_bad_gas_composition_names_row_and_field(tmp_path: Path, text, row, field, rule):
    path = tmp_path / "gas_composition.csv"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_gas_composition(path)
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.field) == ("gas_composition.csv", row, field)
    assert rule in issue.rule


@pytest.mark.parametrize(("text", "field", "rule"), [
    ("fuels: [wood]\nefficiency: {coal_bituminous: 0.8}\n", None, "efficiency names"),
    ("fuels: [wood]\nlimits: {objective: cheapest}\n", "limits.objective", "Input should be"),
    ("fuels: [wood]\nlimits: {carbon_tax: 5}\n", "limits.carbon_tax", "Extra inputs"),
    ("fuels: [wood, coal_bituminous]\nlimits: {incompatible_pairs: [[wood, oil]]}\n", None,
     "incompatible_pairs names ['oil']"),
    ("fuels: []\n", "fuels", "at least 1"),
    ("- wood\n", None, "mapping"),
])
def test_bad_fuel_mix_yaml_names_the_field(tmp_path: Path, text, field, rule):
    path = tmp_path / "fuel_mix.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_fuel_mix_settings(path)
    issue = caught.value.issues[0]
    assert issue.file == "fuel_mix.yaml"
    assert issue.field == field
    assert rule in issue.rule
