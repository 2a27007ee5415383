"""Run when free: a manual run refused because another execution holds its locks can be queued
behind them. It waits by the one policy (jobs.waiting), as a scheduled run does: a
`jobs.run_when_free` task tries again every retry interval, and the finish of the execution it
waits for tries at once (receivers.start_queued_runs). Once the wait is used up the run is
recorded as skipped, with the user who asked, and the queued row says why.

Every try claims the row with a compare-and-set from `waiting` inside the transaction that
creates the execution: a cancel, a retry delivered twice and the finish receiver race for it,
and exactly one wins. A try that meets the locks still held rolls its claim back.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs import audit, registry, services
from jobs.models import AuditEntry, JobExecution, Trigger
from jobs.operations.models import QueuedRun
from jobs.waiting import LockWait, WaitOver

logger = logging.getLogger(__name__)
State = QueuedRun.State


class AlreadyQueued(Exception):
    def __init__(self, queued: QueuedRun):
        self.queued = queued
        super().__init__(f"{queued.job_id} is already queued to run when free.")


def request(*, job_id: str, user) -> QueuedRun:
    """Queue a run of `job_id` for `user` and try it once: if the locks freed meanwhile it starts
    now (the row says `started`). Raises AlreadyQueued, UnknownJob, or BrokerUnavailable when the
    job queue cannot take the next try (nothing is left waiting then)."""
    job = registry.get(job_id)
    try:
        with transaction.atomic():
            queued = QueuedRun.objects.create(job_id=job.id, requested_by=user)
    except IntegrityError:
        raise AlreadyQueued(QueuedRun.objects.get(job_id=job.id, state=State.WAITING)) from None
    audit.record(
        user=user, action=AuditEntry.Action.RUN, job_id=job.id, message=f"Queued {job.id} to run when free"
    )
    attempt(queued.pk, first_try=queued.created)
    queued.refresh_from_db()
    if queued.state == State.FAILED:
        raise services.BrokerUnavailable(queued.message)
    return queued


def attempt(queued_id: int, *, first_try: datetime, retry: bool = True) -> JobExecution | None:
    """Try to start a queued run; the execution started, or None. While the locks are held it
    waits (`retry`: queue the next try; the finish receiver passes False, the retries go on),
    and once the wait is used up it ends `gave_up` with a skipped execution in the history."""
    queued = (
        QueuedRun.objects.filter(pk=queued_id, state=State.WAITING).select_related("requested_by").first()
    )
    if queued is None:
        return None  # cancelled, or another try got there first
    try:
        with transaction.atomic():
            # Someone else got there first (a cancel, a duplicate try): 0 rows, nothing to do.
            if not QueuedRun.objects.filter(pk=queued.pk, state=State.WAITING).update(
                state=State.STARTED, ended=timezone.now()
            ):
                return None
            execution = services.execution_create(job_id=queued.job_id, user=queued.requested_by)
            QueuedRun.objects.filter(pk=queued.pk).update(
                execution=execution, message=f"Started as execution #{execution.pk}"
            )
    except services.LocksHeld as exc:
        # The claim rolled back with the refused execution: the row is waiting again.
        QueuedRun.objects.filter(pk=queued.pk, state=State.WAITING).update(waiting_for=exc.holder)
        if retry:
            _wait_or_give_up(queued, first_try, exc)
        return None
    except services.BrokerUnavailable as exc:
        _end(queued, State.FAILED, f"Not started: {exc}")
        return None
    logger.info("Queued run %s started as %s", queued.pk, execution)
    return execution


def _wait_or_give_up(queued: QueuedRun, first_try: datetime, exc: services.LocksHeld) -> None:
    from jobs.operations.tasks import run_when_free

    wait = LockWait.since(first_try)
    try:
        pause = wait.next_pause(exc)
    except WaitOver as over:
        with transaction.atomic():
            if not QueuedRun.objects.filter(pk=queued.pk, state=State.WAITING).update(state=State.GAVE_UP):
                return  # cancelled meanwhile
            skipped = services.execution_record_skipped(
                job_id=queued.job_id, reason=f"Run when free gave up: {over}", trigger=Trigger.MANUAL,
                user=queued.requested_by,
            )  # fmt: skip
            _end(queued, State.GAVE_UP, f"Gave up: {over}", execution=skipped)
        return
    try:
        run_when_free.apply_async(
            kwargs={"queued_id": queued.pk, "first_try": wait.first_try_iso}, countdown=pause
        )
    except Exception as error:  # the broker is down: nothing would try again
        logger.warning("Could not queue the next try of queued run %s: %s", queued.pk, error)
        _end(queued, State.FAILED, f"Not started: the job queue cannot be reached to try again ({error})")


def _end(queued: QueuedRun, state: str, message: str, execution: JobExecution | None = None) -> None:
    fields = {"state": state, "ended": timezone.now(), "message": message[:2000]}
    if execution is not None:
        fields["execution"] = execution
    # From waiting, or from the claim of a start whose queueing failed after its commit.
    QueuedRun.objects.filter(pk=queued.pk, state__in=[State.WAITING, State.STARTED, state]).update(**fields)


def cancel(*, queued: QueuedRun, user) -> bool:
    """Cancel a waiting run; False when it had already started or ended (nothing changes)."""
    who = user.get_username() if user is not None and user.is_authenticated else "system"
    with transaction.atomic():
        if not QueuedRun.objects.filter(pk=queued.pk, state=State.WAITING).update(
            state=State.CANCELLED, ended=timezone.now(), message=f"Cancelled by {who}"
        ):
            return False
        holder = f" (it waited for #{queued.waiting_for_id})" if queued.waiting_for_id else ""
        audit.record(
            user=user,
            action=AuditEntry.Action.STOP,
            job_id=queued.job_id,
            message=f"Cancelled the queued run of {queued.job_id}{holder}",
        )
    return True


def holder_finished(execution: JobExecution) -> list[JobExecution]:
    """`execution_finished`: the runs queued behind `execution` try at once, oldest first."""
    started = []
    waiting = QueuedRun.objects.filter(state=State.WAITING, waiting_for=execution).order_by("created")
    for queued in waiting:
        if (child := attempt(queued.pk, first_try=queued.created, retry=False)) is not None:
            started.append(child)
    return started


def waiting() -> dict[str, QueuedRun]:
    """The waiting runs by job, for the Jobs page and Job History (a small set: one per job)."""
    rows = QueuedRun.objects.filter(state=State.WAITING).select_related("requested_by", "waiting_for")
    return {row.job_id: row for row in rows}
