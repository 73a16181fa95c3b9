import json
from pathlib import Path

import pytest

from heatcraft.emissions import (
    carbon_footprint,
    emissions_request,
    gwp_values,
    lookup_factor,
    site_carbon_footprint,
)
from heatcraft.fuels import RequestError, load_site_fuels

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "examples/plant_a"


def example_request() -> dict:
    request = json.loads((ROOT / "examples/requests/emissions.json").read_text())
    request["site_dir"] = str(ROOT / request["site_dir"])
    return request


@pytest.mark.parametrize("factor_set", ["ipcc2006", "epa_hub", "site"])
def test_example_totals_reconcile_line_by_line_with_sources(factor_set):
    request = example_request() | {"factor_set": factor_set}
    result = emissions_request(request)
    lines = result["lines"]
    for line in lines:
        assert line["emission_kg"] == pytest.approx(
            line["energy_gj_net"] * line["factor_kg_per_gj_net"]
        )
        assert line["co2e_kg"] == pytest.approx(line["emission_kg"] * line["gwp"])
        assert line["source"]
    totals = result["totals"]
    for scope in ("scope1", "scope2", "scope3"):
        assert totals[f"{scope}_co2e_kg"] == pytest.approx(
            sum(line["co2e_kg"] for line in lines if line["scope"] == scope)
        )
    assert totals["biogenic_co2_kg"] == pytest.approx(
        sum(line["emission_kg"] for line in lines if line["gas"] == "co2_biogenic")
    )
    assert totals["carbon_cost"] == pytest.approx(85 * totals["scope1_co2e_kg"] / 1000)


def test_hand_computed_ipcc_and_epa_lines():
    ipcc = emissions_request(example_request())
    coal_co2 = next(
        line
        for line in ipcc["lines"]
        if line["fuel_id"] == "coal_bituminous" and line["gas"] == "co2_fossil"
    )
    assert coal_co2["emission_kg"] == pytest.approx(200 * 94.6)  # 94 600 kg/TJ = 94.6 kg/GJ
    assert coal_co2["table"] == "Vol. 2 Ch. 1 Table 1.4" and coal_co2["year"] == 2006
    epa = emissions_request(example_request() | {"factor_set": "epa_hub"})
    gas_co2 = next(
        line
        for line in epa["lines"]
        if line["fuel_id"] == "natural_gas" and line["gas"] == "co2_fossil"
    )
    # 53.06 kg/mmBtu HHV -> per GJ gross / 1.055056 -> per GJ net x HHV/LHV (53.2/48.0)
    assert gas_co2["factor_kg_per_gj_net"] == pytest.approx(53.06 / 1.055056 * 53.2 / 48.0)
    assert gas_co2["factor_basis"] == "gross" and gas_co2["year"] == 2021


def test_biogenic_co2_is_outside_co2e_but_biomass_ch4_counts():
    fuels = load_site_fuels(SITE).fuels
    footprint = carbon_footprint({"wood": 100.0}, fuels, factor_set="ipcc2006")
    gwp = gwp_values("AR6")
    assert footprint.biogenic_co2_kg == pytest.approx(100 * 112.0)
    assert footprint.co2e_kg("scope1") == pytest.approx(
        100 * (0.030 * gwp.ch4_non_fossil + 0.004 * gwp.n2o)
    )


def test_gwp_set_changes_co2e_and_scope2_is_kwh_times_grid_factor():
    fuels = load_site_fuels(SITE).fuels
    ar6 = carbon_footprint({"coal_bituminous": 100.0}, fuels, 1000.0, 0.4)
    ar4 = carbon_footprint({"coal_bituminous": 100.0}, fuels, 1000.0, 0.4, gwp_set="AR4")
    assert ar6.co2e_kg("scope1") - ar4.co2e_kg("scope1") == pytest.approx(
        100 * (0.010 * (29.8 - 25) + 0.0015 * (273 - 298))
    )
    assert ar6.co2e_kg("scope2") == pytest.approx(400.0)
    assert ar6.co2e_kg("scope3") == pytest.approx(100 * 5.0)


def test_reduction_against_reference_and_site_function():
    footprint = site_carbon_footprint(
        SITE, {"natural_gas": 100.0}, 0.0, 0.0, reference_fuel="coal_bituminous"
    )
    reduction = footprint.reference
    assert reduction["reduction_kg"] == pytest.approx(
        reduction["reference_co2e_kg"] - footprint.co2e_kg("scope1")
    )
    assert 35 < reduction["reduction_pct"] < 45  # gas vs coal: ~56 vs ~95 kg/GJ
    assert footprint.rows() and isinstance(footprint.to_dict()["totals"], dict)


def test_factor_lookup_aliases_and_unknown_fuel():
    assert lookup_factor("propane", "co2", "ipcc2006").reference_fuel == "lpg"
    assert lookup_factor("fuel_oil_2", "co2", "epa_hub").reference_fuel == "distillate_fuel_oil_2"
    assert lookup_factor("peat", "co2", "ipcc2006") is None


def test_bad_emissions_request_names_the_field():
    with pytest.raises(RequestError) as caught:
        emissions_request(example_request() | {"fuel_energy_gj": {"unobtainium": 1.0}})
    assert caught.value.issues[0].field == "fuel_energy_gj.unobtainium"
    with pytest.raises(RequestError) as caught:
        emissions_request(example_request() | {"gwp_set": "AR3"})
    assert caught.value.issues[0].field == "gwp_set"
