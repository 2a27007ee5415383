"""The Celery app. Tasks are thin: they load a row and call a service in `jobs`.

Task modules are found by autodiscovery: `tasks.py` of every installed app (jobs/tasks.py),
and of the packages named below that are not apps of their own (jobs/operations/tasks.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

# Packages with a tasks module that are part of an app rather than an app themselves.
TASK_PACKAGES = ["jobs.operations"]

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(TASK_PACKAGES)
