"""A re-plan's price of change (ScheduleOptions.move_penalty): a job of the previous plan moves
only where that saves more than the penalty, in every engine, and the penalty never makes
dropping a job look cheaper than moving it."""

from __future__ import annotations

import pytest

from heatcraft.planning import replan_summary
from heatcraft.scheduling import FrozenState, ScheduleOptions, optimize_plan, verify_plan
from tests.scheduling.sites import at, hand_plan, heater, horizon, inputs, job, tou_tariff


def _on_peak_job_site():
    # Time-of-use energy, no demand charge: B's previous start (14:00) is on-peak, and moving
    # it to the night saves its 50 kWh at 0.15 - 0.05 $/kWh, 5.00 $. A is as cheap where it is
    # as anywhere, so it has no reason to move.
    site = inputs([heater("H1")], [job("A", 50, 1, 0, 6), job("B", 50, 1, 8, 22)],
                  tariff=tou_tariff(demand_rate=0.0), billed_peak_kw=500)
    grid, series = horizon(site)
    previous = hand_plan(site, grid, [("A", "H1", 3), ("B", "H1", 14)],
                         [("H1", 3, 4), ("H1", 14, 15)])
    return site, grid, series, previous


@pytest.mark.parametrize("backend", ["auto", "guided", "highs", "cpsat", "heuristic"])
@pytest.mark.parametrize("penalty", [4.0, 6.0])
def test_a_job_moves_only_where_that_saves_more_than_the_penalty(backend: str, penalty: float):
    site, grid, series, previous = _on_peak_job_site()
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


def test_the_move_penalty_is_checked():
    from heatcraft.scheduling.options import check_move_penalty

    assert check_move_penalty(12) == 12.0
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="the move penalty must be a finite amount >= 0"):
            check_move_penalty(bad)
