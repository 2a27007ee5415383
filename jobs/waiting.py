"""Waiting for locks: one policy for every start that meets LocksHeld (scheduled runs, chain
targets, a flow's inner jobs).

Counted from its first try, a start tries again every JOBS_SCHEDULED_LOCK_RETRY_SECONDS until
JOBS_SCHEDULED_LOCK_WAIT_SECONDS have passed, then gives up with the reason `WaitOver` carries.
What giving up means is the caller's: a scheduled run or a chain is recorded as skipped
(services.execution_record_skipped), a flow step fails.

The pause is spent without holding a worker slot: a scheduled run, a chain and a flow's job
re-queue their Celery task with the pause as countdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone


class WaitOver(Exception):
    """The locks stayed held for the whole wait; the message says by whom and how long."""


@dataclass(frozen=True)
class LockWait:
    first_try: datetime

    @classmethod
    def since(cls, first_try: datetime | str | None = None) -> LockWait:
        """A wait that began at `first_try` (ISO text as carried in task kwargs), or now."""
        if isinstance(first_try, str) and first_try:
            first_try = datetime.fromisoformat(first_try)
        return cls(first_try or timezone.now())

    @property
    def first_try_iso(self) -> str:
        return self.first_try.isoformat()

    def waited(self, now: datetime | None = None) -> float:
        return ((now or timezone.now()) - self.first_try).total_seconds()

    def is_first_pause(self, now: datetime | None = None) -> bool:
        """Whether no retry happened yet: a wait is announced once, not at every retry."""
        return self.waited(now) < settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS

    def next_pause(self, held: Exception, now: datetime | None = None) -> float:
        """Seconds until the next try; raises WaitOver when the wait is used up."""
        waited = self.waited(now)
        if waited >= settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS:
            raise WaitOver(f"{held} Waited {waited:.0f}s for it.")
        return float(settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS)
