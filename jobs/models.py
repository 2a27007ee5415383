"""Job executions, their steps, resource locks, data errors and the audit trail.

The one place that knows the status values: everything else imports these choices.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExecutionStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    ABORTING = "aborting"
    ABORTED = "aborted"
    FINISHED = "finished"


ACTIVE_STATUSES = (ExecutionStatus.PENDING, ExecutionStatus.RUNNING, ExecutionStatus.ABORTING)


class ExitStatus(models.TextChoices):
    OK = "OK"
    WARN = "WARN"
    ERROR = "ERROR"


class Trigger(models.TextChoices):
    MANUAL = "manual"
    SCHEDULE = "schedule"
    CHAIN = "chain"
    API = "api"
    SHELL = "shell"  # `manage.py runjob`


class JobExecution(models.Model):
    job_id = models.CharField(max_length=100)
    execution_status = models.CharField(
        max_length=10, choices=ExecutionStatus.choices, default=ExecutionStatus.PENDING
    )
    exit_status = models.CharField(max_length=5, choices=ExitStatus.choices, blank=True)
    message = models.TextField(blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # Set for scheduled runs: two beats firing the same schedule slot create one execution.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    log_file_name = models.CharField(max_length=255, blank=True)
    # Started through the OCAPI-style API by an API client: its client id, and the job
    # parameters of the request ([{"name": …, "value": …}]), kept as they were sent.
    client_id = models.CharField(max_length=64, blank=True)
    # The operating-system account that ran `manage.py runjob` (trigger "shell"), when known.
    shell_user = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField(default=list, blank=True)
    # [{"name": "X.zip", "path": "archives/12/X.zip", "size": 123, "kind": "archive"}], paths
    # relative to STORAGE_ROOT; downloads go by execution id and index, never by path.
    artifacts = models.JSONField(default=list, blank=True)
    data_error_count = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    # Set while the execution is past a point where it cannot be stopped (the SFCC import has
    # started): why a Stop is refused. Set and read by compare-and-set (services).
    stop_refusal = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            # Job History: newest first, optionally filtered by job.
            models.Index(fields=["job_id", "-created"], name="exec_job_created"),
            models.Index(fields=["-created"], name="exec_created"),
            # The Jobs page's "last execution per job" and the lock checks look at active rows only.
            models.Index(
                fields=["execution_status"],
                name="exec_active",
                condition=Q(execution_status__in=["pending", "running", "aborting"]),
            ),
            # The differential watermark: last successful execution of a job.
            models.Index(fields=["job_id", "exit_status", "-started"], name="exec_job_exit"),
            # WebDAV finds an execution by the log file name a client asks for.
            models.Index(fields=["log_file_name"], name="exec_log_file"),
        ]
        permissions = [
            ("run_job", "Can run and stop jobs"),
            ("schedule_job", "Can change job schedules"),
            ("configure_import", "Can change the import configuration"),
            ("download_log", "Can download log files and artifacts"),
        ]

    def __str__(self):
        return f"{self.job_id} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.execution_status in ACTIVE_STATUSES

    @property
    def duration(self):
        if not self.started:
            return None
        return (self.finished or timezone.now()) - self.started

    @property
    def status_label(self) -> str:
        """What the Jobs page shows: the exit status once finished, else the execution status."""
        if self.execution_status == ExecutionStatus.FINISHED:
            return self.exit_status
        return self.execution_status


class StepStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    OK = "OK"
    WARN = "WARN"
    ERROR = "ERROR"
    SKIPPED = "skipped"
    ABORTED = "aborted"


class StepExecution(models.Model):
    execution = models.ForeignKey(JobExecution, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING)
    message = models.TextField(blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    read_count = models.PositiveIntegerField(default=0)
    write_count = models.PositiveIntegerField(default=0)
    skip_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # Known total (e.g. Akeneo's items count) for a progress bar; null when unknown.
    total = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["execution", "position"]
        constraints = [models.UniqueConstraint(fields=["execution", "position"], name="step_position_unique")]

    def __str__(self):
        return f"{self.execution_id}/{self.name}"

    @property
    def progress(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * (self.read_count + self.skip_count) / self.total))


class ResourceLock(models.Model):
    """One row per held resource. The primary key makes taking a lock a plain INSERT: two
    executions whose locks intersect can never both commit theirs."""

    resource = models.CharField(max_length=150, primary_key=True)
    execution = models.ForeignKey(JobExecution, on_delete=models.CASCADE, related_name="locks")
    acquired = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.resource} held by {self.execution_id}"


class DataError(models.Model):
    """An item-level problem: the product (or attribute, category…) is named, counted, skipped."""

    execution = models.ForeignKey(JobExecution, on_delete=models.CASCADE, related_name="data_errors")
    step = models.CharField(max_length=100)
    identifier = models.CharField(max_length=255)
    message = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.identifier}: {self.message}"


class Watermark(models.Model):
    """The start time of the last successful product import (DESIGN §4, Differential)."""

    key = models.CharField(max_length=100, primary_key=True)
    value = models.DateTimeField()
    execution = models.ForeignKey(JobExecution, null=True, on_delete=models.SET_NULL, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.key}={self.value.isoformat()}"


class AuditEntry(models.Model):
    """Who ran, stopped, rescheduled or reconfigured what, and when (as admin's LogEntry)."""

    class Action(models.TextChoices):
        RUN = "run"
        STOP = "stop"
        SCHEDULE = "schedule"
        CONFIGURE = "configure"
        USERS = "users", "Users and roles"

    time = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    job_id = models.CharField(max_length=100, blank=True)
    execution = models.ForeignKey(JobExecution, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-time"]
        indexes = [models.Index(fields=["-time"], name="audit_time")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.user} {self.action} {self.job_id}"


class PendingAnnouncement(models.Model):
    """The outbox of `execution_finished`: written in the transaction that ends an execution,
    deleted once the signal was sent. A worker that dies between the commit and the signal
    leaves its row, and the beat tick announces it (services.announce_overdue), so a chain
    start is not lost to a killed worker."""

    execution = models.OneToOneField(
        JobExecution, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"finish of #{self.execution_id}"


class WorkerHeartbeat(models.Model):
    """A Celery worker (or beat) proving it is alive, apart from any execution: its process
    updates `last_seen` every few seconds (jobs.liveness). With no worker row fresher than the
    heartbeat timeout, nothing will take a pending execution or finish a running one, and
    beat says so instead of leaving them as they are."""

    class Kind(models.TextChoices):
        WORKER = "worker"
        BEAT = "beat"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The Celery host name (`worker-1@host`), as JobExecution.worker records it.
    name = models.CharField(max_length=200)
    started = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    # Set by a clean shutdown; a killed process leaves it empty and only stops beating.
    stopped = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="heartbeat_kind_name")]

    def __str__(self):
        return f"{self.kind} {self.name}"


class TransferredMedia(models.Model):
    """An image or asset file shipped by job 2 to one delivery target (an SFCC instance and
    catalog, or the local archives of a catalog: `jobs.sfcc.delivery.delivery_target`). Akeneo
    never changes the file behind a media code, so a code shipped to the same target by an
    execution that ended OK or WARN is not downloaded or shipped again; another target gets
    every file. Rows of failed executions don't count (their archive never arrived)."""

    target = models.CharField(max_length=600)  # DeliveryTarget.key
    code = models.CharField(max_length=500)
    kind = models.CharField(max_length=10)  # "media" or "asset"
    path = models.CharField(max_length=500)  # under the catalog's static images folder
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    execution = models.ForeignKey(JobExecution, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Its index also serves job 2's "what was shipped to this target" (target, kind).
            models.UniqueConstraint(fields=["target", "code"], name="media_target_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} → {self.target}"


class ExportedProducts(models.Model):
    """What one product import exported to one delivery target (`DeliveryTarget.key` of the
    master catalog): every product id and its category assignments per catalog, as zlib-
    compressed lines sorted by id (jobs.pipeline.removals). The next import to the same target compares with
    the latest row of an execution that ended OK or WARN: products it no longer exports are set
    offline or deleted, assignments it no longer writes are deleted. One row per execution,
    older ones pruned: a snapshot, not a history."""

    target = models.CharField(max_length=600)
    execution = models.ForeignKey(JobExecution, on_delete=models.CASCADE, related_name="+")
    product_count = models.PositiveIntegerField()
    data = models.BinaryField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        # "the latest row of this target": filter on target, newest first.
        indexes = [models.Index(fields=["target", "-id"], name="exported_target_latest")]

    def __str__(self):
        return f"{self.product_count} products → {self.target}"


from jobs.config.models import ConfigVersion  # noqa: E402,F401
from jobs.operations.models import (  # noqa: E402,F401
    ApiAccessToken,
    ApiClient,
    ApiToken,
    ExecutionAlert,
    JobAlertRule,
    JobChain,
    OperationsSettings,
    QueuedRun,
)
