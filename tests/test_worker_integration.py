"""The engine with a real Celery worker (and beat) as subprocesses, over the real broker
and database: OK with a log file, lock refusal, a duplicated message, Stop, kill -9 and
the reaper (in test_worker_faults.py), and Run with the broker unreachable."""

import pytest

from jobs import services
from jobs.joblog import log_path
from jobs.models import ExecutionStatus, ExitStatus, ResourceLock
from jobs.tasks import run_execution
from tests.engine_jobs import gate, success_marker
from tests.integration import running, wait_finished, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, redis_url, storage_root):
    with running(STORAGE_ROOT=str(storage_root)) as stack:
        yield stack


def open_gate(execution):
    path = gate(str(execution.pk))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def wait_running(execution, timeout=60):
    def is_running():
        execution.refresh_from_db()
        return execution.execution_status == ExecutionStatus.RUNNING

    wait_for(is_running, timeout, what=f"#{execution.pk} to run")


def test_it_runs_a_job_to_ok_with_its_log_file(worker):
    execution = wait_finished(services.execution_create(job_id="Test-Quick"))
    assert (execution.execution_status, execution.exit_status) == ("finished", "OK")
    assert execution.worker.startswith("worker-1@")
    text = log_path(execution.log_file_name).read_text()
    assert "[count] 30 items written" in text and "Execution OK" in text


def test_it_refuses_a_run_while_intersecting_locks_are_held(worker):
    gated = services.execution_create(job_id="Test-Gated")
    wait_running(gated)
    with pytest.raises(services.LocksHeld, match=rf"Test-Gated \(execution #{gated.pk}\) holds alpha"):
        services.execution_create(job_id="Test-Quick")
    open_gate(gated)
    assert wait_finished(gated).exit_status == ExitStatus.OK
    assert wait_finished(services.execution_create(job_id="Test-Quick")).exit_status == ExitStatus.OK


def test_it_runs_a_message_delivered_twice_once(worker, no_enqueue, storage_root):
    execution = services.execution_create(job_id="Test-Beta")
    for _ in range(2):
        run_execution.apply_async(args=[execution.pk], task_id=execution.task_id)
    assert wait_finished(execution).exit_status == ExitStatus.OK
    assert (storage_root / "runs" / str(execution.pk)).read_text() == "ran\n"


def test_it_stops_a_running_execution(worker, users):
    gated = services.execution_create(job_id="Test-Gated")
    wait_running(gated)
    assert services.execution_stop(execution=gated, user=users["merchandiser"])
    gated = wait_finished(gated)
    assert gated.execution_status == ExecutionStatus.ABORTED
    assert gated.message == "Stopped by merchandiser"
    assert gated.steps.get().status == "aborted"
    assert not ResourceLock.objects.exists()
    assert "Stopped on request" in log_path(gated.log_file_name).read_text()


def test_a_stop_in_the_last_seconds_of_a_step_ends_the_run_aborted_not_ok(worker, users):
    late = services.execution_create(job_id="Test-Late-Stop")
    wait_running(late)
    open_gate(late)  # from here its step works two seconds without a safe point
    # Stop once the step is past the gate: clicked sooner, the step's next safe point (before it
    # looks at the gate again) would see the Stop first.
    wait_for(gate(f"{late.pk}.passed").exists, interval=0.05, what="the step to pass its gate")
    assert services.execution_stop(execution=late, user=users["merchandiser"])
    late = wait_finished(late)
    assert (late.execution_status, late.exit_status) == (ExecutionStatus.ABORTED, "")
    assert late.message == "Stopped by merchandiser after its last step had run"
    assert not success_marker(late).exists()  # as the watermark: untouched by a stopped run
    assert "Execution aborted: Stopped by merchandiser" in log_path(late.log_file_name).read_text()
