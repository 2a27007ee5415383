"""What the runner does after an execution's finish committed: chains after OK or WARN,
the failure e-mail after ERROR. Neither may turn a finished execution into a failed task."""

import logging

from jobs.models import ExitStatus, JobExecution
from jobs.operations import alerts, chains

logger = logging.getLogger(__name__)


def after_finish(execution: JobExecution) -> None:
    try:
        if execution.exit_status in (ExitStatus.OK, ExitStatus.WARN):
            chains.fire(execution)
        elif execution.exit_status == ExitStatus.ERROR:
            alerts.send_failure(execution)
    except Exception:
        # The execution's outcome is already recorded; the alert sweep catches a lost e-mail.
        logger.exception("After-finish actions of %s failed", execution)
