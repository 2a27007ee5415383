"""Celery tasks of the operations: a few lines each over chains and alerts."""

from celery import shared_task
from django.utils import timezone

from jobs.models import JobExecution


@shared_task(name="jobs.start_chained")
def start_chained(source_id: int, target: str, first_try: str) -> None:
    """A chain target whose locks were held: try again (chains.start queues the next try)."""
    from jobs.operations import chains

    source = JobExecution.objects.filter(pk=source_id).first()
    if source is not None:
        chains.start(source, target, first_try=timezone.datetime.fromisoformat(first_try))


@shared_task(name="jobs.check_alerts")
def check_alerts() -> int:
    """Failure and hanging e-mails not sent yet. Beat sweeps by itself (receivers.sweep_alerts),
    so this is for an operator and for messages queued by an older beat entry."""
    from jobs.operations import alerts

    return alerts.sweep()
