"""Reads for the pages: the newest execution of each job, whatever the history's size."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from jobs import selectors
from jobs.models import JobExecution


@pytest.mark.django_db
def test_the_newest_execution_of_each_job_is_history_s_first_in_two_queries(django_assert_num_queries):
    now = timezone.now()

    def made(job_id: str, minutes_ago: int) -> JobExecution:
        return JobExecution.objects.create(job_id=job_id, created=now - timedelta(minutes=minutes_ago))

    made("Test-Quick", 30)
    tie_first = made("Test-Quick", 10)
    tie_second = made("Test-Quick", 10)  # same moment: the higher id is the newer, as in History
    made("Test-Quick", 20)  # a higher id but created earlier
    beta = made("Test-Beta", 5)
    JobExecution.objects.filter(pk=tie_first.pk).update(created=tie_second.created)

    with django_assert_num_queries(2):
        newest = selectors.last_executions(["Test-Quick", "Test-Beta", "Test-Never-Run"])
    assert {job: e.pk for job, e in newest.items()} == {"Test-Quick": tie_second.pk, "Test-Beta": beta.pk}
    first = JobExecution.objects.filter(job_id="Test-Quick").first()  # History's order
    assert first.pk == newest["Test-Quick"].pk
    assert {job: e.pk for job, e in selectors.last_executions().items()} == {
        job: e.pk for job, e in newest.items()
    }
    assert selectors.last_executions([]) == {}


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_the_console_s_short_queries():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
