"""Celery tasks of the engine: a few lines each that call into the runner and the services.

Found by Celery's autodiscovery (console/celery.py), as are jobs/operations/tasks.py. The task
names are stored in beat's database rows: never rename them."""

import logging
import socket
from datetime import timedelta

from celery import shared_task

from jobs import liveness, runner, services
from jobs.models import Trigger
from jobs.registry import UnknownJob
from jobs.waiting import LockWait, WaitOver

logger = logging.getLogger(__name__)


@shared_task(name="jobs.run_execution", bind=True)
def run_execution(self, execution_id: int) -> None:
    runner.run_execution(
        execution_id, task_id=self.request.id, worker=self.request.hostname or socket.gethostname()
    )


@shared_task(name="jobs.run_scheduled", bind=True, max_retries=None)
def run_scheduled(
    self, job_id: str, schedule: str = "", window_seconds: int = 30, first_try: str = ""
) -> None:
    """Fired by beat. A run whose locks are held waits (jobs.waiting) by retrying this task,
    then is recorded as skipped; a duplicate fire of the same slot is dropped."""
    wait = LockWait.since(first_try)
    try:
        services.execution_create(
            job_id=job_id,
            trigger=Trigger.SCHEDULE,
            schedule=schedule or job_id,
            dedupe_window=timedelta(seconds=window_seconds),
        )
    except services.DuplicateScheduleFire:
        logger.info("Dropped a duplicate fire of schedule %s", schedule)
    except UnknownJob:
        logger.error("Schedule %s names an unknown job %r", schedule, job_id)
    except services.LocksHeld as exc:
        try:
            pause = wait.next_pause(exc)
        except WaitOver as over:
            services.execution_record_skipped(job_id=job_id, reason=str(over), schedule=schedule)
            return
        raise self.retry(
            countdown=pause,
            kwargs={"job_id": job_id, "schedule": schedule, "window_seconds": window_seconds,
                    "first_try": wait.first_try_iso},
        ) from None  # fmt: skip


@shared_task(name="jobs.reap")
def reap() -> int:
    """Beat's liveness checks run on a worker: beat runs them itself (jobs.liveness), so this
    is only for an operator (`celery -A console call jobs.reap`) and for messages queued by
    an older beat entry. Returns how many executions it ended."""
    result = liveness.tick()
    return result.reaped + result.unclaimed
