from django.apps import AppConfig


class JobsConfig(AppConfig):
    """The engine and its operations are one app (one migration history); the operations'
    receivers are connected here, so the engine never imports the operations."""

    name = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from django.db.models.signals import post_migrate

        from jobs import liveness, roles
        from jobs.operations import receivers

        post_migrate.connect(roles.ensure_roles, sender=self, dispatch_uid="jobs.roles.ensure_roles")
        receivers.connect()
        # Heartbeats of the worker processes and beat's own checks (Celery signals; inert elsewhere).
        liveness.connect()
