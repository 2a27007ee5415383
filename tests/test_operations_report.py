"""The Job Status Report on a known history: figures, CSV, constant query count, disk use."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import ExecutionStatus, JobExecution
from jobs.operations import report
from tests import engine_jobs  # noqa: F401 - registers Test-Quick…

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def past(job_id, exit_status, *, days_ago, seconds, status=ExecutionStatus.FINISHED):
    finished = NOW - timedelta(days=days_ago)
    started = finished - timedelta(seconds=seconds)
    return JobExecution.objects.create(
        job_id=job_id,
        execution_status=status,
        exit_status=exit_status,
        created=started,
        started=started,
        finished=finished,
    )


@pytest.fixture
def history():
    """Test-Quick over 45 days; the 30-day window holds 4 OK, 1 WARN and 2 ERROR."""
    past("Test-Quick", "OK", days_ago=45, seconds=999)  # outside the window
    past("Test-Quick", "ERROR", days_ago=40, seconds=5)  # outside the window
    past("Test-Quick", "ERROR", days_ago=20, seconds=5)
    past("Test-Quick", "WARN", days_ago=10, seconds=100)
    for days, seconds in [(6, 10), (5, 20), (4, 30)]:
        past("Test-Quick", "OK", days_ago=days, seconds=seconds)
    past("Test-Quick", "ERROR", days_ago=3, seconds=5)
    past("Test-Quick", "", days_ago=2, seconds=3, status=ExecutionStatus.ABORTED)  # not counted
    last_ok = past("Test-Quick", "OK", days_ago=1, seconds=40)
    newest = past("Test-Quick", "ERROR", days_ago=0.5, seconds=7)
    return last_ok, newest


def row_of(job_id):
    return next(row for row in report.job_statuses(NOW) if row.job.id == job_id)


def test_it_computes_the_figures_of_a_known_history(history):
    last_ok, newest = history
    row = row_of("Test-Quick")
    assert row.last.pk == newest.pk and row.last.status_label == "ERROR"
    assert row.last_success == last_ok.finished
    assert (row.failures_7d, row.failures_30d) == (2, 3)
    assert (row.finished_30d, row.succeeded_30d) == (8, 5)
    assert row.success_rate == pytest.approx(62.5)
    # Successful durations 10, 20, 30, 40, 100 s: median 30 s; p95 between 40 and 100 at 0.8.
    assert row.median == timedelta(seconds=30)
    assert row.p95.total_seconds() == pytest.approx(88)


def test_the_python_percentile_matches_the_database_one():
    values = [timedelta(seconds=s) for s in (40, 10, 100, 30, 20)]
    assert report.percentile(values, 0.5) == timedelta(seconds=30)
    assert report.percentile(values, 0.95).total_seconds() == pytest.approx(88)
    assert report.percentile([timedelta(seconds=7)], 0.95) == timedelta(seconds=7)


def test_a_job_never_run_has_empty_figures(history):
    row = row_of("Test-Beta")
    assert row.last is None and row.success_rate is None and row.median is None
    assert (row.failures_7d, row.failures_30d) == (0, 0)


def test_the_csv_has_a_row_per_job(history):
    rows = report.job_statuses(NOW)
    lines = report.to_csv(rows).splitlines()
    assert lines[0].startswith("job,last status,last execution")
    quick = next(line for line in lines if line.startswith("Test-Quick,"))
    assert ",ERROR," in quick and ",2,3,8,62.5,30.0,88.0," in quick
    assert len(lines) == len(rows) + 1


def test_it_keeps_the_query_count_constant(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as few:
        report.job_statuses(NOW)
    for days in range(1, 30):
        past("Test-Beta", "OK", days_ago=days, seconds=days)
        past("Test-Free", "ERROR", days_ago=days, seconds=days)
    with django_assert_max_num_queries(len(few.captured_queries)):
        report.job_statuses(NOW)


def test_it_measures_the_logs_and_archives_on_disk(storage_root):
    before = report.disk_usage()
    (storage_root / "logs").mkdir(exist_ok=True)
    (storage_root / "logs" / "Job-usage-test.log").write_bytes(b"x" * 100)
    (storage_root / "artifacts" / "usage").mkdir(parents=True, exist_ok=True)
    (storage_root / "artifacts" / "usage" / "X.zip").write_bytes(b"z" * 1000)
    after = report.disk_usage()
    assert after.log_bytes - before.log_bytes == 100 and after.log_files - before.log_files == 1
    assert after.artifact_bytes - before.artifact_bytes == 1000
