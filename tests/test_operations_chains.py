"""Chains in-process: a success starts the chained job once, with trigger `chain` and its
parent; failures, disabled chains and a flow's inner jobs start nothing; held locks wait,
then are recorded as skipped; a loop is refused."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from jobs import runner, services
from jobs.joblog import log_path
from jobs.models import ExecutionStatus, JobExecution, Trigger
from jobs.operations import chains
from jobs.operations.models import JobChain
from tests import operations_jobs  # noqa: F401 - registers the test flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The `jobs.start_chained` retries that would go to the broker."""
    calls = []
    monkeypatch.setattr(
        "jobs.operations.tasks.start_chained.apply_async", lambda **kwargs: calls.append(kwargs)
    )
    return calls


def chain(source, target, enabled=True):
    return JobChain.objects.create(source_job=source, target_job=target, enabled=enabled)


def run(job_id, **kwargs):
    execution = services.execution_create(job_id=job_id, **kwargs)
    # The test's transaction never commits: run the finish's on-commit announcement here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        runner.run_execution(execution.pk, task_id=execution.task_id)
    execution.refresh_from_db()
    return execution


def chained(source):
    return list(JobExecution.objects.filter(parent=source, trigger=Trigger.CHAIN))


def test_it_starts_the_target_once_after_a_success(no_enqueue):
    chain("Test-Quick", "Test-Beta")
    source = run("Test-Quick")
    started = chained(source)
    assert [(e.job_id, e.execution_status) for e in started] == [("Test-Beta", ExecutionStatus.PENDING)]
    # The same message delivered again, and a second fire, start nothing more.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert runner.run_execution(source.pk, task_id=source.task_id) is None
    chains.fire(source)
    assert len(chained(source)) == 1
    assert (
        f"Chain: started Test-Beta as execution #{started[0].pk}"
        in log_path(source.log_file_name).read_text()
    )


def test_it_starts_after_warn_too(no_enqueue):
    chain("Test-DataErrors", "Test-Beta")
    source = run("Test-DataErrors")
    assert source.exit_status == "WARN"
    assert [e.job_id for e in chained(source)] == ["Test-Beta"]


def test_it_starts_nothing_after_an_error_or_when_disabled(no_enqueue):
    chain("Test-Fail", "Test-Beta")
    chain("Test-Quick", "Test-Beta", enabled=False)
    assert chained(run("Test-Fail")) == []
    assert chained(run("Test-Quick")) == []


def test_it_chains_a_chained_execution_in_turn(no_enqueue):
    chain("Test-Quick", "Test-Beta")
    chain("Test-Beta", "Test-Free")
    source = run("Test-Quick")
    middle = chained(source)[0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        runner.run_execution(middle.pk, task_id=middle.task_id)
    assert [e.job_id for e in chained(middle)] == ["Test-Free"]


def test_the_inner_jobs_of_a_flow_fire_no_chains(no_enqueue):
    chain("Test-Quick", "Test-Beta")
    flow = services.execution_create(job_id="Test-Flow")
    inner = run("Test-Quick", trigger=Trigger.CHAIN, parent=flow)
    assert inner.exit_status == "OK"
    assert chained(inner) == []


def test_a_target_whose_locks_are_held_waits_and_says_so(no_enqueue, queued):
    chain("Test-Quick", "Test-Beta")
    holder = services.execution_create(job_id="Test-Beta")
    source = run("Test-Quick")
    assert chained(source) == []
    assert queued[0]["kwargs"]["source_id"] == source.pk and queued[0]["kwargs"]["target"] == "Test-Beta"
    text = log_path(source.log_file_name).read_text()
    assert f"Chain to Test-Beta waits: Test-Beta is already running as execution #{holder.pk}" in text
    # Once the holder is done, the retry starts it.
    services.execution_stop(execution=holder)
    chains.start(source, "Test-Beta", first_try=timezone.now() - timedelta(seconds=20))
    assert [e.execution_status for e in chained(source)] == [ExecutionStatus.PENDING]


def test_a_target_that_waited_too_long_is_recorded_as_skipped(no_enqueue, queued, settings):
    settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS = 60
    chain("Test-Quick", "Test-Beta")
    services.execution_create(job_id="Test-Beta")
    source = run("Test-Quick")
    chains.start(source, "Test-Beta", first_try=timezone.now() - timedelta(seconds=61))
    (skipped,) = chained(source)
    assert skipped.execution_status == ExecutionStatus.ABORTED
    assert skipped.message.startswith("Skipped: Test-Beta is already running")
    assert "Chain to Test-Beta skipped" in log_path(source.log_file_name).read_text()
    assert len(queued) == 1  # the first wait only


def test_it_refuses_a_loop_a_self_chain_and_a_duplicate(users):
    chains.chain_add(source="Test-Quick", target="Test-Beta", user=users["admin"])
    chains.chain_add(source="Test-Beta", target="Test-Free", user=users["admin"])
    with pytest.raises(chains.ChainInvalid, match="would loop"):
        chains.chain_add(source="Test-Free", target="Test-Quick", user=users["admin"])
    with pytest.raises(chains.ChainInvalid, match="cannot start itself"):
        chains.chain_add(source="Test-Quick", target="Test-Quick", user=users["admin"])
    with pytest.raises(chains.ChainInvalid, match="already starts after"):
        chains.chain_add(source="Test-Quick", target="Test-Beta", user=users["admin"])
