"""One time convention: the `when` filter on every page, the per-user time zone chosen in the
header (remembered across sign-ins), schedule times in the schedule's zone and the user's."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from console.models import UserPreference
from jobs import scheduling
from jobs.scheduling import WEEKLY, Schedule
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db
MOMENT = datetime(2026, 12, 2, 13, 5, 3, tzinfo=UTC)


def render(source: str, **context) -> str:
    return Template("{% load console %}" + source).render(Context(context))


def test_it_writes_a_moment_in_the_current_zone_with_the_zone():
    with timezone.override("Europe/Paris"):
        html = render("{{ moment|when }}", moment=MOMENT)
    assert html == (
        '<time datetime="2026-12-02T14:05:03+01:00" title="Europe/Paris">'
        '<span class="nowrap">2 Dec 2026,</span> <span class="nowrap">14:05:03 CET</span></time>'
    )


def test_it_writes_a_moment_in_a_named_zone_and_a_dash_for_none():
    with timezone.override("UTC"):
        assert "21:05:03 +08" in render("{{ moment|when:'Asia/Singapore' }}", moment=MOMENT)
        assert render("{{ moment|when }}", moment=None) == "—"
        # A zone that does not exist falls back to the user's rather than failing the page.
        assert "13:05:03 UTC" in render("{{ moment|when:'Mars/Olympus' }}", moment=MOMENT)


def test_no_page_template_formats_a_date_its_own_way():
    from django.conf import settings

    templates = list((settings.BASE_DIR / "templates").rglob("*.html"))
    assert templates
    offenders = [str(path) for path in templates if "|date:" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_a_user_chooses_a_time_zone_in_the_header_and_it_is_remembered(client, users):
    make_execution("Test-Quick", created=MOMENT)
    client.force_login(users["support"])
    jobs = client.get(reverse("jobs")).content.decode()
    assert reverse("time_zone") in jobs and "Times in UTC" in jobs
    response = client.post(reverse("time_zone"), {"timezone": "America/New_York", "next": "/history/"})
    assert response.status_code == 302 and response["Location"] == "/history/"
    history = client.get(reverse("history")).content.decode()
    assert "Times in America/New_York" in history and "08:05:03 EST" in history
    # Remembered for the next sign-in, whatever the browser says.
    client.logout()
    client.cookies["tz"] = "Asia/Tokyo"
    client.force_login(users["support"])
    assert "Times in America/New_York" in client.get(reverse("jobs")).content.decode()
    # Empty follows the browser again.
    client.post(reverse("time_zone"), {"timezone": ""})
    assert UserPreference.objects.get(user=users["support"]).timezone == ""
    assert "Times in Asia/Tokyo" in client.get(reverse("jobs")).content.decode()


def test_the_time_zone_setting_refuses_an_unknown_zone_and_a_foreign_redirect(client, users):
    client.force_login(users["merchandiser"])
    response = client.post(reverse("time_zone"), {"timezone": "Mars/Olympus"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not UserPreference.objects.exists()
    response = client.post(reverse("time_zone"), {"timezone": "UTC", "next": "https://evil.example/"})
    assert response["Location"] == reverse("jobs")
    assert client.get(reverse("time_zone")).status_code == 200


def test_the_time_zone_setting_is_a_post_with_csrf(users):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["merchandiser"])
    assert strict.post(reverse("time_zone"), {"timezone": "UTC"}).status_code == 403
    assert not UserPreference.objects.exists()


def test_a_schedule_shows_its_times_in_its_zone_and_the_users(client, users):
    schedule = Schedule(
        kind=WEEKLY,
        timezone="Europe/Paris",
        at=datetime(2026, 1, 1, 2, 0).time(),
        weekdays=(0, 1, 2, 3, 4, 5, 6),
    )
    scheduling.schedule_set(job_id="Test-Quick", user=users["admin"], schedule=schedule)
    upcoming = scheduling.next_run(scheduling.schedule_get("Test-Quick"))
    client.force_login(users["admin"])
    client.post(reverse("time_zone"), {"timezone": "America/New_York"})
    tab = client.get(reverse("job_schedule", args=["Test-Quick"])).content.decode()
    summary = tab[tab.index('id="schedule-summary"') :]
    summary = summary[: summary.index("</p>")]
    iso_paris = upcoming.astimezone(scheduling.ZoneInfo("Europe/Paris")).isoformat(timespec="seconds")
    assert "Every day at 02:00 Europe/Paris — next" in summary
    assert f'datetime="{iso_paris}"' in summary and "02:00:00 CET" in summary
    assert "20:00:00 EST" in summary and "your time" in summary
    jobs = client.get(reverse("jobs")).content.decode()
    row = jobs[jobs.index('data-job="Test-Quick"') :]
    row = row[: row.index("</tr>")]
    assert "20:00:00 EST" in row and "02:00:00 CET" in row
    report = client.get(reverse("status_report")).content.decode()
    row = report[report.index('data-job="Test-Quick"') :]
    row = row[: row.index("</tr>")]
    assert "20:00:00 EST" in row and "02:00:00 CET" in row
