"""Fault injection and tokens of the demo Akeneo server: the misbehaviour a real PIM, or the
proxies in front of it, shows in production, switched on at runtime by tests or by `/_demo/faults`."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import asdict, dataclass, field, fields


@dataclass
class Faults:
    """Counters are "the next N API requests"; the other settings last until cleared.

    The speed settings make the demo behave as a real PIM over a network: `latency` seconds on
    every API call plus `latency_per_item` per item of a list page, `media_latency` before a
    download's first byte and `media_bandwidth` bytes a second after it, all slept in the
    request's own thread (no CPU). `concurrency` is Akeneo's limit of concurrent calls per
    connection (the demo has one): a call beyond it answers 429 with `Retry-After: retry_after`.
    """

    fail_503: int = 0  # answer 503 (JSON body)
    storm_429: int = 0  # answer 429 with Retry-After: retry_after
    retry_after: float = 1.0
    invalid_json: int = 0  # answer 200 with a truncated JSON body
    html_page: int = 0  # answer an HTML page (status html_status), as a proxy or login page would
    html_status: int = 200
    reset: int = 0  # close the connection with a TCP reset, no answer at all
    refresh_fails: int = 0  # refuse the next N refresh-token grants (a fresh login still works)
    down: bool = False  # every API request answers 503 until cleared
    rate_limit: float = 0.0  # API requests a second; over it → 429 with Retry-After: 1
    latency: float = 0.0  # seconds every API call takes to be answered, the demo's own work included
    latency_per_item: float = 0.0  # seconds more per item of a list page
    media_latency: float = 0.0  # seconds before a media download's first byte
    media_bandwidth: float = 0.0  # bytes a second of a media download; 0: as fast as it goes
    concurrency: int = 0  # concurrent API calls allowed; 0: no limit
    # Media code → seconds more before the first byte of its download (a file stuck on a slow
    # disk or behind a cold CDN), until cleared.
    slow_media: dict = field(default_factory=dict)
    # Listings whose `search` contains this text answer `fail_search_status` until cleared
    # (e.g. '"BETWEEN"': one stream of a split listing fails, the others do not).
    fail_search: str = ""
    fail_search_status: int = 503
    relative_links: bool = False  # `_links` hrefs without scheme and host
    # Resource ("products", "product-models", "categories") → items, whatever their shape,
    # added to the first page of every listing of it until cleared: records a buggy PIM
    # extension or a proxy could hand over.
    extra_items: dict = field(default_factory=dict)
    # A hostile or misconfigured Akeneo: list `_links` hrefs on another server (a base URL
    # such as http://127.0.0.1:9999), and redirects there. Both last until cleared.
    foreign_links: str = ""
    redirect_to: str = ""  # API requests answer `redirect_status` with Location on this base
    redirect_status: int = 302
    redirect_path: str = ""  # only requests whose path contains this (empty: all but the token)

    @classmethod
    def names(cls) -> set[str]:
        return {f.name for f in fields(cls)}


class FaultBoard:
    """Thread-safe holder of the current `Faults`; each request takes at most one fault."""

    def __init__(self, rate_limit: float = 0.0, **settings):
        self._lock = threading.Lock()
        self._started = Faults(rate_limit=rate_limit, **settings)  # what `clear` goes back to
        self.faults = Faults(**asdict(self._started))
        self._tokens = rate_limit
        self._stamp = time.monotonic()
        self.in_flight = 0  # API calls being answered now
        self.peak_in_flight = 0

    def set(self, **changes) -> Faults:
        unknown = set(changes) - Faults.names()
        if unknown:
            raise ValueError(f"Unknown fault(s): {', '.join(sorted(unknown))}")
        with self._lock:
            for name, value in changes.items():
                kind = type(getattr(self.faults, name))
                if kind in (int, float) and (isinstance(value, bool) or kind(value) < 0):
                    raise ValueError(f"{name} must be a number of at least 0, not {value!r}")
                setattr(self.faults, name, kind(value))
            self._tokens = self.faults.rate_limit
            return self.snapshot()

    def clear(self) -> Faults:
        """Back to the settings the server was started with."""
        with self._lock:
            self.faults = Faults(**asdict(self._started))
            return self.snapshot()

    def enter(self) -> bool:
        """Admit one API call, or False when `concurrency` calls are already in flight."""
        with self._lock:
            limit = self.faults.concurrency
            if limit and self.in_flight >= limit:
                return False
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def snapshot(self) -> Faults:
        return Faults(**asdict(self.faults))

    def take(self) -> str | None:
        """The fault this request suffers, if any, counting it down."""
        with self._lock:
            f = self.faults
            for name in ("reset", "fail_503", "storm_429", "invalid_json", "html_page"):
                if getattr(f, name) > 0:
                    setattr(f, name, getattr(f, name) - 1)
                    return name
            if f.down:
                return "fail_503"
            if f.rate_limit > 0 and not self._allow(f.rate_limit):
                return "rate_limited"
        return None

    def _allow(self, rate: float) -> bool:
        """Token bucket of `rate` requests a second (burst of one second's worth)."""
        now = time.monotonic()
        self._tokens = min(rate, self._tokens + (now - self._stamp) * rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def redirect_for(self, path: str) -> tuple[int, str] | None:
        """(status, base URL) when this request is to be redirected to another server."""
        with self._lock:
            f = self.faults
            if not f.redirect_to or path == "/api/oauth/v1/token" and not f.redirect_path:
                return None
            if f.redirect_path and f.redirect_path not in path:
                return None
            return f.redirect_status, f.redirect_to.rstrip("/")

    def take_refresh_failure(self) -> bool:
        with self._lock:
            if self.faults.refresh_fails > 0:
                self.faults.refresh_fails -= 1
                return True
        return False


class TokenStore:
    """OAuth2 access and refresh tokens with a TTL; counts grants so tests can see the flow."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._access: dict[str, float] = {}  # token → expiry (monotonic)
        self._refresh: set[str] = set()
        self.grants = {"password": 0, "refresh_token": 0}

    def issue(self, grant: str) -> dict:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self._lock:
            self.grants[grant] += 1
            self._access[access] = time.monotonic() + self.ttl
            self._refresh.add(refresh)
            self._prune()
        ttl = max(1, int(self.ttl)) if self.ttl >= 1 else self.ttl
        return {
            "access_token": access,
            "expires_in": ttl,
            "token_type": "bearer",
            "scope": None,
            "refresh_token": refresh,
        }

    def use_refresh(self, token: str) -> bool:
        """A refresh token is good once: the grant replaces it."""
        with self._lock:
            if token in self._refresh:
                self._refresh.discard(token)
                return True
        return False

    def check(self, token: str) -> str | None:
        """None when valid, else Akeneo's 401 message."""
        with self._lock:
            expiry = self._access.get(token)
        if expiry is None:
            return "The access token provided is invalid."
        if time.monotonic() >= expiry:
            return "The access token provided has expired."
        return None

    def expire_all(self) -> None:
        with self._lock:
            for token in self._access:
                self._access[token] = 0.0

    def _prune(self) -> None:
        if len(self._access) > 10_000:  # long benchmarks must not grow this for ever
            now = time.monotonic()
            self._access = {t: e for t, e in self._access.items() if e > now}
        if len(self._refresh) > 10_000:
            self._refresh = set(list(self._refresh)[-5_000:])
