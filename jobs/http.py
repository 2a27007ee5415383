"""The one HTTP helper for every outbound call (the Akeneo client, the SFCC delivery).

`HttpSession` owns a pooled `requests.Session` and sends one request at a time through one retry
loop: every attempt carries (connect, read) timeouts; 408, 429 and 500/502/503/504 answers and
connection failures are sent again after a bounded exponential backoff with jitter, or after
the answer's `Retry-After` (seconds or an HTTP date), never more than `RetryPolicy.max_sleep`;
a 401 calls the client's `refresh` hook once (a new token), then the request is sent once more.
Every retry is announced to the `log` callback ("SFCC: HTTP 429 on GET /x (attempt 1 of 5);
retrying in 2.0 s"), and every message passes through the client's `Redactor` first.

Which requests may be sent twice (RFC 9110 §9.2.2; WebDAV's PROPFIND, RFC 4918 §9.1): GET, HEAD,
OPTIONS, PUT, DELETE and PROPFIND are idempotent: a second identical request leaves the server
as one would, so they are retried after any retryable failure. A WebDAV PUT sends the whole file
each time (a file body is rewound to where it started), so a retried upload replaces the file,
never appends to it. POST, PATCH and MKCOL are not: after a 500, 502, 504, a read timeout or a
cut answer, the server may have acted already (started an import job), so they are not sent
again; only answers that say the request was not processed (408, 429, 503) and failures to
connect at all (nothing was sent) are retried. A caller that knows better (a token request,
which at worst issues one more token) says `idempotent=True`.

Protocol knowledge stays with the clients: tokens, pagination, origin pinning and concurrency
slots (Akeneo), client credentials, WebDAV and OCAPI (SFCC). A client passes `send` to wrap each
attempt (the Akeneo client takes a concurrency slot there). Redirects are the caller's: the
Akeneo client asks for none and follows them itself, on its own origin only. No Django here.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.exceptions import MaxRetryError, NewConnectionError

from jobs.redaction import Redactor

LogFn = Callable[[str, str], None]
Headers = Mapping[str, str] | Callable[[], Mapping[str, str]] | None

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Answers saying the request was not acted upon: safe to send again whatever the method.
UNPROCESSED_STATUSES = frozenset({408, 429, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PROPFIND"})
# Failures worth another try: the request may never have arrived, or the answer was cut.
RETRYABLE_EXCEPTIONS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


def _no_log(level: str, message: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6  # total tries of one request, the first included
    backoff_base: float = 0.5  # seconds before the 2nd try (before jitter); doubles each time
    max_sleep: float = 30.0  # cap of one wait, Retry-After included
    statuses: frozenset[int] = RETRYABLE_STATUSES
    # 429s not counted as attempts while the client's other calls go through (a shared limit:
    # the server is busy with this client, not refusing this request), at most this many more.
    max_shared_waits: int = 60

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """The wait after failed attempt `attempt` (1-based) without a `Retry-After`: the capped
        exponential ceiling, half of it fixed and half random ("equal jitter"), so that clients
        refused at the same moment do not come back in step and yet always wait a while."""
        ceiling = min(self.max_sleep, self.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + rand() * ceiling / 2

    def delay(
        self, attempt: int, retry_after: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        if retry_after is not None:
            return min(self.max_sleep, retry_after)
        return self.backoff(attempt, rand)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` (RFC 9110 §10.2.3) as seconds: delay-seconds, or an HTTP date (a date in the
    past is 0). None when absent or unreadable, so the backoff applies."""
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class GaveUp(Exception):
    """A request that failed for good: every attempt used, or a failure after which a request
    that is not idempotent must not be sent again (`repeatable` False). `response` is the last
    answer (a retryable status; the caller closes it), or None when the last attempt raised
    (then `__cause__` is the exception). `problem` is "HTTP 503" or "ConnectionError"."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        problem: str,
        attempts: int,
        response: requests.Response | None = None,
        repeatable: bool = True,
    ):
        self.method, self.path, self.problem, self.attempts = method, path, problem, attempts
        self.response, self.repeatable = response, repeatable
        super().__init__(self.cause)

    @property
    def cause(self) -> str:
        return f"{self.problem} on {self.method} {self.path}"

    @property
    def note(self) -> str:
        """Why it was not sent again before every attempt was used, or ""."""
        if self.repeatable:
            return ""
        return f" (not sent again: {self.method} is not idempotent and the server may have acted on it)"


def pooled_session(*, user_agent: str, pool_maxsize: int = 8) -> requests.Session:
    """A `requests.Session` keeping up to `pool_maxsize` connections alive per host. urllib3
    never retries underneath: retries are `HttpSession.request`'s, with backoff and a log line."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(1, pool_maxsize), max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    session.auth = _OwnHeaders()
    return session


class _OwnHeaders(AuthBase):
    """The session's `auth`: requests as the client made them (its Bearer token, or a call's
    own `auth=`). Without one, requests looks for a ~/.netrc on every request (two file
    lookups, 3 % of an import's CPU) and would put its password over the client's token."""

    def __call__(self, request):
        return request


class HttpSession:
    def __init__(
        self,
        service: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        log: LogFn | None = None,
        redact: Redactor | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        session: requests.Session | None = None,
        user_agent: str = "sfcc-jobs-console",
        pool_maxsize: int = 8,
    ):
        self.service = service  # how log lines name the other side: "Akeneo", "SFCC"
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.log = log or _no_log
        self.redact = redact or Redactor()
        self.sleep = sleep
        self.rand = rand
        self.session = session or pooled_session(user_agent=user_agent, pool_maxsize=pool_maxsize)

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Headers = None,
        refresh: Callable[[requests.Response], None] | None = None,
        send: Callable[..., requests.Response] | None = None,
        idempotent: bool | None = None,
        timeout: tuple[float, float] | None = None,
        progress: Callable[[], int] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send with retries; return the answer that ends it (2xx, 3xx, a 4xx, a second 401), or
        raise `GaveUp`. `headers` may be a callable, asked before every attempt (a token that a
        `refresh` renewed). `refresh(response)` is called on the first 401 only. `send` makes one
        attempt (default: the pooled session's `request`). `progress()` counts the answers the
        client's calls got (several threads sharing a limit): a 429 after which it moved is the
        limit shared, not counted as an attempt (`RetryPolicy.max_shared_waits` at most). Other
        keywords go to `send`."""
        send = send or self.session.request
        method = method.upper()
        path = urlsplit(url).path or "/"
        repeatable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        body = kwargs.get("data")
        start = body.tell() if hasattr(body, "seek") and hasattr(body, "tell") else None
        attempts = self.retry.max_attempts
        refreshed = False
        attempt = shared_waits = 0
        answered = progress() if progress is not None else 0
        while True:
            attempt += 1
            if start is not None:
                body.seek(start)  # a file body is sent whole each time, from where it started
            sent = dict(headers() if callable(headers) else headers or {})
            try:
                response = send(method, url, headers=sent, timeout=timeout or self.timeout, **kwargs)
            except RETRYABLE_EXCEPTIONS as exc:
                problem = type(exc).__name__
                retry = repeatable or _never_sent(exc)
                if not retry or attempt >= attempts:
                    raise GaveUp(
                        method=method, path=path, problem=problem, attempts=attempt, repeatable=retry
                    ) from exc
                self._pause(attempt, attempts, None, f"{problem} on {method} {path}")
                continue
            status = response.status_code
            if status == 401 and refresh is not None and not refreshed:
                # The token was revoked or expired early (a restart, clock skew): one renewal,
                # then the same request again. A second 401 is a real refusal, the caller's.
                response.close()
                refreshed = True
                self.log(
                    "INFO",
                    self.redact(
                        f"{self.service}: HTTP 401 on {method} {path}; renewing the access token "
                        "and sending it once more"
                    ),
                )
                refresh(response)
                attempt -= 1  # a renewed token is not a failed attempt
                continue
            if status not in self.retry.statuses:
                return response
            retry = repeatable or status in UNPROCESSED_STATUSES
            if status == 429 and progress is not None:
                answered, before = progress(), answered
                if answered != before and shared_waits < self.retry.max_shared_waits:
                    shared_waits += 1
                    attempt -= 1  # other calls went through meanwhile: the limit is shared
            if not retry or attempt >= attempts:
                raise GaveUp(
                    method=method, path=path, problem=f"HTTP {status}", attempts=attempt,
                    response=response, repeatable=retry,
                )  # fmt: skip
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            response.close()
            self._pause(attempt, attempts, retry_after, f"HTTP {status} on {method} {path}")

    def _pause(self, attempt: int, attempts: int, retry_after: float | None, cause: str) -> None:
        delay = self.retry.delay(attempt, retry_after, self.rand)
        self.log(
            "WARN",
            self.redact(
                f"{self.service}: {cause} (attempt {attempt} of {attempts}); retrying in {delay:.1f} s"
            ),
        )
        self.sleep(delay)


def _never_sent(exc: Exception) -> bool:
    """A failure to connect at all (refused, no such host, connect timeout): the request never
    left, so even a POST may be sent again."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if isinstance(exc, requests.ConnectionError) and exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)
