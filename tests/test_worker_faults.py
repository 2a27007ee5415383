"""Faults with real processes: a worker killed mid-run (kill -9) and a broker that cannot
be reached when Run is clicked. No module-wide worker here: each test owns its processes."""

import subprocess

import pytest

from demo.stack import manage_command
from jobs import services
from jobs.joblog import log_path
from jobs.models import ExitStatus, JobExecution, ResourceLock
from tests.integration import process_env, running, wait_finished
from tests.test_worker_integration import wait_running

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_it_reaps_an_execution_whose_worker_was_killed(django_db_setup, redis_url, storage_root):
    with running(workers=2, beat=True, STORAGE_ROOT=str(storage_root)) as stack:
        gated = services.execution_create(job_id="Test-Gated")
        wait_running(gated)
        victim = gated.worker.split("@")[0]
        stack.kill(victim)  # kill -9 of that whole worker, pool children included
        # Beat's reaper (in beat's own process) ends the execution.
        gated = wait_finished(gated, timeout=60)
        assert gated.exit_status == ExitStatus.ERROR
        assert "stopped responding" in gated.message
        assert not ResourceLock.objects.filter(execution=gated).exists()
        assert "stopped responding" in log_path(gated.log_file_name).read_text()
    with running(STORAGE_ROOT=str(storage_root)):
        # The locks are free again and a new worker runs the next execution to OK.
        assert wait_finished(services.execution_create(job_id="Test-Quick")).exit_status == ExitStatus.OK


def test_it_reports_an_unreachable_broker_and_leaves_no_pending_row(django_db_setup, storage_root):
    result = subprocess.run(
        manage_command("runjob", "Test-Quick"),
        env=process_env(REDIS_URL="redis://127.0.0.1:9/0", STORAGE_ROOT=str(storage_root)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "job queue (Redis) cannot be reached" in result.stderr
    assert not JobExecution.objects.exists()
    assert not ResourceLock.objects.exists()
