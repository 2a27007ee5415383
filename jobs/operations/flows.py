"""Flows: one execution that runs other jobs in order, one step per job, stopping at the
first ERROR (as SFCC's job flows).

Each step starts the inner job as an execution of its own (trigger `chain`, `parent` = the
flow's execution), which takes its own locks. The flow job locks only itself: holding its
children's resources would keep them from ever starting.

A flow holds no worker slot while its child runs, so flows work on a worker of one slot:
- the runner runs the first step, which starts the first child and raises `Suspended` (the
  worker is released; the flow stays running);
- when a child ends, `execution_finished` (after its finish committed; the outbox resends it
  if the worker died) reaches `child_finished`, which ends the child's step and starts the next
  child, or ends the flow; one transaction, so a resent announcement finds it done or undone;
- a child whose locks are held waits by the one policy (jobs.waiting) as a chain does: the
  `jobs.flow_start_step` task is queued again with the pause as countdown.
While it waits the flow does not heartbeat: the reaper spares an execution with an active child
(or one whose finish is still to be announced), and each try of a lock wait is a sign of life.

Stop of a flow stops its running child (services.execution_stop); the flow ends aborted once
that child has ended, saying what the child did if it could not be stopped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jobs import joblog, registry, services
from jobs.context import StepContext, Suspended
from jobs.models import (
    DataError,
    ExecutionStatus,
    ExitStatus,
    JobExecution,
    StepExecution,
    StepStatus,
    Trigger,
)
from jobs.registry import Job, Step
from jobs.waiting import LockWait, WaitOver

logger = logging.getLogger(__name__)

# flow job id -> the inner job ids, in order (step n runs _flows[id][n - 1]).
_flows: dict[str, list[str]] = {}


def flow_job(job_id: str, description: str, job_ids: list[str], order: str = "") -> Job:
    """A job whose steps run `job_ids` one after the other (each job at most once)."""
    if len(set(job_ids)) != len(job_ids):
        raise ValueError(f"flow {job_id} names a job twice: a job cannot run twice at once")
    steps = tuple(
        Step(f"run {inner}", _first_step, f"Run {inner} and wait for it to end") for inner in job_ids
    )
    _flows[job_id] = list(job_ids)
    return Job(id=job_id, description=description, steps=steps, order=order)


def inner_jobs(job_id: str) -> list[str]:
    """The jobs a flow runs, in order; [] for a job that is not a flow. Loads the registry
    first: a process that ran no job yet (the worker that reaped a flow's job) knows no flow."""
    try:
        registry.get(job_id)
    except registry.UnknownJob:
        return []
    return _flows.get(job_id, [])


def is_flow(job_id: str) -> bool:
    return bool(inner_jobs(job_id))


def _first_step(ctx: StepContext) -> None:
    """Run by the runner for step 1 only: start its job, then release the worker."""
    inner = inner_jobs(ctx.execution.job_id)[ctx.step.position - 1]
    registry.get(inner)  # an unknown job fails the step, and the flow, with a clear message
    start_step(ctx.execution.pk, ctx.step.position, first_try=timezone.now())
    raise Suspended(f"{inner} runs as an execution of its own; the flow goes on when it ends")


def start_step(flow_id: int, position: int, *, first_try: datetime) -> None:
    """Start the job of step `position` (the step is running from here). While its locks are
    held, try again later as the `jobs.flow_start_step` task; give up after the wait (ERROR)."""
    flow = JobExecution.objects.filter(pk=flow_id).first()
    if flow is None or not flow.is_active:
        return
    if flow.execution_status == ExecutionStatus.ABORTING:
        # Stopped while no child ran (it waited for locks): nothing to stop but the flow.
        _close_step(flow, position, StepStatus.ABORTED, "Stopped before its job started")
        _end(flow, ExecutionStatus.ABORTED, "", _stopped(flow))
        return
    inner = inner_jobs(flow.job_id)[position - 1]
    now = timezone.now()
    StepExecution.objects.filter(execution=flow, position=position, status=StepStatus.PENDING).update(
        status=StepStatus.RUNNING, started=now
    )
    if JobExecution.objects.filter(parent=flow, job_id=inner).exists():
        return  # a try delivered twice: the first one started it
    try:
        child = services.execution_create(job_id=inner, trigger=Trigger.CHAIN, parent=flow)
    except services.LocksHeld as exc:
        _wait_or_fail(flow, position, first_try, exc)
        return
    except (registry.UnknownJob, services.BrokerUnavailable) as exc:
        _fail(flow, position, str(exc))
        return
    _log(flow, "INFO", f"Started {inner} as execution #{child.pk}")
    if JobExecution.objects.filter(pk=flow.pk, execution_status=ExecutionStatus.ABORTING).exists():
        # The flow was stopped while its child was being created: stop the child too.
        try:
            services.execution_stop(execution=child)
        except services.StopRefused:
            pass  # just started: not past any point of no return yet; nothing to say otherwise


def _wait_or_fail(flow: JobExecution, position: int, first_try: datetime, exc: services.LocksHeld) -> None:
    from jobs.operations.tasks import flow_start_step

    wait = LockWait.since(first_try)
    try:
        pause = wait.next_pause(exc)
    except WaitOver as over:
        _fail(flow, position, str(over))
        return
    if wait.is_first_pause():  # said once, not at every try
        _log(flow, "WARN", f"{exc} Waiting for it to end.")
    # The next try is the flow's next sign of life: the reaper leaves it alone until then.
    JobExecution.objects.filter(pk=flow.pk).update(heartbeat=timezone.now() + timedelta(seconds=pause))
    try:
        flow_start_step.apply_async(
            kwargs={"flow_id": flow.pk, "position": position, "first_try": wait.first_try_iso},
            countdown=pause,
        )
    except Exception as error:  # the broker is down: nothing would try again
        logger.warning("Could not queue the next try of %s step %s: %s", flow, position, error)
        _fail(flow, position, f"the job queue cannot be reached to try again ({error})")


def child_finished(execution: JobExecution) -> None:
    """`execution_finished` of any execution: if it is a flow's child, end its step and go on."""
    if not execution.parent_id:
        return
    flow = JobExecution.objects.filter(pk=execution.parent_id).first()
    jobs = inner_jobs(flow.job_id) if flow is not None else []
    if execution.job_id not in jobs:
        return
    position = jobs.index(execution.job_id) + 1
    try:
        with transaction.atomic():
            _go_on(flow, position, execution)
    except services.BrokerUnavailable as exc:
        # The next child could not be queued (its row is gone): the flow cannot go on.
        _fail(flow, position + 1, str(exc))


def _go_on(flow: JobExecution, position: int, child: JobExecution) -> None:
    label = child.exit_status or child.execution_status
    said = f": {child.message}" if child.message else ""
    ended = f"{child.job_id} (execution #{child.pk}) ended {label}{said}"
    succeeded = child.execution_status == ExecutionStatus.FINISHED and child.exit_status in (
        ExitStatus.OK,
        ExitStatus.WARN,
    )
    if succeeded:
        status = StepStatus.OK if child.exit_status == ExitStatus.OK else StepStatus.WARN
    else:
        status = StepStatus.ABORTED if child.execution_status == ExecutionStatus.ABORTED else StepStatus.ERROR
    errors = 1 if status == StepStatus.WARN else 0
    if not _close_step(flow, position, status, "" if status == StepStatus.OK else ended, errors=errors):
        return  # announced twice: the first announcement went on already
    _log(flow, "INFO" if succeeded else "WARN", ended)
    if errors:
        # The flow goes on and ends WARN, naming the child that warned.
        DataError.objects.create(
            execution=flow, step=f"run {child.job_id}", identifier=str(child), message=ended
        )
        JobExecution.objects.filter(pk=flow.pk).update(data_error_count=F("data_error_count") + 1)
    flow.refresh_from_db()
    if flow.execution_status == ExecutionStatus.ABORTING:
        told = (
            ""
            if child.execution_status == ExecutionStatus.ABORTED
            else f"; {ended} (it could not be stopped)"
        )
        _end(flow, ExecutionStatus.ABORTED, "", f"{_stopped(flow)}{told}")
    elif not succeeded:
        _end(flow, ExecutionStatus.FINISHED, ExitStatus.ERROR, ended)
    elif position < len(inner_jobs(flow.job_id)):
        start_step(flow.pk, position + 1, first_try=timezone.now())
    elif flow.data_error_count:
        count = flow.data_error_count
        _end(
            flow,
            ExecutionStatus.FINISHED,
            ExitStatus.WARN,
            f"{count:,} data error{'s' if count != 1 else ''}",
        )
    else:
        _end(flow, ExecutionStatus.FINISHED, ExitStatus.OK, "")


def _close_step(flow: JobExecution, position: int, status: str, message: str, errors: int = 0) -> bool:
    """Compare-and-set: end the running (or still pending) step once."""
    return bool(
        StepExecution.objects.filter(
            execution=flow, position=position, status__in=[StepStatus.RUNNING, StepStatus.PENDING]
        ).update(status=status, message=message, finished=timezone.now(), error_count=errors)
    )


def _fail(flow: JobExecution, position: int, reason: str) -> None:
    jobs = inner_jobs(flow.job_id)
    inner = jobs[position - 1] if position <= len(jobs) else "?"
    _close_step(flow, position, StepStatus.ERROR, reason)
    _log(flow, "ERROR", f"run {inner}: {reason}")
    _end(flow, ExecutionStatus.FINISHED, ExitStatus.ERROR, f"run {inner}: {reason}")


def _stopped(flow: JobExecution) -> str:
    message = JobExecution.objects.filter(pk=flow.pk).values_list("message", flat=True).first()
    return (message or "Stop requested").replace("Stop requested", "Stopped")


def _end(flow: JobExecution, status: str, exit_status: str, message: str) -> None:
    """End the flow as the runner ends an execution: compare-and-set, locks, the last log line."""
    with transaction.atomic():
        if services.execution_finish(flow, status=status, exit_status=exit_status, message=message):
            label = exit_status or status
            level = "ERROR" if exit_status == ExitStatus.ERROR else "INFO"
            _log(flow, level, f"Execution {label}{': ' + message if message else ''}")


def _log(flow: JobExecution, level: str, message: str) -> None:
    logger.info("%s: %s", flow, message)
    joblog.append(flow.log_file_name, level, message)
