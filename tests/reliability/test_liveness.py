"""Liveness without workers, with real processes: beat alone notices that every worker is dead,
ends the running execution ERROR and the pending one after JOBS_PENDING_TIMEOUT_SECONDS, queues
no reap messages, and sends the chain start a dying worker left unsaid (the finish's outbox)."""

import json

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jobs import selectors, services, signals
from jobs.joblog import log_path
from jobs.models import (
    ExecutionStatus,
    ExitStatus,
    JobExecution,
    PendingAnnouncement,
    ResourceLock,
    StepStatus,
    Trigger,
    WorkerHeartbeat,
)
from jobs.operations.models import JobChain
from tests.integration import running, wait_finished, wait_for
from tests.test_worker_integration import wait_running

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def queued_tasks() -> list[str]:
    """The task names of the messages waiting in the broker's default queue."""
    broker = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return [json.loads(raw)["headers"]["task"] for raw in broker.lrange("celery", 0, -1)]
    finally:
        broker.close()


def workers_alive():
    """Beat fails a pending run while no worker is alive: wait until the worker says it is."""
    return wait_for(
        lambda: selectors.worker_liveness(timezone.now()).workers, 60, what="the worker to be alive"
    )


def dead(stack, name: str):
    return lambda: stack.processes[name].poll() is not None


def test_beat_alone_ends_the_work_of_a_killed_worker(
    django_db_setup, redis_url, storage_root, client, users, settings
):
    settings.JOBS_HEARTBEAT_TIMEOUT_SECONDS = 4  # the page judges as the processes do
    with running(
        workers=1, beat=True, STORAGE_ROOT=str(storage_root), JOBS_PENDING_TIMEOUT_SECONDS="3"
    ) as stack:
        workers_alive()
        gated = services.execution_create(job_id="Test-Gated")
        wait_running(gated)
        gated.refresh_from_db()
        assert gated.worker in selectors.worker_liveness(timezone.now()).workers  # one name for both
        stack.kill("worker-1")  # kill -9: the only worker, its pool processes included

        queued = services.execution_create(job_id="Test-Free")  # no worker will ever take it
        gated = wait_finished(gated, timeout=60)
        assert (gated.execution_status, gated.exit_status) == (ExecutionStatus.FINISHED, ExitStatus.ERROR)
        assert gated.message.startswith("No worker has been alive since ")
        assert f"the worker {gated.worker} stopped responding" in gated.message
        assert gated.steps.get(name="wait").status == StepStatus.ERROR
        assert "No worker has been alive since" in log_path(gated.log_file_name).read_text()

        queued = wait_finished(queued, timeout=60)
        assert (queued.execution_status, queued.exit_status) == (ExecutionStatus.FINISHED, ExitStatus.ERROR)
        assert "no worker took it within 3 seconds; no worker has been alive since" in queued.message
        assert queued.started is None  # it never ran
        assert not ResourceLock.objects.exists()

        # Beat queued nothing for its checks: the broker holds the two runs' messages only
        # (the killed worker had taken the first).
        assert "jobs.reap" not in queued_tasks()
        assert queued_tasks().count("jobs.run_execution") == 1

        client.force_login(users["support"])
        page = client.get(reverse("jobs")).content.decode()
        assert "No worker is running</strong> since" in page
        assert 'id="no-beat"' not in page  # beat is alive and says so

    with running(STORAGE_ROOT=str(storage_root)):
        workers_alive()
        # The queued message of the failed run does nothing; a new run goes to OK.
        assert wait_finished(services.execution_create(job_id="Test-Free")).exit_status == ExitStatus.OK
        assert JobExecution.objects.get(pk=queued.pk).exit_status == ExitStatus.ERROR
    # A clean shutdown (SIGTERM) says so at once instead of going silent.
    assert WorkerHeartbeat.objects.get(kind=WorkerHeartbeat.Kind.WORKER, name=gated.worker).stopped
    assert selectors.worker_liveness(timezone.now()).no_worker


def test_a_chain_start_survives_a_worker_killed_after_the_finish_commit(
    django_db_setup, redis_url, storage_root
):
    JobChain.objects.create(source_job="Test-DiesAfterFinish", target_job="Test-Quick")
    with running(
        workers=1,
        beat=True,
        STORAGE_ROOT=str(storage_root),
        TEST_KILL_WORKER_AFTER_FINISH="1",
        JOBS_ANNOUNCE_GRACE_SECONDS="5",
    ) as stack:
        workers_alive()
        source = wait_finished(services.execution_create(job_id="Test-DiesAfterFinish"))
        assert source.exit_status == ExitStatus.OK
        wait_for(dead(stack, "worker-1"), 30, what="the worker to die after the commit")
        # The finish committed with its outbox row; the dead worker never sent it.
        assert PendingAnnouncement.objects.filter(execution=source).exists()
        assert not JobExecution.objects.filter(parent=source).exists()

        # Beat sends it after the grace, with no worker alive: the chain target is queued.
        child = wait_for(
            lambda: JobExecution.objects.filter(parent=source, trigger=Trigger.CHAIN).first(),
            60,
            what="beat to start the chain",
        )
        assert child.job_id == "Test-Quick" and child.execution_status == ExecutionStatus.PENDING
        wait_for(
            lambda: not PendingAnnouncement.objects.filter(execution=source).exists(), 30, what="the outbox"
        )
        assert (
            f"Chain: started Test-Quick as execution #{child.pk}"
            in log_path(source.log_file_name).read_text()
        )

    signals.announce_finished(source)  # announced once more (at least once): no second start
    assert JobExecution.objects.filter(parent=source).count() == 1
    with running(STORAGE_ROOT=str(storage_root)):
        assert wait_finished(child).exit_status == ExitStatus.OK
    assert JobExecution.objects.filter(parent=source).count() == 1
