"""Template filters for statuses and durations, so every page shows them the same way."""

from datetime import timedelta

from django import template
from django.utils import timezone

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
