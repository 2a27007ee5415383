"""Faults with real processes: a worker killed mid-run (kill -9) and a broker that cannot
be reached when Run is clicked. No module-wide worker here: each test owns its processes."""

import subprocess

import pytest

from demo.stack import manage_command
from jobs import services
from jobs.joblog import log_path
from jobs.models import ExitStatus, JobExecution, ResourceLock
from tests import operations_jobs
from tests.integration import process_env, running, wait_finished, wait_for
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


def test_a_flow_whose_running_job_lost_its_worker_ends_error_naming_it(
    django_db_setup, redis_url, storage_root
):
    """The flow holds no worker; its job's worker is killed: the reaper ends the job, and that
    finish (announced by whoever reaped it) ends the flow."""
    env = {"STORAGE_ROOT": str(storage_root), "JOBS_EXTRA_MODULES": operations_jobs.EXTRA_MODULES}
    with running(workers=2, concurrency=1, beat=True, **env) as stack:
        flow = services.execution_create(job_id="Test-Flow-Gated")
        child = wait_for(lambda: JobExecution.objects.filter(parent=flow, execution_status="running").first(),
                         60, what="the flow's job to run")  # fmt: skip
        stack.kill(child.worker.split("@")[0])
        flow, child = wait_finished(flow, timeout=90), wait_finished(child, timeout=90)
    assert child.exit_status == ExitStatus.ERROR and "stopped responding" in child.message
    assert flow.exit_status == ExitStatus.ERROR
    assert flow.message.startswith(f"Test-Gated (execution #{child.pk}) ended ERROR: The worker ")
    assert [s.status for s in flow.steps.all()] == ["ERROR", "skipped"]
    assert not ResourceLock.objects.exists()
