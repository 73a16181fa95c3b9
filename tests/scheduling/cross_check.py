"""Every bound, engine and search against HiGHS's proven optimum on a seeded random site, and
re-plans after a trip against HiGHS's re-plan: what each check finds wrong, as text.

`tests/scheduling/test_cross_check.py` runs these on a few sites; a longer sweep runs them on
hundreds (one JSON line per site, then a count of the faults by kind):

    python -m tests.scheduling.cross_check --seeds 400 700 [--day 2026-03-08] [--every-search]
    python -m tests.scheduling.cross_check --seeds 0 100 --larger --every-search
    python -m tests.scheduling.cross_check --seeds 0 200 --replan [--move-penalty 2]
    python -m tests.scheduling.cross_check --seeds 0 100 --days 2 --late --every-search
    python -m tests.scheduling.cross_check --seeds 0 100 --demand-tiers --larger --every-search

A row missing from one model, a bound that rounds the wrong way, a search that returns a plan
the verifier rejects or claims a proof it does not have: each shows as a bound above the
optimum, a plan below it, or a report that disagrees with the verifier."""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter
from datetime import date
from typing import Any

from heatcraft.scheduling import FrozenState, ScheduleOptions, optimize_plan, verify_plan
from heatcraft.scheduling.backends import solve_with
from heatcraft.scheduling.backends.mathopt import solve_mathopt
from heatcraft.scheduling.bill_search import bill_search, unsupported
from heatcraft.scheduling.commitment_bound import commitment_bound
from heatcraft.scheduling.formulation import build_model, decode
from heatcraft.scheduling.heuristic import heuristic_plan
from heatcraft.scheduling.options import parse_move_penalty
from heatcraft.scheduling.peak_bounds import demand_bounds
from heatcraft.scheduling.plan_builder import solution_to_plan
from heatcraft.scheduling.problem import build_problem
from heatcraft.scheduling.window_bound import window_bound
from tests.scheduling.random_sites import random_site
from tests.scheduling.sites import DAY, at, horizon

ALL_PLACED = ScheduleOptions(backend="highs", time_limit_s=5, drop_penalty_per_priority=None)
# (backend, time limit s, repeatable): the optimizer's default, and every search it offers.
THE_DEFAULT = (("auto", 4, False),)
EVERY_SEARCH = (("auto", 4, False), ("auto", 2, True), ("cpsat", 3, False), ("guided", 3, True),
                ("heuristic", 4, False), ("scip", 3, False), ("cbc", 3, True),
                ("highs", 3, False))
# Sites that keep the searches busier, still small enough for HiGHS to prove (units, jobs).
LARGER = ((2, 4), (8, 14))
# Currency per hour late, priority 1 .. 5, that `--late` offers every search.
LATE = (100.0, 50.0, 20.0, 10.0, 5.0)
# A re-plan: HiGHS to its proof first, then the searches it is compared with.
REPLAN_SEARCHES = (("auto", 3, False), ("auto", 2, True), ("cpsat", 3, False),
                   ("guided", 3, False), ("heuristic", 2, False))


def _search_name(backend: str, repeatable: bool) -> str:
    return backend + ("/repeatable" if repeatable else "")


def at_most(bound: float | None, optimum: float) -> bool:
    """A bound holds: at most the optimum, to HiGHS's tolerances and under a cent."""
    return bound is None or bound <= optimum + 0.01 + 1e-6 * abs(optimum)


def site_faults(site, grid, series, searches=THE_DEFAULT,
                late: tuple[float, ...] | None = None) -> tuple[str, list[str]]:
    """What disagrees with HiGHS's proven optimum of `site` with every job placed on time: the
    LP, the demand-peak cuts, the heuristic, the commitment, window and whole-bill bounds, and
    each of `searches` (drops forbidden). Returns the site's kind ("optimal", or "infeasible":
    not every job fits on time, and then each search must drop some and say why, or end some
    late) and the faults. `late`: the searches may end jobs late at these rates per hour (by
    priority), which they offer only where not every job fits on time."""
    faults: list[str] = []
    problem = build_problem(site, grid, series, ALL_PLACED)
    model, index = build_model(problem, allow_drops=False)
    exact = solve_with("highs", model, time_limit_s=60, threads=1, seed=0, relative_gap=1e-9)
    if exact.status == "infeasible" or any(not j.candidates for j in problem.jobs):
        # Each search drops some jobs and says why; priced with the default penalties, no plan
        # below HiGHS's proven bound of the same problem, no bound above its plan.
        dropping = build_problem(site, grid, series, ScheduleOptions(
            backend="highs", late_penalty_per_hour=late))
        proof = solve_with("highs", build_model(dropping, allow_drops=True)[0],
                           time_limit_s=60, threads=1, seed=0, relative_gap=1e-9)
        for backend, limit, repeatable in searches:
            name = _search_name(backend, repeatable)
            result = optimize_plan(site, grid, series, ScheduleOptions(
                backend=backend, time_limit_s=limit, repeatable=repeatable,
                late_penalty_per_hour=late))
            dropped = result.plan.dropped_jobs
            if not (result.verification.ok and (dropped or result.late_jobs)
                    and all(d.reason for d in dropped)):
                faults.append(f"{name}: jobs do not all fit on time, but the plan is not a "
                              "verified one that drops some and says why, or ends some late")
            elif proof.status == "optimal":
                total = _with_penalties(result, late)
                if total < proof.bound - 0.01:
                    faults.append(f"{name}: plan with drops costs {total}, below HiGHS's "
                                  f"proven bound {proof.bound}")
                if not at_most(result.plan.solver.bound, proof.objective):
                    faults.append(f"{name}: bound {result.plan.solver.bound} above HiGHS's "
                                  f"optimal plan {proof.objective}")
        return "infeasible", faults
    if exact.status != "optimal":
        return f"HiGHS {exact.status} in 60 s", faults
    optimum = exact.objective
    optimal = decode(problem, index, exact.values)
    check = verify_plan(solution_to_plan(problem, optimal, site, site_id="t"), site, grid,
                        series)
    if not check.ok or abs(check.recomputed_cost - optimum) > 0.01:
        faults.append(f"HiGHS's optimum: verified {check.ok}, billed "
                      f"{check.recomputed_cost} against its objective {optimum}")
    lp = solve_mathopt(model, "highs", relax=True, threads=1, seed=0, time_limit_s=30,
                       relative_gap=0.0, hint=None)
    if not at_most(lp.bound, optimum):
        faults.append(f"LP bound {lp.bound} above the optimum {optimum}")
    peaks = demand_bounds(problem, 1.0, 10.0, 0)
    cut, _ = build_model(problem, allow_drops=False, demand_bounds=peaks)
    with_cuts = solve_with("highs", cut, time_limit_s=60, threads=1, seed=0, relative_gap=1e-9)
    if with_cuts.objective is None or abs(with_cuts.objective - optimum) > 0.01:
        faults.append(f"the demand-peak cuts move the optimum: {with_cuts.status} "
                      f"{with_cuts.objective} against {optimum}")
    start = heuristic_plan(problem, 0, 400, 5.0)
    if all(place is not None for place in start.placement):
        if not verify_plan(solution_to_plan(problem, start, site, site_id="t"), site, grid,
                           series).ok:
            faults.append("the heuristic's plan fails the verifier")
    else:
        start = optimal
    commitment = commitment_bound(problem, start, work=3.0, wall_seconds=20.0, seed=0).bound
    if not at_most(commitment, optimum):
        faults.append(f"commitment bound {commitment} above the optimum {optimum}")
    window = window_bound(problem, deadline=time.monotonic() + 20.0).bound
    if not at_most(window, optimum):
        faults.append(f"window bound {window} above the optimum {optimum}")
    if unsupported(problem) is None:
        whole = bill_search(problem, start, peaks.peak_kw, work=10.0, wall_seconds=30.0, seed=0)
        if not at_most(whole.outcome.bound, optimum):
            faults.append(f"whole-bill bound {whole.outcome.bound} above the optimum {optimum}")
        if whole.outcome.status == "optimal" and abs(whole.outcome.objective - optimum) > 0.01:
            faults.append(f"whole-bill search proves {whole.outcome.objective}, "
                          f"the optimum is {optimum}")
    for backend, limit, repeatable in searches:
        name = _search_name(backend, repeatable)
        result = optimize_plan(site, grid, series, ScheduleOptions(
            backend=backend, time_limit_s=limit, repeatable=repeatable,
            drop_penalty_per_priority=None, late_penalty_per_hour=late))
        faults += [f"{name}: {fault}" for fault in _result_faults(result, optimum)]
        if result.late_jobs:
            faults.append(f"{name}: every job fits on time, but the plan ends "
                          + ", ".join(late_job["job_id"] for late_job in result.late_jobs)
                          + " late")
    return "optimal", faults


def _result_faults(result, optimum: float | None) -> list[str]:
    """An optimizer result against the verifier and, where known, the proven optimum of the
    same problem (every job placed)."""
    faults = []
    if not result.verification.ok:
        return [f"plan fails the verifier: {result.verification.violations[:2]}"]
    unverified = [c["source"] for c in result.candidates if not c["verified"]]
    if unverified:
        faults.append(f"candidates failed the verifier: {unverified}")
    if result.plan.dropped_jobs:
        faults.append("left out a job that fits: "
                      + ", ".join(d.job_id for d in result.plan.dropped_jobs))
    if optimum is None or result.plan.dropped_jobs:
        return faults
    cost, solver = result.verification.recomputed_cost, result.plan.solver
    if cost < optimum - 0.01:
        faults.append(f"plan costs {cost}, below the optimum {optimum}")
    if not at_most(solver.bound, optimum):
        faults.append(f"bound {solver.bound} above the optimum {optimum}")
    if solver.status == "optimal" and cost > optimum + 0.01 + 1e-4 * abs(optimum):
        faults.append(f"says optimal at {cost}; the optimum is {optimum}")
    return faults


def replan_case(seed: int) -> tuple[Any, Any, Any, Any, FrozenState]:
    """A random site (inputs, grid, tariff series), its plan (2 s, repeatable or not), and a
    re-plan's state: a random moment and, in 4 draws of 5, one unit tripped then."""
    rng = random.Random(50_000 + seed)
    site = random_site(seed)
    grid, series = horizon(site)
    first = optimize_plan(site, grid, series, ScheduleOptions(
        time_limit_s=2, repeatable=rng.random() < 0.5))
    now = at(rng.choice([q / 4 for q in range(4, 88)]))
    tripped = frozenset({rng.choice(site.equipment).equipment_id}) \
        if rng.random() < 0.8 else frozenset()
    return site, grid, series, first, FrozenState(now=now, previous=first.plan, tripped=tripped)


def replan_faults(seed: int, searches=REPLAN_SEARCHES,
                  move_penalty: float | tuple[float, ...] = 0.0) -> list[str]:
    """A random site planned, then re-planned from a random moment with a unit tripped (4 in
    5 draws): every re-plan verified, the past kept, the tripped unit unused from then on,
    and, where HiGHS proves the re-plan's optimum, no search below it nor any bound above.
    `move_penalty`: every re-plan pays it for each job of the first plan it moves or drops
    (ScheduleOptions.move_penalty, one amount or amounts by priority), and is priced with it."""
    from heatcraft.planning import job_priorities, replan_summary

    site, grid, series, first, frozen = replan_case(seed)

    def priced(result) -> float:
        summary = replan_summary(frozen, grid, result.plan, move_penalty, job_priorities(site))
        return _with_penalties(result) + summary["move_penalty"]["total"]

    if not first.verification.ok:
        return [f"the first plan fails the verifier: {first.verification.violations[:2]}"]
    now, tripped = frozen.now, frozen.tripped
    past = {a.job_id: a for a in first.plan.assignments if a.end <= now}
    exact = optimize_plan(site, grid, series, ScheduleOptions(
        backend="highs", time_limit_s=20, relative_gap=1e-9, move_penalty=move_penalty),
        frozen=frozen)
    # A trip often leaves jobs no unit can take: plans are compared by bill plus drop
    # penalties, as the model prices them, with what HiGHS proves: no plan below its bound,
    # no bound above its plan (with the default gap of 1e-4, "optimal" HiGHS plans of 100 k$
    # of penalties were beaten by 0.50-1.88 $).
    proven = exact.verification.ok and exact.plan.solver.status == "optimal"
    optimum = priced(exact) if proven else None
    proven_bound = exact.plan.solver.bound if proven else None
    faults = []
    for backend, limit, repeatable in (("highs", 20, False), *searches):
        name = _search_name(backend, repeatable)
        result = exact if backend == "highs" else optimize_plan(
            site, grid, series, ScheduleOptions(backend=backend, time_limit_s=limit,
                                                repeatable=repeatable,
                                                move_penalty=move_penalty), frozen=frozen)
        if not result.verification.ok:
            faults.append(f"{name}: re-plan fails the verifier: "
                          f"{result.verification.violations[:2]}")
            continue
        moved = [a.job_id for a in result.plan.assignments
                 if a.job_id in past and a != past[a.job_id]]
        on_tripped = [a.job_id for a in result.plan.assignments
                      if a.equipment_id in tripped and a.start >= now]
        if moved:
            faults.append(f"{name}: moved jobs that had ended: {moved}")
        if on_tripped:
            faults.append(f"{name}: placed jobs on the tripped unit: {on_tripped}")
        if backend != "highs" and optimum is not None and proven_bound is not None:
            cost, bound = priced(result), result.plan.solver.bound
            if cost < proven_bound - 0.01:
                faults.append(f"{name}: re-plan costs {cost}, below HiGHS's proven bound "
                              f"{proven_bound}")
            if not at_most(bound, optimum):
                faults.append(f"{name}: bound {bound} above HiGHS's optimal plan {optimum}")
    return faults


def _with_penalties(result, late: tuple[float, ...] | None = None) -> float:
    """The verified bill plus the default penalties of the jobs the plan drops and, at the
    rates `late`, of the time it ends jobs after their deadlines (its report's minutes, to
    a hundredth)."""
    options = ScheduleOptions(late_penalty_per_hour=late)
    return result.verification.recomputed_cost + sum(
        options.penalty(d.priority) for d in result.plan.dropped_jobs) + sum(
        (options.late_penalty(j["priority"]) or 0.0) * j["late_minutes"] / 60.0
        for j in result.late_jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, metavar=("FIRST", "END"), required=True)
    parser.add_argument("--day", type=date.fromisoformat, default=DAY,
                        help="the sites' day (2026-03-08: a DST change)")
    parser.add_argument("--every-search", action="store_true",
                        help="every backend, some repeatable, instead of the default search")
    parser.add_argument("--larger", action="store_true",
                        help=f"{LARGER[0][0]}-{LARGER[0][1]} units and {LARGER[1][0]}-"
                             f"{LARGER[1][1]} jobs instead of 1-3 and 2-7")
    parser.add_argument("--days", type=int, default=1, help="days in each site's horizon")
    parser.add_argument("--demand-tiers", action="store_true",
                        help="each demand charge doubles 20-100 kW above the billed peak and the "
                             "base load (rising tiers)")
    parser.add_argument("--late", action="store_true",
                        help=f"the searches may end jobs late, at {LATE} per hour by priority")
    parser.add_argument("--replan", action="store_true", help="re-plans after a trip instead")
    parser.add_argument("--move-penalty", type=parse_move_penalty, default=0.0,
                        help="with --replan: what each re-plan pays per job it moves or drops "
                        "(one amount, or amounts by priority: 8,4,1)")
    args = parser.parse_args()
    kinds: Counter[str] = Counter()
    faults_by_kind: Counter[str] = Counter()
    for seed in range(*args.seeds):
        began = time.monotonic()
        if args.replan:
            kind, faults = "replan", replan_faults(seed, move_penalty=args.move_penalty)
        else:
            site = random_site(seed, args.day, *(LARGER if args.larger else ()),
                               days=args.days, demand_tiers=args.demand_tiers)
            grid, series = horizon(site, days=args.days, first=args.day)
            kind, faults = site_faults(site, grid, series,
                                       EVERY_SEARCH if args.every_search else THE_DEFAULT,
                                       late=LATE if args.late else None)
        kinds[kind] += 1
        faults_by_kind.update(re.sub(r"[-+\w.]*\d[-+\w.]*", "#", fault)[:100]
                              for fault in faults)  # numbers and job ids out: its kind
        print(json.dumps({"seed": seed, "kind": kind, "seconds": round(
            time.monotonic() - began, 1), "faults": faults}), flush=True)
    print(json.dumps({"sites": dict(kinds), "faults": dict(faults_by_kind)}), flush=True)


if __name__ == "__main__":
    main()
