"""The scheduling bridge: a job's schedule as the Schedule and History tab edits it, stored as
django-celery-beat rows that beat (DatabaseScheduler) fires as `jobs.run_scheduled`.

One `PeriodicTask` per job, named `job:<job-id>`, with a `ClockedSchedule` (Once), an
`IntervalSchedule` (every N minutes/hours/days) or a `CrontabSchedule` (a time of day on
chosen weekdays, in a time zone). `PeriodicTask.save()` bumps `PeriodicTasks.changed`, so a
running beat picks a change up within its max interval, without a restart.

`Schedule`, `describe` and `next_run` are plain Python over plain data, tested without beat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab_parser
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask

from jobs import audit, registry
from jobs.models import AuditEntry

TASK = "jobs.run_scheduled"
TZ_HEADER = "schedule_timezone"

ONCE = "once"
INTERVAL = "interval"
WEEKLY = "weekly"

PERIODS = {
    "minutes": IntervalSchedule.MINUTES,
    "hours": IntervalSchedule.HOURS,
    "days": IntervalSchedule.DAYS,
}
PERIOD_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400}
# Python's numbering (date.weekday()): 0 is Monday.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALL_WEEKDAYS = tuple(range(7))

# How far apart two fires of one schedule must be to both run (two beats firing the same slot
# create one execution). Half an interval, capped: long enough to catch a duplicate fire, short
# enough never to swallow the next real one.
MAX_WINDOW_SECONDS = 300
CRONTAB_WINDOW_SECONDS = 30


@dataclass(frozen=True)
class Schedule:
    """When a job runs. Wall-clock values (`run_at`, `at`, the dates) are in `timezone`."""

    kind: str
    timezone: str = "UTC"
    enabled: bool = True
    run_at: datetime | None = None  # ONCE: naive, in `timezone`
    every: int = 0  # INTERVAL
    period: str = "minutes"  # INTERVAL: a key of PERIODS
    at: time | None = None  # WEEKLY
    weekdays: tuple[int, ...] = ()  # WEEKLY: 0 = Monday
    start_date: date | None = None  # from this day on (start_time)
    end_date: date | None = None  # up to and including this day (expires)
    # When beat last fired it (or the time it counts an interval from); read from the database.
    last_run: datetime | None = field(default=None, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start_time(self) -> datetime | None:
        if self.start_date is None:
            return None
        return datetime.combine(self.start_date, time(), self.zone)

    @property
    def expires(self) -> datetime | None:
        """The first moment after the "to" date (it is inclusive)."""
        if self.end_date is None:
            return None
        return datetime.combine(self.end_date + timedelta(days=1), time(), self.zone)

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.every * PERIOD_SECONDS[self.period])

    @property
    def window_seconds(self) -> int:
        if self.kind == INTERVAL:
            return max(1, min(int(self.interval.total_seconds()) // 2, MAX_WINDOW_SECONDS))
        return CRONTAB_WINDOW_SECONDS


def task_name(job_id: str) -> str:
    return f"job:{job_id}"


# --- words -------------------------------------------------------------------------------


def describe(schedule: Schedule) -> str:
    """The rule in words: "Every day at 02:00 Europe/Paris", "Every 15 minutes"…"""
    if schedule.kind == ONCE:
        text = f"Once on {_day(schedule.run_at)} at {schedule.run_at:%H:%M} {schedule.timezone}"
    elif schedule.kind == INTERVAL:
        unit = schedule.period.removesuffix("s")
        text = f"Every {unit}" if schedule.every == 1 else f"Every {schedule.every} {schedule.period}"
    else:
        text = f"{_weekdays(schedule.weekdays)} at {schedule.at:%H:%M} {schedule.timezone}"
    if schedule.kind != ONCE and schedule.start_date:
        text += f", from {_date(schedule.start_date)}"
    if schedule.kind != ONCE and schedule.end_date:
        text += f", until {_date(schedule.end_date)}"
    return text


def summary(schedule: Schedule, now: datetime | None = None) -> str:
    """The rule and when it runs next: "Every day at 02:00 Europe/Paris — next Tue 24 Nov, 02:00"."""
    if not schedule.enabled:
        return f"{describe(schedule)} — disabled"
    upcoming = next_run(schedule, now)
    if upcoming is None:
        return f"{describe(schedule)} — no further runs"
    local = upcoming.astimezone(schedule.zone)
    # An interval's rule names no time zone; say which one its next time is in.
    zone = f" {schedule.timezone}" if schedule.kind == INTERVAL else ""
    return f"{describe(schedule)} — next {local:%a} {local.day} {local:%b}, {local:%H:%M}{zone}"


def _weekdays(days: tuple[int, ...]) -> str:
    days = tuple(sorted(set(days)))
    if days == ALL_WEEKDAYS:
        return "Every day"
    if days == (0, 1, 2, 3, 4):
        return "Every weekday (Mon–Fri)"
    if len(days) == 1:
        return f"Every {WEEKDAY_NAMES[days[0]]}"
    names = [WEEKDAY_NAMES[d][:3] for d in days]
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def _day(value) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _date(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


# --- when --------------------------------------------------------------------------------


def next_run(schedule: Schedule, now: datetime | None = None) -> datetime | None:
    """When beat fires it next (aware), or None when it never will again."""
    now = now or timezone.now()
    if not schedule.enabled:
        return None
    if schedule.kind == ONCE:
        upcoming = datetime.combine(schedule.run_at.date(), schedule.run_at.time(), schedule.zone)
        # Beat fires a missed one-off slot as soon as it sees it; after that it is disabled.
        return max(upcoming, now)
    start = schedule.start_time
    if schedule.kind == INTERVAL:
        upcoming = (schedule.last_run or now) + schedule.interval
        upcoming = max(upcoming, now, start or now)
    else:
        upcoming = _next_weekly(schedule, max(now, start or now, schedule.last_run or now))
    expires = schedule.expires
    if expires is not None and upcoming >= expires:
        return None
    return upcoming


def _next_weekly(schedule: Schedule, after: datetime) -> datetime | None:
    """The first chosen weekday at the chosen time, strictly after `after`."""
    local = after.astimezone(schedule.zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in schedule.weekdays:
            continue
        candidate = datetime.combine(day, schedule.at, schedule.zone)
        if candidate > after:
            return candidate
    return None


# --- storage -----------------------------------------------------------------------------


def schedule_get(job_id: str) -> Schedule | None:
    task = _tasks().filter(name=task_name(job_id)).first()
    return _from_task(task) if task else None


def schedules_for(job_ids) -> dict[str, Schedule]:
    """The schedules of many jobs in one query (the Jobs page)."""
    tasks = _tasks().filter(name__in=[task_name(job_id) for job_id in job_ids])
    return {task.name.removeprefix("job:"): _from_task(task) for task in tasks}


def schedule_set(*, job_id: str, user, schedule: Schedule) -> Schedule:
    """Create or replace the job's schedule; beat notices within its max interval."""
    job = registry.get(job_id)
    name = task_name(job.id)
    now = timezone.now()
    with transaction.atomic():
        task = PeriodicTask.objects.filter(name=name).first() or PeriodicTask(name=name, task=TASK)
        task.interval = task.crontab = task.clocked = task.solar = None
        if schedule.kind == ONCE:
            task.clocked = _clocked(schedule)
        elif schedule.kind == INTERVAL:
            task.interval, _ = IntervalSchedule.objects.get_or_create(
                every=schedule.every, period=PERIODS[schedule.period]
            )
        else:
            task.crontab = _crontab(schedule)
        task.task = TASK
        task.kwargs = json.dumps(
            {"job_id": job.id, "schedule": name, "window_seconds": schedule.window_seconds}
        )
        task.one_off = schedule.kind == ONCE
        task.enabled = schedule.enabled
        task.start_time = None if schedule.kind == ONCE else schedule.start_time
        task.expires = None if schedule.kind == ONCE else schedule.expires
        task.total_run_count = 0
        task.last_run_at = _counts_from(schedule, now)
        task.description = describe(schedule)
        # Only a crontab row keeps a time zone; the others need it to show their dates and
        # time as they were entered. Message headers are free-form metadata beat passes along.
        task.headers = json.dumps({TZ_HEADER: schedule.timezone})
        task.save()
        audit.record(
            user=user, action=AuditEntry.Action.SCHEDULE, job_id=job.id, message=summary(schedule, now)
        )
    return replace(schedule, last_run=task.last_run_at)


def schedule_delete(*, job_id: str, user) -> bool:
    with transaction.atomic():
        task = PeriodicTask.objects.filter(name=task_name(job_id)).first()
        if task is None:
            return False
        task.delete()
        audit.record(user=user, action=AuditEntry.Action.SCHEDULE, job_id=job_id, message="Schedule removed")
    return True


def _counts_from(schedule: Schedule, now: datetime) -> datetime:
    """The `last_run_at` beat counts the next fire from. Left empty, beat would take a date far
    in the past whenever a start date is set and fire a crontab at once, off its time of day;
    so a changed schedule counts from now, or from its start when that lies ahead (an interval
    then fires right at the start)."""
    start = schedule.start_time
    if start is None or start <= now or schedule.kind == ONCE:
        return now
    return start - schedule.interval if schedule.kind == INTERVAL else start


def _clocked(schedule: Schedule) -> ClockedSchedule:
    when = datetime.combine(schedule.run_at.date(), schedule.run_at.time(), schedule.zone)
    clocked, _ = ClockedSchedule.objects.get_or_create(clocked_time=when)
    return clocked


def _crontab(schedule: Schedule) -> CrontabSchedule:
    fields = {
        "minute": str(schedule.at.minute),
        "hour": str(schedule.at.hour),
        "day_of_week": _cron_weekdays(schedule.weekdays),
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": schedule.zone,
    }
    # No unique constraint on these rows (the admin may have made duplicates): reuse any.
    return CrontabSchedule.objects.filter(**fields).first() or CrontabSchedule.objects.create(**fields)


def _cron_weekdays(days: tuple[int, ...]) -> str:
    if tuple(sorted(set(days))) == ALL_WEEKDAYS:
        return "*"
    # cron counts from Sunday = 0.
    return ",".join(str(c) for c in sorted((d + 1) % 7 for d in days))


def _tasks():
    return PeriodicTask.objects.select_related("interval", "crontab", "clocked")


def _from_task(task: PeriodicTask) -> Schedule:
    zone = _zone_of(task)
    common = {"enabled": task.enabled, "timezone": zone, "last_run": task.last_run_at or task.date_changed}
    if task.clocked is not None:
        local = task.clocked.clocked_time.astimezone(ZoneInfo(zone))
        return Schedule(kind=ONCE, run_at=local.replace(tzinfo=None), **common)
    dates = _dates(task, zone)
    if task.crontab is not None:
        cron = task.crontab
        days = crontab_parser(7).parse(cron.day_of_week)
        at = time(int(cron.hour), int(cron.minute))
        return Schedule(
            kind=WEEKLY, at=at, weekdays=tuple(sorted((c - 1) % 7 for c in days)), **dates, **common
        )
    period = {value: key for key, value in PERIODS.items()}[task.interval.period]
    return Schedule(kind=INTERVAL, every=task.interval.every, period=period, **dates, **common)


def _zone_of(task: PeriodicTask) -> str:
    if task.crontab is not None:
        return str(task.crontab.timezone)
    try:
        return json.loads(task.headers or "{}").get(TZ_HEADER) or "UTC"
    except ValueError:
        return "UTC"


def _dates(task: PeriodicTask, zone: str) -> dict:
    tz = ZoneInfo(zone)
    start = task.start_time.astimezone(tz).date() if task.start_time else None
    end = (task.expires.astimezone(tz) - timedelta(days=1)).date() if task.expires else None
    return {"start_date": start, "end_date": end}
