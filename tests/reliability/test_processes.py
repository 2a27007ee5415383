"""Faults of the machinery under a job: the worker killed during a full import, the broker
down when Run is clicked and back again, the database dropping the worker's connections.
Real worker and beat processes; each test owns its processes."""

import pytest
from django.db import connection
from django.urls import reverse

from demo.akeneo.server import DemoAkeneoServer
from jobs import services
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, ResourceLock, StepStatus, Watermark
from jobs.pipeline.definitions import FULL_PRODUCTS
from tests.conftest import ICECAT_API
from tests.engine_jobs import gate
from tests.integration import running, wait_finished, wait_for
from tests.reliability.helpers import (
    celery_broker,
    configure_import,
    dedicated_redis,
    execution_log,
    processes,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def akeneo():
    server = DemoAkeneoServer(ICECAT_API).start()
    yield server
    server.stop()


def step_running(execution, name: str):
    def reading():
        step = execution.steps.get(name=name)
        return step.status == StepStatus.RUNNING and step.read_count > 0

    return reading


def test_it_ends_a_full_import_killed_mid_run_error_and_the_next_run_ok(
    django_db_setup, redis_url, storage_root, akeneo
):
    configure_import(akeneo.url)
    with running(workers=2, beat=True, STORAGE_ROOT=str(storage_root)) as stack:
        first = wait_finished(services.execution_create(job_id=FULL_PRODUCTS), timeout=180)
        assert first.exit_status in (ExitStatus.OK, ExitStatus.WARN), first.message
        watermark = Watermark.objects.get(key="products")
        assert watermark.execution_id == first.pk

        akeneo.faults.set(rate_limit=5)  # five requests a second: long enough to be caught mid-import
        killed = services.execution_create(job_id=FULL_PRODUCTS)
        wait_for(step_running(killed, "export-products"), 60, what="the products to be read")
        killed.refresh_from_db()
        stack.kill(killed.worker.split("@")[0])  # kill -9 of the worker and its pool children
        killed = wait_finished(killed, timeout=60)  # beat's reaper, in beat's own process
        akeneo.faults.clear()

    assert (killed.execution_status, killed.exit_status) == (ExecutionStatus.FINISHED, ExitStatus.ERROR)
    assert "stopped responding" in killed.message and killed.worker in killed.message
    assert killed.steps.get(name="export-products").status == StepStatus.ERROR
    assert not ResourceLock.objects.exists()
    assert Watermark.objects.get(key="products").value == watermark.value
    assert "stopped responding" in execution_log(killed)

    with running(STORAGE_ROOT=str(storage_root)):
        again = wait_finished(services.execution_create(job_id=FULL_PRODUCTS), timeout=180)
    assert again.exit_status in (ExitStatus.OK, ExitStatus.WARN), again.message
    assert Watermark.objects.get(key="products").execution_id == again.pk


def test_it_says_the_broker_is_down_and_the_worker_resumes_when_it_is_back(
    django_db_setup, storage_root, tmp_path, client, users
):
    client.force_login(users["merchandiser"])
    run_url = reverse("job_run", args=["Test-Quick"])
    logs = tmp_path / "logs"
    with (
        dedicated_redis(tmp_path / "redis") as redis,
        celery_broker(redis.url),
        processes(logs, REDIS_URL=redis.url, STORAGE_ROOT=str(storage_root)) as stack,
    ):
        first = wait_finished(services.execution_create(job_id="Test-Quick"))
        assert first.exit_status == ExitStatus.OK

        redis.stop()
        page = client.post(run_url, follow=True).content.decode()
        assert "The job queue (Redis) cannot be reached, so the job was not started" in page
        assert JobExecution.objects.count() == 1  # no orphan pending row
        assert not ResourceLock.objects.exists()

        redis.start()  # same port, empty: what a restarted Redis looks like
        page = client.post(run_url, follow=True).content.decode()
        assert "Started Test-Quick as execution" in page
        resumed = wait_finished(JobExecution.objects.first(), timeout=120)
        assert resumed.exit_status == ExitStatus.OK
        assert resumed.worker == first.worker  # the same worker process, never restarted
        assert stack.failed() is None


def terminate_worker_connections() -> int:
    """pg_terminate_backend of every other connection to the test database: the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def postgres(django_db_setup):
    if connection.vendor != "postgresql":
        pytest.skip("drops connections with pg_terminate_backend: PostgreSQL only")


def test_it_never_leaves_a_run_running_when_the_database_drops_its_connections(
    postgres, redis_url, storage_root
):
    with running(STORAGE_ROOT=str(storage_root)):
        gated = services.execution_create(job_id="Test-Gated")
        wait_for(step_running(gated, "wait"), 60, what="the gated step to run")
        assert terminate_worker_connections() >= 1
        path = gate(str(gated.pk))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        gated = wait_finished(gated, timeout=60)
        # The runner reconnects for its step and finish writes: the run still ends OK.
        assert (gated.execution_status, gated.exit_status) == (ExecutionStatus.FINISHED, ExitStatus.OK)
        assert not ResourceLock.objects.exists()

        # Celery closes a task's connections when it ends, so an idle worker holds none that
        # could have gone stale; the next run connects afresh.
        terminate_worker_connections()
        after = wait_finished(services.execution_create(job_id="Test-Quick"), timeout=60)
        assert after.exit_status == ExitStatus.OK
