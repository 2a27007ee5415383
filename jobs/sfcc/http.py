"""The one HTTP helper for SFCC: Account Manager client-credentials tokens, bearer auth,
timeouts on every call, bounded retries with backoff on 5xx and connection errors, and one
token refresh on 401. Never logs a secret or a token."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import quote_plus, urlsplit

import requests

from .errors import SfccAuthError, SfccConfigError, SfccError, SfccRequestError, SfccUnavailableError

Log = Callable[[str, str], None]
DEFAULT_TOKEN_URL = "https://account.demandware.com/dwsso/oauth2/access_token"
# Renew a little before Account Manager's expiry so a token never dies mid-request.
_TOKEN_MARGIN = 60


class SfccSession:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = DEFAULT_TOKEN_URL,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        log: Log | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self.timeout = timeout
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._log = log or (lambda level, message: None)
        self._sleep = sleep
        self._clock = clock
        self._http = requests.Session()
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        body: IO[bytes] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send with a bearer token. Retries 5xx and connection errors with bounded exponential
        backoff; a 401 gets one fresh token. Any other answer is returned to the caller."""
        refreshed = False
        attempt = 0
        while True:
            if body is not None:
                body.seek(0)  # a retried upload starts again from the first byte
                kwargs["data"] = body
            sent = {**(headers or {}), "Authorization": f"Bearer {self.token()}"}
            try:
                response = self._http.request(
                    method, url, headers=sent, timeout=timeout or self.timeout, **kwargs
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem, cause = type(exc).__name__, exc
            else:
                cause = None
                if response.status_code == 401 and not refreshed:
                    self._log("INFO", f"{method} {_path(url)}: access token refused (401), getting a new one")
                    self._token = None
                    refreshed = True
                    continue
                if response.status_code == 401:
                    raise SfccAuthError(
                        f"{method} {_path(url)}: SFCC refused a fresh access token (HTTP 401)"
                    )
                if response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code}"
            attempt = self._wait_or_give_up(attempt, f"{method} {_path(url)}", problem, cause)

    def token(self) -> str:
        if self._token is None or self._clock() >= self._token_expires:
            self._token, lifetime = self._fetch_token()
            self._token_expires = self._clock() + max(lifetime - _TOKEN_MARGIN, lifetime / 2)
        return self._token

    def _fetch_token(self) -> tuple[str, float]:
        attempt = 0
        while True:
            try:
                response = self._http.post(
                    self._token_url,
                    data={"grant_type": "client_credentials"},
                    # RFC 6749 §2.3.1: both form-url-encoded before Basic, as Account Manager
                    # decodes them; a secret with `+ % / :` or a space sent raw is refused.
                    auth=(quote_plus(self._client_id, safe=""), quote_plus(self._client_secret, safe="")),
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem, cause = type(exc).__name__, exc
            else:
                cause = None
                if response.status_code in (400, 401, 403):
                    raise SfccAuthError(
                        f"Account Manager refused the client credentials of API client {self._client_id!r} "
                        f"(HTTP {response.status_code}{_oauth_error(response)})"
                    )
                if response.ok:
                    return self._token_from(response)
                problem = f"HTTP {response.status_code}"
            attempt = self._wait_or_give_up(attempt, "Account Manager token request", problem, cause)

    def _token_from(self, response: requests.Response) -> tuple[str, float]:
        # A wrong token URL (a Business Manager page, a proxy's sign-in page) answers 200 with
        # HTML: say so, rather than fail on parsing it.
        what = f"The token URL on {urlsplit(self._token_url).hostname}"
        body = json_document(response, what=what, expected="a token document", error=SfccConfigError)
        token, lifetime = body.get("access_token"), body.get("expires_in", 1799)
        if not isinstance(token, str) or not token:
            raise SfccConfigError(f"{what} answered a JSON document without an access_token")
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float):
            lifetime = 1799
        self._log("INFO", "Got an access token from Account Manager")
        return token, float(lifetime)

    def _wait_or_give_up(self, attempt: int, what: str, problem: str, cause: Exception | None = None) -> int:
        """`cause` (the last connection error) is chained, so a caller can tell refused from
        not found or a TLS failure; the message itself stays the short one."""
        if attempt >= self._max_retries:
            raise SfccUnavailableError(f"{what} failed after {attempt + 1} attempts: {problem}") from cause
        delay = min(self._backoff * 2**attempt, self._max_backoff)
        self._log("WARN", f"{what}: {problem}, retrying in {delay:g}s ({attempt + 1}/{self._max_retries})")
        self._sleep(delay)
        return attempt + 1


def json_document(
    response: requests.Response, *, what: str, expected: str, error: type[SfccError] = SfccRequestError
) -> dict:
    """The JSON object a response carries, or `error` saying what came instead ("… answered
    text/html, not a token document"). The body itself is never quoted: it may be anything."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower() or "no content type"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    if "json" in kind:
        raise error(f"{what} answered {kind} that is not a JSON object, not {expected}")
    raise error(f"{what} answered {kind}, not {expected}")


def _oauth_error(response: requests.Response) -> str:
    try:
        error = response.json().get("error")
    except ValueError:
        return ""
    return f": {error}" if error else ""


def _path(url: str) -> str:
    """The URL without scheme and host, for log lines (never carries credentials)."""
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
