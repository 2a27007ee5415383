"""Tiny helpers that read settings from the environment (as healthchecks' `hc/settings.py`).

A typo must not silently become a default: `DEBUG=ture` or `JOBS_HEARTBEAT_SECONDS=5s` stops
the process at start-up with the variable named, instead of running with a value nobody chose.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.getenv(name)!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off"
    )


def envint(name: str, default: str, *, minimum: int | None = 0) -> int:
    raw = os.getenv(name, default).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]
