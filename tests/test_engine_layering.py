"""The engine's seams: the finish announcement (after commit, robust, durable), the one
lock-wait policy and the one audit writer."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from jobs import audit, runner, services, signals
from jobs.joblog import log_path
from jobs.models import AuditEntry, ExecutionStatus, JobExecution, PendingAnnouncement
from jobs.waiting import LockWait, WaitOver
from tests import engine_jobs  # noqa: F401 - registers Test-Quick

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listener(sender, execution, **kwargs):
        calls.append((execution.pk, execution.exit_status))

    signals.execution_finished.connect(listener, dispatch_uid="test-listener")
    yield calls
    signals.execution_finished.disconnect(dispatch_uid="test-listener")


def test_it_announces_a_finish_only_after_it_commits(no_enqueue, heard):
    execution = services.execution_create(job_id="Test-Quick")
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        runner.run_execution(execution.pk, task_id=execution.task_id)
        assert heard == []
    assert PendingAnnouncement.objects.filter(execution=execution).exists()
    for callback in callbacks:
        callback()
    assert heard == [(execution.pk, "OK")]
    assert not PendingAnnouncement.objects.filter(execution=execution).exists()


def test_it_finishes_although_a_receiver_raises(no_enqueue, heard):
    def broken(sender, execution, **kwargs):
        raise RuntimeError("listener is broken")

    signals.execution_finished.connect(broken, dispatch_uid="test-broken")
    try:
        execution = services.execution_create(job_id="Test-Quick")
        with TestCase.captureOnCommitCallbacks(execute=True):
            runner.run_execution(execution.pk, task_id=execution.task_id)
    finally:
        signals.execution_finished.disconnect(dispatch_uid="test-broken")
    execution.refresh_from_db()
    assert (execution.execution_status, execution.exit_status) == (ExecutionStatus.FINISHED, "OK")
    assert heard == [(execution.pk, "OK")]  # the other receivers still ran
    assert "listener is broken" in log_path(execution.log_file_name).read_text()


def test_it_announces_late_a_finish_whose_worker_died(no_enqueue, heard):
    execution = services.execution_create(job_id="Test-Quick")
    with TestCase.captureOnCommitCallbacks(execute=False):  # the process dies: callbacks lost
        runner.run_execution(execution.pk, task_id=execution.task_id)
    assert services.announce_overdue() == 0  # within the grace, the worker may still send it
    assert services.announce_overdue(now=timezone.now() + services.announce_grace() * 2) == 1
    assert heard == [(execution.pk, "OK")]
    assert services.announce_overdue(now=timezone.now() + services.announce_grace() * 2) == 0


def test_it_waits_then_gives_up_with_the_reason(settings):
    settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS = 60
    settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS = 5
    start = timezone.now()
    wait = LockWait.since(start.isoformat())
    held = services.LocksHeld("Test-Quick", None, ["job:Test-Quick"])
    assert wait.next_pause(held, now=start + timedelta(seconds=1)) == 5
    assert wait.is_first_pause(now=start + timedelta(seconds=1))
    assert not wait.is_first_pause(now=start + timedelta(seconds=6))
    with pytest.raises(WaitOver, match=r"its resources are in use\. Waited 61s for it\."):
        wait.next_pause(held, now=start + timedelta(seconds=61))


def test_it_records_a_skipped_chain_run_with_its_parent(no_enqueue):
    source = services.execution_create(job_id="Test-Quick")
    skipped = services.execution_record_skipped(
        job_id="Test-Beta", reason="locks held", trigger="chain", parent=source
    )
    assert (skipped.trigger, skipped.parent, skipped.execution_status) == ("chain", source, "aborted")
    assert skipped.message == "Skipped: locks held"


def test_it_records_an_audit_entry_and_refuses_an_unknown_action(users, no_enqueue):
    execution = services.execution_create(job_id="Test-Quick")
    entry = audit.record(user=users["admin"], action=AuditEntry.Action.RUN, execution=execution, message="x")
    assert (entry.user, entry.job_id, entry.execution) == (users["admin"], "Test-Quick", execution)
    assert audit.record(user=None, action=AuditEntry.Action.SCHEDULE, job_id="Test-Quick").user is None
    with pytest.raises(ValueError, match="Unknown audit action 'launch'"):
        audit.record(user=None, action="launch")
    assert JobExecution.objects.filter(pk=execution.pk).exists()


def test_console_views_change_state_only_through_the_engines_services():
    """No view writes a model itself: each change goes through a service (jobs.services,
    jobs.config, jobs.accounts, jobs.operations.changes), which writes its audit entry too."""
    import re
    from pathlib import Path

    writes = re.compile(
        r"\.(save|delete|update|update_or_create|get_or_create|bulk_create|issue)\(|objects\.create\("
    )
    views = Path(__file__).resolve().parents[1] / "console" / "views"
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(views.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if writes.search(line)
        and not line.lstrip().startswith("#")
        and "config.save(" not in line  # jobs.config.save: the configuration's service
    ]
    assert found == []
