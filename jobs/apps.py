from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from django.db.models.signals import post_migrate

        from jobs import roles

        post_migrate.connect(roles.ensure_roles, sender=self)
