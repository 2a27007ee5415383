"""Writes to job executions: create (the Run button, schedules, chains, the API), stop,
finish and reap, and the heartbeats of the worker and beat processes. Views, tasks and
commands call these; none of them touches the rows directly.

Layering (top to bottom; a module imports only from layers below it, never above):
    jobs.tasks | jobs.operations       Celery entry points | chains, flows, alerts, reports
    jobs.liveness                      heartbeats of the processes, beat's own checks
    jobs.runner                        runs one execution on a worker
    jobs.services | jobs.scheduling    writes to executions | schedules (beat rows)
    jobs.waiting | jobs.signals | jobs.audit
    jobs.models, jobs.registry, jobs.joblog, jobs.context
The runner tells the operations that an execution ended only through `jobs.signals`; this
module queues the runner's task by its name in Celery's registry, without importing it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from jobs import audit, joblog, registry, selectors, signals
from jobs.joblog import log_file_name
from jobs.models import (
    ACTIVE_STATUSES,
    AuditEntry,
    ExecutionStatus,
    ExitStatus,
    JobExecution,
    PendingAnnouncement,
    ResourceLock,
    StepExecution,
    StepStatus,
    Trigger,
    WorkerHeartbeat,
)

logger = logging.getLogger(__name__)

RUN_EXECUTION_TASK = "jobs.run_execution"
# Heartbeat rows of processes not seen for this long are dropped (the newest of each kind stays,
# so "no worker since …" keeps its date).
HEARTBEAT_RETENTION = timedelta(days=7)


class LocksHeld(Exception):
    """Another execution holds some of the resources (SFCC's JobAlreadyRunningException)."""

    def __init__(self, job_id: str, holder: JobExecution | None, resources: list[str]):
        self.holder = holder
        self.resources = resources
        if holder is None:
            text = f"{job_id} cannot start now: its resources are in use."
        elif holder.job_id == job_id:
            text = f"{job_id} is already running as execution #{holder.pk}."
        else:
            shared = ", ".join(r for r in resources if not r.startswith("job:"))
            text = f"{job_id} cannot start: {holder.job_id} (execution #{holder.pk}) holds {shared}."
        super().__init__(text)


class BrokerUnavailable(Exception):
    pass


class DuplicateScheduleFire(Exception):
    """The same schedule slot fired twice (two beats): the second fire is dropped."""


def execution_create(
    *,
    job_id: str,
    trigger: str = Trigger.MANUAL,
    user=None,
    parent: JobExecution | None = None,
    schedule: str | None = None,
    dedupe_window: timedelta | None = None,
    client_id: str = "",
    parameters: list[dict] | None = None,
    shell_user: str = "",
) -> JobExecution:
    """Create a pending execution holding all its locks, and queue it once committed.
    `client_id` names the API client that started it, `shell_user` the operating-system
    account of a `runjob`; `parameters` are kept as sent.

    Raises UnknownJob, LocksHeld, DuplicateScheduleFire or BrokerUnavailable; in every
    case no execution is left pending.
    """
    job = registry.get(job_id)
    now = timezone.now()
    with transaction.atomic():
        execution = JobExecution.objects.create(
            job_id=job.id,
            trigger=trigger,
            triggered_by=user if user is not None and user.is_authenticated else None,
            parent=parent,
            dedupe_key=f"schedule:{schedule}:{now.isoformat()}" if schedule else None,
            created=now,
            log_file_name=log_file_name(job.id, now),
            task_id=str(uuid.uuid4()),
            client_id=client_id,
            shell_user=shell_user[:64],
            parameters=parameters or [],
        )
        _take_locks(execution, job.lock_names, schedule, dedupe_window)
        StepExecution.objects.bulk_create(
            StepExecution(execution=execution, position=i, name=step.name)
            for i, step in enumerate(job.steps, start=1)
        )
        if execution.triggered_by or client_id:
            by_client = f", API client {client_id}" if client_id else ""
            audit.record(
                user=execution.triggered_by,
                action=AuditEntry.Action.RUN,
                execution=execution,
                message=f"Started {job.id} ({trigger}{by_client})",
            )
        transaction.on_commit(lambda: _enqueue(execution))
    return execution


def _take_locks(execution, names, schedule, dedupe_window) -> None:
    try:
        with transaction.atomic():
            ResourceLock.objects.bulk_create(
                ResourceLock(resource=name, execution=execution) for name in names
            )
    except IntegrityError:
        holder = _holder(names)
        if schedule and holder and _same_schedule_recently(holder, schedule, dedupe_window):
            raise DuplicateScheduleFire(schedule) from None
        raise LocksHeld(execution.job_id, holder, names) from None
    if schedule and dedupe_window:
        # The job lock serialises fires of one job, so this check cannot race: a fire of the
        # same schedule that already ran within the window means this one is its duplicate.
        recent = JobExecution.objects.filter(
            job_id=execution.job_id,
            dedupe_key__startswith=f"schedule:{schedule}:",
            created__gte=execution.created - dedupe_window,
        ).exclude(pk=execution.pk)
        if recent.exists():
            raise DuplicateScheduleFire(schedule)


def _holder(names) -> JobExecution | None:
    lock = ResourceLock.objects.filter(resource__in=names).select_related("execution").first()
    return lock.execution if lock else None


def _same_schedule_recently(holder, schedule, window) -> bool:
    return bool(
        window
        and (holder.dedupe_key or "").startswith(f"schedule:{schedule}:")
        and holder.created >= timezone.now() - window
    )


def _run_execution_task():
    """The runner's Celery task, found by name: the services sit below jobs.tasks. A process
    that has not loaded the task modules yet (the web) runs Celery's autodiscovery once."""
    app = current_app
    if RUN_EXECUTION_TASK not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[RUN_EXECUTION_TASK]


def _enqueue(execution: JobExecution) -> None:
    run_execution = _run_execution_task()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        run_execution.apply(args=[execution.pk], task_id=execution.task_id)
        return
    try:
        run_execution.apply_async(args=[execution.pk], task_id=execution.task_id)
    except (KombuOperationalError, ConnectionError, OSError) as exc:
        # Nothing ran and nothing will: remove the row (its steps and locks go with it)
        # rather than leave a phantom pending execution.
        logger.warning("Could not queue %s: %s", execution, exc)
        execution.delete()
        raise BrokerUnavailable(
            "The job queue (Redis) cannot be reached, so the job was not started. "
            "Try again in a moment; if it persists, check that the broker is running."
        ) from exc


class StopRefused(Exception):
    """The execution is past the point where it can be stopped; the message says why."""


def execution_stop(*, execution: JobExecution, user=None) -> bool:
    """Ask an execution to stop. A pending one ends at once; a running one is asked to abort
    and its steps end it at the next safe point; its active children (a flow's running job)
    are asked too. Returns False if it had already ended.

    Raises StopRefused, changing nothing, when the execution has passed a point of no return
    (`execution_no_return`): e.g. the SFCC import has started and only its result can be recorded."""
    who = f" by {user.get_username()}" if user is not None and user.is_authenticated else ""
    if not _request_stop(execution, who):
        return False
    if user is not None and user.is_authenticated:
        audit.record(
            user=user,
            action=AuditEntry.Action.STOP,
            execution=execution,
            message=f"Stopped execution #{execution.pk}",
        )
    return True


def _request_stop(execution: JobExecution, who: str) -> bool:
    stopped = execution_finish(
        execution,
        status=ExecutionStatus.ABORTED,
        message=f"Stopped{who} before it started",
        from_statuses=(ExecutionStatus.PENDING,),
    )
    if not stopped:
        # A compare-and-set against the runner's `execution_no_return`: one of the two wins.
        stopped = bool(
            JobExecution.objects.filter(
                pk=execution.pk, execution_status=ExecutionStatus.RUNNING, stop_refusal=""
            ).update(execution_status=ExecutionStatus.ABORTING, message=f"Stop requested{who}")
        )
    if not stopped:
        now = JobExecution.objects.filter(pk=execution.pk).values("execution_status", "stop_refusal").first()
        if now and now["execution_status"] == ExecutionStatus.RUNNING and now["stop_refusal"]:
            raise StopRefused(f"Execution #{execution.pk} cannot be stopped: {now['stop_refusal']}.")
        return False
    for child in JobExecution.objects.filter(parent=execution, execution_status__in=ACTIVE_STATUSES):
        try:
            _request_stop(child, f"{who} with execution #{execution.pk}")
        except StopRefused as refused:
            # The parent still stops (it starts nothing more); its log says what goes on.
            joblog.append(execution.log_file_name, "WARN", f"{child.job_id} goes on: {refused}")
    return True


def execution_no_return(execution: JobExecution, reason: str) -> bool:
    """Enter a point where a Stop can no longer be honoured (e.g. start the SFCC import):
    from now on a Stop is refused with `reason`. Returns False when a Stop was requested first,
    in which case the caller must not go on. A compare-and-set with `execution_stop`."""
    return bool(
        JobExecution.objects.filter(pk=execution.pk, execution_status=ExecutionStatus.RUNNING).update(
            stop_refusal=reason[:300]
        )
    )


def execution_stoppable(execution: JobExecution) -> None:
    """Leave a point of no return that turned out not to be one (the SFCC import was refused
    as already running and will be tried again): a Stop is honoured again."""
    JobExecution.objects.filter(pk=execution.pk).update(stop_refusal="")


def execution_finish(
    execution: JobExecution,
    *,
    status: str = ExecutionStatus.FINISHED,
    exit_status: str = "",
    message: str = "",
    from_statuses=(ExecutionStatus.RUNNING, ExecutionStatus.ABORTING),
    on_finished=None,
) -> bool:
    """Compare-and-set the end of an execution and release its locks, in one transaction.
    Returns False when the execution was no longer in `from_statuses` (someone else ended it).

    Once that transaction commits, `execution_finished` is sent (jobs.signals). Its outbox row
    is written in the same transaction, so a finish is announced even if this process dies
    right after the commit (the beat tick sends what is overdue)."""
    now = timezone.now()
    with transaction.atomic():
        updated = JobExecution.objects.filter(pk=execution.pk, execution_status__in=from_statuses).update(
            execution_status=status, exit_status=exit_status, message=message, finished=now
        )
        if not updated:
            return False
        ResourceLock.objects.filter(execution=execution).delete()
        StepExecution.objects.filter(execution=execution, status=StepStatus.PENDING).update(
            status=StepStatus.SKIPPED
        )
        execution.execution_status, execution.exit_status = status, exit_status
        execution.message, execution.finished = message, now
        if on_finished is not None:
            on_finished(execution)
        PendingAnnouncement.objects.create(execution=execution, created=now)
        transaction.on_commit(lambda: _announce(execution), robust=True)
    return True


def _announce(execution: JobExecution) -> None:
    signals.announce_finished(execution)
    # Deleted after sending: at least once. The receivers are idempotent.
    PendingAnnouncement.objects.filter(execution=execution).delete()


def announce_grace() -> timedelta:
    """A finish not announced this long after it committed was interrupted (its worker died)."""
    return timedelta(seconds=settings.JOBS_ANNOUNCE_GRACE_SECONDS)


def announce_overdue(now=None) -> int:
    """Send the finishes whose announcement was interrupted (beat's checks, jobs.liveness).
    Returns how many were sent."""
    now = now or timezone.now()
    cutoff = now - announce_grace()
    overdue = PendingAnnouncement.objects.filter(created__lt=cutoff).values_list("execution_id", flat=True)
    sent = 0
    for execution in JobExecution.objects.filter(pk__in=list(overdue[:100])):
        # Claimed by moving its date on: a second beat (or a retry) sees 0 rows and leaves it,
        # and one whose receivers crash this process is tried again a grace later.
        claim = PendingAnnouncement.objects.filter(execution=execution, created__lt=cutoff)
        if not claim.update(created=now):
            continue
        logger.warning("Announcing the finish of %s late (its worker stopped before)", execution)
        _announce(execution)
        sent += 1
    return sent


def executions_reap(now=None) -> list[JobExecution]:
    """Mark executions whose worker stopped heartbeating (killed, lost) as ERROR and free
    their locks. Their watermark is untouched: only a successful finish moves it."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT_SECONDS)
    # An execution's heartbeat and its worker's are sent by two threads, up to a beat apart: while
    # its worker still looks alive, wait two beats more, so a killed worker is known dead by then
    # and the cause names it (a pool process killed under a live worker is reaped after them).
    lag = timedelta(seconds=2 * settings.JOBS_HEARTBEAT_SECONDS)
    liveness = selectors.worker_liveness(now)
    reaped = []
    # A parent waiting for a child of its own (a flow's job) holds no worker, so it does not
    # heartbeat: it lives while that child is active, or its finish is still to be announced.
    waiting_for_child = Exists(
        JobExecution.objects.filter(parent=OuterRef("pk"), execution_status__in=ACTIVE_STATUSES)
    ) | Exists(PendingAnnouncement.objects.filter(execution__parent=OuterRef("pk")))
    stale = JobExecution.objects.filter(
        execution_status__in=[ExecutionStatus.RUNNING, ExecutionStatus.ABORTING], heartbeat__lt=cutoff
    ).exclude(waiting_for_child)
    for execution in stale:
        if execution.worker in liveness.workers and execution.heartbeat >= cutoff - lag:
            continue
        # One transaction per execution: its finish is announced once the steps and the log say why.
        with transaction.atomic():
            if _reap_one(execution, now, _reap_cause(execution, liveness)):
                reaped.append(execution)
    return reaped


def _reap_cause(execution: JobExecution, liveness: selectors.Liveness) -> str:
    worker = execution.worker or "(unknown)"
    seen = _local(execution.heartbeat)
    abandoned = "The execution was abandoned and its locks released."
    if execution.worker in liveness.workers:
        return (
            f"The worker {worker} is alive, but the process running this execution stopped responding "
            f"(no heartbeat since {seen}); it was killed or lost. {abandoned}"
        )
    cause = (
        f"The worker {worker} stopped responding (no heartbeat since {seen}); it was killed or lost. "
        f"{abandoned}"
    )
    if not liveness.workers:
        phrase = no_worker_phrase(liveness)
        cause = f"{phrase[0].upper()}{phrase[1:]}: {cause[0].lower()}{cause[1:]}"
    return cause


def no_worker_phrase(liveness: selectors.Liveness) -> str:
    if liveness.worker_last_seen is None:
        return "no worker has ever reported to this console"
    return f"no worker has been alive since {_local(liveness.worker_last_seen)}"


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def _reap_one(execution: JobExecution, now, message: str) -> bool:
    if not execution_finish(execution, exit_status=ExitStatus.ERROR, message=message):
        return False
    StepExecution.objects.filter(execution=execution, status=StepStatus.RUNNING).update(
        status=StepStatus.ERROR, message="Abandoned: the worker stopped", finished=now
    )
    joblog.append(execution.log_file_name, "ERROR", message)
    logger.warning("Reaped %s: %s", execution, message)
    return True


def executions_unclaimed_fail(now=None) -> list[JobExecution]:
    """End ERROR the pending executions that no worker will take: none is alive, and they have
    waited longer than JOBS_PENDING_TIMEOUT_SECONDS. Their locks are freed and their queued
    message, if a worker ever reads it, does nothing (the claim needs a pending row)."""
    now = now or timezone.now()
    liveness = selectors.worker_liveness(now)
    if liveness.workers:
        # Busy workers take them in turn, however long the queue.
        return []
    waited = settings.JOBS_PENDING_TIMEOUT_SECONDS
    message = (
        f"Not run: no worker took it within {waited:,} seconds; {no_worker_phrase(liveness)}. "
        "Its locks were released; start a worker and run it again."
    )
    failed = []
    unclaimed = JobExecution.objects.filter(
        execution_status=ExecutionStatus.PENDING, created__lt=now - timedelta(seconds=waited)
    )
    for execution in unclaimed:
        with transaction.atomic():
            # Compare-and-set from pending: a worker that claimed it meanwhile got there first.
            if execution_finish(
                execution,
                exit_status=ExitStatus.ERROR,
                message=message,
                from_statuses=(ExecutionStatus.PENDING,),
            ):
                joblog.append(execution.log_file_name, "ERROR", message)
                logger.warning("Failed %s: %s", execution, message)
                failed.append(execution)
    return failed


def heartbeat_start(*, kind: str, name: str) -> None:
    """A worker (or beat) process starts: its row says alive from now on."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        kind=kind, name=name, defaults={"started": now, "last_seen": now, "stopped": None}
    )


def heartbeat_beat(*, kind: str, name: str) -> None:
    """The process is still alive (its row is recreated if a retention pass removed it)."""
    now = timezone.now()
    if not WorkerHeartbeat.objects.filter(kind=kind, name=name).update(last_seen=now, stopped=None):
        heartbeat_start(kind=kind, name=name)


def heartbeat_stop(*, kind: str, name: str) -> None:
    """A clean shutdown: the process says it is gone instead of going silent."""
    now = timezone.now()
    WorkerHeartbeat.objects.filter(kind=kind, name=name).update(last_seen=now, stopped=now)


def heartbeats_prune(now=None) -> int:
    """Drop the rows of processes long gone, keeping the newest of each kind."""
    cutoff = (now or timezone.now()) - HEARTBEAT_RETENTION
    keep = [
        row.pk
        for kind in WorkerHeartbeat.Kind.values
        if (row := WorkerHeartbeat.objects.filter(kind=kind).order_by("-last_seen").first())
    ]
    return WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).exclude(pk__in=keep).delete()[0]


def execution_record_skipped(
    *,
    job_id: str,
    reason: str,
    trigger: str = Trigger.SCHEDULE,
    schedule: str | None = None,
    parent: JobExecution | None = None,
    user=None,
) -> JobExecution:
    """A scheduled run, a chain target or a queued manual run (`user` asked for it) that waited
    too long for its locks: recorded, never run."""
    now = timezone.now()
    return JobExecution.objects.create(
        job_id=job_id,
        trigger=trigger,
        parent=parent,
        triggered_by=user if user is not None and user.is_authenticated else None,
        execution_status=ExecutionStatus.ABORTED,
        message=f"Skipped: {reason}",
        created=now,
        finished=now,
        dedupe_key=f"schedule:{schedule}:{now.isoformat()}" if schedule else None,
    )


def active_executions():
    return JobExecution.objects.filter(execution_status__in=ACTIVE_STATUSES)
