"""A deploy check Django does not make: the development SECRET_KEY of settings.py is public
(it is in the repository), so a production site must never run with it."""

from django.conf import settings
from django.core import checks

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
