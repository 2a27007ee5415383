"""Saved versions of the import configuration."""

import json

from django.conf import settings
from django.db import models
from django.utils import timezone


class DocumentField(models.TextField):
    """A JSON document kept as text. PostgreSQL's jsonb would re-order the keys, and here the
    order is meaningful (locales, attribute and link type mappings are shown as entered)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value)


class ConfigVersion(models.Model):
    """One row per save; the row with the highest number is the configuration in force.
    `document` is the whole normalized document, its secrets encrypted (`jobs.config.crypto`)."""

    number = models.PositiveIntegerField(unique=True)  # unique: its index serves "newest first"
    document = DocumentField()
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
