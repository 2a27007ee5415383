"""Secrets of the import configuration, encrypted at rest with Fernet.

The key comes from the `CONFIG_ENCRYPTION_KEY` setting (or environment variable): any string,
or several separated by commas to rotate keys (the first encrypts, every one decrypts). Without
it the key is derived from `SECRET_KEY`, so changing `SECRET_KEY` then makes stored secrets
unreadable: they have to be entered again.

Stored values read `fernet:<token>`; `env:NAME` references are stored as written and read from
the environment when the configuration is loaded; an empty value stays empty.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from jobs.config.schema import ENV_PREFIX

ENCRYPTED_PREFIX = "fernet:"


class SecretUnavailable(ValueError):
    """A stored secret cannot be read: wrong key, or an `env:NAME` variable that is not set."""


def _fernet() -> MultiFernet:
    configured = getattr(settings, "CONFIG_ENCRYPTION_KEY", None) or os.environ.get("CONFIG_ENCRYPTION_KEY")
    passphrases = [k.strip() for k in (configured or "").split(",") if k.strip()] or [settings.SECRET_KEY]
    return MultiFernet([Fernet(_derive(passphrase)) for passphrase in passphrases])


def _derive(passphrase: str) -> bytes:
    digest = hashlib.sha256(b"sfcc-jobs-console/config-secrets:" + passphrase.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt(value: str) -> str:
    """The stored form of a secret as entered."""
    if not value or value.startswith(ENV_PREFIX):
        return value
    return ENCRYPTED_PREFIX + _fernet().encrypt(value.encode()).decode()


def reveal(stored: str) -> str:
    """The secret in clear: decrypted, or read from the environment."""
    if stored.startswith(ENCRYPTED_PREFIX):
        try:
            return _fernet().decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
        except InvalidToken:
            raise SecretUnavailable(
                "cannot be decrypted with the current key (CONFIG_ENCRYPTION_KEY or SECRET_KEY "
                "changed?); enter it again"
            ) from None
    if stored.startswith(ENV_PREFIX):
        name = stored[len(ENV_PREFIX) :]
        value = os.environ.get(name)
        if value is None:
            raise SecretUnavailable(f"environment variable {name} is not set")
        return value
    return stored


def is_encrypted(stored: str) -> bool:
    return stored.startswith(ENCRYPTED_PREFIX)
