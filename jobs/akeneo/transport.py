"""The HTTP session to Akeneo: OAuth2 tokens, origin pinning, concurrency, clear errors.

`AkeneoTransport` sends every call through the one HTTP helper, `jobs.http.HttpSession` (pooled
session, (connect, read) timeouts, retries of 408, 429, 5xx and connection failures with bounded
exponential backoff and jitter, `Retry-After` honoured, every retry logged); what is Akeneo's
stays here: the password grant and refresh tokens, one fresh login on a 401 in the middle of an
import (the helper's `refresh` hook), and Akeneo's error messages. Messages given to the `log`
callback and to exceptions pass through `Redactor`, so the password, the client secret and the
tokens never reach a log file.

Credentials go to the configured Akeneo only: a URL (a `_links` href, a redirect's `Location`)
on another scheme, host or port is refused with `AkeneoForeignLink`, never requested. Redirects
are followed by hand, on the configured origin only, so no foreign page is ever read.

One transport serves every thread of an execution (concurrent fetch streams): they share one
token (one login, one refresh, one re-login after a 401), at most `concurrency` calls are in
flight at once (Akeneo allows 4 per connection), a 429's `Retry-After` holds every thread back
until it has passed, and a 429 answered while several calls were in flight lowers the limit to
what Akeneo just accepted, so that a PIM allowing fewer calls than configured is not flooded.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import orjson
import requests

from jobs.akeneo.errors import (
    AkeneoAuthError,
    AkeneoConfigError,
    AkeneoConnectionError,
    AkeneoError,
    AkeneoForeignLink,
    AkeneoHTTPError,
    AkeneoInvalidResponse,
    AkeneoNotFound,
    AkeneoRateLimited,
    AkeneoRequestError,
    AkeneoServerError,
)
from jobs.http import GaveUp, HttpSession, LogFn, RetryPolicy, parse_retry_after, pooled_session
from jobs.redaction import Redactor

TOKEN_PATH = "/api/oauth/v1/token"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5  # a proxy adding a trailing slash or moving to https needs one or two
DEFAULT_PORTS = {"http": 80, "https": 443}


def _no_log(level: str, message: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str
    secret: str
    username: str
    password: str

    def __repr__(self) -> str:  # a repr in a traceback must not show the secrets
        return f"Credentials(client_id={self.client_id!r}, username={self.username!r}, secret=***)"


@dataclass(slots=True)
class _Token:
    access: str
    refresh: str | None
    expires_at: float  # on the transport's monotonic clock


class CallSlots:
    """At most `limit` calls at once; `lower` shrinks the limit (never below one)."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self.in_use = 0
        self._free = threading.Condition()

    def take(self) -> int:
        """Take a slot; returns the calls in flight, this one included."""
        with self._free:
            while self.in_use >= self.limit:
                self._free.wait()
            self.in_use += 1
            return self.in_use

    def give_back(self) -> None:
        with self._free:
            self.in_use -= 1
            self._free.notify()

    def lower(self, in_flight: int) -> int | None:
        """After a 429 answered with `in_flight` calls out: at most one fewer from now on.
        Returns the new limit, or None when it did not change."""
        with self._free:
            wanted = max(1, in_flight - 1)
            if wanted >= self.limit:
                return None
            self.limit = wanted
            return wanted


class AkeneoTransport:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy | None = None,
        log: LogFn | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
        concurrency: int = 1,
    ):
        if not base_url or not base_url.startswith(("http://", "https://")):
            raise AkeneoConfigError(f"Akeneo URL must start with http:// or https:// (got {base_url!r})")
        if not all((credentials.client_id, credentials.secret, credentials.username, credentials.password)):
            raise AkeneoConfigError("Akeneo client id, secret, username and password are all required")
        self.base_url = base_url.rstrip("/") + "/"
        self.origin = origin(self.base_url)
        self.credentials = credentials
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.log = log or _no_log
        self.sleep = sleep
        self.clock = clock
        self.redact = Redactor()
        basic = base64.b64encode(f"{credentials.client_id}:{credentials.secret}".encode()).decode()
        self.redact.add(credentials.secret, credentials.password, basic)
        self.slots = CallSlots(concurrency)
        # One kept-alive connection per concurrent call, at least the 8 a single stream always had.
        self.session = session or pooled_session(
            user_agent="sfcc-jobs-console/akeneo-client", pool_maxsize=max(8, self.slots.limit)
        )
        self.http = HttpSession(
            "Akeneo", retry=self.retry, timeout=timeout, log=self.log, redact=self.redact,
            sleep=sleep, session=self.session,
        )  # fmt: skip
        self._token: _Token | None = None
        self._token_lock = threading.Lock()
        self._resume_at = 0.0  # monotonic: no call starts before (a 429's Retry-After)
        self._waited = threading.local()  # the `_resume_at` this thread has already waited for
        self._answered = 0  # answers other than 429 to any thread: the calls are going through

    def __repr__(self) -> str:
        return f"AkeneoTransport({self.base_url!r}, {self.credentials!r})"

    def url(self, path_or_url: str) -> str:
        """An absolute URL: hrefs from `_links` may be absolute or relative to the base."""
        return urljoin(self.base_url, path_or_url)

    def close(self) -> None:
        self.session.close()

    def check_origin(self, url: str, what: str) -> None:
        """Refuse a URL off the configured scheme, host and port before anything is sent to it.
        `what` says where the URL came from ("the next link of GET /api/rest/v1/products")."""
        if origin(url) == self.origin:
            return
        host = shown_host(url)
        raise AkeneoForeignLink(
            f"Akeneo's {what} points at another server ({host}); not followed: the Akeneo "
            f"credentials are sent only to the configured {shown_host(self.base_url)}",
            host=host,
        )

    # --- tokens ---------------------------------------------------------------------------

    def login(self, reason: str = "") -> None:
        """Password grant: a fresh access and refresh token."""
        if reason:
            self.log("info", f"Akeneo: logging in again ({reason})")
        creds = self.credentials
        body = {"grant_type": "password", "username": creds.username, "password": creds.password}
        self._store_token(self._token_request(body))

    def _refresh(self) -> None:
        """Refresh grant before expiry; a refused refresh falls back to a fresh login."""
        assert self._token is not None
        if not self._token.refresh:
            self.login("the access token expired and no refresh token was issued")
            return
        self.log("info", "Akeneo: refreshing the access token")
        try:
            body = {"grant_type": "refresh_token", "refresh_token": self._token.refresh}
            payload = self._token_request(body)
        except AkeneoAuthError as exc:
            self.login(f"the token refresh was refused: {exc}")
            return
        self._store_token(payload)

    def _token_request(self, body: dict) -> dict:
        creds = self.credentials
        response = self.send(
            "POST", TOKEN_PATH, json=body, auth=(creds.client_id, creds.secret), with_token=False
        )
        payload = self.decode(response, "POST", TOKEN_PATH)
        if not isinstance(payload, dict) or not payload.get("access_token"):
            raise AkeneoInvalidResponse(f"Akeneo's {TOKEN_PATH} answered without an access_token")
        return payload

    def _store_token(self, payload: dict) -> None:
        access, refresh = str(payload["access_token"]), payload.get("refresh_token")
        self.redact.add(access, refresh)
        ttl = float(payload.get("expires_in") or 3600)
        # Renew a little early so a token never expires between the check and the call.
        margin = min(60.0, ttl / 10)
        self._token = _Token(access, refresh, self.clock() + ttl - margin)

    def access_token(self) -> str:
        with self._token_lock:
            if self._token is None:
                self.login()
            elif self.clock() >= self._token.expires_at:
                self._refresh()
            assert self._token is not None
            return self._token.access

    def _relogin_after_401(self, refused: requests.Response | str | None) -> None:
        """One fresh login for the threads that were refused the same token (the refused
        answer, whose request carried it, or the token itself)."""
        if isinstance(refused, requests.Response):
            refused = refused.request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._token_lock:
            if self._token is not None and self._token.access != refused:
                return  # another thread logged in again meanwhile: its token is the new one
            self.login("Akeneo answered 401 Unauthorized")

    # --- requests -------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict | None = None,
        json: dict | None = None,
        auth: tuple[str, str] | None = None,
        stream: bool = False,
        with_token: bool = True,
    ) -> requests.Response:
        """One request with retries (`jobs.http`); returns a 2xx response or raises an
        `AkeneoError`. Redirects on the configured origin are followed (at most MAX_REDIRECTS);
        any other ends in `AkeneoForeignLink` without a request to it. Every call may be sent
        again: Akeneo's are GETs and token requests (another token is all a repeat costs)."""
        url = self.url(path_or_url)
        self.check_origin(url, f"URL for {method} {urlsplit(url).path}")
        path = urlsplit(url).path
        redirects = 0
        while True:
            try:
                response = self.http.request(
                    method, url, params=params, json=json, auth=auth, stream=stream, allow_redirects=False,
                    headers=lambda: self._headers(with_token), send=self._one_call, idempotent=True,
                    refresh=self._relogin_after_401 if with_token else None, progress=self._progress,
                )  # fmt: skip
            except GaveUp as gave_up:
                raise self._gave_up(gave_up) from gave_up.__cause__
            status = response.status_code
            if status in REDIRECT_STATUSES:
                url, method, json = self._redirect(response, method, path, json, redirects)
                path, params, redirects = urlsplit(url).path, None, redirects + 1
                continue
            if status >= 400:
                error = self._http_error(response, method, path)
                response.close()
                raise error
            if status >= 300:
                response.close()
                raise AkeneoInvalidResponse(f"Akeneo answered HTTP {status} on {method} {path}")
            return response

    def _headers(self, with_token: bool) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if with_token:
            # Before a slot is taken (in `_one_call`): a login inside takes one of its own.
            headers["Authorization"] = f"Bearer {self.access_token()}"
        return headers

    def _one_call(self, method: str, url: str, **kwargs) -> requests.Response:
        """One attempt: waits out another thread's `Retry-After`, holds a call slot while the
        call is out (a streamed body: until it is closed), and slows down on a 429."""
        self._wait_for_resume()
        in_flight = self.slots.take()
        try:
            response = self.session.request(method, url, **kwargs)
        except BaseException:
            self.slots.give_back()
            raise
        _give_back_on_close(response, self.slots) if kwargs.get("stream") else self.slots.give_back()
        if response.status_code == 429:
            self._slow_down(in_flight, parse_retry_after(response.headers.get("Retry-After")))
        else:
            self._answered += 1
        return response

    def _progress(self) -> int:
        return self._answered

    def _gave_up(self, gave_up: GaveUp) -> AkeneoError:
        """The error of a request the helper stopped retrying: the last answer, or no answer."""
        response = gave_up.response
        if response is None:
            return AkeneoConnectionError(
                self.redact(
                    f"Akeneo unreachable: {gave_up.cause} after {gave_up.attempts} attempts "
                    f"({gave_up.__cause__})"
                )
            )
        error = self._http_error(response, gave_up.method, gave_up.path, gave_up.attempts)
        response.close()
        return error

    def _redirect(
        self, response: requests.Response, method: str, path: str, json: dict | None, redirects: int
    ) -> tuple[str, str, dict | None]:
        """Where a redirect leads (URL, method, body), refused off the configured origin.
        303, and 301/302 after a POST, continue as GET without a body, as browsers do."""
        status, location = response.status_code, response.headers.get("Location")
        response.close()  # a redirect's body is never read
        if not location:
            raise AkeneoInvalidResponse(
                f"Akeneo answered HTTP {status} on {method} {path} without a Location"
            )
        target = urljoin(response.url or self.base_url, location)
        self.check_origin(target, f"redirect (HTTP {status}) of {method} {path}")
        if redirects >= MAX_REDIRECTS:
            raise AkeneoInvalidResponse(f"Akeneo redirected {method} {path} more than {MAX_REDIRECTS} times")
        if status == 303 or (status in (301, 302) and method == "POST"):
            return target, "GET", None
        return target, method, json

    def _slow_down(self, in_flight: int, retry_after: float | None) -> None:
        """A 429: every thread waits out `Retry-After`, and fewer calls go out at once."""
        if retry_after is not None:
            self._resume_at = max(self._resume_at, self.clock() + min(self.retry.max_sleep, retry_after))
            self._waited.resume_at = self._resume_at  # this thread waits it out in `_pause`
        lowered = self.slots.lower(in_flight)
        if lowered is not None:
            self.log(
                "warning",
                f"Akeneo: too many requests with {in_flight} calls in flight; at most {lowered} at once from now on",
            )

    def _wait_for_resume(self) -> None:
        """Hold a call back while another thread's 429 says to wait: once per 429, never a loop."""
        resume_at = self._resume_at
        if getattr(self._waited, "resume_at", None) == resume_at:
            return
        wait = resume_at - self.clock()
        if wait > 0:
            self._waited.resume_at = resume_at
            self.sleep(wait)

    def _http_error(self, response: requests.Response, method: str, path: str, attempts: int = 1):
        """The error an answer means; `attempts` how many tries a retried status took."""
        status = response.status_code
        akeneo_message = self.redact(_error_message(response))
        where = f"{method} {path}"
        if path == TOKEN_PATH and status in (400, 401, 403, 422):
            text = f"Akeneo refused the credentials (HTTP {status} on {where}): {akeneo_message}"
            return AkeneoAuthError(text, status=status, path=path, akeneo_message=akeneo_message)
        if status in self.retry.statuses:
            cls = AkeneoRateLimited if status == 429 else AkeneoServerError
            text = f"Akeneo still answered HTTP {status} on {where} after {attempts} tries: {akeneo_message}"
            return cls(text, status=status, path=path, akeneo_message=akeneo_message)
        cls = _STATUS_ERRORS.get(status, AkeneoServerError if status >= 500 else AkeneoRequestError)
        text = f"Akeneo answered HTTP {status} on {where}: {akeneo_message}"
        return cls(text, status=status, path=path, akeneo_message=akeneo_message)

    def decode(self, response: requests.Response, method: str, path_or_url: str):
        """The JSON body, or `AkeneoInvalidResponse` naming what came instead."""
        path = urlsplit(self.url(path_or_url)).path
        content_type = response.headers.get("Content-Type", "")
        if "html" in content_type or response.content.lstrip()[:1] == b"<":
            title = _html_title(response.text)
            raise AkeneoInvalidResponse(
                self.redact(
                    f"Akeneo answered an HTML page instead of JSON on {method} {path} "
                    f"(HTTP {response.status_code}{', ' + title if title else ''})"
                )
            )
        try:
            return json_loads(response.content)
        except ValueError as exc:
            raise AkeneoInvalidResponse(
                f"Akeneo answered invalid JSON on {method} {path} (HTTP {response.status_code}, "
                f"{len(response.content)} bytes, {type(exc).__name__} at {getattr(exc, 'pos', '?')})"
            ) from None

    def get_json(self, path_or_url: str, params: dict | None = None):
        response = self.send("GET", path_or_url, params=params)
        return self.decode(response, "GET", response.url)


def json_loads(body: bytes):
    """JSON from bytes: orjson (a quarter of a full import's CPU is this decoding, and orjson
    takes 25-30 % less of it); the standard parser for what orjson refuses (`NaN`, which
    Python's parser reads), whose error a body neither accepts raises. Like `float()`, orjson
    reads an integer beyond 64 bits as a float: Akeneo's numbers are strings or small integers."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


_STATUS_ERRORS: dict[int, type[AkeneoHTTPError]] = {
    401: AkeneoAuthError,
    403: AkeneoAuthError,
    404: AkeneoNotFound,
}


def _give_back_on_close(response: requests.Response, slots: CallSlots) -> None:
    close, closed = response.close, threading.Event()

    def close_once() -> None:
        try:
            close()
        finally:
            if not closed.is_set():
                closed.set()
                slots.give_back()

    response.close = close_once  # type: ignore[method-assign]


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in: what "the same server" means."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number is no port of the configured Akeneo
        port = -1
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme, 0)


_HOST_CHARS = re.compile(r"[^A-Za-z0-9.:\[\]_-]")


def shown_host(url: str) -> str:
    """`host:port` of a URL for a message: no user info, no path, nothing but host characters
    (a hostile link must not smuggle text into a page), at most 100 characters."""
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    return _HOST_CHARS.sub("?", netloc)[:100] or "no host"


def shown_text(text: str, limit: int = 120) -> str:
    """Text from Akeneo's answer (a message, an HTML title) as a message may quote it: control
    and bidirectional-override characters removed, whitespace collapsed, at most `limit`."""
    text = _UNSHOWN.sub(" ", text)
    return " ".join(text.split())[:limit]


_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _error_message(response: requests.Response) -> str:
    """Akeneo's `message` (plus its validation `errors`), or a short hint of what came."""
    try:
        body = response.json()
    except ValueError:
        title = _html_title(response.text)
        return title or shown_text(response.text[:400]) or shown_text(response.reason or "") or "no message"
    if not isinstance(body, dict):
        return shown_text(str(body)[:400], 200)
    message = str(body.get("message") or body.get("error_description") or body.get("error") or "")
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        details = "; ".join(f"{e.get('property', '')}: {e.get('message', '')}" for e in errors[:5])
        message = f"{message} ({details})"
    return shown_text(message, 600) or "no message"


def _html_title(text: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", text[:4096], re.IGNORECASE | re.DOTALL)
    if match:
        return shown_text(match.group(1))
    return ""
