"""Flows in-process, step by step: the flow holds no worker while its job runs (its first
step suspends; each child's finish starts the next), a resent announcement changes nothing,
Stop reaches the running child, a held lock waits as a queued task, and the reaper spares a
flow waiting for its child."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from jobs import runner, services
from jobs.joblog import log_path
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, ResourceLock, StepStatus
from jobs.operations import flows
from tests import operations_jobs  # noqa: F401 - registers the test flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The `jobs.flow_start_step` tries that would go to the broker."""
    calls = []
    monkeypatch.setattr(
        "jobs.operations.tasks.flow_start_step.apply_async", lambda **kwargs: calls.append(kwargs)
    )
    return calls


def run(execution):
    """Run one execution as a worker would; its finish is announced (the test never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        runner.run_execution(execution.pk, task_id=execution.task_id)
    execution.refresh_from_db()
    return execution


def children(flow):
    return list(JobExecution.objects.filter(parent=flow).order_by("pk"))


def pending_child(flow):
    return JobExecution.objects.get(parent=flow, execution_status=ExecutionStatus.PENDING)


def statuses(flow):
    return [s.status for s in flow.steps.all()]


def test_the_first_step_starts_its_job_and_releases_the_worker(no_enqueue):
    flow = run(services.execution_create(job_id="Test-Flow"))
    assert flow.execution_status == ExecutionStatus.RUNNING  # the runner returned: the slot is free
    assert statuses(flow) == [StepStatus.RUNNING, StepStatus.PENDING, StepStatus.PENDING]
    [child] = children(flow)
    assert (child.job_id, child.execution_status) == ("Test-Quick", ExecutionStatus.PENDING)
    text = log_path(flow.log_file_name).read_text()
    assert f"Started Test-Quick as execution #{child.pk}" in text
    assert "Step goes on without this worker" in text


def test_each_childs_finish_starts_the_next_and_the_last_ends_the_flow(no_enqueue):
    flow = run(services.execution_create(job_id="Test-Flow"))
    for _ in range(3):  # bounded: three jobs
        run(pending_child(flow))
    flow.refresh_from_db()
    assert (flow.execution_status, flow.exit_status, flow.message) == ("finished", "WARN", "1 data error")
    assert [(c.job_id, c.exit_status) for c in children(flow)] == [
        ("Test-Quick", "OK"),
        ("Test-DataErrors", "WARN"),
        ("Test-Beta", "OK"),
    ]
    assert statuses(flow) == [StepStatus.OK, StepStatus.WARN, StepStatus.OK]
    assert flow.data_errors.get().message.startswith("Test-DataErrors (execution #")
    assert not ResourceLock.objects.exists()
    assert "Execution WARN: 1 data error" in log_path(flow.log_file_name).read_text()


def test_a_failing_job_ends_the_flow_error_and_skips_the_rest(no_enqueue):
    flow = run(services.execution_create(job_id="Test-Flow-Fails"))
    run(pending_child(flow))
    failed = run(pending_child(flow))
    flow.refresh_from_db()
    assert flow.exit_status == ExitStatus.ERROR
    assert flow.message.startswith(f"Test-Fail (execution #{failed.pk}) ended ERROR: fail: RuntimeError")
    assert statuses(flow) == [StepStatus.OK, StepStatus.ERROR, StepStatus.SKIPPED]
    assert len(children(flow)) == 2


def test_a_finish_announced_twice_goes_on_once(no_enqueue):
    flow = run(services.execution_create(job_id="Test-Flow"))
    first = run(pending_child(flow))
    with TestCase.captureOnCommitCallbacks(execute=True):
        flows.child_finished(first)  # the beat's late announcement of the same finish
    assert [c.job_id for c in children(flow)] == ["Test-Quick", "Test-DataErrors"]
    assert statuses(flow) == [StepStatus.OK, StepStatus.RUNNING, StepStatus.PENDING]


def test_stopping_a_flow_stops_its_pending_child_and_ends_the_flow_aborted(no_enqueue, users):
    flow = run(services.execution_create(job_id="Test-Flow"))
    [child] = children(flow)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.execution_stop(execution=flow, user=users["merchandiser"])
    flow.refresh_from_db()
    child.refresh_from_db()
    assert child.execution_status == ExecutionStatus.ABORTED
    assert child.message == f"Stopped by merchandiser with execution #{flow.pk} before it started"
    assert (flow.execution_status, flow.message) == (ExecutionStatus.ABORTED, "Stopped by merchandiser")
    assert statuses(flow) == [StepStatus.ABORTED, StepStatus.SKIPPED, StepStatus.SKIPPED]
    assert len(children(flow)) == 1


def test_a_flow_stopped_while_its_child_cannot_be_stopped_says_what_the_child_did(no_enqueue, users):
    flow = run(services.execution_create(job_id="Test-Flow"))
    [child] = children(flow)
    JobExecution.objects.filter(pk=child.pk).update(
        execution_status=ExecutionStatus.RUNNING, heartbeat=timezone.now(),
        stop_refusal="the SFCC import has started; it cannot be stopped, only its result recorded",
    )  # fmt: skip
    assert services.execution_stop(execution=flow, user=users["merchandiser"])
    child.refresh_from_db()
    assert child.execution_status == ExecutionStatus.RUNNING  # refused: it goes on
    assert "Test-Quick goes on: " in log_path(flow.log_file_name).read_text()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.execution_finish(child, exit_status=ExitStatus.OK)
    flow.refresh_from_db()
    assert flow.execution_status == ExecutionStatus.ABORTED
    assert flow.message == (
        f"Stopped by merchandiser; Test-Quick (execution #{child.pk}) ended OK (it could not be stopped)"
    )
    assert statuses(flow) == [StepStatus.OK, StepStatus.SKIPPED, StepStatus.SKIPPED]
    assert len(children(flow)) == 1  # nothing after it started


def test_a_held_lock_waits_as_a_queued_try_without_a_worker(no_enqueue, queued, settings):
    settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS = 15
    flow = run(services.execution_create(job_id="Test-Flow"))
    run(pending_child(flow))  # Test-Quick OK
    holder = services.execution_create(job_id="Test-Beta")  # the flow's third job, run by hand
    run(pending_child(flow))  # Test-DataErrors WARN: the next, Test-Beta, must wait
    assert [c["countdown"] for c in queued] == [15.0]
    flow.refresh_from_db()
    assert flow.execution_status == ExecutionStatus.RUNNING and flow.heartbeat > timezone.now()
    assert (
        f"Test-Beta is already running as execution #{holder.pk}. Waiting"
        in log_path(flow.log_file_name).read_text()
    )
    assert services.executions_reap(now=timezone.now() + timedelta(seconds=10)) == []
    run(holder)
    kwargs = queued[0]["kwargs"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        flows.start_step(kwargs["flow_id"], kwargs["position"], first_try=timezone.now())
    last = run(pending_child(flow))
    flow.refresh_from_db()
    assert (last.job_id, flow.exit_status) == ("Test-Beta", ExitStatus.WARN)


def test_a_lock_held_for_the_whole_wait_ends_the_flow_error(no_enqueue, queued, settings):
    settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS = 60
    holder = services.execution_create(job_id="Test-Quick")
    flow = run(services.execution_create(job_id="Test-Flow"))
    assert children(flow) == [] and len(queued) == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        flows.start_step(flow.pk, 1, first_try=timezone.now() - timedelta(seconds=61))
    flow.refresh_from_db()
    assert flow.exit_status == ExitStatus.ERROR
    assert f"Test-Quick is already running as execution #{holder.pk}" in flow.message
    assert "Waited 61s" in flow.message
    assert statuses(flow) == [StepStatus.ERROR, StepStatus.SKIPPED, StepStatus.SKIPPED]


def test_a_flow_stopped_while_it_waits_for_locks_ends_aborted_at_its_next_try(no_enqueue, queued, users):
    services.execution_create(job_id="Test-Quick")
    flow = run(services.execution_create(job_id="Test-Flow"))
    assert services.execution_stop(execution=flow, user=users["merchandiser"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        flows.start_step(flow.pk, 1, first_try=timezone.now())
    flow.refresh_from_db()
    assert (flow.execution_status, flow.message) == (ExecutionStatus.ABORTED, "Stopped by merchandiser")
    assert children(flow) == []


def test_the_reaper_spares_a_flow_whose_child_runs_and_reaps_one_left_alone(no_enqueue, settings):
    settings.JOBS_HEARTBEAT_TIMEOUT_SECONDS = 60
    flow = run(services.execution_create(job_id="Test-Flow"))
    stale = timezone.now() - timedelta(minutes=5)
    JobExecution.objects.filter(pk=flow.pk).update(heartbeat=stale)
    assert services.executions_reap() == []  # its child is pending: the flow is waiting, not dead
    JobExecution.objects.filter(parent=flow).delete()  # a flow with nothing that will move it on
    assert [e.pk for e in services.executions_reap()] == [flow.pk]
