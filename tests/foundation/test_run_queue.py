"""The run queue holds back a second run of the same site and day (dagster.yaml).

A trip's re-plan starts from the plan the run before it stored, and the trip sensor only waits
for runs it can see in flight; a run launched after the re-plan started (the schedule's, the
production-schedule sensor's, one from the UI) must wait in the queue instead of writing a plan
beside it. Both instance configurations (embedded and PostgreSQL) say so, and Dagster's own
queue daemon (`dagster-daemon run` on the embedded instance) launches a run of another day at
once and holds a second run of the same day until the first has ended.

The runs are of a probe job that only waits, launched with `dagster job launch` and the
partition tag Dagster gives a partitioned run: the limit is on the tag, whatever the job."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from tests.foundation.run_queue_limits import PER_PARTITION, partition_limits

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROBE = '''
import time

import dagster as dg


@dg.op(config_schema={"seconds": float})
def wait(context):
    time.sleep(context.op_config["seconds"])


@dg.job
def held():
    wait()


defs = dg.Definitions(jobs=[held])
'''
# Long enough for the other two runs to be launched (3-4 s each) and dequeued while it runs.
HOLD_SECONDS = 25.0


def _launch(folder: Path, env: dict[str, str], partition: str, seconds: float) -> str:
    """A run of the probe submitted to the instance's queue; its run id."""
    run_id = str(uuid.uuid4())
    done = subprocess.run(
        [str(BIN / "dagster"), "job", "launch", "-f", str(folder / "probe.py"), "-j", "held",
         "--run-id", run_id, "--tags", json.dumps({"dagster/partition": partition}),
         "--config-json", json.dumps({"ops": {"wait": {"config": {"seconds": seconds}}}})],
        env=env, cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return run_id


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus | None:
    run = instance.get_run_by_id(run_id)
    return None if run is None else run.status


def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, f"not within {seconds:g} s: {what}"
        time.sleep(0.5)


def test_the_queue_holds_a_second_run_of_a_site_and_day(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    (tmp_path / "probe.py").write_text(PROBE)
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    instance = dg.DagsterInstance.from_config(str(home))
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-f", "probe.py"],
                              env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # its code server and runs go with it
    try:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert partition_limits(instance) == [PER_PARTITION]
        ended = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)
        first = _launch(tmp_path, env, "2026-06-16|plant_a", HOLD_SECONDS)  # a trip's re-plan
        _until(lambda: _status(instance, first) == dg.DagsterRunStatus.STARTED, 90,
               "the daemon starts the first run")
        same_day = _launch(tmp_path, env, "2026-06-16|plant_a", 0.0)
        next_day = _launch(tmp_path, env, "2026-06-17|plant_a", 0.0)
        _until(lambda: all(_status(instance, run) in ended for run in (first, same_day,
                                                                       next_day)),
               120, "all three runs end")
        assert [_status(instance, run) for run in (first, same_day, next_day)] \
            == [dg.DagsterRunStatus.SUCCESS] * 3
        # Judged on the runs' own times, not on when this test looked: the next day's run
        # started while the first ran, the same day's only after the first had ended.
        first_record = instance.get_run_record_by_id(first)
        assert instance.get_run_record_by_id(next_day).start_time < first_record.end_time
        assert instance.get_run_record_by_id(same_day).start_time >= first_record.end_time
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
        log.close()
        instance.dispose()
