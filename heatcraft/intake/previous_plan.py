"""A plan written by `heatcraft plan`, read back as the starting point of a rolling re-plan.

The report holds what a re-plan must keep: the jobs' units and times, and the units' on-runs
(a unit that ran before the re-plan's moment carries its min run and starts into it). Bad
files are refused with the file, the record and the field, like every other input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from heatcraft.errors import InputError, InputIssue
from heatcraft.models import Plan


def read_plan_report(path: Path) -> Plan:
    """The plan of a `heatcraft plan` JSON report (its `assignments`, `runs` and
    `dropped_jobs`, on its horizon)."""
    name = path.name
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError([InputIssue(name, None, None, f"no such file: {path}")]) from exc
    except json.JSONDecodeError as exc:
        raise InputError([InputIssue(name, exc.lineno, None, f"invalid JSON: {exc.msg}")]) from exc
    if not isinstance(report, dict):
        raise InputError([InputIssue(name, None, None, "expected a heatcraft plan report")])
    missing = [key for key in ("site", "horizon_start", "horizon_end", "step_minutes",
                               "assignments", "runs") if key not in report]
    if missing:
        raise InputError([InputIssue(name, None, key, "required by a re-plan (a report written "
                                     "by this version of `heatcraft plan` has it)")
                          for key in missing])
    fields: dict[str, Any] = {
        "site_id": report["site"], "kind": report.get("plan_kind", "optimized"),
        "horizon_start": report["horizon_start"], "horizon_end": report["horizon_end"],
        "step_minutes": report["step_minutes"], "assignments": report["assignments"],
        "runs": report["runs"],
        "dropped_jobs": report.get("dropped_jobs", []),
    }
    try:
        return Plan.model_validate(fields)
    except ValidationError as exc:
        raise InputError([_issue(name, error) for error in exc.errors(include_url=False)]) from exc


def _issue(name: str, error: dict[str, Any]) -> InputIssue:
    """`assignments[3].start` -> record 4 of `assignments`, field `start`."""
    location = list(error["loc"])
    field = ".".join(str(part) for part in location) or None
    row = None
    if len(location) >= 2 and isinstance(location[1], int):
        row = location[1] + 1
        field = ".".join(str(part) for part in [location[0], *location[2:]])
    rule = "required value is missing" if error["type"] == "missing" else \
        error["msg"].removeprefix("Value error, ")
    return InputIssue(name, row, field, rule)
