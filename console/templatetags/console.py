"""Template filters for statuses, moments and durations, so every page shows them the same way."""

import zoneinfo
from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from jobs.models import ExecutionStatus, ExitStatus, StepStatus

register = template.Library()

# The CSS class and icon of each status a page shows (status_label of an execution, or a step's).
STATUS_STYLES = {
    ExitStatus.OK: ("ok", "✔"),
    ExitStatus.WARN: ("warn", "⚠"),
    ExitStatus.ERROR: ("error", "✖"),
    ExecutionStatus.RUNNING: ("running", "▶"),
    ExecutionStatus.ABORTING: ("running", "■"),
    ExecutionStatus.PENDING: ("pending", "…"),
    ExecutionStatus.ABORTED: ("aborted", "■"),
    StepStatus.SKIPPED: ("aborted", "–"),
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_STYLES.get(status, ("pending", ""))[0]


@register.filter
def status_icon(status: str) -> str:
    return STATUS_STYLES.get(status, ("pending", ""))[1]


# The one way a page writes a moment: "2 Dec 2026, 14:05:03 CET", the zone always shown.
# Day and time are kept whole each, so a narrow column wraps between them, never inside.
DAY_FORMAT, CLOCK_FORMAT = "j M Y", "H:i:s T"


def _zone(zone_name: str):
    try:
        return zoneinfo.ZoneInfo(zone_name) if zone_name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def moment_text(value: datetime, zone_name: str = "") -> str:
    """`when` as plain text, for messages: "2 Dec 2026, 14:05:03 CET"."""
    local = timezone.localtime(value, _zone(zone_name))
    return f"{format_date(local, DAY_FORMAT)}, {format_date(local, CLOCK_FORMAT)}"


@register.filter
def when(value, zone_name: str = ""):
    """A moment in the user's time zone (or in `zone_name`, e.g. a schedule's), inside <time>
    with the instant in ISO 8601 and the zone's full name on hover; "—" when there is none."""
    if not isinstance(value, datetime):
        return "—"
    zone = _zone(zone_name)
    local = timezone.localtime(value, zone)
    return format_html(
        '<time datetime="{}" title="{}"><span class="nowrap">{},</span> <span class="nowrap">{}</span></time>',
        local.isoformat(timespec="seconds"),
        str(zone),
        format_date(local, DAY_FORMAT),
        format_date(local, CLOCK_FORMAT),
    )


@register.filter
def elapsed(obj) -> timedelta | None:
    """How long a step (anything with started/finished) ran, or has run so far."""
    if not getattr(obj, "started", None):
        return None
    return (obj.finished or timezone.now()) - obj.started


@register.filter
def duration(value: timedelta | None) -> str:
    """ "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min", "3 d 4 h"."""
    if not isinstance(value, timedelta):
        return ""  # nothing ran yet (or no execution at all)
    seconds = value.total_seconds()
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    seconds = int(seconds)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {seconds:02d} s"


@register.filter
def estimate(value: timedelta | None) -> str:
    """An estimate, rounded as a person would say it: "less than a minute", "6 min", "1 h 05 min"."""
    if not isinstance(value, timedelta):
        return ""
    minutes = round(value.total_seconds() / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@register.filter
def picker_for(form, name):
    """The Configuration form's "pick from Akeneo" input for a field, or None."""
    return form.picker(name) if hasattr(form, "picker") else None
