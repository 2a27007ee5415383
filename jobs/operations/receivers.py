"""What follows an execution's finish, as receivers of `jobs.signals.execution_finished`
(connected in JobsConfig.ready()): chains after OK or WARN, the failure e-mail after ERROR,
a flow's next step after its child, whatever the outcome, and the runs queued behind it
("Run when free"). And beat's periodic pass
(`jobs.signals.liveness_checked`): the alert sweep, in beat's process, so hanging and missed
failure e-mails go out with every worker dead.

Each is its own receiver, so one failing does not keep the other from running; the signal is
sent robustly, after the finish committed, and may be sent twice (a late announcement by the
beat tick), so all are idempotent: a chain target starts once per source execution, a
failure e-mail is claimed by its ExecutionAlert row, a flow's step is ended once.

A user saved as inactive loses their API tokens (deleted, so reactivating the account does
not bring them back).
"""

import time

from django.conf import settings

from jobs.models import ExitStatus, JobExecution
from jobs.operations import alerts, chains, flows, queued
from jobs.operations.models import ApiToken

CHAINS_UID = "jobs.operations.receivers.start_chains"
FAILURE_MAIL_UID = "jobs.operations.receivers.mail_failure"
FLOWS_UID = "jobs.operations.receivers.continue_flows"
QUEUED_UID = "jobs.operations.receivers.start_queued_runs"
SWEEP_UID = "jobs.operations.receivers.sweep_alerts"

# When this process last swept (monotonic): beat's pass may come more often than the alert
# interval. Per process is enough: each e-mail is claimed by its ExecutionAlert row.
_last_sweep: list[float] = []
TOKENS_UID = "jobs.operations.receivers.revoke_tokens_of_inactive"


def start_chains(sender, execution: JobExecution, **kwargs) -> None:
    if execution.exit_status in (ExitStatus.OK, ExitStatus.WARN):
        chains.fire(execution)


def mail_failure(sender, execution: JobExecution, **kwargs) -> None:
    if execution.exit_status == ExitStatus.ERROR:
        alerts.send_failure(execution)


def continue_flows(sender, execution: JobExecution, **kwargs) -> None:
    flows.child_finished(execution)


def start_queued_runs(sender, execution: JobExecution, **kwargs) -> None:
    queued.holder_finished(execution)


def sweep_alerts(sender, **kwargs) -> None:
    now = time.monotonic()
    if _last_sweep and now - _last_sweep[0] < settings.JOBS_ALERT_INTERVAL_SECONDS:
        return
    _last_sweep[:] = [now]
    alerts.sweep()


def revoke_tokens_of_inactive(sender, instance, **kwargs) -> None:
    if not instance.is_active:
        ApiToken.objects.filter(user=instance).delete()


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    from jobs.signals import execution_finished, liveness_checked

    post_save.connect(revoke_tokens_of_inactive, sender=get_user_model(), dispatch_uid=TOKENS_UID)

    execution_finished.connect(start_chains, sender=JobExecution, dispatch_uid=CHAINS_UID)
    execution_finished.connect(mail_failure, sender=JobExecution, dispatch_uid=FAILURE_MAIL_UID)
    execution_finished.connect(continue_flows, sender=JobExecution, dispatch_uid=FLOWS_UID)
    execution_finished.connect(start_queued_runs, sender=JobExecution, dispatch_uid=QUEUED_UID)
    liveness_checked.connect(sweep_alerts, dispatch_uid=SWEEP_UID)
