"""The audit trail's one writer: who ran, stopped, rescheduled or reconfigured what.

Every module that records an action calls `record()`; none creates AuditEntry rows itself,
so the rules (an anonymous user is recorded as "system", the message is kept short) live here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobs.models import AuditEntry

if TYPE_CHECKING:
    from jobs.models import JobExecution

# The audit page shows one line per entry; a longer message is cut, never refused.
MAX_MESSAGE = 2000


def record(
    *,
    action: str,
    user=None,
    job_id: str = "",
    execution: JobExecution | None = None,
    message: str = "",
) -> AuditEntry:
    """Write one audit entry. `action` is an AuditEntry.Action; `user` may be None or anonymous
    (a command, beat, the setup), which is stored as no user. Joins the caller's transaction."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"Unknown audit action {action!r}; expected one of {AuditEntry.Action.values}")
    if user is not None and not user.is_authenticated:
        user = None
    if execution is not None and not job_id:
        job_id = execution.job_id
    return AuditEntry.objects.create(
        user=user, action=action, job_id=job_id, execution=execution, message=message[:MAX_MESSAGE]
    )
