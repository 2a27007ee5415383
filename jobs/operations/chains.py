"""Chains: start a job when another finishes OK or WARN (as SFCC job rules do).

`fire()` runs when the source's finish is announced (receivers.start_chains, after the
compare-and-set finish committed). It may be announced twice (a late announcement after a
worker died), so a target starts once per source execution. A target whose locks are held
waits by the one policy (jobs.waiting): a `jobs.start_chained` task retries, then the run is
recorded as skipped. Every outcome is written to the source execution's log file.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jobs import joblog, registry, services
from jobs.models import JobExecution, Trigger
from jobs.operations import flows
from jobs.operations.models import JobChain
from jobs.waiting import LockWait, WaitOver

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

    wait = LockWait.since(first_try)
    try:
        pause = wait.next_pause(exc)
    except WaitOver as over:
        skipped = services.execution_record_skipped(
            job_id=target, reason=str(over), trigger=Trigger.CHAIN, parent=source
        )
        _log(source, "WARN", f"Chain to {target} skipped (execution #{skipped.pk}): {exc}")
        return
    if wait.is_first_pause():  # said once, not at every retry
        _log(source, "WARN", f"Chain to {target} waits: {exc}")
    try:
        start_chained.apply_async(
            kwargs={"source_id": source.pk, "target": target, "first_try": wait.first_try_iso},
            countdown=pause,
        )
    except Exception as error:  # the broker is down: nothing will retry it
        logger.warning("Could not queue the chain %s → %s: %s", source, target, error)
        _log(source, "ERROR", f"Chain to {target} lost: the job queue cannot be reached ({error})")


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
