"""The run queue holds back a second run of the same site and day (dagster.yaml).

A trip's re-plan starts from the plan the run before it stored, and the trip sensor only waits
for runs it can see in flight; a run launched after the re-plan started (the schedule's, the
production-schedule sensor's, one from the UI) must wait in the queue instead of writing a plan
beside it. Both instance configurations (embedded and PostgreSQL) say so, and Dagster's own
queue daemon, asked which queued runs it would launch, holds that run back."""

import shutil
from pathlib import Path

import dagster as dg

from tests.foundation.run_queue_limits import PER_PARTITION, partition_limits

ROOT = Path(__file__).resolve().parents[2]


def _run(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, partition: str):
    """A run of daily_plan with a code origin, as the daemon needs to launch a queued run."""
    from dagster._core.remote_origin import (
        InProcessCodeLocationOrigin,
        RemoteJobOrigin,
        RemoteRepositoryOrigin,
    )
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    location = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(python_file=str(ROOT / "definitions.py")), location_name="heatcraft")
    origin = RemoteJobOrigin(RemoteRepositoryOrigin(location, "__repository__"), "daily_plan")
    return instance.create_run(
        job_name="daily_plan", run_id=None, run_config=None, resolved_op_selection=None,
        step_keys_to_execute=None, status=status, tags={"dagster/partition": partition},
        root_run_id=None, parent_run_id=None, job_snapshot=None, execution_plan_snapshot=None,
        parent_job_snapshot=None, remote_job_origin=origin, job_code_origin=None,
        asset_selection=None, asset_check_selection=None, op_selection=None, asset_graph=None)


def test_the_queue_holds_a_second_run_of_a_site_and_day(tmp_path: Path):
    # The daemon's choice of runs to launch, without launching them (a private method of
    # Dagster 1.13's queue daemon: the public path needs a running daemon and code server).
    from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (
        QueuedRunCoordinatorDaemon,
    )

    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert partition_limits(instance) == [PER_PARTITION]
        _run(instance, dg.DagsterRunStatus.STARTED, "2026-06-16|plant_a")  # a trip's re-plan
        same_day = _run(instance, dg.DagsterRunStatus.QUEUED, "2026-06-16|plant_a")
        next_day = _run(instance, dg.DagsterRunStatus.QUEUED, "2026-06-17|plant_a")
        daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
        launched = daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(), None)
        assert [run.run_id for run in launched] == [next_day.run_id]
        assert same_day.run_id not in {run.run_id for run in launched}
    finally:
        instance.dispose()
