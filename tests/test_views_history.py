"""Operations › Job History: newest first, filters, counts summed from steps, log links,
and a constant number of queries whatever the page size or history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import ExecutionStatus, ExitStatus, JobExecution, StepExecution, Trigger
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db


def shown(response) -> list[int]:
    return [execution.pk for execution in response.context["page"]]


@pytest.fixture
def history(users):
    """Six executions an hour apart, newest last."""
    start = timezone.now() - timedelta(hours=10)
    specs = [
        ("Test-Quick", ExecutionStatus.FINISHED, ExitStatus.OK, Trigger.MANUAL, users["merchandiser"]),
        ("Test-Quick", ExecutionStatus.FINISHED, ExitStatus.WARN, Trigger.SCHEDULE, None),
        ("Test-Fail", ExecutionStatus.FINISHED, ExitStatus.ERROR, Trigger.MANUAL, users["admin"]),
        ("Test-Beta", ExecutionStatus.ABORTED, "", Trigger.MANUAL, users["merchandiser"]),
        ("Test-Free", ExecutionStatus.PENDING, "", Trigger.API, None),
        ("Test-Gated", ExecutionStatus.RUNNING, "", Trigger.CHAIN, None),
    ]
    return [
        make_execution(job, status=status, exit_status=exit_status, trigger=trigger, user=user,
                       created=start + timedelta(hours=n))
        for n, (job, status, exit_status, trigger, user) in enumerate(specs)
    ]  # fmt: skip


@pytest.fixture
def support(client, users):
    client.force_login(users["support"])
    return client


def test_it_lists_executions_newest_first(support, history):
    response = support.get(reverse("history"))
    assert shown(response) == [e.pk for e in reversed(history)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"job": "Test-Quick"}, [1, 0]),
        ({"status": "OK"}, [0]),
        ({"status": "WARN"}, [1]),
        ({"status": "ERROR"}, [2]),
        ({"status": "aborted"}, [3]),
        ({"status": "pending"}, [4]),
        ({"status": "running"}, [5]),
        ({"trigger": "schedule"}, [1]),
        ({"trigger": "manual", "user": "merchandiser"}, [3, 0]),
        ({"job": "Test-Quick", "status": "ERROR"}, []),
    ],
)
def test_it_filters(support, history, query, expected):
    response = support.get(reverse("history"), query)
    assert shown(response) == [history[n].pk for n in expected]


def test_it_filters_by_date_in_the_users_time_zone(support, users):
    tokyo = ZoneInfo("Asia/Tokyo")
    # 23:30 on the 1st in Tokyo is still the 1st there, but the 1st at 14:30 in UTC.
    late = make_execution(created=datetime(2026, 3, 1, 23, 30, tzinfo=tokyo))
    next_day = make_execution(created=datetime(2026, 3, 2, 0, 30, tzinfo=tokyo))
    support.cookies["tz"] = "Asia/Tokyo"
    response = support.get(reverse("history"), {"since": "2026-03-01", "until": "2026-03-01"})
    assert shown(response) == [late.pk]
    response = support.get(reverse("history"), {"since": "2026-03-02"})
    assert shown(response) == [next_day.pk]


def test_it_names_a_bad_filter_and_shows_everything(support, history):
    response = support.get(reverse("history"), {"since": "not a date"})
    assert "From: Enter a valid date." in response.content.decode()
    assert len(shown(response)) == len(history)


def test_it_sums_counts_over_the_steps(support):
    execution = make_execution("Test-Quick", counts=(30, 20, 2))  # two steps
    response = support.get(reverse("history"))
    row = response.context["page"][0]
    assert (row.pk, row.read, row.written, row.errors) == (execution.pk, 60, 40, 4)
    page = response.content.decode()
    assert 'data-label="Read">60</td>' in page and 'data-label="Written">40</td>' in page


def test_it_shows_zero_counts_for_executions_without_steps(support):
    execution = make_execution("Test-Quick")
    StepExecution.objects.filter(execution=execution).delete()
    row = support.get(reverse("history")).context["page"][0]
    assert (row.read, row.written, row.errors) == (0, 0, 0)


def test_it_shows_who_triggered_and_the_log_link(support, history):
    page = support.get(reverse("history")).content.decode()
    assert "by merchandiser" in page
    assert reverse("execution_log", args=[history[0].pk]) in page


def test_it_paginates_by_25(support):
    JobExecution.objects.bulk_create(
        JobExecution(job_id="Test-Quick", execution_status="finished", exit_status="OK") for _ in range(60)
    )
    first = support.get(reverse("history"))
    assert len(shown(first)) == 25 and "Page 1 of 3" in first.content.decode()
    last = support.get(reverse("history"), {"page": 3})
    assert len(shown(last)) == 10
    # Filters survive paging.
    page = support.get(reverse("history"), {"job": "Test-Quick", "page": 2}).content.decode()
    assert "?job=Test-Quick&amp;page=3" in page


def test_it_counts_a_long_history_only_as_far_as_a_reader_pages(support, monkeypatch):
    """Past the horizon the total is a floor ("more than"); paging on moves the horizon, so
    every page stays reachable and the last one says the exact total again."""
    monkeypatch.setattr("console.pagination.HORIZON", 50)
    JobExecution.objects.bulk_create(
        JobExecution(job_id="Test-Quick", execution_status="finished", exit_status="OK") for _ in range(120)
    )
    first = support.get(reverse("history")).content.decode()
    assert "Page 1 of more than 2 · more than 50 in all" in first
    third = support.get(reverse("history"), {"page": 3})
    assert (
        len(shown(third)) == 25 and "Page 3 of more than 4 · more than 100 in all" in third.content.decode()
    )
    assert "page=4" in third.content.decode()  # an older page is offered past the first horizon
    last = support.get(reverse("history"), {"page": 5})
    assert len(shown(last)) == 20 and "Page 5 of 5 · 120 in all" in last.content.decode()


def test_it_keeps_the_query_count_constant(support, users, django_assert_max_num_queries):
    make_execution("Test-Quick", user=None)
    with django_assert_max_num_queries(10) as few:
        support.get(reverse("history"))
    for n in range(40):
        # Triggered by a user and chained: names and parents come from the same query.
        make_execution(
            "Test-Quick" if n % 2 else "Test-Fail", user=users["admin"], parent=JobExecution.objects.first()
        )
    JobExecution.objects.bulk_create(
        JobExecution(job_id="Test-Beta", execution_status="finished", exit_status="OK") for _ in range(2000)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        support.get(reverse("history"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        support.get(reverse("history"), {"job": "Test-Quick", "status": "OK"})


def test_it_finds_executions_by_text_and_execution_id(client, users):
    failed = make_execution(
        "Test-Fail", exit_status=ExitStatus.ERROR, message="Akeneo refused the credentials"
    )
    mine = make_execution("Test-Beta", user=users["merchandiser"])
    other = make_execution("Test-Quick")
    client.force_login(users["support"])
    search = lambda q: shown(client.get(reverse("history"), {"q": q}))  # noqa: E731
    assert search("credentials") == [failed.pk]
    assert search("test-beta") == [mine.pk]
    assert search("merchand") == [mine.pk]
    assert search(f"#{other.pk}") == [other.pk] and search(str(other.pk)) == [other.pk]
    assert 'type="search"' in client.get(reverse("history")).content.decode()


def test_its_quick_ranges_count_from_now_and_from_midnight(client, users):
    now = timezone.now()
    recent = make_execution("Test-Quick", created=now - timedelta(hours=2))
    yesterday = make_execution("Test-Quick", created=now - timedelta(hours=30))
    last_month = make_execution("Test-Quick", created=now - timedelta(days=20))
    client.force_login(users["support"])
    assert shown(client.get(reverse("history"), {"range": "24h"})) == [recent.pk]
    assert shown(client.get(reverse("history"), {"range": "7d"})) == [recent.pk, yesterday.pk]
    assert last_month.pk not in shown(client.get(reverse("history"), {"range": "7d"}))
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # Two hours ago is today unless it is not yet two o'clock; 30 hours ago never is.
    expected = [recent.pk] if recent.created >= midnight else []
    assert shown(client.get(reverse("history"), {"range": "today"})) == expected


def test_a_shell_run_shows_the_operating_system_user(client, users, no_enqueue):
    import getpass

    from django.core.management import call_command

    call_command("runjob", "Test-Quick")
    execution = JobExecution.objects.get()
    assert (execution.trigger, execution.shell_user) == (Trigger.SHELL, getpass.getuser())
    client.force_login(users["support"])
    page = client.get(reverse("history")).content.decode()
    assert f'<span class="trigger">shell</span> <span class="muted">by {getpass.getuser()}</span>' in page


@pytest.mark.parametrize(
    "url, crumbs",
    [
        ("/jobs/", "Operations"),
        ("/history/", "Operations"),
        ("/jobs/Test-Quick/", "Operations › Jobs"),
        ("/jobs/Test-Quick/schedule/", "Operations › Jobs"),
        ("/reports/status/", "Operations"),
        ("/config/", "Configuration"),
        ("/config/history/", "Configuration › Import configuration"),
        ("/users/", "Administration"),
        ("/audit/", "Administration"),
        ("/account/tokens/", "Account"),
    ],
)
def test_every_page_has_breadcrumbs_of_one_form(client, users, url, crumbs):
    import re

    client.force_login(users["admin"])
    page = client.get(url).content.decode()
    found = re.search(r'<p class="crumbs">(.*?)</p>', page, re.S)
    assert found, url
    assert " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()) == crumbs
