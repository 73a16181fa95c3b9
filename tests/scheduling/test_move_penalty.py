"""A re-plan's price of change (ScheduleOptions.move_penalty): a job of the previous plan moves
only where that saves more than the penalty, in every engine, and the penalty never makes
dropping a job look cheaper than moving it."""

from __future__ import annotations

import pytest

from heatcraft.planning import job_priorities, replan_summary
from heatcraft.scheduling import FrozenState, ScheduleOptions, optimize_plan, verify_plan
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


@pytest.mark.parametrize("backend", ["auto", "guided", "highs", "cpsat", "heuristic"])
@pytest.mark.parametrize("penalty", [4.0, 6.0])
def test_a_job_moves_only_where_that_saves_more_than_the_penalty(backend: str, penalty: float):
    site, grid, series, previous = on_peak_job_site()
    frozen = FrozenState(now=at(1), previous=previous)
    options = ScheduleOptions(backend=backend, time_limit_s=5.0, move_penalty=penalty)
    again = optimize_plan(site, grid, series, options, frozen=frozen)

    assert again.verification.ok
    before = verify_plan(previous, site, grid, series).recomputed_cost
    summary = replan_summary(frozen, grid, again.plan, penalty)
    places = {a.job_id: (a.equipment_id, a.start) for a in again.plan.assignments}
    assert places["A"] == ("H1", at(3))
    if penalty < 5.0:  # the move saves 5.00 $ and costs 4: B goes to the night
        assert places["B"][1] >= at(20)
        assert again.verification.recomputed_cost == pytest.approx(before - 5.0, abs=1e-6)
        assert [m["job_id"] for m in summary["moved"]] == ["B"]
        assert summary["move_penalty"] == {"per_job": 4.0, "total": 4.0}
    else:  # it would cost 6: the previous plan stands
        assert places["B"] == ("H1", at(14))
        assert again.verification.recomputed_cost == pytest.approx(before, abs=1e-6)
        assert summary["moved"] == [] and summary["move_penalty"]["total"] == 0.0
    if backend != "heuristic":
        assert again.plan.solver.status == "optimal"
        # The objective is the bill and the penalty of the moves.
        assert again.plan.solver.objective == pytest.approx(
            again.verification.recomputed_cost + summary["move_penalty"]["total"], abs=1e-4)


@pytest.mark.parametrize(("penalty", "returned"), [(4.0, 0), (6.0, 1)])
def test_the_return_stage_sends_a_job_back_only_where_its_move_saved_less_than_the_penalty(
        penalty: float, returned: int):
    # B sits at 20:00, 5.00 $ cheaper than its previous 14:00. Were the penalty counted twice
    # (a bug this stop had: the bill with penalties plus the penalties again), B would go back
    # at 4 $ too, since 5 <= 2 x 4.
    from heatcraft.scheduling.heuristic import InsertionSearch
    from heatcraft.scheduling.plan_builder import previous_placement
    from heatcraft.scheduling.problem import build_problem

    site, grid, series, previous = on_peak_job_site()
    problem = build_problem(site, grid, series, ScheduleOptions(move_penalty=penalty),
                            FrozenState(now=at(1), previous=previous))
    a, b = problem.jobs
    search = InsertionSearch(problem, 0)
    assert search.place_fixed(a, 0, 12) and search.place_fixed(b, 0, 80)

    assert search.return_to(previous_placement(problem), budget=100) == returned
    assert search.placement[b.index] == ((0, 56) if returned else (0, 80))


@pytest.mark.parametrize("backend", ["highs", "heuristic"])
def test_a_move_penalty_does_not_make_dropping_a_job_cheaper_than_moving_it(backend: str):
    # H1 trips with A planned on it: A must move to H2 (5.00 $ of energy at the flat 0.10
    # $/kWh) or be dropped (10 $). Were a drop free of the move penalty, at 8 $ a move the
    # drop (10 $) would beat the move (5 + 8 $); a dropped job does not keep its place either,
    # so it pays the penalty too (18 $), and A moves.
    site = inputs([heater("H1"), heater("H2")], [job("A", 50, 1, 0, 6)],
                  tariff=tou_tariff(flat=True), billed_peak_kw=500)
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 3)], [("H1", 3, 4)])
    frozen = FrozenState(now=at(1), previous=previous, tripped=frozenset({"H1"}))
    for penalty in (0.0, 8.0):
        options = ScheduleOptions(backend=backend, time_limit_s=5.0, move_penalty=penalty,
                                  drop_penalty_per_priority=(10.0,))
        again = optimize_plan(site, grid, series, options, frozen=frozen)

        assert again.verification.ok
        assert not again.plan.dropped_jobs
        assert [a.equipment_id for a in again.plan.assignments] == ["H2"]


@pytest.mark.parametrize("backend", ["highs", "cpsat", "heuristic"])
@pytest.mark.parametrize(("b_priority", "moves"), [(1, False), (2, True), (5, True)])
def test_a_move_penalty_by_priority_prices_each_job_by_its_own(backend: str, b_priority: int,
                                                                moves: bool):
    # 6 $ to move a first-priority job, 4 $ any other: B's move saves 5.00 $, so B goes to the
    # night unless it is of the first priority (priorities past the last amount take it).
    site, grid, series, previous = on_peak_job_site(b_priority)
    frozen = FrozenState(now=at(1), previous=previous)
    options = ScheduleOptions(backend=backend, time_limit_s=5.0, move_penalty=(6.0, 4.0))
    again = optimize_plan(site, grid, series, options, frozen=frozen)

    assert again.verification.ok
    summary = replan_summary(frozen, grid, again.plan, options.move_penalty,
                             job_priorities(site))
    places = {a.job_id: (a.equipment_id, a.start) for a in again.plan.assignments}
    assert (places["B"][1] >= at(20)) is moves
    assert summary["move_penalty"] == {"per_job": [6.0, 4.0], "total": 4.0 if moves else 0.0}
    assert again.plan.solver.parameters["move_penalty"] == "6,4"
    if backend != "heuristic":
        assert again.plan.solver.objective == pytest.approx(
            again.verification.recomputed_cost + summary["move_penalty"]["total"], abs=1e-4)


def test_the_move_penalty_is_checked():
    from heatcraft.scheduling.options import check_move_penalty, parse_move_penalty

    assert check_move_penalty(12) == 12.0
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="the move penalty must be a finite amount >= 0"):
            check_move_penalty(bad)
    assert check_move_penalty([200, 50, 10]) == (200.0, 50.0, 10.0)
    # Unlike a drop, a first-priority job may be the cheaper one to move.
    assert check_move_penalty([5, 20]) == (5.0, 20.0)
    assert parse_move_penalty("12") == 12.0
    assert parse_move_penalty("200,50,10") == (200.0, 50.0, 10.0)
    with pytest.raises(ValueError, match="every move penalty must be a finite amount >= 0"):
        check_move_penalty([10, -1])
    with pytest.raises(ValueError, match="give 1 to 5 move penalties"):
        check_move_penalty([1, 1, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="'10,x' is not an amount or comma-separated amounts"):
        parse_move_penalty("10,x")
    site, grid, _, previous = on_peak_job_site()
    with pytest.raises(ValueError, match="needs the jobs' priorities"):
        replan_summary(FrozenState(now=at(1), previous=previous), grid, previous, (6.0, 4.0))
