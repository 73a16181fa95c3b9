"""Generic blending LP/MILP: hand-computed cases, brute force, shadow prices, diagnosis."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatcraft.fuels.blending import BlendRequestError, blend_request

COAL = {
    "id": "coal",
    "cost": 95.0,
    "properties": {"moisture": 10.0, "ash": 12.0, "sulfur": 0.9, "lhv": 25.0},
}
BIOMASS = {
    "id": "biomass",
    "cost": 70.0,
    "properties": {"moisture": 30.0, "ash": 2.0, "sulfur": 0.05, "lhv": 13.0},
}
PETCOKE = {
    "id": "petcoke",
    "cost": 60.0,
    "properties": {"moisture": 8.0, "ash": 0.5, "sulfur": 5.0, "lhv": 32.0},
}


def _binding(result, limit, bound):
    return next(b for b in result["binding"] if b["limit"] == limit and b["bound"] == bound)


def test_two_ingredients_hand_computed():
    # lhv: 25 x + 13 (1 - x) >= 22  =>  x >= 0.75; coal is dearer, so x = 0.75 exactly.
    result = blend_request({"ingredients": [COAL, BIOMASS], "limits": {"lhv": {"min": 22}}})
    assert result["status"] == "optimal"
    assert result["shares"]["coal"] == pytest.approx(0.75, abs=1e-9)
    assert result["cost"] == pytest.approx(0.75 * 95 + 0.25 * 70, abs=1e-9)
    assert result["properties"]["ash"] == pytest.approx(9.5, abs=1e-9)
    # One more MJ/kg of lhv needs 1/12 more coal at 25 more per unit mass.
    assert _binding(result, "lhv", "min")["shadow_price"] == pytest.approx(25 / 12, rel=1e-9)


def test_three_ingredients_hand_computed_vertex():
    # Binding: lhv >= 22 and sulfur <= 1.5 with biomass free; solve the 3x3 system by hand.
    request = {
        "ingredients": [COAL, BIOMASS, PETCOKE],
        "limits": {"lhv": {"min": 22}, "sulfur": {"max": 1.5}, "ash": {"max": 10}},
    }
    result = blend_request(request)
    a = np.array([[1, 1, 1], [25, 13, 32], [0.9, 0.05, 5.0]])
    expected = np.linalg.solve(a, [1, 22, 1.5])
    assert [result["shares"][k] for k in ("coal", "biomass", "petcoke")] == pytest.approx(
        list(expected), abs=1e-9
    )
    assert {(b["limit"], b["bound"]) for b in result["binding"]} == {
        ("lhv", "min"),
        ("sulfur", "max"),
    }
    prices = np.linalg.solve(a.T, [95, 70, 60])  # duals: c = A^T y at a nondegenerate vertex
    assert _binding(result, "lhv", "min")["shadow_price"] == pytest.approx(prices[1], rel=1e-9)
    assert _binding(result, "sulfur", "max")["shadow_price"] == pytest.approx(prices[2], rel=1e-9)


def test_incompatible_pair_makes_a_milp_and_duals_come_from_the_fixed_lp():
    request = {
        "ingredients": [COAL, BIOMASS, PETCOKE],
        "limits": {"lhv": {"min": 22}, "sulfur": {"max": 1.5}},
        "shares": {"biomass": {"min": 0.1}},
        "incompatible": [["biomass", "petcoke"]],
    }
    result = blend_request(request)
    assert result["problem_class"] == "MILP"
    assert result["shares"]["petcoke"] == 0.0
    assert result["shares"]["coal"] == pytest.approx(0.75, abs=1e-9)
    assert "binaries fixed" in result["shadow_price_basis"]
    assert _binding(result, "lhv", "min")["shadow_price"] == pytest.approx(25 / 12, rel=1e-9)


def test_shadow_prices_match_finite_differences():
    request = {
        "ingredients": [COAL, BIOMASS, PETCOKE],
        "limits": {"lhv": {"min": 22}, "sulfur": {"max": 1.5}, "moisture": {"max": 20}},
        "shares": {"coal": {"max": 0.6}},
    }
    base = blend_request(request)
    step = 1e-4
    for entry in base["binding"]:
        if entry["kind"] == "property":
            bumped = {**request, "limits": {**request["limits"]}}
            bumped["limits"][entry["limit"]] = {
                **request["limits"][entry["limit"]],
                entry["bound"]: entry["value"] + step,
            }
        else:
            bumped = {**request, "shares": {**request["shares"]}}
            bumped["shares"][entry["limit"]] = {
                **request["shares"][entry["limit"]],
                entry["bound"]: entry["value"] + step,
            }
        moved = blend_request(bumped)
        slope = (moved["cost"] - base["cost"]) / step
        assert entry["shadow_price"] == pytest.approx(slope, rel=1e-5, abs=1e-6), entry


# ---------------------------------------------------------------- brute force on small instances


def _vertex_optimum(costs, props, limits, lows, highs, allowed):
    """Exact LP optimum by enumerating vertices: n-1 active inequalities plus sum(x) = 1."""
    n = len(costs)
    rows, rhs = [], []
    for i in range(n):
        unit = np.eye(n)[i]
        rows += [unit, unit]
        rhs += [lows[i], highs[i] if i in allowed else 0.0]
    for k, (low, high) in enumerate(limits):
        if low is not None:
            rows.append(props[:, k])
            rhs.append(low)
        if high is not None:
            rows.append(props[:, k])
            rhs.append(high)
    best = None
    for active in itertools.combinations(range(len(rows)), n - 1):
        a = np.vstack([np.ones(n)] + [rows[j] for j in active])
        if abs(np.linalg.det(a)) < 1e-12:
            continue
        x = np.linalg.solve(a, [1.0] + [rhs[j] for j in active])
        if _grid_feasible(x[None, :], props, limits, lows, highs, allowed)[0]:
            value = float(costs @ x)
            best = value if best is None else min(best, value)
    return best


def _grid_feasible(x, props, limits, lows, highs, allowed, tol=1e-9):
    ok = np.all(x >= np.asarray(lows) - tol, axis=1)
    caps = np.array([highs[i] if i in allowed else 0.0 for i in range(x.shape[1])])
    ok &= np.all(x <= caps + tol, axis=1)
    values = x @ props
    for k, (low, high) in enumerate(limits):
        if low is not None:
            ok &= values[:, k] >= low - tol * max(1, abs(low))
        if high is not None:
            ok &= values[:, k] <= high + tol * max(1, abs(high))
    return ok


_GRID = np.array(
    [
        (a, b, 1 - a - b)
        for a in np.linspace(0, 1, 201)
        for b in np.linspace(0, 1, 201)
        if a + b <= 1 + 1e-12
    ]
)
_GRID = np.clip(_GRID, 0.0, 1.0)


@st.composite
def small_instances(draw):
    value = st.integers(0, 20).map(float)
    costs = [draw(st.integers(1, 100)) for _ in range(3)]
    props = np.array([[draw(value), draw(value)] for _ in range(3)])
    limits = []
    for k in range(2):
        column = props[:, k]
        low = draw(st.one_of(st.none(), st.floats(column.min(), column.max())))
        high = draw(st.one_of(st.none(), st.floats(column.min(), column.max())))
        limits.append((low, high))
    lows = [draw(st.sampled_from([0.0, 0.0, 0.1, 0.2])) for _ in range(3)]
    highs = [draw(st.sampled_from([1.0, 1.0, 0.8, 0.5])) for _ in range(3)]
    incompatible = draw(st.sampled_from([[], [], [(0, 1)], [(0, 2), (1, 2)]]))
    return costs, props, limits, lows, highs, incompatible


def _as_request(costs, props, limits, lows, highs, incompatible):
    ids = ["a", "b", "c"]
    return {
        "ingredients": [
            {"id": ids[i], "cost": costs[i], "properties": {"p": props[i, 0], "q": props[i, 1]}}
            for i in range(3)
        ],
        "limits": {
            name: {"min": low, "max": high}
            for name, (low, high) in zip(("p", "q"), limits, strict=True)
        },
        "shares": {ids[i]: {"min": lows[i], "max": highs[i]} for i in range(3)},
        "incompatible": [[ids[a], ids[b]] for a, b in incompatible],
    }


def _allowed_sets(incompatible):
    for size in (1, 2, 3):
        for subset in itertools.combinations(range(3), size):
            if not any(a in subset and b in subset for a, b in incompatible):
                yield set(subset)


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_matches_brute_force(instance):
    costs, props, limits, lows, highs, incompatible = instance
    costs_arr = np.asarray(costs, dtype=float)
    result = blend_request(_as_request(*instance))

    exact = [
        _vertex_optimum(costs_arr, props, limits, lows, highs, allowed)
        for allowed in _allowed_sets(incompatible)
    ]
    exact = [v for v in exact if v is not None]
    grid_costs = []
    for allowed in _allowed_sets(incompatible):
        ok = _grid_feasible(_GRID, props, limits, lows, highs, allowed)
        if ok.any():
            grid_costs.append(float((_GRID[ok] @ costs_arr).min()))

    if result["status"] == "infeasible":
        assert not exact and not grid_costs
        assert result["diagnosis"]
        return
    assert exact, "solver found a blend where vertex enumeration found none"
    assert result["cost"] == pytest.approx(min(exact), abs=1e-6)
    if grid_costs:  # every feasible grid point costs at least the optimum
        assert min(grid_costs) >= result["cost"] - 1e-6
    x = np.array([[result["shares"][k] for k in ("a", "b", "c")]])
    used = {i for i in range(3) if x[0, i] > 1e-9}
    assert any(used <= allowed for allowed in _allowed_sets(incompatible))
    assert _grid_feasible(x, props, limits, lows, highs, {0, 1, 2}, tol=1e-7)[0]


# ------------------------------------------------------------------------- infeasible diagnosis


def test_limit_out_of_reach_is_named():
    result = blend_request({"ingredients": [COAL, BIOMASS], "limits": {"lhv": {"min": 30}}})
    assert result["status"] == "infeasible"
    assert result["conflicting_limits"] == ["lhv min"]
    assert "highest achievable 25" in result["diagnosis"][0]
    assert result["achievable_ranges"]["lhv"] == pytest.approx([13.0, 25.0])


def test_jointly_conflicting_limits_are_isolated():
    # lhv >= 22 needs coal >= 0.75 (ash >= 9.5), ash <= 8 needs coal <= 0.6: moisture is innocent.
    result = blend_request(
        {
            "ingredients": [COAL, BIOMASS],
            "limits": {"lhv": {"min": 22}, "ash": {"max": 8}, "moisture": {"max": 29}},
        }
    )
    assert result["status"] == "infeasible"
    assert sorted(result["conflicting_limits"]) == ["ash max", "lhv min"]


@pytest.mark.parametrize(
    ("extra", "conflict"),
    [
        ({"shares": {"coal": {"min": 0.7}, "biomass": {"min": 0.5}}}, "share minimums"),
        ({"shares": {"coal": {"max": 0.3}, "biomass": {"max": 0.3}}}, "share maximums"),
        ({"limits": {"ash": {"min": 5, "max": 4}}}, "ash min"),
        (
            {
                "shares": {"coal": {"min": 0.2}, "biomass": {"min": 0.2}},
                "incompatible": [["coal", "biomass"]],
            },
            "incompatible",
        ),
    ],
)
def test_contradictory_bounds_are_diagnosed(extra, conflict):
    result = blend_request({"ingredients": [COAL, BIOMASS], **extra})
    assert result["status"] == "infeasible"
    assert conflict in result["conflicting_limits"]
    assert result["shares"] == {} and result["cost"] is None


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"ingredients": []}, "ingredients"),
        ({"ingredients": [COAL, COAL]}, "duplicate"),
        ({"ingredients": [COAL], "shares": {"oil": {"max": 1}}}, "unknown ingredient 'oil'"),
        ({"ingredients": [COAL], "limits": {"chlorine": {"max": 1}}}, "'chlorine' is not given"),
        ({"ingredients": [COAL, BIOMASS], "incompatible": [["coal", "coal"]]}, "twice"),
        ({"ingredients": [COAL], "shares": {"coal": {"max": 2}}}, "within 0..1"),
        ({"ingredients": [COAL], "foo": 1}, "foo"),
        ("not a dict", "JSON object"),
    ],
)
def test_malformed_requests_raise(request_body, message):
    with pytest.raises(BlendRequestError, match=message):
        blend_request(request_body)


def test_results_are_deterministic():
    request = {
        "ingredients": [COAL, BIOMASS, PETCOKE],
        "limits": {"lhv": {"min": 20}, "sulfur": {"max": 2}},
        "incompatible": [["coal", "petcoke"]],
    }
    assert blend_request(request) == blend_request(request)


def test_example_request_file_solves_with_limits_respected():
    path = Path(__file__).resolve().parents[2] / "examples" / "requests" / "blend.json"
    request = json.loads(path.read_text())
    result = blend_request(request)
    assert result["status"] == "optimal"
    assert sum(result["shares"].values()) == pytest.approx(1.0, abs=1e-9)
    for name, bounds in request["limits"].items():
        value = result["properties"][name]
        assert bounds.get("min", -np.inf) - 1e-9 <= value <= bounds.get("max", np.inf) + 1e-9
    chips, petcoke = result["shares"]["wood_chips"], result["shares"]["petcoke"]
    assert chips == 0.0 or petcoke == 0.0
