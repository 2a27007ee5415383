"""Helpers for the page tests: executions in any state, made directly in the database."""

from datetime import timedelta

from django.utils import timezone

from jobs.joblog import log_file_name
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, ResourceLock, StepExecution, Trigger
from jobs.registry import get
from tests import engine_jobs  # noqa: F401 - registers Test-Quick, Test-Gated… in this process


def make_execution(
    job_id="Test-Quick",
    *,
    status=ExecutionStatus.FINISHED,
    exit_status=ExitStatus.OK,
    trigger=Trigger.MANUAL,
    user=None,
    created=None,
    counts=(30, 30, 0),
    hold_locks=None,
    **fields,
):
    """A finished execution by default, with one step per job step carrying `counts`
    (read, written, errors). An active one holds its job's locks unless told otherwise."""
    created = created or timezone.now()
    active = status in (ExecutionStatus.PENDING, ExecutionStatus.RUNNING, ExecutionStatus.ABORTING)
    fields.setdefault("log_file_name", log_file_name(job_id, created))
    execution = JobExecution.objects.create(
        job_id=job_id,
        execution_status=status,
        exit_status=exit_status if status == ExecutionStatus.FINISHED else "",
        trigger=trigger,
        triggered_by=user,
        created=created,
        started=created if status != ExecutionStatus.PENDING else None,
        finished=None if active else created + timedelta(seconds=90),
        **fields,
    )
    read, written, errors = counts
    job = get(job_id)
    StepExecution.objects.bulk_create(
        StepExecution(
            execution=execution,
            position=i,
            name=step.name,
            status="running" if active and i == 1 else ("OK" if not active else "pending"),
            read_count=read,
            write_count=written,
            error_count=errors,
        )
        for i, step in enumerate(job.steps, start=1)
    )
    if hold_locks if hold_locks is not None else active:
        ResourceLock.objects.bulk_create(
            ResourceLock(resource=n, execution=execution) for n in job.lock_names
        )
    return execution
