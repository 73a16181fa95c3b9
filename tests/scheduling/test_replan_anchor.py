"""A re-plan's anchored heuristic (heuristic_phase.anchored_search): it prices the moves of the jobs
the previous plan placed that had not started, and where the heuristic is the whole search the
free heuristic beside it still makes the moves that save less than the anchor."""

from __future__ import annotations

import pytest

from heatcraft.scheduling import FrozenState, ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.evaluation import evaluate
from heatcraft.scheduling.plan_builder import plan_to_solution
from heatcraft.scheduling.problem import anchored, build_problem
from tests.scheduling.sites import (
    at,
    hand_plan,
    heater,
    horizon,
    inputs,
    job,
    on_peak_job_site,
    tou_tariff,
)


def test_the_anchor_prices_only_the_jobs_a_replan_may_keep_or_move():
    # At 01:00 A runs on H1 (kept), D runs on H2, which trips (D restarts), B waits for 14:00
    # and C is new: only B has a place to keep.
    site = inputs([heater("H1"), heater("H2")],
                  [job("A", 50, 2, 0, 6), job("B", 50, 1, 8, 22), job("C", 50, 1, 0, 22),
                   job("D", 50, 2, 0, 10)], billed_peak_kw=500)
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 0), ("B", "H1", 14), ("D", "H2", 0)],
                         [("H1", 0, 2), ("H1", 14, 15), ("H2", 0, 2)])
    problem = build_problem(site, grid, series, ScheduleOptions(move_penalty=2.0),
                            FrozenState(now=at(1), previous=previous,
                                        tripped=frozenset({"H2"})))
    jobs = {j.job.job_id: j for j in problem.jobs}
    assert [jid for jid, j in jobs.items() if j.replannable] == ["B"]
    assert jobs["A"].fixed is not None and jobs["D"].previous is not None

    for anchor, price in ((7.0, 7.0), (1.0, 2.0)):  # never below the move penalty
        searched = {j.job.job_id: j for j in anchored(problem, anchor).jobs}
        assert {jid: j.move_cost for jid, j in searched.items()} == \
            {"A": 0.0, "B": price, "C": 0.0, "D": 0.0}
        b = searched["B"]
        assert b.placement_cost(*b.previous) == 0.0
        assert b.placement_cost(b.previous[0], b.previous[1] + 4) == price
    assert jobs["B"].move_cost == 2.0  # the problem itself is unchanged
    assert anchored(problem, 2.0) is problem  # nothing rises: nothing to search again


def test_the_heuristic_alone_searches_free_and_anchored_and_keeps_the_cheaper():
    # Moving B from 14:00 to the night saves 5.00 $, less than the anchor (the previous
    # plan's bill per job, 6.67 $ with C's night energy): the anchored heuristic keeps B, the
    # free one moves it, and the cheaper plan is returned.
    site = inputs([heater("H1")], [job("A", 50, 1, 0, 6), job("B", 50, 1, 8, 22),
                                   job("C", 100, 2, 0, 8)],
                  tariff=tou_tariff(demand_rate=0.0), billed_peak_kw=500)
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 3), ("B", "H1", 14), ("C", "H1", 4)],
                         [("H1", 3, 6), ("H1", 14, 15)])
    frozen = FrozenState(now=at(1), previous=previous)
    problem = build_problem(site, grid, series, ScheduleOptions(), frozen)
    from heatcraft.scheduling.heuristic_phase import ANCHOR_SHARE
    anchor = ANCHOR_SHARE * evaluate(problem, plan_to_solution(problem, previous))[0] / 3
    assert anchor > 5.0
    before = verify_plan(previous, site, grid, series).recomputed_cost

    again = optimize_plan(site, grid, series,
                          ScheduleOptions(backend="heuristic", time_limit_s=3.0),
                          frozen=frozen)

    assert again.verification.ok
    costs = {c["source"]: c["cost"] for c in again.candidates}
    assert costs["anchored heuristic"] == pytest.approx(before, abs=1e-6)
    assert costs["heuristic"] == pytest.approx(before - 5.0, abs=1e-6)
    places = {a.job_id: (a.equipment_id, a.start) for a in again.plan.assignments}
    assert places["B"][1] >= at(20)
    assert again.verification.recomputed_cost == pytest.approx(before - 5.0, abs=1e-6)


@pytest.mark.parametrize(("backend", "replan"), [("guided", True), ("heuristic", False)])
def test_only_a_replan_by_the_heuristic_alone_searches_anchored(backend: str, replan: bool):
    site, grid, series, previous = on_peak_job_site()
    frozen = FrozenState(now=at(1), previous=previous) if replan else None
    result = optimize_plan(site, grid, series,
                           ScheduleOptions(backend=backend, time_limit_s=3.0), frozen=frozen)

    assert result.verification.ok
    sources = {c["source"] for c in result.candidates}
    assert "heuristic" in sources and "anchored heuristic" not in sources
