from django.conf import settings
from django.db import models


class SignInThrottle(models.Model):
    """Failed sign-ins per hashed user name or address, within one window (console/throttle.py)."""

    key = models.CharField(max_length=64, primary_key=True)  # sha256 of "user:<name>" or "address:<ip>"
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(db_index=True)  # prune(): rows whose window has passed

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.failures} since {self.window_start:%Y-%m-%d %H:%M}"


class UserPreference(models.Model):
    """What a user chose for themself in the header; remembered from one sign-in to the next.
    An empty time zone follows the browser's (the `tz` cookie)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    timezone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.timezone or 'browser time zone'}"
