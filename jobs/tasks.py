"""Celery tasks: a few lines each that call into the runner and the services."""

import logging
import socket
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from jobs import runner, services
from jobs.models import Trigger
from jobs.registry import UnknownJob

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
    """Fired by beat. A run whose locks are held waits (retrying) up to the configured time,
    then is recorded as skipped; a duplicate fire of the same slot is dropped."""
    first = timezone.datetime.fromisoformat(first_try) if first_try else timezone.now()
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
        waited = (timezone.now() - first).total_seconds()
        if waited >= settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS:
            services.execution_record_skipped(
                job_id=job_id, reason=f"{exc} Waited {waited:.0f}s for it.", schedule=schedule
            )
            return
        raise self.retry(
            countdown=settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS,
            kwargs={"job_id": job_id, "schedule": schedule, "window_seconds": window_seconds,
                    "first_try": first.isoformat()},
        ) from None  # fmt: skip


@shared_task(name="jobs.reap")
def reap() -> int:
    return len(services.executions_reap())


# The operations' tasks (chains waiting for locks, alerts), registered with this module.
from jobs.operations.tasks import check_alerts, start_chained  # noqa: E402,F401
