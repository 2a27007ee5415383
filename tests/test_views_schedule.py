"""A job's Schedule and History tab: the form, the django-celery-beat rows it writes, the
words and next run it shows, and the scheduling bridge's pure functions."""

import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, PeriodicTask, PeriodicTasks

from jobs import scheduling
from jobs.models import AuditEntry
from jobs.scheduling import INTERVAL, ONCE, WEEKLY, Schedule, describe, next_run, summary
from tests.pages_fixtures import make_execution

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
# Monday 23 November 2026, 11:20 in Paris.
NOW = datetime(2026, 11, 23, 11, 20, tzinfo=PARIS)


def schedule_url(job_id="Test-Quick"):
    return reverse("job_schedule", args=[job_id])


def form(**fields):
    data = {"enabled": "on", "trigger": "recurring", "timezone": "Europe/Paris"}
    data.update(fields)
    return data


# --- words and next run (no database) -------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (Schedule(kind=INTERVAL, every=1, period="minutes"), "Every minute"),
        (Schedule(kind=INTERVAL, every=15, period="minutes"), "Every 15 minutes"),
        (Schedule(kind=INTERVAL, every=2, period="hours"), "Every 2 hours"),
        (Schedule(kind=INTERVAL, every=1, period="days"), "Every day"),
        (
            Schedule(kind=WEEKLY, at=time(2), weekdays=tuple(range(7)), timezone="Europe/Paris"),
            "Every day at 02:00 Europe/Paris",
        ),
        (
            Schedule(kind=WEEKLY, at=time(6, 30), weekdays=(0, 1, 2, 3, 4), timezone="UTC"),
            "Every weekday (Mon–Fri) at 06:30 UTC",
        ),
        (Schedule(kind=WEEKLY, at=time(23, 5), weekdays=(6,)), "Every Sunday at 23:05 UTC"),
        (Schedule(kind=WEEKLY, at=time(8), weekdays=(0, 2, 4)), "Mon, Wed and Fri at 08:00 UTC"),
        (
            Schedule(kind=ONCE, run_at=datetime(2026, 12, 24, 18, 0), timezone="Europe/Paris"),
            "Once on Thu 24 Dec 2026 at 18:00 Europe/Paris",
        ),
        (
            Schedule(
                kind=INTERVAL,
                every=6,
                period="hours",
                start_date=date(2026, 12, 1),
                end_date=date(2026, 12, 31),
            ),
            "Every 6 hours, from 1 Dec 2026, until 31 Dec 2026",
        ),
    ],
)
def test_it_describes_schedules_in_words(schedule, text):
    assert describe(schedule) == text


def test_it_says_when_a_daily_schedule_runs_next():
    daily = Schedule(kind=WEEKLY, at=time(2), weekdays=tuple(range(7)), timezone="Europe/Paris")
    assert next_run(daily, NOW) == datetime(2026, 11, 24, 2, 0, tzinfo=PARIS)
    assert summary(daily, NOW) == "Every day at 02:00 Europe/Paris — next Tue 24 Nov, 02:00"


def test_it_finds_the_next_chosen_weekday():
    fridays = Schedule(kind=WEEKLY, at=time(11, 20), weekdays=(4,), timezone="Europe/Paris")
    assert next_run(fridays, NOW) == datetime(2026, 11, 27, 11, 20, tzinfo=PARIS)
    mondays = Schedule(kind=WEEKLY, at=time(11, 20), weekdays=(0,), timezone="Europe/Paris")
    # Today's slot is now exactly: the next one is a week later.
    assert next_run(mondays, NOW) == datetime(2026, 11, 30, 11, 20, tzinfo=PARIS)


def test_it_keeps_the_wall_clock_time_across_a_dst_change():
    daily = Schedule(kind=WEEKLY, at=time(2, 30), weekdays=tuple(range(7)), timezone="Europe/Paris")
    # Summer time ends on Sunday 25 October 2026: 02:30 is UTC+2 before, UTC+1 after.
    summer = next_run(daily, datetime(2026, 10, 23, 12, 0, tzinfo=PARIS))
    winter = next_run(daily, datetime(2026, 10, 26, 12, 0, tzinfo=PARIS))
    assert summer.astimezone(UTC) == datetime(2026, 10, 24, 0, 30, tzinfo=UTC)
    assert winter.astimezone(UTC) == datetime(2026, 10, 27, 1, 30, tzinfo=UTC)


def test_it_counts_an_interval_from_the_last_run():
    every_hour = Schedule(kind=INTERVAL, every=1, period="hours", last_run=NOW - timedelta(minutes=20))
    assert next_run(every_hour, NOW) == NOW + timedelta(minutes=40)
    assert summary(every_hour, NOW) == "Every hour — next Mon 23 Nov, 11:00 UTC"
    # Overdue (beat was down): it runs at once.
    late = Schedule(kind=INTERVAL, every=1, period="hours", last_run=NOW - timedelta(hours=3))
    assert next_run(late, NOW) == NOW


def test_it_respects_the_from_and_to_dates():
    later = Schedule(
        kind=WEEKLY,
        at=time(2),
        weekdays=tuple(range(7)),
        timezone="Europe/Paris",
        start_date=date(2026, 12, 1),
    )
    assert next_run(later, NOW) == datetime(2026, 12, 1, 2, 0, tzinfo=PARIS)
    ended = Schedule(
        kind=WEEKLY,
        at=time(2),
        weekdays=tuple(range(7)),
        timezone="Europe/Paris",
        end_date=date(2026, 11, 23),
    )
    assert next_run(ended, NOW) is None
    assert summary(ended, NOW).endswith("— no further runs")
    interval_later = Schedule(kind=INTERVAL, every=5, period="minutes", start_date=date(2026, 12, 1))
    assert next_run(interval_later, NOW) == datetime(2026, 12, 1, tzinfo=UTC)


def test_it_has_no_next_run_when_disabled():
    off = Schedule(kind=INTERVAL, every=5, period="minutes", enabled=False)
    assert next_run(off, NOW) is None
    assert summary(off, NOW) == "Every 5 minutes — disabled"


def test_it_runs_a_one_off_at_its_time():
    once = Schedule(kind=ONCE, run_at=datetime(2026, 11, 24, 18, 0), timezone="Europe/Paris")
    assert next_run(once, NOW) == datetime(2026, 11, 24, 18, 0, tzinfo=PARIS)


def test_it_sets_the_dedupe_window_to_half_the_period_capped():
    assert Schedule(kind=INTERVAL, every=1, period="minutes").window_seconds == 30
    assert Schedule(kind=INTERVAL, every=4, period="minutes").window_seconds == 120
    assert Schedule(kind=INTERVAL, every=1, period="days").window_seconds == scheduling.MAX_WINDOW_SECONDS
    assert Schedule(kind=WEEKLY, at=time(2), weekdays=(0,)).window_seconds == 30


# --- the form and the django-celery-beat rows ------------------------------------------------


@pytest.fixture
def admin(client, users):
    client.force_login(users["admin"])
    return users["admin"]


def task():
    return PeriodicTask.objects.select_related("interval", "crontab", "clocked").get(name="job:Test-Quick")


@pytest.mark.django_db
def test_it_saves_an_interval_schedule(client, admin):
    changed_before = PeriodicTasks.last_change()
    response = client.post(schedule_url(), form(recurrence="interval", every="15", period="minutes"))
    assert response.status_code == 302
    saved = task()
    assert (saved.interval.every, saved.interval.period) == (15, "minutes")
    assert saved.crontab is None and saved.clocked is None and not saved.one_off and saved.enabled
    assert saved.task == "jobs.run_scheduled"
    assert json.loads(saved.kwargs) == {
        "job_id": "Test-Quick",
        "schedule": "job:Test-Quick",
        "window_seconds": 300,
    }
    # Beat's DatabaseScheduler reloads when this moves: no restart needed.
    assert PeriodicTasks.last_change() != changed_before
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.user, entry.job_id) == ("schedule", admin, "Test-Quick")
    assert entry.message.startswith("Every 15 minutes — next")
    page = client.get(schedule_url()).content.decode()
    assert "Every 15 minutes — next" in page


@pytest.mark.django_db
def test_it_saves_a_time_of_day_on_weekdays_with_its_time_zone(client, admin):
    data = form(recurrence="weekly", at="02:00", weekdays=["0", "2", "4"], start_date="2030-01-01")
    assert client.post(schedule_url(), data).status_code == 302
    cron = task().crontab
    assert (cron.minute, cron.hour, cron.day_of_week) == ("0", "2", "1,3,5")
    assert (cron.day_of_month, cron.month_of_year, str(cron.timezone)) == ("*", "*", "Europe/Paris")
    assert task().start_time == datetime(2030, 1, 1, tzinfo=PARIS)
    assert json.loads(task().kwargs)["window_seconds"] == 30
    # Read back as it was entered.
    schedule = scheduling.schedule_get("Test-Quick")
    assert (schedule.kind, schedule.at, schedule.weekdays) == (WEEKLY, time(2), (0, 2, 4))
    assert (schedule.timezone, schedule.start_date) == ("Europe/Paris", date(2030, 1, 1))
    assert next_run(schedule) == datetime(2030, 1, 2, 2, 0, tzinfo=PARIS)


@pytest.mark.django_db
def test_it_saves_a_one_off_run_as_a_clocked_schedule(client, admin):
    when = (timezone.now() + timedelta(days=3)).astimezone(PARIS).replace(second=0, microsecond=0)
    data = form(trigger="once", run_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert client.post(schedule_url(), data).status_code == 302
    saved = task()
    assert saved.one_off and saved.interval is None and saved.crontab is None
    assert saved.clocked.clocked_time == when
    schedule = scheduling.schedule_get("Test-Quick")
    assert (schedule.kind, schedule.timezone, schedule.run_at) == (
        ONCE,
        "Europe/Paris",
        when.replace(tzinfo=None),
    )


@pytest.mark.django_db
def test_it_replaces_the_schedule_of_a_job(client, admin):
    client.post(schedule_url(), form(recurrence="weekly", at="02:00", weekdays=[str(d) for d in range(7)]))
    client.post(schedule_url(), form(recurrence="interval", every="1", period="hours", enabled=""))
    saved = task()
    assert PeriodicTask.objects.filter(name__startswith="job:").count() == 1
    assert saved.crontab is None and saved.interval.every == 1 and not saved.enabled
    assert CrontabSchedule.objects.filter(hour="2").exists()  # the shared row stays for others
    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db
def test_it_removes_a_schedule(client, admin):
    client.post(schedule_url(), form(recurrence="interval", every="5", period="minutes"))
    response = client.post(reverse("job_schedule_delete", args=["Test-Quick"]))
    assert response.status_code == 302
    assert not PeriodicTask.objects.filter(name="job:Test-Quick").exists()
    assert AuditEntry.objects.first().message == "Schedule removed"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (form(recurrence="interval", every="0", period="minutes"), "every", "greater than or equal to 1"),
        (form(recurrence="interval", every="", period="minutes"), "every", "Enter how often it runs."),
        (form(recurrence="weekly", at="02:00"), "weekdays", "Choose at least one weekday."),
        (form(recurrence="weekly", at="25:00", weekdays=["1"]), "at", "Enter a valid time."),
        (form(trigger="once", run_at="2001-01-01T10:00"), "run_at", "Choose a date and time in the future."),
        (form(trigger="once", run_at="soon"), "run_at", "Enter a valid date/time."),
        (form(trigger="once"), "run_at", "Enter the date and time to run it."),
        (
            form(timezone="Mars/Olympus_Mons", recurrence="interval", every="5", period="minutes"),
            "timezone",
            "",
        ),
        (
            form(
                recurrence="interval",
                every="5",
                period="minutes",
                start_date="2030-02-01",
                end_date="2030-01-01",
            ),
            "end_date",
            "The end date is before the start date.",
        ),
        (form(recurrence="hourly"), "recurrence", "Select a valid choice."),
    ],
)
@pytest.mark.django_db
def test_it_refuses_bad_input_naming_the_field(client, admin, data, field, error):
    response = client.post(schedule_url(), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert error in " ".join(errors[field])
    assert not PeriodicTask.objects.filter(name="job:Test-Quick").exists()
    assert not ClockedSchedule.objects.exists()


@pytest.mark.django_db
def test_it_lists_the_jobs_executions_below_the_schedule(client, admin):
    mine = [make_execution("Test-Quick") for _ in range(30)]
    other = make_execution("Test-Beta")
    page = client.get(schedule_url()).content.decode()
    assert f"#{mine[-1].pk}<" in page and f"#{mine[4].pk}<" not in page and f"#{other.pk}<" not in page
    assert "Page 1 of 2" in page
    second = client.get(schedule_url() + "?page=2").content.decode()
    assert f"#{mine[4].pk}<" in second


@pytest.mark.django_db
def test_it_shows_the_schedule_on_the_jobs_page(client, admin):
    client.post(schedule_url(), form(recurrence="weekly", at="02:00", weekdays=[str(d) for d in range(7)]))
    client.cookies["tz"] = "Europe/Paris"
    page = client.get(reverse("jobs")).content.decode()
    row = page[page.index('data-job="Test-Quick"') :]
    row = row[: row.index("</tr>")]
    assert "Enabled" in row
    upcoming = next_run(scheduling.schedule_get("Test-Quick")).astimezone(PARIS)
    # The one time format, with the zone written after it.
    assert f'{upcoming.day} {upcoming:%b %Y},</span> <span class="nowrap">02:00:00 {upcoming:%Z}' in row


@pytest.mark.django_db
def test_the_interval_fields_keep_their_values_after_a_save(client, admin):
    client.post(schedule_url(), form(recurrence="interval", every="15", period="hours"), follow=True)
    page = client.get(schedule_url()).content.decode()
    every = re.search(r'<input[^>]*name="every"[^>]*>', page).group(0)
    assert 'value="15"' in every
    assert re.search(r'<option value="hours" selected>', page)
    assert re.search(r'<input[^>]*name="recurrence" value="interval"[^>]*checked', page)
