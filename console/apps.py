from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Jobs console"

    def ready(self):
        from console import auth_backends, checks, middleware  # noqa: F401 - deploy checks; sign-in receivers
