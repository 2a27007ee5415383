from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Jobs console"

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from console import auth_backends, checks  # noqa: F401 - deploy checks; sign-in limit receivers
        from console.admin_audit import record_admin_change

        post_save.connect(record_admin_change, sender=LogEntry, dispatch_uid="console.admin_audit")
