"""Flows and chains with a real worker of ONE slot: a flow holds no slot while its jobs run, so
it runs them as child executions in order and stops at the first ERROR; Stop of a flow stops
its running child; a chain fires once."""

import pytest

from jobs import services
from jobs.joblog import log_path
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, ResourceLock, Trigger
from jobs.operations.models import JobChain
from tests import operations_jobs
from tests.integration import running, wait_finished, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, redis_url, storage_root):
    env = {"STORAGE_ROOT": str(storage_root), "JOBS_EXTRA_MODULES": operations_jobs.EXTRA_MODULES}
    with running(concurrency=1, **env) as stack:
        yield stack


def children(flow):
    return list(JobExecution.objects.filter(parent=flow).order_by("pk"))


def test_a_flow_runs_its_jobs_in_order_as_linked_executions(worker):
    flow = wait_finished(services.execution_create(job_id="Test-Flow"))
    assert (flow.exit_status, flow.message) == (ExitStatus.WARN, "1 data error")
    inner = children(flow)
    assert [(e.job_id, e.trigger, e.exit_status) for e in inner] == [
        ("Test-Quick", Trigger.CHAIN, "OK"),
        ("Test-DataErrors", Trigger.CHAIN, "WARN"),
        ("Test-Beta", Trigger.CHAIN, "OK"),
    ]
    assert inner[0].finished <= inner[1].started and inner[1].finished <= inner[2].started
    assert [s.status for s in flow.steps.all()] == ["OK", "WARN", "OK"]
    assert f"Started Test-Quick as execution #{inner[0].pk}" in log_path(flow.log_file_name).read_text()
    assert not ResourceLock.objects.exists()


def test_a_flow_stops_at_the_first_failing_job(worker):
    flow = wait_finished(services.execution_create(job_id="Test-Flow-Fails"))
    assert flow.exit_status == ExitStatus.ERROR
    inner = children(flow)
    assert [(e.job_id, e.exit_status) for e in inner] == [("Test-Quick", "OK"), ("Test-Fail", "ERROR")]
    assert f"Test-Fail (execution #{inner[1].pk}) ended ERROR" in flow.message
    assert [s.status for s in flow.steps.all()] == ["OK", "ERROR", "skipped"]


def test_stopping_a_flow_stops_its_running_child(worker, users):
    flow = services.execution_create(job_id="Test-Flow-Gated")
    child = wait_for(lambda: JobExecution.objects.filter(parent=flow, execution_status="running").first(), 60,
                     what="the gated child to run")  # fmt: skip
    assert services.execution_stop(execution=flow, user=users["merchandiser"])
    flow, child = wait_finished(flow), wait_finished(child)
    assert flow.execution_status == child.execution_status == ExecutionStatus.ABORTED
    assert (flow.message, child.message) == (
        "Stopped by merchandiser",
        f"Stopped by merchandiser with execution #{flow.pk}",
    )
    assert [s.status for s in flow.steps.all()] == ["aborted", "skipped"]
    assert len(children(flow)) == 1


def test_a_chain_fires_once_per_success(worker):
    JobChain.objects.create(source_job="Test-Quick", target_job="Test-Beta")
    source = wait_finished(services.execution_create(job_id="Test-Quick"))
    target = wait_for(lambda: JobExecution.objects.filter(parent=source).first(), 30, what="the chained run")
    assert (target.job_id, target.trigger) == ("Test-Beta", Trigger.CHAIN)
    assert wait_finished(target).exit_status == ExitStatus.OK
    assert JobExecution.objects.filter(job_id="Test-Beta").count() == 1
