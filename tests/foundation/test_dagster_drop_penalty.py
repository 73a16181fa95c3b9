"""optimized_plan's drop penalty: a planner can price a lost job by priority, or forbid drops."""

import csv
from pathlib import Path

import dagster as dg

from assets import optimized_plan, site_inputs
from assets.partitions import partition_key
from resources import WarehouseResource
from resources.sites import SiteFolderResource

ROOT = Path(__file__).resolve().parents[2]
KEY = partition_key("plant_a", "2026-06-16")


def _optimize(db: Path, **config) -> tuple[dg.ExecuteInProcessResult, WarehouseResource]:
    warehouse = WarehouseResource(duckdb_path=str(db))
    result = dg.materialize(
        [site_inputs, optimized_plan], partition_key=KEY, raise_on_error=False,
        resources={"sites": SiteFolderResource(sites_dir=str(ROOT / "examples")),
                   "warehouse": warehouse},
        run_config={"ops": {"optimized_plan": {"config": {"time_limit_s": 5, **config}}}})
    return result, warehouse


def test_a_cheap_priority_is_dropped_and_says_why(tmp_path: Path):
    # Every priority-5 job costs more than 1 $ to heat: at 1 $ each, dropping them all pays.
    result, warehouse = _optimize(tmp_path / "w.duckdb",
                                  drop_penalty_per_priority=[1e6, 1e6, 1e6, 1e6, 1.0])
    assert result.success
    with (ROOT / "examples" / "plant_a" / "jobs.csv").open() as handle:
        lowest = {row["job_id"] for row in csv.DictReader(handle) if row["priority"] == "5"}
    dropped = warehouse.query(f"SELECT job_id, reason FROM "
                              f"{warehouse.qualified_name('plan_assignments')} WHERE dropped")
    assert {row["job_id"] for row in dropped} == lowest
    assert all(row["reason"].startswith("drop_penalty: it fits, but its drop penalty (1.00)")
               for row in dropped)
    solver = result.asset_materializations_for_node("optimized_plan")[0].metadata["solver"].data
    assert solver["parameters"]["drop_penalty_per_priority"] == "1e+06,1e+06,1e+06,1e+06,1"


def test_bad_drop_penalties_fail_the_run(tmp_path: Path):
    for config, message in (
            ({"drop_penalty_per_priority": [1.0, 5.0]},
             "a higher priority (earlier) may not cost less to drop"),
            ({"drop_penalty_per_priority": [1.0], "never_drop": True},
             "give drop_penalty_per_priority or never_drop, not both")):
        result, _ = _optimize(tmp_path / "w.duckdb", **config)
        assert not result.success
        failures = [str(e.event_specific_data.error.message) for e in result.all_events
                    if e.is_step_failure]
        assert any(message in text for text in failures), failures
