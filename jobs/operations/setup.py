"""Default schedules of the operations jobs, created by `setup_schedules` when missing."""

from datetime import time

from django.conf import settings

from jobs import scheduling
from jobs.operations.definitions import MAINTENANCE

# Nightly, when imports are unlikely to run.
MAINTENANCE_AT = time(3, 30)


def ensure_default_schedules() -> list[str]:
    """Idempotent: a job that has a schedule (even a disabled one) is left as it is. To turn the
    nightly Maintenance off, disable its schedule; a removed one comes back at the next start."""
    if scheduling.schedule_get(MAINTENANCE) is not None:
        return [f"{MAINTENANCE}: has a schedule, left as it is"]
    nightly = scheduling.Schedule(
        kind=scheduling.WEEKLY,
        at=MAINTENANCE_AT,
        weekdays=scheduling.ALL_WEEKDAYS,
        timezone=settings.TIME_ZONE,
    )
    saved = scheduling.schedule_set(job_id=MAINTENANCE, user=None, schedule=nightly)
    return [f"{MAINTENANCE}: {scheduling.summary(saved)}"]
