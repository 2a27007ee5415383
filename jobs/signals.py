"""What the engine announces. The engine sends; the operations (chains, alerts) listen,
connected in JobsConfig.ready(). The engine imports nothing of theirs.

`execution_finished(sender=JobExecution, execution=...)` is sent once the transaction that
ended the execution has committed, whatever the outcome (OK, WARN, ERROR, stopped, reaped).
Receivers must be idempotent: a finish whose announcement was interrupted (the worker died
after the commit) is announced again by the beat tick (see `services.announce_overdue`).

`liveness_checked(sender=None)` is sent by beat after each pass of its own checks
(jobs.liveness), in beat's process, every JOBS_REAPER_INTERVAL_SECONDS: periodic work that
must go on with every worker dead listens to it (the alert sweep), and queues no message.
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

from jobs import joblog
from jobs.models import JobExecution

logger = logging.getLogger(__name__)

execution_finished = Signal()
liveness_checked = Signal()


def announce_liveness_checked() -> None:
    """Send `liveness_checked` robustly: a receiver that raises is logged, the others run."""
    for receiver, result in liveness_checked.send_robust(sender=None):
        if isinstance(result, Exception):
            name = getattr(receiver, "__qualname__", repr(receiver))
            logger.error("Periodic check %s failed", name, exc_info=result)


def announce_finished(execution: JobExecution) -> None:
    """Send `execution_finished` robustly: a receiver that raises is logged (process log and
    the execution's log file) and the others still run; the finish itself is never undone."""
    for receiver, result in execution_finished.send_robust(sender=JobExecution, execution=execution):
        if isinstance(result, Exception):
            name = getattr(receiver, "__qualname__", repr(receiver))
            logger.error("After-finish action %s of %s failed", name, execution, exc_info=result)
            try:
                joblog.append(
                    execution.log_file_name,
                    "ERROR",
                    f"After-finish action {name} failed: {type(result).__name__}: {result}",
                )
            except OSError:
                logger.warning("Could not write to the log of %s", execution, exc_info=True)
