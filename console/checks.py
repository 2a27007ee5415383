"""Checks Django does not make. At deploy: the development SECRET_KEY of settings.py is public
(it is in the repository), so a production site must never run with it. Always: a setting
naming a class by its dotted path (EMAIL_BACKEND) must name one that imports, or the first
failure alert would be the first to find out."""

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY != DEVELOPMENT_SECRET_KEY:
        return []
    return [
        checks.Warning(
            "SECRET_KEY is the development key written in console/settings.py.",
            hint="Set the SECRET_KEY environment variable to a long random value.",
            id="console.W001",
        )
    ]


@checks.register()
def check_email_backend(app_configs, **kwargs):
    try:
        import_string(settings.EMAIL_BACKEND)
    except ImportError as exc:
        return [
            checks.Error(
                f"EMAIL_BACKEND={settings.EMAIL_BACKEND!r} cannot be imported: {exc}",
                hint="Name an e-mail backend class, e.g. django.core.mail.backends.smtp.EmailBackend.",
                id="console.E001",
            )
        ]
    return []
