"""The demo's embedded environment and its summary, read straight from the warehouse file.

The engines never import Dagster: the demo runs Dagster's own CLI in a child process on the
repository's definitions.py, with a repository-local DAGSTER_HOME (SQLite storage), so that
`dagster dev` afterwards shows the same runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

RESULT_TABLES = (
    "jobs",
    "equipment",
    "plan_assignments",
    "unit_runs",
    "load_profile",
    "plan_costs",
    "plan_savings",
    "fuel_properties",
    "gas_quality",
    "fuel_demand",
    "fuel_mix",
    "fuel_mix_binding_limits",
    "fuel_mix_pareto",
    "carbon_footprint",
    "procurement_plan",
    "procurement_policy",
    "provenance",
)


def demo_environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DAGSTER_HOME", str(root / "var" / "dagster_home"))
    env.setdefault("HEATCRAFT_DUCKDB_PATH", str(root / "var" / "warehouse.duckdb"))
    env.setdefault("HEATCRAFT_SITES_DIR", str(root / "examples"))
    env.setdefault("HEATCRAFT_REPORTS_DIR", str(root / "var" / "reports"))
    env.pop("HEATCRAFT_POSTGRES_URL", None)  # the demo is embedded: no server
    return env


def dagster_home_config(home: Path, root: Path) -> None:
    """The repository's embedded instance configuration, copied into DAGSTER_HOME."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text((root / "dagster.yaml").read_text(encoding="utf-8"), encoding="utf-8")


def summarize_warehouse(path: Path, site_id: str, plan_date: str) -> dict[str, Any]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        costs = connection.execute(
            "SELECT plan_kind, item, amount FROM heatcraft.plan_costs WHERE site_id = ? "
            "AND plan_date = ? AND breakdown = 'component'",
            [site_id, plan_date],
        ).fetchall()
        peaks = connection.execute(
            "SELECT plan_kind, max(electric_kw) FROM heatcraft.load_profile WHERE site_id = ? "
            "AND plan_date = ? GROUP BY plan_kind",
            [site_id, plan_date],
        ).fetchall()
        hashes = connection.execute(
            "SELECT asset, output_sha256 FROM heatcraft.provenance WHERE site_id = ? "
            "AND plan_date = ? ORDER BY asset",
            [site_id, plan_date],
        ).fetchall()
        mix = connection.execute(
            "SELECT fuel_id, round(sum(share) / count(*), 4) FROM heatcraft.fuel_mix "
            "WHERE site_id = ? AND plan_date = ? GROUP BY fuel_id HAVING sum(share) > 0 "
            "ORDER BY 2 DESC",
            [site_id, plan_date],
        ).fetchall()
        footprint = connection.execute(
            "SELECT scope, round(sum(co2e_kg), 1) FROM heatcraft.carbon_footprint "
            "WHERE site_id = ? AND plan_date = ? GROUP BY scope ORDER BY scope",
            [site_id, plan_date],
        ).fetchall()
    by_kind: dict[str, dict[str, float]] = {}
    for kind, item, amount in costs:
        by_kind.setdefault(kind, {})[item] = round(amount, 2)
    baseline = by_kind.get("baseline", {}).get("total")
    optimized = by_kind.get("optimized", {}).get("total")
    summary: dict[str, Any] = {
        "site": site_id,
        "date": plan_date,
        "baseline_cost": baseline,
        "plan_cost": optimized,
        "saving_pct": round(100 * (baseline - optimized) / baseline, 2)
        if baseline and optimized is not None
        else None,
        "peak_kw": {kind: round(kw, 1) for kind, kw in peaks},
        "costs": by_kind,
        "fuel_mix_shares": dict(mix),
        "co2e_kg_by_scope": dict(footprint),
        "output_sha256": dict(hashes),
        "warehouse": str(path),
        "tables": list(RESULT_TABLES),
    }
    return summary
