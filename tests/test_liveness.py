"""Liveness without workers, in-process: the heartbeat rows, beat's checks (abandoned running
executions, pending ones no worker will take, finishes left unsaid) and the Jobs page's
"no worker is running". The same with real processes: tests/reliability/test_liveness.py."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from console.templatetags.console import when
from jobs import liveness, selectors, services
from jobs.joblog import log_path
from jobs.models import (
    ExecutionStatus,
    ExitStatus,
    JobExecution,
    PendingAnnouncement,
    ResourceLock,
    StepStatus,
    WorkerHeartbeat,
)
from jobs.operations import receivers
from jobs.operations.models import JobAlertRule
from tests import engine_jobs  # noqa: F401 - registers Test-Quick

pytestmark = pytest.mark.django_db

WORKER = WorkerHeartbeat.Kind.WORKER


@pytest.fixture(autouse=True)
def timeouts(settings):
    settings.JOBS_HEARTBEAT_SECONDS = 5
    settings.JOBS_HEARTBEAT_TIMEOUT_SECONDS = 60
    settings.JOBS_PENDING_TIMEOUT_SECONDS = 300


def worker_seen(name: str, ago: timedelta, **fields) -> WorkerHeartbeat:
    seen = timezone.now() - ago
    return WorkerHeartbeat.objects.create(kind=WORKER, name=name, started=seen, last_seen=seen, **fields)


def pending(job_id="Test-Quick", ago=timedelta(0)) -> JobExecution:
    execution = services.execution_create(job_id=job_id)
    JobExecution.objects.filter(pk=execution.pk).update(created=timezone.now() - ago)
    execution.refresh_from_db()
    return execution


def running_since(execution, ago: timedelta, worker: str) -> JobExecution:
    then = timezone.now() - ago
    JobExecution.objects.filter(pk=execution.pk).update(
        execution_status=ExecutionStatus.RUNNING, started=then, heartbeat=then, worker=worker
    )
    execution.steps.filter(position=1).update(status=StepStatus.RUNNING, started=then)
    execution.refresh_from_db()
    return execution


def test_it_knows_which_workers_are_alive_and_since_when_none_is():
    assert selectors.worker_liveness(timezone.now()).worker_last_seen is None
    worker_seen("w1@host", timedelta(seconds=10))
    worker_seen("w2@host", timedelta(minutes=5))
    stopped = worker_seen("w3@host", timedelta(seconds=1), stopped=timezone.now())
    state = selectors.worker_liveness(timezone.now())
    assert state.workers == {"w1@host"}  # w2 went silent, w3 shut down cleanly
    assert state.worker_last_seen == stopped.last_seen
    assert not state.beat_alive and state.beat_last_seen is None


def test_it_records_a_worker_starting_beating_and_stopping():
    services.heartbeat_start(kind=WORKER, name="w1@host")
    assert selectors.worker_liveness(timezone.now()).workers == {"w1@host"}
    services.heartbeat_stop(kind=WORKER, name="w1@host")
    assert selectors.worker_liveness(timezone.now()).no_worker
    services.heartbeat_beat(kind=WORKER, name="w1@host")  # restarted under the same name
    assert selectors.worker_liveness(timezone.now()).workers == {"w1@host"}
    WorkerHeartbeat.objects.all().delete()
    services.heartbeat_beat(kind=WORKER, name="w1@host")  # its row was pruned meanwhile
    assert WorkerHeartbeat.objects.get().stopped is None


def test_it_prunes_old_rows_but_keeps_the_last_worker_seen():
    worker_seen("old@host", timedelta(days=30))
    newest = worker_seen("gone@host", timedelta(days=10))
    assert services.heartbeats_prune() == 1
    assert WorkerHeartbeat.objects.get().pk == newest.pk  # the newest stays: it says since when
    worker_seen("live@host", timedelta(seconds=1))
    assert services.heartbeats_prune() == 1
    assert WorkerHeartbeat.objects.get().name == "live@host"


def test_it_fails_a_pending_execution_no_worker_took_after_the_timeout(no_enqueue):
    last = worker_seen("w1@host", timedelta(minutes=20))
    old = pending(ago=timedelta(minutes=6))
    young = pending("Test-Beta", ago=timedelta(minutes=1))

    assert [e.pk for e in services.executions_unclaimed_fail()] == [old.pk]
    old.refresh_from_db()
    assert (old.execution_status, old.exit_status) == (ExecutionStatus.FINISHED, ExitStatus.ERROR)
    since = timezone.localtime(last.last_seen).strftime("%Y-%m-%d %H:%M:%S %Z")
    assert "no worker took it within 300 seconds" in old.message
    assert f"no worker has been alive since {since}" in old.message
    assert set(old.steps.values_list("status", flat=True)) == {StepStatus.SKIPPED}
    assert not ResourceLock.objects.filter(execution=old).exists()
    assert f"no worker has been alive since {since}" in log_path(old.log_file_name).read_text()
    assert PendingAnnouncement.objects.filter(execution=old).exists()  # its finish is announced
    young.refresh_from_db()
    assert young.execution_status == ExecutionStatus.PENDING


def test_it_says_when_no_worker_ever_reported(no_enqueue):
    execution = pending(ago=timedelta(minutes=6))
    services.executions_unclaimed_fail()
    execution.refresh_from_db()
    assert "no worker has ever reported to this console" in execution.message


def test_it_leaves_pending_executions_to_busy_workers(no_enqueue):
    worker_seen("w1@host", timedelta(seconds=3))
    execution = pending(ago=timedelta(hours=2))  # a long queue behind long imports
    assert services.executions_unclaimed_fail() == []
    execution.refresh_from_db()
    assert execution.execution_status == ExecutionStatus.PENDING


def test_it_reaps_with_no_worker_alive_as_the_cause(no_enqueue):
    last = worker_seen("w1@host", timedelta(minutes=3))
    execution = running_since(pending(), timedelta(minutes=3), "w1@host")
    assert [e.pk for e in services.executions_reap()] == [execution.pk]
    execution.refresh_from_db()
    since = timezone.localtime(last.last_seen).strftime("%Y-%m-%d %H:%M:%S %Z")
    assert execution.exit_status == ExitStatus.ERROR
    assert execution.message.startswith(f"No worker has been alive since {since}: the worker w1@host")
    assert "stopped responding" in execution.message
    assert execution.steps.get(position=1).status == StepStatus.ERROR
    assert not ResourceLock.objects.exists()


def test_it_gives_a_killed_workers_own_heartbeat_time_to_go_stale(no_enqueue):
    # The execution's heartbeat is just past the timeout, its worker's row a beat fresher:
    # they die together, so the reaper waits until the row is stale too and names the death.
    worker_seen("w1@host", timedelta(seconds=58))
    execution = running_since(pending(), timedelta(seconds=62), "w1@host")
    assert services.executions_reap() == []
    later = timezone.now() + timedelta(seconds=10)
    assert [e.pk for e in services.executions_reap(now=later)] == [execution.pk]
    execution.refresh_from_db()
    assert execution.message.startswith("No worker has been alive since")


def test_it_reaps_an_execution_whose_process_died_under_a_live_worker(no_enqueue):
    worker_seen("w1@host", timedelta(seconds=1))  # the worker's main process still beats
    execution = running_since(pending(), timedelta(minutes=2), "w1@host")
    assert [e.pk for e in services.executions_reap()] == [execution.pk]
    execution.refresh_from_db()
    assert execution.message.startswith("The worker w1@host is alive, but the process running this")


def test_it_announces_a_late_finish_once(no_enqueue, settings):
    settings.JOBS_ANNOUNCE_GRACE_SECONDS = 60
    execution = pending()
    services.execution_finish(execution, exit_status=ExitStatus.OK, from_statuses=(ExecutionStatus.PENDING,))
    # The process died before its on-commit announcement ran: the row is left (tests run in a
    # transaction, so no on-commit callback ran).
    later = timezone.now() + timedelta(minutes=2)
    assert services.announce_overdue(now=later) == 1
    assert services.announce_overdue(now=later) == 0
    assert not PendingAnnouncement.objects.exists()


def test_beats_checks_do_it_all_in_one_pass(no_enqueue):
    worker_seen("w1@host", timedelta(minutes=10))
    running = running_since(pending(), timedelta(minutes=10), "w1@host")
    queued = pending("Test-Free", ago=timedelta(minutes=10))
    result = liveness.tick()
    assert (result.reaped, result.unclaimed) == (1, 1)
    for execution in (running, queued):
        execution.refresh_from_db()
        assert execution.exit_status == ExitStatus.ERROR
        assert "no worker has been alive since" in execution.message.lower()


@pytest.mark.parametrize("role", ["admin", "merchandiser", "support"])
def test_the_jobs_page_says_no_worker_is_running_to_every_role(client, users, role):
    last = worker_seen("w1@host", timedelta(minutes=10))
    client.force_login(users[role])
    page = client.get(reverse("jobs")).content.decode()
    assert "No worker is running</strong> since " + when(last.last_seen) in page  # the one time format
    assert "The scheduler (beat) is not running" in page
    table = client.get(reverse("jobs_table")).content.decode()  # the polled fragment too
    assert 'id="no-worker"' in table


def test_the_jobs_page_is_quiet_while_a_worker_and_beat_run(client, users):
    services.heartbeat_start(kind=WORKER, name="w1@host")
    services.heartbeat_start(kind=WorkerHeartbeat.Kind.BEAT, name="beat@host")
    client.force_login(users["support"])
    page = client.get(reverse("jobs")).content.decode()
    assert 'id="no-worker"' not in page and 'id="no-beat"' not in page


def test_the_jobs_page_promises_the_pending_timeout_only_while_beat_runs(client, users):
    client.force_login(users["merchandiser"])
    assert "once it has waited 300 seconds" not in client.get(reverse("jobs")).content.decode()
    services.heartbeat_start(kind=WorkerHeartbeat.Kind.BEAT, name="beat@host")
    assert "once it has waited 300 seconds" in client.get(reverse("jobs")).content.decode()


def test_beats_pass_sweeps_the_alerts_and_says_beat_is_alive(no_enqueue, mailoutbox, monkeypatch):
    monkeypatch.setattr(receivers, "_last_sweep", [])
    JobAlertRule.objects.create(job_id="Test-Quick", recipients="ops@example.com", hanging_minutes=10)
    worker_seen("w1@host", timedelta(seconds=1))
    hanging = running_since(pending(), timedelta(minutes=20), "w1@host")
    JobExecution.objects.filter(pk=hanging.pk).update(heartbeat=timezone.now())  # alive, but long
    liveness.beat_pass()
    (mail,) = mailoutbox
    assert f"#{hanging.pk}" in mail.subject
    assert selectors.worker_liveness(timezone.now()).beat_alive
    liveness.beat_pass()  # within the alert interval: no second sweep (nor a second e-mail)
    assert len(mailoutbox) == 1


def test_the_old_beat_entries_are_removed_and_none_is_queued_to_workers():
    every, _ = IntervalSchedule.objects.get_or_create(every=30, period=IntervalSchedule.SECONDS)
    for name, task in [("jobs-reaper", "jobs.reap"), ("jobs-alerts", "jobs.check_alerts"), ("job:X", "x")]:
        PeriodicTask.objects.create(name=name, task=task, interval=every)
    migration = importlib.import_module("jobs.migrations.0007_worker_heartbeats")
    migration.remove_old_entries(django_apps, None)
    assert list(PeriodicTask.objects.values_list("name", flat=True)) == ["job:X"]
    assert settings.CELERY_BEAT_SCHEDULE == {}
