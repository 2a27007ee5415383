"""Reads for the pages, commands and the API."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from jobs.models import (
    ExecutionStatus,
    ExitStatus,
    JobExecution,
    ResourceLock,
    StepExecution,
    StepStatus,
    WorkerHeartbeat,
)


@dataclass(frozen=True)
class Liveness:
    """Which processes proved alive within the heartbeat timeout, and when each kind last did."""

    workers: frozenset[str]
    worker_last_seen: datetime | None  # None: no worker ever reported
    beat_alive: bool
    beat_last_seen: datetime | None

    @property
    def no_worker(self) -> bool:
        return not self.workers


def worker_liveness(now: datetime) -> Liveness:
    """From the heartbeat rows, in one query (a row per process, pruned: a small table)."""
    cutoff = now - timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT_SECONDS)
    alive: dict[str, set[str]] = {WorkerHeartbeat.Kind.WORKER: set(), WorkerHeartbeat.Kind.BEAT: set()}
    last: dict[str, datetime] = {}
    for kind, name, seen, stopped in WorkerHeartbeat.objects.values_list(
        "kind", "name", "last_seen", "stopped"
    ):
        if stopped is None and seen >= cutoff:
            alive[kind].add(name)
        if kind not in last or seen > last[kind]:
            last[kind] = seen
    return Liveness(
        workers=frozenset(alive[WorkerHeartbeat.Kind.WORKER]),
        worker_last_seen=last.get(WorkerHeartbeat.Kind.WORKER),
        beat_alive=bool(alive[WorkerHeartbeat.Kind.BEAT]),
        beat_last_seen=last.get(WorkerHeartbeat.Kind.BEAT),
    )


def last_executions(job_ids=None) -> dict[str, JobExecution]:
    """The newest execution of each job (History's order: created, then id), in two queries
    whatever the history's size. Each job's is one probe of the index on (job_id, -created),
    not an aggregate over all its executions (440 ms at 1,000,000 rows on PostgreSQL)."""
    if job_ids is None:
        job_ids = JobExecution.objects.order_by().values_list("job_id", flat=True).distinct()
    newest = {
        f"job_{n}": Subquery(
            JobExecution.objects.filter(job_id=job_id).order_by("-created", "-id").values("id")[:1]
        )
        for n, job_id in enumerate(job_ids)
    }
    if not newest:
        return {}
    # One row of scalar subqueries; any table with a row serves as its FROM.
    row = next(iter(JobExecution.objects.order_by().values(**newest)[:1]), {})
    ids = [pk for pk in row.values() if pk is not None]
    return {e.job_id: e for e in JobExecution.objects.filter(pk__in=ids).select_related("triggered_by")}


def held_locks() -> dict[str, JobExecution]:
    """Each held resource and the execution holding it, in one query: only active
    executions hold locks, so this stays small whatever the history's size."""
    locks = ResourceLock.objects.select_related("execution")
    return {lock.resource: lock.execution for lock in locks}


def conflicting_execution(job, locks: dict[str, JobExecution]) -> JobExecution | None:
    """The active execution that would refuse a run of `job` (its locks intersect), if any."""
    for name in job.lock_names:
        if name in locks:
            return locks[name]
    return None


def running_steps(execution_ids) -> dict[int, StepExecution]:
    """The running step of each execution (for the Jobs page's progress bars), in one query."""
    steps = StepExecution.objects.filter(execution_id__in=execution_ids, status=StepStatus.RUNNING)
    return {step.execution_id: step for step in steps}


def ever_succeeded(job_ids) -> set[str]:
    """The jobs among `job_ids` that finished OK or WARN at least once (index exec_job_exit)."""
    rows = (
        JobExecution.objects.filter(job_id__in=job_ids, exit_status__in=[ExitStatus.OK, ExitStatus.WARN])
        .values_list("job_id", flat=True)
        .distinct()
    )
    return set(rows)


def _step_sum(field: str):
    steps = StepExecution.objects.filter(execution=OuterRef("pk")).order_by().values("execution")
    return Coalesce(Subquery(steps.annotate(total=Sum(field)).values("total")), 0)


def executions_with_counts():
    """Executions, newest first, with read/written/error counts summed over their steps.

    The sums are correlated subqueries, not a JOIN + GROUP BY: the database computes them
    for the rows of one page only, and COUNT(*) for the paginator leaves them out."""
    return JobExecution.objects.select_related("triggered_by", "parent").annotate(
        read=_step_sum("read_count"), written=_step_sum("write_count"), errors=_step_sum("error_count")
    )


def execution_history(*, job_id=None, status=None, trigger=None, user=None, since=None, until=None, text=""):
    """Job History's query: every filter optional; `status` is one of STATUS_FILTERS; `text`
    is found in the job, the message or the user's name, or is an execution id ("6", "#6")."""
    executions = executions_with_counts()
    if text := (text or "").strip():
        found = (
            Q(job_id__icontains=text)
            | Q(message__icontains=text)
            | Q(triggered_by__username__icontains=text)
            | Q(shell_user__icontains=text)
            | Q(client_id__icontains=text)
        )
        if text.lstrip("#").isdigit():
            found |= Q(pk=int(text.lstrip("#")))
        executions = executions.filter(found)
    if job_id:
        executions = executions.filter(job_id=job_id)
    if status:
        executions = executions.filter(STATUS_FILTERS[status])
    if trigger:
        executions = executions.filter(trigger=trigger)
    if user is not None:
        executions = executions.filter(triggered_by=user)
    if since is not None:
        executions = executions.filter(created__gte=since)
    if until is not None:
        executions = executions.filter(created__lt=until)
    return executions


# The statuses Job History filters by, as the pages name them (the exit status once finished).
STATUS_FILTERS = {
    ExitStatus.OK.value: Q(execution_status=ExecutionStatus.FINISHED, exit_status=ExitStatus.OK),
    ExitStatus.WARN.value: Q(execution_status=ExecutionStatus.FINISHED, exit_status=ExitStatus.WARN),
    ExitStatus.ERROR.value: Q(execution_status=ExecutionStatus.FINISHED, exit_status=ExitStatus.ERROR),
    ExecutionStatus.RUNNING.value: Q(
        execution_status__in=[ExecutionStatus.RUNNING, ExecutionStatus.ABORTING]
    ),
    ExecutionStatus.PENDING.value: Q(execution_status=ExecutionStatus.PENDING),
    ExecutionStatus.ABORTED.value: Q(execution_status=ExecutionStatus.ABORTED),
}
