"""The linear model reaches HiGHS intact: bounds, integrality, row order, objective offset."""

from __future__ import annotations

import pytest

from heatcraft.scheduling.backends.mathopt import solve_mathopt, to_mathopt
from heatcraft.scheduling.linear_model import LinearModel


def _small_model() -> LinearModel:
    """min -3x - 2y + 5z + 7 with x + y <= 4.5, y >= 0.5, x <= 10 z; x integer, z binary.

    MIP: z = 0, x = 0, y = 4.5 gives -2 (z = 1 gives at best -1). LP: z = x / 10, x = 4,
    y = 0.5 gives -4. Rows list their columns out of order on purpose."""
    m = LinearModel()
    x = m.add_variable("x", 0.0, 10.0, True)
    y = m.add_variable("y", 0.0, float("inf"), False)
    z = m.binary("z")
    m.add_row({y: 1.0, x: 1.0}, upper=4.5)
    m.add_row({y: 1.0}, lower=0.5)
    m.add_row({z: -10.0, x: 1.0}, upper=0.0)
    m.add_objective(z, 5.0)
    m.add_objective(x, -3.0)
    m.add_objective(y, -2.0)
    m.objective_constant = 7.0
    return m


def test_mip_and_lp_relaxation_reach_their_optima():
    model = _small_model()
    mip = solve_mathopt(model, "highs", time_limit_s=10, threads=1, seed=0, relative_gap=0.0,
                        hint=None)
    assert mip.status == "optimal"
    assert mip.objective == pytest.approx(-2.0)
    assert mip.values == pytest.approx([0.0, 4.5, 0.0])
    lp = solve_mathopt(model, "highs", time_limit_s=10, threads=1, seed=0, relative_gap=0.0,
                       hint=None, relax=True)
    assert lp.status == "optimal"
    assert lp.bound == pytest.approx(-4.0)
    assert lp.values == pytest.approx([4.0, 0.5, 0.4])


def test_variables_keep_their_names_and_order():
    built, variables = to_mathopt(_small_model())
    assert [v.name for v in variables] == ["x", "y", "z"]
    assert [v.integer for v in variables] == [True, False, True]
    assert variables[1].upper_bound == float("inf")
    assert [v.integer for v in to_mathopt(_small_model(), relax=True)[1]] == [False] * 3
    assert built.objective.offset == 7.0


def test_highs_options_reach_highs_by_name():
    """HiGHS's own options pass through (the restricted MIP turns RENS off this way): told to
    solve the relaxation, HiGHS returns the LP's -4 for the MIP; a name HiGHS does not know
    is an error, not silently dropped."""
    relaxed = solve_mathopt(_small_model(), "highs", time_limit_s=10, threads=1, seed=0,
                            relative_gap=0.0, hint=None,
                            highs_options={"solve_relaxation": True})
    assert relaxed.objective == pytest.approx(-4.0)
    assert relaxed.parameters["highs.solve_relaxation"] is True
    unknown = solve_mathopt(_small_model(), "highs", time_limit_s=10, threads=1, seed=0,
                            relative_gap=0.0, hint=None, highs_options={"no_such_option": 1})
    assert unknown.status == "error"


def test_an_invalid_model_reports_the_engines_own_reason():
    # MathOpt rejects two variables of one name; pybind11_abseil's broken StatusNotOk used to
    # turn that into "'StatusNotOk' object has no attribute 'canonical_code'".
    model = LinearModel()
    first = model.add_variable("twin", 0.0, 1.0, False)
    second = model.add_variable("twin", 0.0, 1.0, False)
    model.add_row({first: 1.0, second: 1.0}, lower=1.0)
    outcome = solve_mathopt(model, "highs", time_limit_s=5, threads=1, seed=0,
                            relative_gap=0.0, hint=None)
    assert outcome.status == "error"
    assert "duplicate name" in outcome.message and "canonical_code" not in outcome.message


def test_a_search_a_limit_ends_says_which_limit():
    # HiGHS gives no detail when a limit stops it; the optimizer's warnings quote the message.
    from heatcraft.scheduling.formulation import build_model
    from tests.scheduling.sites import peaky_site, problem_of

    model, _ = build_model(problem_of(peaky_site()))
    outcome = solve_mathopt(model, "highs", time_limit_s=30, threads=1, seed=0,
                            relative_gap=0.0, hint=None, node_limit=1)
    assert outcome.message == "feasible: node limit reached"


def test_an_lp_with_too_little_time_left_after_writing_is_not_started():
    # HiGHS does not keep to limits well under a second on a large LP (0.55 s ran 26.6 s on a
    # 200-job day): the caller may ask for a least time, counted after the model is written.
    model = _small_model()
    skipped = solve_mathopt(model, "highs", time_limit_s=0.0, threads=1, seed=0,
                            relative_gap=0.0, hint=None, relax=True, min_seconds=1.0)
    assert skipped.status == "no_solution" and skipped.bound is None
    assert skipped.parameters["stopped_by_clock"] is True
    assert skipped.message == "not started: 0.00 s left"  # not even written
    solved = solve_mathopt(model, "highs", time_limit_s=10.0, threads=1, seed=0,
                           relative_gap=0.0, hint=None, relax=True, min_seconds=1.0)
    assert solved.status == "optimal" and solved.bound == pytest.approx(-4.0)
