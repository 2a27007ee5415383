"""The Job Status Report: every job's last status, last success, failures in 7 and 30 days,
success rate, median and 95th-percentile duration, next run; as rows for the page, as CSV,
and as the `Job-Status-Report` job's e-mail.

A constant number of aggregate queries whatever the history's size. Figures over the last
30 days: the success rate counts finished executions (OK and WARN succeed, ERROR fails;
stopped ones are left out); durations are those of the successful executions.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Max, Q
from django.utils import timezone

from jobs import registry, scheduling, selectors
from jobs.joblog import LOG_DIR
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, StepStatus
from jobs.operations import alerts

WINDOW_DAYS = 30
SHORT_WINDOW_DAYS = 7
SUCCESS = (ExitStatus.OK, ExitStatus.WARN)
ARTIFACT_DIR = "artifacts"


@dataclass
class JobStatus:
    job: registry.Job
    last: JobExecution | None
    last_success: datetime | None
    failures_7d: int
    failures_30d: int
    finished_30d: int
    succeeded_30d: int
    median: timedelta | None
    p95: timedelta | None
    next_run: datetime | None
    hanging: timedelta | None
    schedule_zone: str = ""  # the time zone of the job's schedule, for its next run

    @property
    def success_rate(self) -> float | None:
        """Percent of the last 30 days' finished executions that ended OK or WARN."""
        if not self.finished_30d:
            return None
        return 100 * self.succeeded_30d / self.finished_30d


def job_statuses(now: datetime | None = None) -> list[JobStatus]:
    now = now or timezone.now()
    jobs = registry.all_jobs()
    ids = [job.id for job in jobs]
    last = selectors.last_executions(ids)
    counts = _counts(ids, now)
    successes = _last_successes(ids)
    durations = _durations(ids, now)
    schedules = scheduling.schedules_for(ids)
    rules = alerts.rules_for(ids)
    rows = []
    for job in jobs:
        count, schedule, execution = counts.get(job.id, {}), schedules.get(job.id), last.get(job.id)
        median, p95 = durations.get(job.id, (None, None))
        rows.append(
            JobStatus(
                job=job,
                last=execution,
                last_success=successes.get(job.id),
                failures_7d=count.get("failures_7d", 0),
                failures_30d=count.get("failures_30d", 0),
                finished_30d=count.get("runs", 0),
                succeeded_30d=count.get("succeeded", 0),
                median=median,
                p95=p95,
                next_run=scheduling.next_run(schedule, now) if schedule else None,
                hanging=alerts.hanging_since(execution, rules.get(job.id), now) if execution else None,
                schedule_zone=schedule.timezone if schedule else "",
            )
        )
    return rows


def _recent(ids, now):
    return JobExecution.objects.filter(
        job_id__in=ids,
        execution_status=ExecutionStatus.FINISHED,
        finished__gte=now - timedelta(days=WINDOW_DAYS),
    )


def _counts(ids, now) -> dict[str, dict]:
    error = Q(exit_status=ExitStatus.ERROR)
    short = Q(finished__gte=now - timedelta(days=SHORT_WINDOW_DAYS))
    rows = (
        _recent(ids, now)
        .order_by()
        .values("job_id")
        .annotate(
            runs=Count("pk"),
            succeeded=Count("pk", filter=Q(exit_status__in=SUCCESS)),
            failures_30d=Count("pk", filter=error),
            failures_7d=Count("pk", filter=error & short),
        )
    )
    return {row["job_id"]: row for row in rows}


def _last_successes(ids) -> dict[str, datetime]:
    rows = (
        JobExecution.objects.filter(job_id__in=ids, exit_status__in=SUCCESS)
        .order_by()
        .values("job_id")
        .annotate(last=Max("finished"))
    )
    return {row["job_id"]: row["last"] for row in rows}


class _PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate; it interpolates, as `percentile()` does."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float):
        super().__init__(expression, fraction=float(fraction))


def _durations(ids, now) -> dict[str, tuple[timedelta, timedelta]]:
    """Median and 95th percentile of the successful executions' durations, per job."""
    successful = _recent(ids, now).filter(exit_status__in=SUCCESS, started__isnull=False).order_by()
    took = ExpressionWrapper(F("finished") - F("started"), output_field=DurationField())
    if connection.vendor == "postgresql":
        rows = successful.values("job_id").annotate(
            median=_PercentileCont(took, 0.5), p95=_PercentileCont(took, 0.95)
        )
        return {row["job_id"]: (row["median"], row["p95"]) for row in rows}
    # Other databases have no percentile aggregate: one query for the durations, sorted here.
    by_job: dict[str, list[timedelta]] = {}
    for job_id, value in successful.annotate(took=took).values_list("job_id", "took"):
        by_job.setdefault(job_id, []).append(value)
    return {job_id: (percentile(values, 0.5), percentile(values, 0.95)) for job_id, values in by_job.items()}


def median_durations(job_ids, now: datetime | None = None) -> dict[str, timedelta]:
    """The median duration of each job's successful executions of the last 30 days (the
    Reports page's Median column), for the time left of a running execution."""
    durations = _durations(list(job_ids), now or timezone.now())
    return {job_id: median for job_id, (median, _) in durations.items() if median is not None}


# --- live progress ------------------------------------------------------------------------


@dataclass
class Progress:
    """How far an active execution has come, in numbers a page can show."""

    step_count: int
    step_number: int | None = None  # 1-based position of the running step; None while queued
    step_name: str = ""
    step_words: str = ""  # the step's description from the registry, or its name
    done: int | None = None  # items of the running step read (or skipped) so far
    total: int | None = None  # items the running step will read, when the source said so
    elapsed: timedelta | None = None
    expected: timedelta | None = None  # the job's median duration; None without history

    @property
    def queued(self) -> bool:
        return self.step_number is None

    @property
    def step_percent(self) -> int | None:
        if not self.total or self.done is None:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def percent(self) -> int | None:
        """The whole execution: the elapsed share of the usual duration while that is known
        (capped at 99 until it ends), else the finished steps plus the running one's share."""
        if self.queued:
            return None
        if self.expected and self.elapsed is not None:
            return min(99, round(100 * self.elapsed / self.expected))
        if self.step_count:
            within = (self.step_percent or 0) / 100
            return min(99, round(100 * ((self.step_number - 1) + within) / self.step_count))
        return None

    @property
    def left(self) -> timedelta | None:
        """The usual duration minus what has elapsed; None without history or once past it."""
        if self.expected is None or self.elapsed is None or self.elapsed >= self.expected:
            return None
        return self.expected - self.elapsed

    @property
    def overdue(self) -> bool:
        return self.expected is not None and self.elapsed is not None and self.elapsed >= self.expected


def progress_of(execution: JobExecution, steps, expected: timedelta | None, now: datetime | None = None):
    """The Progress of an active execution from its step rows (any order), or None once it ended."""
    if not execution.is_active:
        return None
    now = now or timezone.now()
    try:
        definitions = {step.name: step for step in registry.get(execution.job_id).steps}
        step_count = len(definitions)
    except registry.UnknownJob:
        definitions, step_count = {}, 0
    steps = list(steps)
    step_count = max(step_count, len(steps))
    running = next((step for step in steps if step.status == StepStatus.RUNNING), None)
    elapsed = now - execution.started if execution.started else None
    if running is None or execution.execution_status == ExecutionStatus.PENDING:
        return Progress(step_count=step_count, elapsed=elapsed, expected=expected)
    definition = definitions.get(running.name)
    return Progress(
        step_count=step_count,
        step_number=running.position,
        step_name=running.name,
        step_words=(definition.description if definition else "") or running.name,
        done=running.read_count + running.skip_count,
        total=running.total,
        elapsed=elapsed,
        expected=expected,
    )


def percentile(values: list[timedelta], fraction: float) -> timedelta:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- disk ------------------------------------------------------------------------------


@dataclass
class DiskUsage:
    log_bytes: int
    log_files: int
    artifact_bytes: int
    artifact_files: int


def disk_usage() -> DiskUsage:
    root = Path(settings.STORAGE_ROOT)
    log_bytes, log_files = _folder_size(root / LOG_DIR)
    artifact_bytes, artifact_files = _folder_size(root / ARTIFACT_DIR)
    return DiskUsage(log_bytes, log_files, artifact_bytes, artifact_files)


def _folder_size(folder: Path) -> tuple[int, int]:
    size = files = 0
    for base, _, names in os.walk(folder):
        for name in names:
            try:
                size += os.stat(os.path.join(base, name)).st_size
            except FileNotFoundError:
                continue  # pruned while we looked
            files += 1
    return size, files


# --- CSV -------------------------------------------------------------------------------

CSV_HEADER = [
    "job", "last status", "last execution", "last start", "last end", "last success",
    "failures 7 days", "failures 30 days", "finished 30 days", "success rate %",
    "median duration s", "p95 duration s", "next run", "hanging",
]  # fmt: skip


def to_csv(rows: list[JobStatus]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        last = row.last
        writer.writerow(
            [
                row.job.id,
                last.status_label if last else "never run",
                last.pk if last else "",
                _iso(last.started if last else None),
                _iso(last.finished if last else None),
                _iso(row.last_success),
                row.failures_7d,
                row.failures_30d,
                row.finished_30d,
                "" if row.success_rate is None else f"{row.success_rate:.1f}",
                _seconds(row.median),
                _seconds(row.p95),
                _iso(row.next_run),
                "yes" if row.hanging else "",
            ]
        )
    return out.getvalue()


def _iso(value: datetime | None) -> str:
    return value.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds") if value else ""


def _seconds(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds():.1f}"


# --- the Job-Status-Report job ----------------------------------------------------------


def text_summary(rows: list[JobStatus], usage: DiskUsage) -> str:
    lines = [f"Job Status Report, {timezone.localtime():%Y-%m-%d %H:%M %Z}", ""]
    for row in rows:
        last = row.last.status_label if row.last else "never run"
        rate = "—" if row.success_rate is None else f"{row.success_rate:.0f} %"
        flag = "  ** HANGING **" if row.hanging else ""
        lines.append(
            f"{row.job.id}: {last}{flag}; failures 7 d {row.failures_7d}, 30 d {row.failures_30d}; "
            f"success rate {rate}; median {_seconds(row.median) or '—'} s, p95 {_seconds(row.p95) or '—'} s"
        )
    lines += [
        "",
        f"Log files: {usage.log_files:,} ({usage.log_bytes:,} bytes); "
        f"archives: {usage.artifact_files:,} ({usage.artifact_bytes:,} bytes)",
        "The attached CSV has every figure.",
    ]
    return "\n".join(lines)


def send_status_report(ctx) -> None:
    """The job's one step: the report as an artifact, and e-mailed to the recipients."""
    from django.core.mail import EmailMessage

    from jobs.operations.models import OperationsSettings

    rows = job_statuses()
    body = text_summary(rows, disk_usage())
    name = f"job-status-report-{timezone.now():%Y%m%d%H%M%S}.csv"
    path = ctx.workdir / name
    path.write_text(to_csv(rows), encoding="utf-8")
    ctx.read(len(rows))
    artifact = ctx.add_artifact(path, kind="report")
    recipients = OperationsSettings.load().report_recipient_list
    if not recipients:
        ctx.warning("No report recipients are configured (Reports page): the report was kept, not sent")
        return
    message = EmailMessage("[SFCC Jobs] Job Status Report", body, None, recipients)
    message.attach(
        name, (Path(settings.STORAGE_ROOT) / artifact["path"]).read_text(encoding="utf-8"), "text/csv"
    )
    message.send()
    ctx.wrote(len(recipients))
    ctx.info(f"Sent to {', '.join(recipients)}")
