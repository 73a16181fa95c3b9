"""The LP-guided search: LP bound and support, the restricted MIP, parallel neighbourhoods."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta

import pytest

from benchmarks.scheduling.generate import generate_site, load_generated
from heatcraft.scheduling import FrozenState, ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.backends import SolveOutcome, solve_with
from heatcraft.scheduling.baseline import fifo_plan
from heatcraft.scheduling.evaluation import evaluate
from heatcraft.scheduling.formulation import build_model
from heatcraft.scheduling.guided_search import SHIFT_EVERY, guided_outcome
from heatcraft.scheduling.heuristic import heuristic_plan
from heatcraft.scheduling.lp_support import lp_guide, restricted_to_support, search_support
from heatcraft.scheduling.mip_neighbourhood import NeighbourhoodReport, improve_by_neighbourhoods
from heatcraft.scheduling.optimizer import choose_backend
from heatcraft.scheduling.plan_builder import plan_to_solution, solution_to_plan
from heatcraft.scheduling.problem import build_problem
from heatcraft.scheduling.window_bound import window_bound
from tests.scheduling.sites import at, crowded_site, horizon, peaky_site, problem_of

GUIDED = ScheduleOptions(backend="guided", time_limit_s=8)


def test_lp_bound_lies_below_the_optimum_and_every_job_has_support():
    problem = problem_of(peaky_site())
    guide = lp_guide(problem, allow_drops=False, time_limit_s=30)
    model, _ = build_model(problem, allow_drops=False)
    exact = solve_with("highs", model, time_limit_s=30, threads=1, seed=0, relative_gap=1e-7)
    assert guide.outcome.status == "optimal" and exact.status == "optimal"
    assert guide.bound <= exact.objective + 1e-6
    assert all(guide.support[j.index] <= set(j.candidates) for j in problem.jobs)
    assert all(guide.support[j.index] for j in problem.jobs)
    assert guide.outcome.iterations and guide.outcome.iterations > 0


def test_restricted_mip_keeps_to_the_support_never_costs_more_and_repeats():
    site = crowded_site()
    problem = problem_of(site)
    guide = lp_guide(problem, allow_drops=False, time_limit_s=30)
    incumbent = heuristic_plan(problem, 0, 200, 5.0)
    assert all(place is not None for place in incumbent.placement)
    first, outcomes = search_support(problem, guide, incumbent, allow_drops=False,
                                     time_limit_s=30, seeds=[0, 1000])
    second, again = search_support(problem, guide, incumbent, allow_drops=False,
                                   time_limit_s=30, seeds=[0, 1000])
    assert first is not None and len(outcomes) == 2
    assert [o.parameters["random_seed"] for o in outcomes] == [0, 1000]
    assert all(o.parameters["node_limit"] == 1 for o in outcomes)
    assert all(o.parameters["highs.mip_heuristic_run_rens"] is False for o in outcomes)
    assert all(o.parameters["highs.mip_allow_restart"] is False for o in outcomes)
    assert first.placement == second.placement and (first.on == second.on).all()
    assert [o.objective for o in outcomes] == [o.objective for o in again]
    # The cheapest root's plan comes back, priced as the bill prices it.
    cost = sum(evaluate(problem, first))
    assert cost == pytest.approx(min(o.objective for o in outcomes), rel=1e-9)
    assert cost <= sum(evaluate(problem, incumbent)) + 1e-6
    restricted = restricted_to_support(problem, guide, incumbent)
    for job_data, place in zip(restricted.jobs, first.placement, strict=True):
        assert place in job_data.candidates
        assert place in guide.support[job_data.index] or \
            place == incumbent.placement[job_data.index]
    grid, series = horizon(site)
    plan = solution_to_plan(problem, first, site, site_id="t")
    assert verify_plan(plan, site, grid, series).ok


def test_the_cheapest_seeded_root_goes_on(tmp_path):
    """On a generated 40-job day the two seeds' roots end apart (30,102 $ and 30,054 $ on
    2026-12-03): the cheaper plan comes back, whichever seed found it."""
    site, grid, series = load_generated(generate_site(tmp_path / "site", 40, 5, 1, seed=1))
    problem = build_problem(site, grid, series, ScheduleOptions())
    guide = lp_guide(problem, allow_drops=False, time_limit_s=30)
    incumbent = heuristic_plan(problem, 0, 300, 5.0)
    drops = any(place is None for place in incumbent.placement)
    plan, outcomes = search_support(problem, guide, incumbent, allow_drops=drops,
                                    time_limit_s=60, seeds=[0, 1000])
    objectives = [o.objective for o in outcomes]
    assert None not in objectives and objectives[0] != pytest.approx(objectives[1], rel=1e-6)
    assert sum(evaluate(problem, plan)) == pytest.approx(min(objectives), rel=1e-9)


@pytest.mark.parametrize("cents", [False, True])
def test_parallel_neighbourhoods_only_improve_keep_every_limit_and_repeat(cents):
    # Also when CP-SAT searches on the jobs' energy in cents: plans are still priced exactly.
    site = crowded_site()
    problem = problem_of(site)
    start = heuristic_plan(problem, 0, 100, 5.0)
    runs = [improve_by_neighbourhoods(problem, start, rounds=3, deadline=time.monotonic() + 60,
                                      seed=0, size=4, workers=2, cents=cents)
            for _ in range(2)]
    (better, report), (again, _) = runs
    assert report.rounds == 6 and not report.clock_stopped
    assert report.end_cost <= report.start_cost + 1e-9
    assert better.placement == again.placement
    grid, series = horizon(site)
    plan = solution_to_plan(problem, better, site, site_id="t")
    assert verify_plan(plan, site, grid, series).ok


def test_two_workers_give_the_plan_of_one_drawing_a_neighbourhood_ahead():
    # Neighbourhood k is drawn from the plan after the first k - workers - queued results, so
    # the guided search's two workers give the plan of one worker with one drawn ahead, whose
    # solves end in the order drawn; two workers' may not.
    site = crowded_site()
    problem = problem_of(site)
    grid, _ = horizon(site)
    start = plan_to_solution(problem, fifo_plan(site, grid))  # far from the best: 4,222 $
    deadline = time.monotonic() + 120
    two, report = improve_by_neighbourhoods(problem, start, rounds=4, deadline=deadline,
                                            seed=0, size=4, workers=2, cents=True)
    one, alone = improve_by_neighbourhoods(problem, start, rounds=8, deadline=deadline,
                                           seed=0, size=4, workers=1, queued=1, cents=True)
    assert report.rounds == alone.rounds == 8 and not report.clock_stopped
    assert report.improved >= 2 and report.end_cost < 0.5 * report.start_cost
    assert two.placement == one.placement and (two.on == one.on).all()
    # With one of two cores held elsewhere (the guided search's window bound), two workers
    # solve one at a time and give the same plan.
    cores = _CountedCores(2)
    cores.acquire()
    shared, _ = improve_by_neighbourhoods(problem, start, rounds=4, deadline=deadline, seed=0,
                                          size=4, workers=2, cents=True, cores=cores)
    assert cores.most_held == 1 and cores.held == 1
    assert shared.placement == two.placement and (shared.on == two.on).all()


class _CountedCores(threading.Semaphore):
    """A semaphore that counts how many hold it at once (the first acquire is the test's)."""

    def __init__(self, value: int):
        super().__init__(value)
        self.held, self.most_held, self._lock = 0, 0, threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        got = super().acquire(blocking, timeout)
        with self._lock:
            self.held += 1
            if self.held > 1:  # a neighbourhood's solve beside the test's hold
                self.most_held = max(self.most_held, self.held - 1)
        return got

    def release(self, n: int = 1) -> None:
        with self._lock:
            self.held -= n
        super().release(n)

    def __enter__(self) -> bool:  # Semaphore's own is bound to its acquire, not this one
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_guided_search_returns_a_verified_plan_under_its_lp_bound():
    # The roots take 1.2-1.8 s of the 5 s they get at 8 s, and the clock cut one short with
    # the machine three times as busy; at 12 s they get 9.0 s (1.9-2.2 s used).
    site = crowded_site()
    grid, series = horizon(site)
    result = optimize_plan(site, grid, series, dataclasses.replace(GUIDED, time_limit_s=12))
    report = result.plan.solver
    assert result.verification.ok and not result.plan.dropped_jobs
    assert report.parameters["engine_backend"] == "guided"
    assert report.parameters["engine.lp.status"] == "optimal"
    # One restricted root per thread (GUIDED has two), each with its own seed.
    assert report.parameters["engine.restricted.0.node_limit"] == 1
    assert report.parameters["engine.restricted.1.random_seed"] == 1000
    # The LP and the roots end by their own counts; only the neighbourhoods may meet the clock.
    assert report.parameters["engine.lp.stopped_by_clock"] is False
    assert report.parameters["engine.restricted.0.stopped_by_clock"] is False
    assert report.parameters["engine.stopped_by_clock"] == \
        report.parameters["engine.neighbourhoods.stopped_by_clock"]
    # Every SHIFT_EVERY-th neighbourhood is the shift, and the report counts them.
    assert report.parameters["engine.neighbourhoods.shifts"] == \
        report.parameters["engine.neighbourhoods"] // SHIFT_EVERY
    assert 0 <= report.parameters["engine.neighbourhoods.shifts_improved"] <= \
        report.parameters["engine.neighbourhoods.shifts"]
    assert report.bound is not None and report.bound <= result.verification.recomputed_cost
    assert report.gap is not None and report.gap >= 0
    assert result.verification.recomputed_cost <= result.baseline_cost
    sources = {c["source"] for c in result.candidates}
    assert {"fifo", "heuristic", "LP support"} <= sources


def test_guided_search_replans_from_a_trip():
    site = crowded_site()
    grid, series = horizon(site)
    first = optimize_plan(site, grid, series, GUIDED)
    running = [a for a in first.plan.assignments if a.start < at(12) < a.end]
    unit = running[0].equipment_id if running else first.plan.assignments[0].equipment_id
    frozen = FrozenState(now=at(12), previous=first.plan, tripped=frozenset({unit}),
                         unavailable_until=at(12) + timedelta(hours=4))
    again = optimize_plan(site, grid, series, GUIDED, frozen=frozen)
    assert again.verification.ok, again.verification.violations
    for a in again.plan.assignments:
        if a.equipment_id == unit:
            assert a.end <= at(12) or a.start >= at(16)


@pytest.mark.parametrize(("jobs", "units", "seed", "starts", "expected"), [
    (100, 10, 1, 9_443, "guided"),
    (90, 8, 1, 7_034, "guided"),  # above GUIDED_MIN_STARTS
    (75, 6, 1, 5_550, "guided"),  # below it, but GUIDED_MIN_JOBS jobs from 5,000 starts
    (70, 8, 1, 5_355, "highs"),  # as many starts, fewer jobs
    (75, 6, 3, 4_838, "highs"),  # as many jobs, too few starts
    (20, 3, 1, 692, "highs"),
])
def test_auto_picks_the_guided_search_for_large_days(tmp_path, jobs, units, seed, starts,
                                                     expected):
    site, grid, series = load_generated(generate_site(tmp_path / "site", jobs, units, 1, seed))
    problem = build_problem(site, grid, series, ScheduleOptions())
    assert sum(len(j.candidates) for j in problem.jobs) == starts  # the day the case names
    assert choose_backend(problem, ScheduleOptions()) == expected


def test_an_lp_stopped_by_the_clock_leaves_the_bound_to_the_day_windows():
    # On plant_b's two days at 20 s the LP's share (8 s) ended it before its 15.6 s: the
    # report had no bound. The day windows' LPs (window_bound) give one.
    problem = problem_of(peaky_site())
    stopped = SolveOutcome("HiGHS", "HiGHS (test)", "no_solution", None, None, None, 8.0,
                           {"stopped_by_clock": True}, "time limit reached")
    windows = window_bound(problem, deadline=time.monotonic() + 30)
    assert windows.bound is not None
    outcome = guided_outcome(stopped, [], NeighbourhoodReport(), windows)
    assert outcome.bound == windows.bound
    assert "day windows" in outcome.parameters["bound_from"]
    assert outcome.parameters["bound.windows"] == windows.windows[0]
    assert outcome.parameters["stopped_by_clock"] is True  # the LP's clock still shows
    # An LP that proved its bound keeps it, even below the windows'.
    proven = dataclasses.replace(stopped, status="optimal", bound=windows.bound - 1.0,
                                 parameters={"stopped_by_clock": False})
    kept = guided_outcome(proven, [], NeighbourhoodReport(), windows)
    assert kept.bound == windows.bound - 1.0 and "bound_from" not in kept.parameters
