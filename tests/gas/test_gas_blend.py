"""Gas blending within a Wobbe window: exact ISO 6976 check of every result, infeasibility."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatcraft.gas import GasInputError, gas_properties
from heatcraft.gas.blend import gas_blend_request

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "requests" / "gas_blend.json"
NATURAL_GAS = {
    "methane": 0.9,
    "ethane": 0.06,
    "propane": 0.015,
    "nitrogen": 0.01,
    "carbon dioxide": 0.015,
}
BIOMETHANE = {"methane": 0.965, "carbon dioxide": 0.025, "nitrogen": 0.008, "oxygen": 0.002}
HYDROGEN = {"hydrogen": 1.0}
SOURCES = {"natural_gas": NATURAL_GAS, "biomethane": BIOMETHANE, "hydrogen": HYDROGEN}


def _request(costs, window, **extra):
    return {
        "sources": [
            {"id": key, "composition": SOURCES[key], "cost_per_gj": cost}
            for key, cost in costs.items()
        ],
        "wobbe_index_mj_per_m3": window,
        **extra,
    }


def _exact(result, t1=15, t2=15):
    """Recompute the blend from its fractions, independently of the engine's own evaluation."""
    mixed: dict[str, float] = {}
    for key, share in result["fractions"].items():
        for name, x in SOURCES[key].items():
            mixed[name] = mixed.get(name, 0.0) + share * x
    return gas_properties(
        mixed, combustion_temperature_c=t1, metering_temperature_c=t2, normalize=True
    )


def _assert_inside(result, window, hydrogen_cap=None, cv_min=None):
    exact = _exact(result)
    tolerance = 1e-9
    if window.get("min") is not None:
        assert exact.wobbe_index_gross_mj_per_m3 >= window["min"] * (1 - tolerance)
    if window.get("max") is not None:
        assert exact.wobbe_index_gross_mj_per_m3 <= window["max"] * (1 + tolerance)
    if hydrogen_cap is not None:
        assert result["composition"].get("hydrogen", 0.0) <= hydrogen_cap + 1e-9
    if cv_min is not None:
        assert exact.gross_calorific_value_mj_per_m3 >= cv_min * (1 - tolerance)
    assert math.fsum(result["fractions"].values()) == pytest.approx(1.0, abs=1e-9)
    assert result["properties"]["wobbe_index_gross_mj_per_m3"] == pytest.approx(
        exact.wobbe_index_gross_mj_per_m3, rel=1e-9
    )


def _grid_best(costs, window, hydrogen_cap=None, margin=0.0, step=0.02):
    """Cheapest blend on a mole-fraction grid that meets the limits with a relative margin."""
    keys = list(costs)
    gross = {k: gas_properties(SOURCES[k]).gross_calorific_value_kj_per_mol for k in keys}
    best = None
    n = round(1 / step)
    for i in range(n + 1):
        for j in range(n + 1 - i):
            shares = dict(zip(keys, (i / n, j / n, (n - i - j) / n), strict=False))
            if len(keys) == 2 and (n - i - j) != 0:
                continue
            result = {"fractions": shares, "composition": {}}
            hydrogen = shares.get("hydrogen", 0.0)
            if hydrogen_cap is not None and hydrogen > hydrogen_cap * (1 - margin):
                continue
            wobbe = _exact(result).wobbe_index_gross_mj_per_m3
            if window.get("min") is not None and wobbe < window["min"] * (1 + margin):
                continue
            if window.get("max") is not None and wobbe > window["max"] * (1 - margin):
                continue
            energy = sum(shares[k] * gross[k] for k in keys)
            cost = sum(shares[k] * gross[k] * costs[k] for k in keys) / energy
            best = cost if best is None else min(best, cost)
    return best


def test_example_request_is_solved_inside_every_limit():
    request = json.loads(EXAMPLE.read_text())
    result = gas_blend_request(request)
    assert result["status"] == "optimal"
    _assert_inside(
        result,
        request["wobbe_index_mj_per_m3"],
        request["max_hydrogen_fraction"],
        request["min_gross_calorific_value_mj_per_m3"],
    )
    # Cheap hydrogen is pushed up to the tightest limit (here the minimum CV, within 0.01 %).
    assert result["properties"]["gross_calorific_value_mj_per_m3"] == pytest.approx(34.0, rel=1e-4)
    assert result["iterations"] and all(
        it["within_limits"] for it in result["iterations"] if it["lp_status"] == "optimal"
    )


def test_cost_is_the_energy_weighted_price():
    result = gas_blend_request(
        _request({"natural_gas": 10.0, "hydrogen": 5.0}, {"min": 48.0, "max": 52.0})
    )
    assert result["status"] == "optimal"
    shares = result["energy_shares"]
    assert result["cost_per_gj"] == pytest.approx(
        10.0 * shares["natural_gas"] + 5.0 * shares["hydrogen"], rel=1e-12
    )
    # Hydrogen lowers W: the minimum of the window binds, to within the linearization margin.
    assert _exact(result).wobbe_index_gross_mj_per_m3 == pytest.approx(48.0, rel=1e-4)


def test_single_source_inside_the_window_is_used_alone():
    result = gas_blend_request(_request({"natural_gas": 9.0}, {"min": 49.0, "max": 51.0}))
    assert result["status"] == "optimal"
    assert result["fractions"] == {"natural_gas": 1.0}
    assert result["properties"]["wobbe_index_gross_mj_per_m3"] == pytest.approx(
        gas_properties(NATURAL_GAS).wobbe_index_gross_mj_per_m3, rel=1e-12
    )


def test_window_above_every_source_is_reported_infeasible():
    result = gas_blend_request(
        _request(
            {"natural_gas": 9.0, "biomethane": 20.0, "hydrogen": 6.0}, {"min": 54.0, "max": 56.0}
        )
    )
    assert result["status"] == "infeasible"
    assert "above the highest Wobbe index of any source" in result["diagnosis"][0]
    assert "fractions" not in result


def test_window_below_every_mix_is_reported_infeasible():
    result = gas_blend_request(
        _request({"natural_gas": 9.0, "hydrogen": 6.0}, {"min": 30.0, "max": 40.0})
    )
    assert result["status"] == "infeasible"
    assert "below the lowest Wobbe index" in result["diagnosis"][0]


def test_limits_that_only_conflict_together_are_reported_infeasible():
    # W <= 48 needs > 15 % hydrogen (or biomethane, absent here), the cap allows 5 %.
    result = gas_blend_request(
        _request({"natural_gas": 9.0, "hydrogen": 6.0}, {"max": 48.0}, max_hydrogen_fraction=0.05)
    )
    assert result["status"] == "infeasible"
    assert "no blend meets all limits together" in result["diagnosis"][-1]


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        (
            {"sources": [{"id": "a", "composition": {"metane": 1.0}, "cost_per_gj": 1}]},
            "source 'a': unknown gas component 'metane'",
        ),
        (
            {
                "sources": [
                    {"id": "a", "composition": HYDROGEN, "cost_per_gj": 1},
                    {"id": "a", "composition": HYDROGEN, "cost_per_gj": 2},
                ]
            },
            "duplicate",
        ),
        ({"sources": []}, "sources"),
        (
            {
                "sources": [{"id": "a", "composition": HYDROGEN, "cost_per_gj": 1}],
                "metering_temperature_c": 30,
            },
            "not tabulated",
        ),
        (
            {"sources": [{"id": "a", "composition": {"methane": 0.5}, "cost_per_gj": 1}]},
            "sum to 0.5",
        ),
    ],
)
def test_bad_requests_raise(request_body, message):
    with pytest.raises(GasInputError, match=message):
        gas_blend_request(request_body)


@settings(max_examples=15, deadline=None)
@given(
    natural_gas=st.floats(5.0, 15.0),
    biomethane=st.floats(5.0, 25.0),
    hydrogen=st.floats(3.0, 30.0),
    low=st.floats(40.0, 50.0),
    width=st.floats(0.5, 6.0),
    hydrogen_cap=st.one_of(st.none(), st.floats(0.02, 0.4)),
)
def test_results_respect_the_exact_window_and_beat_a_grid(
    natural_gas, biomethane, hydrogen, low, width, hydrogen_cap
):
    costs = {"natural_gas": natural_gas, "biomethane": biomethane, "hydrogen": hydrogen}
    window = {"min": low, "max": low + width}
    result = gas_blend_request(
        _request(costs, window, max_hydrogen_fraction=hydrogen_cap, max_iterations=40)
    )
    # Grid blends that meet every limit with 0.3 % to spare must be matched or beaten.
    grid = _grid_best(costs, window, hydrogen_cap, margin=0.003, step=0.05)
    if result["status"] == "infeasible":
        assert grid is None, f"grid found a blend at {grid} but the engine reported infeasible"
        return
    _assert_inside(result, window, hydrogen_cap)
    if grid is not None:
        assert result["cost_per_gj"] <= grid + 1e-9


def test_deterministic():
    request = json.loads(EXAMPLE.read_text())
    assert gas_blend_request(request) == gas_blend_request(request)


def test_inverted_window_is_diagnosed_and_zero_hydrogen_cap_is_honoured():
    costs = {"natural_gas": 9.0, "hydrogen": 6.0}
    inverted = gas_blend_request(_request(costs, {"min": 51.0, "max": 50.0}))
    assert inverted["status"] == "infeasible"
    assert inverted["diagnosis"] == ["Wobbe window min 51 is above max 50"]
    capped = gas_blend_request(_request(costs, {"min": 45.0}, max_hydrogen_fraction=0.0))
    assert capped["fractions"]["hydrogen"] == 0.0
