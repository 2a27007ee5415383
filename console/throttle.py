"""One sign-in limit for every login form: the console's, the admin's, any that calls
`authenticate()`. After `LOGIN_FAILURE_LIMIT` failures for one user name, or from one client
address, within `LOGIN_FAILURE_WINDOW_SECONDS`, every further attempt is refused until the
window has passed, even with the right password.

- User names are keyed as Django signs them in: NFKC-normalised and case-folded, so
  `ｓupport`, `𝐬upport` and `SUPPORT` all count against `support`.
- The address is REMOTE_ADDR, or behind the TLS proxy (`BEHIND_TLS_PROXY`) the address that
  proxy saw: the last entry of X-Forwarded-For (entries before it are the client's to forge).
- Counts are rows in the database (`SignInThrottle`), which every web process shares: with
  three gunicorn workers the limit is the documented one, not three times it (healthchecks'
  `TokenBucket` does the same).
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from console.models import SignInThrottle


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFKC", str(username or "")).casefold().strip()[:150]


def client_address(request) -> str:
    if request is None:
        return ""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def keys(request, username: str | None) -> list[str]:
    """Hashed, so the table holds neither user names nor addresses in clear."""
    found = [f"address:{client_address(request)}"]
    name = normalise_username(username or "")
    if name:
        found.append(f"user:{name}")
    return [hashlib.sha256(key.encode()).hexdigest() for key in found]


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def blocked(request, username: str | None) -> bool:
    return SignInThrottle.objects.filter(
        key__in=keys(request, username),
        failures__gte=settings.LOGIN_FAILURE_LIMIT,
        window_start__gt=_window_start(),
    ).exists()


def count_failure(request, username: str | None) -> None:
    now, start = timezone.now(), _window_start()
    for key in keys(request, username):
        with transaction.atomic():
            row = SignInThrottle.objects.select_for_update().filter(key=key).first()
            if row is None:
                try:
                    with transaction.atomic():
                        SignInThrottle.objects.create(key=key, failures=1, window_start=now)
                    continue
                except IntegrityError:  # another process counted the first failure just now
                    row = SignInThrottle.objects.select_for_update().get(key=key)
            if row.window_start <= start:  # the window has passed: this failure starts a new one
                row.failures, row.window_start = 1, now
            else:
                row.failures += 1
            row.save(update_fields=["failures", "window_start"])
    # Spraying many names must not grow the table for ever: passed windows go with each failure.
    prune()


def forget_user(request, username: str | None) -> None:
    """Signed in: the user name starts afresh (the address keeps its count)."""
    SignInThrottle.objects.filter(key__in=keys(request, username)[1:]).delete()


def prune() -> int:
    """Rows whose window has passed count for nothing; the maintenance job removes them."""
    deleted, _ = SignInThrottle.objects.filter(window_start__lte=_window_start()).delete()
    return deleted
