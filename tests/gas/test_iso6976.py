"""ISO 6976:2016 calculator: Annex D Example 1, pure-component spot values, errors, properties."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatcraft.gas import (
    CompositionError,
    GasInputError,
    ReferenceConditionError,
    gas_properties,
    gas_quality_request,
    reference_pairs,
)
from heatcraft.gas.iso6976_data import components, constants

ANNEX_D_EXAMPLE_1 = {
    "methane": 0.933212,
    "ethane": 0.025656,
    "propane": 0.015368,
    "nitrogen": 0.010350,
    "carbon dioxide": 0.015414,
}


def test_annex_d_example_1_reproduced_to_published_digits():
    p = gas_properties(ANNEX_D_EXAMPLE_1, combustion_temperature_c=15, metering_temperature_c=15)
    assert round(p.molar_mass_kg_per_kmol, 6) == 17.388430
    assert round(p.compression_factor, 8) == 0.99776224
    assert round(p.gross_calorific_value_kj_per_mol, 6) == 906.179959
    assert round(p.gross_calorific_value_mj_per_kg, 6) == 52.113961
    assert round(p.gross_calorific_value_mj_per_m3, 6) == 38.410611


def test_annex_d_example_1_derived_quantities_are_consistent():
    p = gas_properties(ANNEX_D_EXAMPLE_1)
    # Eq. (3) by hand: n_H = 4*0.933212 + 6*0.025656 + 8*0.015368 = 4.009728 H atoms per mole.
    assert p.net_calorific_value_kj_per_mol == pytest.approx(906.179959 - 4.009728 / 2 * 44.431)
    assert p.wobbe_index_gross_mj_per_m3 == pytest.approx(
        p.gross_calorific_value_mj_per_m3 / math.sqrt(p.relative_density), rel=1e-12
    )
    assert p.density_kg_per_m3 / p.relative_density == pytest.approx(
        28.96546 * 101325 / (8.3144621 * 288.15) / 0.999595 / 1000, rel=1e-12
    )


def test_pure_methane_matches_table_values():
    p = gas_properties({"methane": 1.0})
    assert p.molar_mass_kg_per_kmol == 16.04246
    assert p.compression_factor == pytest.approx(1 - 0.04452**2, abs=1e-15)
    assert p.gross_calorific_value_kj_per_mol == 891.51
    assert p.net_calorific_value_kj_per_mol == pytest.approx(891.51 - 2 * 44.431)
    assert p.gross_calorific_value_mj_per_kg == pytest.approx(891.51 / 16.04246)
    # 15/15 real gas: 891.51 kJ/mol * 42.2932 mol/m3 / 0.998018 = 37.7791 MJ/m3.
    assert p.gross_calorific_value_mj_per_m3 == pytest.approx(37.7791, abs=5e-5)
    assert p.wobbe_index_gross_mj_per_m3 == pytest.approx(50.7240, abs=5e-5)


def test_pure_hydrogen_matches_table_values():
    p = gas_properties({"hydrogen": 1.0}, combustion_temperature_c=25, metering_temperature_c=0)
    assert p.gross_calorific_value_kj_per_mol == 285.83
    assert p.net_calorific_value_kj_per_mol == pytest.approx(285.83 - 44.013)
    assert p.compression_factor == pytest.approx(0.9999, abs=1e-15)
    ideal_mol_per_m3 = 101325 / (8.3144621 * 273.15)
    assert p.gross_calorific_value_mj_per_m3 == pytest.approx(
        285.83 * ideal_mol_per_m3 / 0.9999 / 1000, rel=1e-12
    )
    assert p.gross_calorific_value_mj_per_m3 == pytest.approx(12.7536, abs=5e-5)
    assert p.relative_density == pytest.approx(2.01588 / 28.96546 * 0.999419 / 0.9999)


def test_water_has_zero_net_calorific_value_at_every_combustion_temperature():
    for t1, _ in reference_pairs():
        p = gas_properties({"water": 1.0}, combustion_temperature_c=t1, metering_temperature_c=0)
        assert p.net_calorific_value_kj_per_mol == pytest.approx(0.0, abs=1e-12)


def test_every_reference_pair_is_supported_and_uses_its_own_table_column():
    pairs = reference_pairs()
    assert len(pairs) == 20
    values = {
        pair: gas_properties(
            ANNEX_D_EXAMPLE_1, combustion_temperature_c=pair[0], metering_temperature_c=pair[1]
        )
        for pair in pairs
    }
    assert (
        values[(25.0, 0.0)].gross_calorific_value_kj_per_mol
        < values[(0.0, 0.0)].gross_calorific_value_kj_per_mol
    )
    assert values[(15.0, 0.0)].compression_factor < values[(15.0, 20.0)].compression_factor
    assert values[(15.55, 15.55)].metering_temperature_c == 15.55


def test_data_loaded_completely():
    table = components()
    assert len(table) == 60
    assert table["n-pentadecane"].gross_calorific_value_kj_per_mol[25.0] == 10122.82
    assert constants().compression_factor_air[15.55] == 0.999601


@pytest.mark.parametrize(
    ("composition", "message"),
    [
        ({"methanee": 1.0}, "did you mean 'methane'"),
        ({"methane": 0.9, "ethane": 0.2}, "sum to 1.1"),
        ({"methane": 1.1, "ethane": -0.1}, "negative"),
        ({}, "empty"),
        ({"methane": 0.5, "CH4": 0.5}, "more than once"),
        ({"methane": float("nan")}, "not finite"),
    ],
)
def test_composition_errors_name_the_problem(composition, message):
    with pytest.raises(CompositionError, match=message):
        gas_properties(composition)


def test_sum_within_tolerance_is_accepted_and_normalize_rescales():
    gas_properties({"methane": 0.9999995, "ethane": 0.0})
    scaled = gas_properties(
        {
            "methane": 93.3212,
            "ethane": 2.5656,
            "propane": 1.5368,
            "nitrogen": 1.0350,
            "carbon dioxide": 1.5414,
        },
        normalize=True,
    )
    assert scaled.gross_calorific_value_mj_per_m3 == pytest.approx(38.410611, abs=5e-7)


def test_formula_aliases_resolve_to_iso_names():
    by_formula = gas_properties({"CH4": 0.9, "H2": 0.05, "co2": 0.05})
    by_name = gas_properties({"methane": 0.9, "hydrogen": 0.05, "carbon dioxide": 0.05})
    assert by_formula == by_name


def test_untabulated_temperatures_are_rejected():
    with pytest.raises(ReferenceConditionError, match="metering temperature 25"):
        gas_properties({"methane": 1.0}, metering_temperature_c=25)
    with pytest.raises(ReferenceConditionError, match="combustion temperature 10"):
        gas_properties({"methane": 1.0}, combustion_temperature_c=10)


def test_gas_quality_request_returns_the_documented_keys():
    response = gas_quality_request(
        {
            "composition": ANNEX_D_EXAMPLE_1,
            "combustion_temperature_c": 15,
            "metering_temperature_c": 15,
            "normalize": False,
        }
    )
    for key in [
        "molar_mass_kg_per_kmol",
        "compression_factor",
        "gross_calorific_value_kj_per_mol",
        "net_calorific_value_kj_per_mol",
        "gross_calorific_value_mj_per_kg",
        "net_calorific_value_mj_per_kg",
        "gross_calorific_value_mj_per_m3",
        "net_calorific_value_mj_per_m3",
        "density_kg_per_m3",
        "relative_density",
        "wobbe_index_gross_mj_per_m3",
        "wobbe_index_net_mj_per_m3",
        "combustion_temperature_c",
        "metering_temperature_c",
        "data_source",
    ]:
        assert key in response
    assert round(response["gross_calorific_value_mj_per_m3"], 6) == 38.410611
    assert "ISO 6976:2016" in response["data_source"]


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"composition": {"methane": 1}, "pressure": 1}, "pressure"),
        ({"combustion_temperature_c": 15}, "composition"),
        ([1, 2], "JSON object"),
        ({"composition": {"methane": 1}, "metering_temperature_c": 60}, "not tabulated"),
    ],
)
def test_bad_requests_raise_gas_input_error(request_body, message):
    with pytest.raises(GasInputError, match=message):
        gas_quality_request(request_body)


_NAMES = sorted(components())
_FUEL_NAMES = [n for n in _NAMES if components()[n].hydrogen_atoms > 0 and n != "water"]


@st.composite
def compositions(draw):
    names = draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=6, unique=True))
    fuel = draw(st.sampled_from(_FUEL_NAMES))
    weights = {name: draw(st.floats(0.0, 1.0)) for name in names}
    weights[fuel] = weights.get(fuel, 0.0) + draw(st.floats(0.05, 1.0))
    return weights


@settings(max_examples=150, deadline=None)
@given(compositions(), st.sampled_from(reference_pairs()))
def test_property_relations_hold_for_any_gas(weights, pair):
    total = sum(weights.values())
    summation = sum(
        w / total * components()[n].summation_factor[pair[1]] for n, w in weights.items()
    )
    if 1 - summation**2 < 0.9:
        with pytest.raises(CompositionError, match="outside the ISO 6976 range"):
            gas_properties(
                weights,
                combustion_temperature_c=pair[0],
                metering_temperature_c=pair[1],
                normalize=True,
            )
        return
    p = gas_properties(
        weights, combustion_temperature_c=pair[0], metering_temperature_c=pair[1], normalize=True
    )
    assert p.wobbe_index_gross_mj_per_m3 == pytest.approx(
        p.gross_calorific_value_mj_per_m3 / math.sqrt(p.relative_density), rel=1e-12
    )
    assert p.wobbe_index_net_mj_per_m3 == pytest.approx(
        p.net_calorific_value_mj_per_m3 / math.sqrt(p.relative_density), rel=1e-12
    )
    assert p.net_calorific_value_kj_per_mol < p.gross_calorific_value_kj_per_mol
    assert p.net_calorific_value_mj_per_m3 < p.gross_calorific_value_mj_per_m3
    assert 0.0 < p.compression_factor <= 1.0
    assert p.gross_calorific_value_mj_per_kg * p.molar_mass_kg_per_kmol == pytest.approx(
        p.gross_calorific_value_kj_per_mol, rel=1e-12
    )
    # Mass CV does not depend on the metering temperature.
    other = gas_properties(
        weights, combustion_temperature_c=pair[0], metering_temperature_c=20, normalize=True
    )
    assert other.gross_calorific_value_mj_per_kg == p.gross_calorific_value_mj_per_kg


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 1.0))
def test_molar_calorific_value_is_linear_in_the_mix(share):
    mix = gas_properties({"methane": share, "hydrogen": 1 - share})
    expected = share * 891.51 + (1 - share) * 286.15
    assert mix.gross_calorific_value_kj_per_mol == pytest.approx(expected, rel=1e-12)


def test_heavy_vapour_outside_the_standards_range_is_rejected():
    with pytest.raises(CompositionError, match="compression factor 0.5"):
        gas_properties({"n-decane": 1.0}, metering_temperature_c=0)


def test_example_request_file_reproduces_annex_d():
    path = Path(__file__).resolve().parents[2] / "examples" / "requests" / "gas_quality.json"
    response = gas_quality_request(json.loads(path.read_text()))
    assert round(response["gross_calorific_value_mj_per_m3"], 6) == 38.410611
