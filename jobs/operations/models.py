"""Operations data: chains between jobs, alert rules, the alerts sent, report and retention
settings, API tokens and API clients. Imported from jobs/models.py, so migrations live in jobs."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from jobs import roles


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
    shown once, when it is created. It acts with its user's role until it expires, and only
    while the user keeps the password it was issued under (a changed password revokes it)."""

    PREFIX = "sjc_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, to tell tokens apart on the page.
    hint = models.CharField(max_length=12)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    # A keyed hash of the user's password hash when the token was issued; it no longer matches
    # once the password changes, however it was changed (page, admin, changepassword).
    password_fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def fingerprint(user) -> str:
        return salted_hmac("jobs.ApiToken.password", user.password, algorithm="sha256").hexdigest()

    @classmethod
    def issue(cls, *, user, name: str, days: int | None = None) -> tuple["ApiToken", str]:
        """Create a token valid for `days` (the default when None); returns the row and the
        token, which is never readable again."""
        token = cls.PREFIX + secrets.token_urlsafe(32)
        now = timezone.now()
        row = cls.objects.create(
            user=user,
            name=name,
            token_hash=cls.digest(token),
            hint=token[:12],
            created=now,
            expires=now + timedelta(days=days or settings.API_TOKEN_DEFAULT_DAYS),
            password_fingerprint=cls.fingerprint(user),
        )
        return row, token

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    def opens_for(self, user) -> bool:
        """Whether the token still acts for its user: active, same password, not expired."""
        return (
            user.is_active
            and not self.is_expired
            and constant_time_compare(self.password_fingerprint, self.fingerprint(user))
        )


class ApiClient(models.Model):
    """An API client for Salesforce's tools (sfcc-ci, the B2C CLI), as Account Manager's:
    a client id and a secret exchanged for short-lived access tokens (client credentials
    grant). It acts with one role. Only the secret's SHA-256 is stored; it is shown once."""

    ROLE_CHOICES = [(role, role) for role in roles.ROLE_PERMISSIONS]

    client_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    secret_hash = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires = models.DateTimeField()
    revoked = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.client_id})"

    @classmethod
    def issue(cls, *, name: str, role: str, days: int, user=None) -> tuple["ApiClient", str]:
        """Create a client; returns the row and its secret, which is never readable again."""
        secret = _argument_safe_secret()
        now = timezone.now()
        row = cls.objects.create(
            client_id=secrets.token_hex(15),  # 30 characters, as Account Manager's client ids
            name=name,
            role=role,
            secret_hash=ApiToken.digest(secret),
            created=now,
            created_by=user,
            expires=now + timedelta(days=days),
        )
        return row, secret

    def secret_matches(self, secret: str) -> bool:
        return constant_time_compare(self.secret_hash, ApiToken.digest(secret))

    @property
    def is_usable(self) -> bool:
        return self.revoked is None and self.expires > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked is not None:
            return "revoked"
        return "active" if self.expires > timezone.now() else "expired"


class ApiAccessToken(models.Model):
    """An access token issued to an ApiClient by the token endpoint. Stored as its SHA-256;
    it opens the API until it expires or its client is revoked or expires."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()

    class Meta:
        # Expired tokens are deleted when a client asks for a new one: the query filters on it.
        indexes = [models.Index(fields=["expires"], name="access_token_expires")]

    def __str__(self):
        return f"token of {self.client_id} until {self.expires:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, *, client: ApiClient, seconds: int) -> tuple["ApiAccessToken", str, int]:
        """A new token for `client`; never valid past the client's own expiry. Returns the row,
        the token and its lifetime in seconds."""
        now = timezone.now()
        cls.objects.filter(expires__lte=now).delete()
        expires = min(now + timedelta(seconds=seconds), client.expires)
        token = secrets.token_urlsafe(32)
        row = cls.objects.create(
            client=client, token_hash=ApiToken.digest(token), created=now, expires=expires
        )
        return row, token, max(0, int((expires - now).total_seconds()))


class QueuedRun(models.Model):
    """A manual run asked to start once the locks it needs are free ("Run when free").

    It waits by the one policy (jobs.waiting): tried again every retry interval and when the
    execution it waits for finishes, for at most the configured lock wait. Each try claims the
    row with a compare-and-set from `waiting`, so a cancel and a start never both win."""

    class State(models.TextChoices):
        WAITING = "waiting"
        STARTED = "started"
        CANCELLED = "cancelled"
        GAVE_UP = "gave_up", "Gave up"
        FAILED = "failed"

    job_id = models.CharField(max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    # The execution holding the locks at the last try; the one the run became once it ended.
    waiting_for = models.ForeignKey(
        "jobs.JobExecution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    execution = models.ForeignKey(
        "jobs.JobExecution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            # One queued run per job: a second "Run when free" is told about the first.
            models.UniqueConstraint(
                fields=["job_id"], condition=models.Q(state="waiting"), name="queued_one_waiting_per_job"
            ),
        ]
        # The Jobs page and Job History: the waiting rows; the finish receiver: by holder.
        indexes = [models.Index(fields=["state", "waiting_for"], name="queued_state_holder")]

    def __str__(self):
        return f"{self.job_id} queued by {self.requested_by} ({self.state})"


def split_addresses(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def _argument_safe_secret() -> str:
    """A random secret that never starts with "-": it is typed as an argument of sfcc-ci
    (`client:auth <id> <secret>`), whose parser reads a leading "-" as an option (1 secret in 64)."""
    while (secret := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return secret
