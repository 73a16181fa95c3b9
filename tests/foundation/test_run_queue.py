"""The run queue holds back a second run of the same site and day (dagster.yaml).

A trip's re-plan starts from the plan the run before it stored, and the trip sensor only waits
for runs it can see in flight; a run launched after the re-plan started (the schedule's, the
production-schedule sensor's, one from the UI) must wait in the queue instead of writing a plan
beside it. Both instance configurations (embedded and PostgreSQL) say so."""

import shutil
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[2]
PER_PARTITION = {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True},
                 "limit": 1}


def partition_limits(instance: dg.DagsterInstance) -> list[dict]:
    """The run queue's limits on the partition tag."""
    limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    return [limit for limit in limits if limit["key"] == "dagster/partition"]


def test_the_embedded_instance_queues_one_run_per_site_and_day(tmp_path: Path):
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert partition_limits(instance) == [PER_PARTITION]
    finally:
        instance.dispose()
