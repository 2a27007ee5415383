"""Console latency: many executions in the database, then the pages timed with Django's
test client (no HTTP server in between) and their SQL queries counted."""

from __future__ import annotations

import random
import statistics
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import registry, roles
from jobs.joblog import log_file_name
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, StepExecution, StepStatus, Trigger
from jobs.pipeline.definitions import DIFFERENTIAL_PRODUCTS, FULL_PRODUCTS

BATCH = 2000
WARM_UP = 5
SEED = 7
# A year of a busy console: mostly scheduled differential imports, now and then a failure.
JOB_WEIGHTS = {DIFFERENTIAL_PRODUCTS: 70, FULL_PRODUCTS: 10}
OUTCOMES = [(ExitStatus.OK, 86), (ExitStatus.WARN, 8), (ExitStatus.ERROR, 5), ("aborted", 1)]
TRIGGERS = [(Trigger.SCHEDULE, 70), (Trigger.MANUAL, 22), (Trigger.CHAIN, 6), (Trigger.API, 2)]


@dataclass
class PageTiming:
    name: str
    url: str
    status: int
    p50_ms: float
    p95_ms: float
    queries: int
    queries_few_rows: int | None = None  # the same page before the executions were added

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "status": self.status,
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "queries": self.queries,
            "queries_few_rows": self.queries_few_rows,
        }


def administrator() -> User:
    roles.ensure_roles()
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"email": "bench@example.com"})
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


def seed_executions(count: int) -> None:
    """`count` finished executions spread over the last year, with their step rows, in bulk."""
    rng = random.Random(SEED)
    users = [
        User.objects.get_or_create(username=name)[0]
        for name in ("merchandiser-1", "merchandiser-2", "admin-1")
    ]
    jobs = registry.all_jobs()
    weights = [JOB_WEIGHTS.get(job.id, 10) for job in jobs]
    now = timezone.now()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        planned = [_plan(rng, jobs, weights, users, now) for _ in range(size)]
        with transaction.atomic():
            JobExecution.objects.bulk_create([p.execution for p in planned], batch_size=BATCH)
            steps = [step for p in planned for step in _steps(rng, p)]
            StepExecution.objects.bulk_create(steps, batch_size=BATCH)
        made += size
    if connection.vendor == "postgresql":
        # The tables as autovacuum keeps a history that grew over a year. With the empty
        # table's statistics a page's query is estimated costly enough to be JIT-compiled
        # (half a second of compiling a query that runs in a millisecond), and without the
        # visibility map the paginator's COUNT(*) reads every row (History p95 614 -> 51 ms).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE jobs_jobexecution, jobs_stepexecution")


@dataclass
class _Planned:
    execution: JobExecution
    job: registry.Job
    outcome: str


def _plan(rng, jobs, weights, users, now) -> _Planned:
    job = rng.choices(jobs, weights)[0]
    outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    trigger = rng.choices([t for t, _ in TRIGGERS], [w for _, w in TRIGGERS])[0]
    created = now - timedelta(seconds=rng.uniform(60, 365 * 86400))
    started = created + timedelta(seconds=rng.uniform(0.1, 3))
    finished = started + timedelta(seconds=rng.uniform(5, 900))
    aborted = outcome == "aborted"
    execution = JobExecution(
        job_id=job.id,
        execution_status=ExecutionStatus.ABORTED if aborted else ExecutionStatus.FINISHED,
        exit_status="" if aborted else outcome,
        message={
            ExitStatus.WARN: "12 data errors",
            ExitStatus.ERROR: "export-products: Akeneo unreachable",
        }.get(outcome, "Stopped by merchandiser-1" if aborted else ""),
        trigger=trigger,
        triggered_by=rng.choice(users) if trigger == Trigger.MANUAL else None,
        created=created,
        started=started,
        finished=finished,
        log_file_name=log_file_name(job.id, created),
        data_error_count=12 if outcome == ExitStatus.WARN else 0,
        worker="worker@bench",
    )
    return _Planned(execution, job, outcome)


def _steps(rng, planned: _Planned) -> list[StepExecution]:
    """Steps before the failing one OK, the failing one ERROR (or aborted), the rest pending."""
    execution, outcome, count = planned.execution, planned.outcome, len(planned.job.steps)
    failing = rng.randrange(count) if outcome in (ExitStatus.ERROR, "aborted") else count
    rows = []
    for position, name in enumerate((step.name for step in planned.job.steps), start=1):
        if position < failing + 1:
            status = StepStatus.WARN if outcome == ExitStatus.WARN and position == 2 else StepStatus.OK
        elif position == failing + 1:
            status = StepStatus.ERROR if outcome == ExitStatus.ERROR else StepStatus.ABORTED
        else:
            status = StepStatus.PENDING
        ran = status != StepStatus.PENDING
        read = rng.randrange(0, 5000) if ran else 0
        rows.append(
            StepExecution(
                execution=execution,
                position=position,
                name=name,
                status=status,
                started=execution.started if ran else None,
                finished=execution.finished if ran else None,
                read_count=read,
                write_count=read,
                error_count=12 if status == StepStatus.WARN else 0,
            )
        )
    return rows


def pages(execution_id: int) -> dict[str, str]:
    return {
        "jobs": "/jobs/",
        "history": "/history/",
        "history_filtered": "/history/?" + urlencode({"job": FULL_PRODUCTS, "status": ExitStatus.ERROR}),
        "execution": f"/executions/{execution_id}/",
    }


def count_queries(client: Client, url: str) -> tuple[int, int]:
    """(HTTP status, number of SQL queries) of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def time_page(client: Client, name: str, url: str, requests: int) -> PageTiming:
    for _ in range(WARM_UP):
        client.get(url)
    status, queries = count_queries(client, url)
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
    return PageTiming(name, url, status, statistics.median(timings), p95, queries)


def logged_in_client() -> Client:
    # Static files are not collected for a benchmark; WhiteNoise would warn on every request.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    client = Client()
    client.force_login(administrator())
    return client
