"""The neighbourhood benchmark (benchmarks/scheduling/neighbourhoods.py): arms and root plan."""

from __future__ import annotations

import pytest

from benchmarks.scheduling.neighbourhoods import parse_arm, render, root_plan, run_arm


def test_an_arm_takes_only_the_guided_search_settings():
    assert parse_arm("size=10,work=0.7") == {"size": 10.0, "work": 0.7}
    assert parse_arm("") == {}
    assert parse_arm("shift_every=0") == {"shift_every": 0.0}
    with pytest.raises(SystemExit, match="'rounds=3' is not one of size=VALUE"):
        parse_arm("work=0.7,rounds=3")
    with pytest.raises(SystemExit, match="'size=' is not one of"):
        parse_arm("size=")


def test_arms_start_from_one_root_plan_and_only_improve_it(tmp_path):
    # The root is the guided search's own (guided_search.guided_root), not a copy of it.
    problem, start, start_cost = root_plan("s20x3x1", tmp_path)
    assert all(place is not None for place in start.placement)
    arms = [{}, {"size": 4.0, "work": 0.1, "shift_every": 1.0}]
    rows = [{"day": "s20x3x1", "start": round(start_cost, 2), "seed": 0, "arm": number,
             **run_arm(problem, start, arm, seed=0, seconds=2.0)}
            for number, arm in enumerate(arms)]
    for row in rows:
        assert row["solves"] >= 1
        assert row["cost"] <= start_cost + 1e-6
    assert rows[1]["shifts"] == rows[1]["solves"]  # every draw the shift
    table = render(rows, arms, ["s20x3x1"], [0], 2.0)
    assert "| s20x3x1 |" in table and "0: the optimizer's" in table
    assert "1: size=4, work=0.1, shift_every=1" in table
