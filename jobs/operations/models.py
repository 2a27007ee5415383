"""Operations data: chains between jobs, alert rules, the alerts sent, report and retention
settings, and API tokens. Imported from jobs/models.py, so migrations live in jobs."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobChain(models.Model):
    """When `source_job` finishes OK or WARN, start `target_job` (trigger `chain`)."""

    source_job = models.CharField(max_length=100)
    target_job = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["source_job", "target_job"]
        constraints = [
            models.UniqueConstraint(fields=["source_job", "target_job"], name="chain_unique"),
            models.CheckConstraint(
                condition=~models.Q(source_job=models.F("target_job")), name="chain_not_self"
            ),
        ]
        # The runner's finish: the enabled chains of one source job.
        indexes = [models.Index(fields=["source_job"], name="chain_source")]

    def __str__(self):
        return f"{self.source_job} → {self.target_job}"


class JobAlertRule(models.Model):
    """Per job: who gets failure e-mails, and after how long a running execution is hanging."""

    job_id = models.CharField(max_length=100, unique=True)
    recipients = models.TextField(blank=True, help_text="E-mail addresses, separated by commas")
    hanging_minutes = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return self.job_id

    @property
    def recipient_list(self) -> list[str]:
        return split_addresses(self.recipients)


class ExecutionAlert(models.Model):
    """One e-mail sent about an execution. The unique pair is the claim: whoever inserts the
    row sends the e-mail, so two sweepers (or a sweeper and the runner) never send it twice."""

    class Kind(models.TextChoices):
        FAILURE = "failure"
        HANGING = "hanging"

    execution = models.ForeignKey("jobs.JobExecution", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["execution", "kind"], name="alert_once")]

    def __str__(self):
        return f"{self.kind} #{self.execution_id}"


class OperationsSettings(models.Model):
    """One row (pk=1): Job Status Report recipients and the Maintenance job's retention."""

    report_recipients = models.TextField(blank=True, help_text="E-mail addresses, separated by commas")
    retention_days = models.PositiveIntegerField(default=30)
    retention_keep = models.PositiveIntegerField(default=20)

    class Meta:
        verbose_name_plural = "operations settings"

    def __str__(self):
        return "Operations settings"

    @classmethod
    def load(cls) -> "OperationsSettings":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def report_recipient_list(self) -> list[str]:
        return split_addresses(self.report_recipients)


class ApiToken(models.Model):
    """A personal token for the REST API. Only its SHA-256 is stored; the token itself is
    shown once, when it is created. It acts with its user's role."""

    PREFIX = "sjc_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, to tell tokens apart on the page.
    hint = models.CharField(max_length=12)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        """Create a token; returns the row and the token, which is never readable again."""
        token = cls.PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, name=name, token_hash=cls.digest(token), hint=token[:12])
        return row, token


def split_addresses(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]
