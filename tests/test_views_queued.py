"""Run when free: a refused Run queued behind the locks, shown as queued on the Jobs page and in
Job History, cancellable (POST, audited), started when the holder finishes, given up after the
configured wait; and the toast when a run the user started ends."""

import re
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from jobs import services
from jobs.models import AuditEntry, ExecutionStatus, JobExecution, QueuedRun, Trigger
from jobs.operations import queued
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db


@pytest.fixture
def retries(monkeypatch):
    """The `jobs.run_when_free` tries that would go to the broker."""
    calls = []
    monkeypatch.setattr(
        "jobs.operations.tasks.run_when_free.apply_async", lambda **kwargs: calls.append(kwargs)
    )
    return calls


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def row_of(page: str, job_id: str) -> str:
    start = page.index(f'data-job="{job_id}"')
    return page[start : page.index("</tr>", start)]


def test_it_queues_a_refused_run_and_shows_it_waiting(client, users, no_enqueue, retries):
    holder = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run_when_free", args=["Test-Quick"]), follow=True)
    row = QueuedRun.objects.get()
    assert (row.job_id, row.state, row.waiting_for, row.requested_by) == (
        "Test-Quick", "waiting", holder, users["merchandiser"],
    )  # fmt: skip
    assert not JobExecution.objects.filter(job_id="Test-Quick").exists()
    assert retries[0]["kwargs"]["queued_id"] == row.pk and retries[0]["countdown"] == 15
    page = response.content.decode()
    assert f"Test-Quick is queued: it starts when execution #{holder.pk} has finished" in page
    quick = words(row_of(page, "Test-Quick"))
    assert (
        f"Queued waiting for #{holder.pk}, asked by merchandiser at" in quick and "Run when free" not in quick
    )
    assert 'hx-trigger="every 2s"' in page
    history = words(client.get(reverse("history")).content.decode())
    assert f"Test-Quick Queued waiting for #{holder.pk} Test-Gated merchandiser" in history
    assert AuditEntry.objects.filter(action="run", message="Queued Test-Quick to run when free").exists()
    # A second click is told about the first.
    again = client.post(reverse("job_run_when_free", args=["Test-Quick"]), follow=True)
    assert "Test-Quick is already queued to run when free." in again.content.decode()
    assert QueuedRun.objects.count() == 1


def test_it_starts_the_queued_run_when_the_holder_finishes(client, users, no_enqueue, retries):
    holder = services.execution_create(job_id="Test-Gated", user=users["admin"])
    client.force_login(users["merchandiser"])
    client.post(reverse("job_run_when_free", args=["Test-Quick"]))
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.execution_stop(execution=holder, user=users["admin"])
    row = QueuedRun.objects.get()
    assert row.state == "started" and row.execution.job_id == "Test-Quick"
    assert (row.execution.trigger, row.execution.triggered_by) == (Trigger.MANUAL, users["merchandiser"])
    # The retry already queued finds the row claimed and starts nothing more.
    assert queued.attempt(row.pk, first_try=row.created) is None
    assert JobExecution.objects.filter(job_id="Test-Quick").count() == 1


def test_a_queued_run_gives_up_after_the_lock_wait_with_a_clear_message(users, no_enqueue, retries, settings):
    settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS = 60
    holder = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    row = queued.request(job_id="Test-Quick", user=users["merchandiser"])
    assert row.state == "waiting"
    queued.attempt(row.pk, first_try=timezone.now() - timedelta(seconds=61))
    row.refresh_from_db()
    assert row.state == "gave_up" and len(retries) == 1
    assert row.message.startswith(
        f"Gave up: Test-Quick cannot start: Test-Gated (execution #{holder.pk}) holds alpha."
    )
    assert "Waited 61s for it." in row.message
    skipped = row.execution
    assert (skipped.execution_status, skipped.triggered_by) == (
        ExecutionStatus.ABORTED,
        users["merchandiser"],
    )
    assert skipped.message.startswith("Skipped: Run when free gave up:")


def test_it_cancels_a_queued_run_audited_and_post_only(client, users, no_enqueue, retries):
    holder = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    row = queued.request(job_id="Test-Quick", user=users["merchandiser"])
    client.force_login(users["merchandiser"])
    url = reverse("queued_run_cancel", args=[row.pk])
    assert client.get(url).status_code == 405
    client.force_login(users["support"])
    assert client.post(url).status_code == 403
    client.force_login(users["merchandiser"])
    response = client.post(url, {"back": "history"})
    assert response.url == reverse("history")
    row.refresh_from_db()
    assert row.state == "cancelled" and row.message == "Cancelled by merchandiser"
    entry = AuditEntry.objects.get(action="stop")
    assert entry.message == f"Cancelled the queued run of Test-Quick (it waited for #{holder.pk})"
    # A later try starts nothing, and a second cancel says it had ended.
    assert queued.attempt(row.pk, first_try=row.created) is None
    again = client.post(url, follow=True)
    assert "had already ended: Cancelled by merchandiser" in again.content.decode()


def test_it_starts_at_once_when_the_locks_freed_before_the_click(client, users, no_enqueue, retries):
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run_when_free", args=["Test-Quick"]), follow=True)
    execution = JobExecution.objects.get(job_id="Test-Quick")
    assert f"Started Test-Quick as execution #{execution.pk}." in response.content.decode()
    assert QueuedRun.objects.get().state == "started" and not retries


def test_the_toast_says_once_when_a_run_the_user_started_ends(client, users, no_enqueue):
    client.force_login(users["merchandiser"])
    client.post(reverse("job_run", args=["Test-Quick"]))
    execution = JobExecution.objects.get()
    first = client.get(reverse("jobs_table")).content.decode()
    assert "data-toast" not in first and 'hx-trigger="every 2s"' in first
    JobExecution.objects.filter(pk=execution.pk).update(
        execution_status=ExecutionStatus.FINISHED, exit_status="OK", finished=timezone.now()
    )
    execution.locks.all().delete()
    fragment = client.get(reverse("jobs_table")).content.decode()
    toast = fragment[fragment.index('id="toasts"') :]
    assert 'hx-swap-oob="beforeend"' in toast and 'aria-live="polite"' in toast
    assert f"Test-Quick #{execution.pk} finished OK." in toast and "toast-ok" in toast
    # Said once; someone else's run gives no toast.
    assert "data-toast" not in client.get(reverse("jobs_table")).content.decode()
    client.force_login(users["admin"])
    assert "data-toast" not in client.get(reverse("jobs")).content.decode()


def test_it_says_so_when_the_job_queue_cannot_take_the_next_try(client, users, no_enqueue, monkeypatch):
    def unreachable(**kwargs):
        raise ConnectionError("Connection refused")

    monkeypatch.setattr("jobs.operations.tasks.run_when_free.apply_async", unreachable)
    make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run_when_free", args=["Test-Quick"]), follow=True)
    assert "Not started: the job queue cannot be reached to try again" in response.content.decode()
    assert QueuedRun.objects.get().state == "failed"
    assert "Queued" not in words(row_of(response.content.decode(), "Test-Quick"))
