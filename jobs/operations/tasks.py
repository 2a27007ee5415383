"""Celery tasks of the operations: a few lines each over chains, flows and alerts."""

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


@shared_task(name="jobs.flow_start_step")
def flow_start_step(flow_id: int, position: int, first_try: str) -> None:
    """A flow's job whose locks were held: try again (flows.start_step queues the next try)."""
    from jobs.operations import flows

    flows.start_step(flow_id, position, first_try=timezone.datetime.fromisoformat(first_try))


@shared_task(name="jobs.check_alerts")
def check_alerts() -> int:
    """Failure and hanging e-mails not sent yet. Beat sweeps by itself (receivers.sweep_alerts),
    so this is for an operator and for messages queued by an older beat entry."""
    from jobs.operations import alerts

    return alerts.sweep()


@shared_task(name="jobs.run_when_free")
def run_when_free(queued_id: int, first_try: str) -> None:
    """A run queued behind held locks: try again (queued.attempt queues the next try)."""
    from jobs.operations import queued

    queued.attempt(queued_id, first_try=timezone.datetime.fromisoformat(first_try))
