"""Operations › Jobs: the table, Run and its refusals, the live refresh, the import order warning."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from jobs import services
from jobs.models import AuditEntry, ExecutionStatus, ExitStatus, JobExecution, StepExecution
from jobs.pipeline.definitions import ATTRIBUTES, DIFFERENTIAL_PRODUCTS, MEDIA_PRICEBOOK
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def words(html: str) -> str:
    """The text a reader sees: tags dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def row_of(page: str, job_id: str) -> str:
    start = page.index(f'data-job="{job_id}"')
    return page[start : page.index("</tr>", start)]


def test_it_lists_every_job_with_its_last_execution(client, users):
    make_execution("Test-Quick", exit_status=ExitStatus.ERROR, created=timezone.now() - timedelta(hours=1))
    make_execution("Test-Quick", exit_status=ExitStatus.WARN, message="3 data errors")
    client.force_login(users["merchandiser"])
    page = client.get(reverse("jobs")).content.decode()
    for job_id in ["Test-Quick", "Test-Gated", ATTRIBUTES, DIFFERENTIAL_PRODUCTS]:
        assert f'data-job="{job_id}"' in page
    quick = row_of(page, "Test-Quick")
    assert "badge-warn" in quick and "3 data errors" in quick and "badge-error" not in quick
    assert "1 min 30 s" in quick
    assert "Never run" in row_of(page, "Test-Free")


def test_it_links_jobs_whose_ids_have_spaces(client, users):
    client.force_login(users["support"])
    page = client.get(reverse("jobs")).content.decode()
    assert 'href="/jobs/1-%20Akeneo-Import-Attributes/"' in page
    assert client.get("/jobs/1-%20Akeneo-Import-Attributes/").status_code == 200


def test_it_shows_progress_and_polls_while_something_runs(client, users):
    running = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    StepExecution.objects.filter(execution=running).update(read_count=300, total=1200)
    client.force_login(users["merchandiser"])
    page = client.get(reverse("jobs")).content.decode()
    gated = row_of(page, "Test-Gated")
    assert 'value="25"' in gated and "Step 1 of 1: wait" in gated and "300 of 1,200 (25 %)" in gated
    assert 'hx-trigger="every 2s"' in page and "data-poll" in page
    # Test-Quick shares the lock "alpha": its Run is disabled and says why, in the page.
    quick = row_of(page, "Test-Quick")
    assert "disabled" in quick and "Waiting" not in quick and "title=" not in quick.split("refusal")[0][-300:]
    assert f"Busy: #{running.pk} Test-Gated (manual, since" in words(quick) and "holds alpha." in words(quick)
    assert f'<a class="holder-link" href="/executions/{running.pk}/">#{running.pk}</a>' in quick
    assert reverse("job_run_when_free", args=["Test-Quick"]) in quick and "Run when free" in quick
    assert "disabled" not in row_of(page, "Test-Free")


def test_it_stops_polling_when_nothing_runs(client, users):
    make_execution("Test-Quick")
    client.force_login(users["merchandiser"])
    fragment = client.get(reverse("jobs_table")).content.decode()
    assert fragment.lstrip().startswith("<div") or 'id="jobs-table"' in fragment
    assert "<html" not in fragment
    assert "hx-trigger" not in fragment and "data-poll" not in fragment


def test_it_shows_the_active_execution_over_a_newer_skipped_one(client, users):
    running = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    services.execution_record_skipped(job_id="Test-Gated", reason="locks held")
    client.force_login(users["support"])
    gated = row_of(client.get(reverse("jobs")).content.decode(), "Test-Gated")
    assert reverse("execution", args=[running.pk]) in gated and "badge-running" in gated


def test_it_runs_a_job(client, users, no_enqueue):
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run", args=["Test-Quick"]))
    assert response.status_code == 302 and response.url == reverse("jobs")
    execution = JobExecution.objects.get()
    assert (execution.job_id, execution.trigger, execution.triggered_by) == (
        "Test-Quick",
        "manual",
        users["merchandiser"],
    )
    assert execution.execution_status == ExecutionStatus.PENDING
    assert messages_of(response) == [f"Started Test-Quick as execution #{execution.pk}."]
    assert AuditEntry.objects.get().action == AuditEntry.Action.RUN


def test_it_refuses_a_run_naming_the_execution_that_holds_the_locks(client, users, no_enqueue):
    holder = make_execution("Test-Gated", status=ExecutionStatus.RUNNING, user=users["admin"])
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run", args=["Test-Quick"]), follow=True)
    assert JobExecution.objects.count() == 1
    page = response.content.decode()
    message = page[
        page.index('class="message message-error"') : page.index("</li>", page.index("message-error"))
    ]
    # Who holds what, with a link to the holder, its job, who started it and since when.
    text = words(message)
    assert f"Test-Quick cannot start: #{holder.pk} Test-Gated (manual by admin, since" in text
    assert text.endswith("holds alpha.")
    assert f'href="/executions/{holder.pk}/"' in message and f'datetime="{holder.started:%Y-%m-%d}' in message


def test_it_starts_one_execution_on_a_double_click(client, users, no_enqueue):
    client.force_login(users["merchandiser"])
    client.post(reverse("job_run", args=["Test-Quick"]))
    response = client.post(reverse("job_run", args=["Test-Quick"]), follow=True)
    execution = JobExecution.objects.get()
    page = response.content.decode()
    assert f"Test-Quick is already running as #{execution.pk} (manual by merchandiser, since" in words(page)
    assert 'class="message message-info"' in page


@pytest.mark.django_db(transaction=True)
def test_it_says_clearly_when_the_broker_is_down(client, users, monkeypatch):
    # A real commit, so that the engine's on_commit queueing runs and meets the dead broker.
    def unreachable(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6391. Connection refused.")

    monkeypatch.setattr("jobs.tasks.run_execution.apply_async", unreachable)
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run", args=["Test-Quick"]), follow=True)
    assert "The job queue (Redis) cannot be reached" in response.content.decode()
    assert not JobExecution.objects.exists()


def test_it_answers_404_for_an_unknown_job(client, users):
    client.force_login(users["admin"])
    assert client.post(reverse("job_run", args=["No-Such-Job"])).status_code == 404
    assert client.get(reverse("job", args=["No-Such-Job"])).status_code == 404


def test_it_warns_when_a_product_import_runs_before_jobs_1_and_2(client, users, no_enqueue):
    make_execution(ATTRIBUTES, exit_status=ExitStatus.OK)
    make_execution(MEDIA_PRICEBOOK, exit_status=ExitStatus.ERROR)
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run", args=[DIFFERENTIAL_PRODUCTS]))
    texts = messages_of(response)
    assert texts[0].startswith(f"Started {DIFFERENTIAL_PRODUCTS}")
    assert texts[1].startswith(f"{MEDIA_PRICEBOOK} never finished OK")
    assert ATTRIBUTES not in texts[1]
    assert JobExecution.objects.filter(job_id=DIFFERENTIAL_PRODUCTS).exists()
    general = client.get(reverse("job", args=[DIFFERENTIAL_PRODUCTS])).content.decode()
    assert f"{MEDIA_PRICEBOOK} never finished OK" in general


def test_it_does_not_warn_once_jobs_1_and_2_succeeded(client, users, no_enqueue):
    make_execution(ATTRIBUTES, exit_status=ExitStatus.WARN)
    make_execution(MEDIA_PRICEBOOK, exit_status=ExitStatus.OK)
    client.force_login(users["merchandiser"])
    response = client.post(reverse("job_run", args=[DIFFERENTIAL_PRODUCTS]))
    assert len(messages_of(response)) == 1
    assert (
        "never finished OK" not in client.get(reverse("job", args=[DIFFERENTIAL_PRODUCTS])).content.decode()
    )


def test_it_shows_a_jobs_steps_locks_and_order(client, users):
    client.force_login(users["support"])
    page = client.get(reverse("job", args=["Test-Gated"])).content.decode()
    assert "Runs until released" in page and ">wait<" in page
    assert '<span class="pill">alpha</span>' in page and '<span class="pill">beta</span>' in page
    attributes = client.get(reverse("job", args=[ATTRIBUTES])).content.decode()
    assert "1, then 2, then 3-1 (differential) or 3-2 (full)" in attributes


def test_it_keeps_the_query_count_constant_with_many_executions(client, users, django_assert_max_num_queries):
    client.force_login(users["merchandiser"])
    make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    # 13: the constant part, including the median duration of the running job (its time left).
    with django_assert_max_num_queries(13) as few:
        client.get(reverse("jobs"))
    bulk = [
        JobExecution(job_id=job_id, execution_status="finished", exit_status="OK", created=timezone.now())
        for job_id in ["Test-Quick", "Test-Beta", "Test-Free", "Test-Fail"]
        for _ in range(500)
    ]
    JobExecution.objects.bulk_create(bulk)
    make_execution("Test-DataErrors", status=ExecutionStatus.RUNNING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("jobs"))
