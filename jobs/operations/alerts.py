"""Alerts: an e-mail when an execution fails, and one when it runs longer than its job's
hanging threshold (as SFCC's on-running job rule). Each is sent once per execution:
inserting the ExecutionAlert row is the claim, and it commits only with a sent e-mail."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs import joblog
from jobs.models import ACTIVE_STATUSES, ExecutionStatus, ExitStatus, JobExecution
from jobs.operations.models import ExecutionAlert, JobAlertRule

logger = logging.getLogger(__name__)

# Failures older than this when the sweep first sees them are not mailed (e.g. after an outage).
FAILURE_LOOKBACK = timedelta(hours=24)
LOG_TAIL_BYTES = 4000


def rules_for(job_ids=None) -> dict[str, JobAlertRule]:
    rules = JobAlertRule.objects.all()
    if job_ids is not None:
        rules = rules.filter(job_id__in=job_ids)
    return {rule.job_id: rule for rule in rules}


def hanging_since(execution: JobExecution, rule: JobAlertRule | None, now: datetime | None = None):
    """The threshold an active execution has run past, or None when it is not hanging."""
    if rule is None or not rule.hanging_minutes or not execution.started:
        return None
    if execution.execution_status not in (ExecutionStatus.RUNNING, ExecutionStatus.ABORTING):
        return None
    limit = timedelta(minutes=rule.hanging_minutes)
    return limit if (now or timezone.now()) - execution.started > limit else None


def hanging_executions(now: datetime | None = None) -> list[tuple[JobExecution, timedelta]]:
    """Every execution running longer than its job's threshold, in two queries."""
    rules = {rule.job_id: rule for rule in JobAlertRule.objects.filter(hanging_minutes__isnull=False)}
    if not rules:
        return []
    active = JobExecution.objects.filter(execution_status__in=ACTIVE_STATUSES, job_id__in=rules)
    found = []
    for execution in active:
        limit = hanging_since(execution, rules[execution.job_id], now)
        if limit is not None:
            found.append((execution, limit))
    return found


def sweep(now: datetime | None = None) -> int:
    """Send what is due: failure e-mails missed by the runner (reaped executions) and hanging
    e-mails. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for execution, limit in hanging_executions(now):
        sent += send_hanging(execution, limit)
    rules = {rule.job_id: rule for rule in JobAlertRule.objects.exclude(recipients="")}
    failed = (
        JobExecution.objects.filter(
            job_id__in=rules,
            execution_status=ExecutionStatus.FINISHED,
            exit_status=ExitStatus.ERROR,
            finished__gte=now - FAILURE_LOOKBACK,
        )
        .exclude(alerts__kind=ExecutionAlert.Kind.FAILURE)
        .order_by("finished")
    )
    for execution in failed:
        sent += send_failure(execution, rules[execution.job_id])
    return sent


def send_failure(execution: JobExecution, rule: JobAlertRule | None = None) -> bool:
    rule = rule or JobAlertRule.objects.filter(job_id=execution.job_id).first()
    subject = f"{execution.job_id}: execution #{execution.pk} ended ERROR"
    body = f"{execution.message or 'No message.'}\n\n{_details(execution)}"
    return _send_once(execution, ExecutionAlert.Kind.FAILURE, rule, subject, body)


def send_hanging(execution: JobExecution, limit: timedelta) -> bool:
    rule = JobAlertRule.objects.filter(job_id=execution.job_id).first()
    minutes = int(limit.total_seconds() // 60)
    subject = f"{execution.job_id}: execution #{execution.pk} is running longer than {minutes} min"
    body = (
        f"It has been running for {_minutes(execution)} min, past the job's hanging threshold of "
        f"{minutes} min. It may be stuck; open it to stop it if so.\n\n{_details(execution)}"
    )
    return _send_once(execution, ExecutionAlert.Kind.HANGING, rule, subject, body)


def _send_once(execution, kind, rule, subject, body) -> bool:
    recipients = rule.recipient_list if rule is not None else []
    if not recipients:
        return False
    try:
        with transaction.atomic():
            ExecutionAlert.objects.create(execution=execution, kind=kind, recipients=", ".join(recipients))
            # Inside the transaction: if sending fails, the claim is rolled back and retried.
            send_mail(f"[SFCC Jobs] {subject}", body, None, recipients)
    except IntegrityError:
        return False  # already sent (by the runner, or another sweep)
    except OSError:
        logger.warning("Could not send the %s e-mail of %s", kind, execution, exc_info=True)
        return False
    return True


def _details(execution: JobExecution) -> str:
    url = f"{settings.CONSOLE_BASE_URL.rstrip('/')}/executions/{execution.pk}/"
    lines = [
        f"Job: {execution.job_id}",
        f"Execution: #{execution.pk} ({execution.trigger})",
        f"Started: {_when(execution.started)}",
        f"Finished: {_when(execution.finished)}",
        f"Log file: {execution.log_file_name or '—'}",
        f"Open it: {url}",
    ]
    tail = (
        joblog.tail(joblog.log_path(execution.log_file_name), LOG_TAIL_BYTES)
        if execution.log_file_name
        else ""
    )
    if tail:
        lines += ["", "The end of its log:", tail]
    return "\n".join(lines)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z") if value else "—"


def _minutes(execution: JobExecution) -> int:
    return int((timezone.now() - execution.started).total_seconds() // 60)
