"""Saved versions of the import configuration."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ConfigVersion(models.Model):
    """One row per save; the row with the highest number is the configuration in force.
    `document` is the whole normalized document, its secrets encrypted (`jobs.config.crypto`)."""

    number = models.PositiveIntegerField(unique=True)  # unique: its index serves "newest first"
    document = models.JSONField()
    created = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        app_label = "jobs"
        ordering = ["-number"]

    def __str__(self):
        return f"configuration version {self.number}"
