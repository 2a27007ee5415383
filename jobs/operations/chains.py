"""Chains: start a job when another finishes OK or WARN (as SFCC job rules do).

The runner calls `fire()` once, after its compare-and-set finish succeeded, so a success
fires its chains once. A target whose locks are held waits, as a scheduled run does: a
`jobs.start_chained` task retries until JOBS_SCHEDULED_LOCK_WAIT_SECONDS have passed, then the
run is recorded as skipped. Every outcome is written to the source execution's log file.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs import joblog, registry, services
from jobs.models import ExecutionStatus, JobExecution, Trigger
from jobs.operations import flows
from jobs.operations.models import JobChain

logger = logging.getLogger(__name__)


class ChainInvalid(ValueError):
    pass


def targets_of(job_id: str) -> list[str]:
    return list(JobChain.objects.filter(source_job=job_id, enabled=True).values_list("target_job", flat=True))


def fire(execution: JobExecution) -> list[str]:
    """Start the enabled chains of a job that just finished OK or WARN; returns the targets."""
    if _started_by_flow(execution):
        # A flow decides what runs after its inner jobs; their own chains would race it.
        return []
    targets = targets_of(execution.job_id)
    for target in targets:
        start(execution, target, first_try=timezone.now())
    return targets


def _started_by_flow(execution: JobExecution) -> bool:
    if not execution.parent_id:
        return False
    parent_job = JobExecution.objects.filter(pk=execution.parent_id).values_list("job_id", flat=True).first()
    return parent_job is not None and flows.is_flow(parent_job)


def start(source: JobExecution, target: str, *, first_try: datetime) -> JobExecution | None:
    """Start `target` after `source`; while its locks are held, retry later (or give up)."""
    if JobExecution.objects.filter(parent=source, job_id=target, trigger=Trigger.CHAIN).exists():
        # A retry delivered twice: the first one started it (the job lock serialises them).
        return None
    try:
        started = services.execution_create(job_id=target, trigger=Trigger.CHAIN, parent=source)
    except services.LocksHeld as exc:
        _wait_or_skip(source, target, first_try, exc)
        return None
    except (registry.UnknownJob, services.BrokerUnavailable) as exc:
        _log(source, "ERROR", f"Chain to {target} not started: {exc}")
        return None
    _log(source, "INFO", f"Chain: started {target} as execution #{started.pk}")
    return started


def _wait_or_skip(source: JobExecution, target: str, first_try: datetime, exc: services.LocksHeld) -> None:
    from jobs.operations.tasks import start_chained

    waited = (timezone.now() - first_try).total_seconds()
    if waited >= settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS:
        skipped = _record_skipped(source, target, f"{exc} Waited {waited:.0f}s for it.")
        _log(source, "WARN", f"Chain to {target} skipped (execution #{skipped.pk}): {exc}")
        return
    if waited < settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS:  # said once, not at every retry
        _log(source, "WARN", f"Chain to {target} waits: {exc}")
    try:
        start_chained.apply_async(
            kwargs={"source_id": source.pk, "target": target, "first_try": first_try.isoformat()},
            countdown=settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS,
        )
    except Exception as error:  # the broker is down: nothing will retry it
        logger.warning("Could not queue the chain %s → %s: %s", source, target, error)
        _log(source, "ERROR", f"Chain to {target} lost: the job queue cannot be reached ({error})")


def _record_skipped(source: JobExecution, target: str, reason: str) -> JobExecution:
    now = timezone.now()
    return JobExecution.objects.create(
        job_id=target,
        trigger=Trigger.CHAIN,
        parent=source,
        execution_status=ExecutionStatus.ABORTED,
        message=f"Skipped: {reason}",
        created=now,
        finished=now,
    )


def _log(source: JobExecution, level: str, message: str) -> None:
    logger.info("%s: %s", source, message)
    joblog.append(source.log_file_name, level, message)


# --- configuration ---------------------------------------------------------------------


def chain_add(*, source: str, target: str, user) -> JobChain:
    """Add an enabled chain; refuses unknown jobs, a job chained to itself, a duplicate and
    a cycle (A → B → A would run for ever)."""
    for job_id in (source, target):
        registry.get(job_id)
    if source == target:
        raise ChainInvalid("A job cannot start itself.")
    with transaction.atomic():
        if JobChain.objects.filter(source_job=source, target_job=target).exists():
            raise ChainInvalid(f"{target} already starts after {source}.")
        if _reaches(target, source):
            raise ChainInvalid(f"{source} already runs after {target}: the chain would loop.")
        return JobChain.objects.create(source_job=source, target_job=target, created_by=user)


def _reaches(start: str, goal: str) -> bool:
    """Whether the chains (enabled or not) lead from `start` to `goal`."""
    edges: dict[str, list[str]] = {}
    for source, target in JobChain.objects.values_list("source_job", "target_job"):
        edges.setdefault(source, []).append(target)
    seen, todo = set(), [start]
    while todo:
        job = todo.pop()
        if job == goal:
            return True
        if job not in seen:
            seen.add(job)
            todo.extend(edges.get(job, []))
    return False
