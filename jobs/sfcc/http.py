"""The SFCC side of the one HTTP helper (`jobs.http.HttpSession`): Account Manager
client-credentials tokens, bearer auth, and one token renewal on a 401. Timeouts, retries of
408/429/5xx and connection errors (bounded exponential backoff with jitter, `Retry-After`
honoured, every retry logged) and the rule of what may be sent twice are the helper's: WebDAV
GET, PUT, DELETE and PROPFIND are idempotent (an upload sends the whole file again), OCAPI's
POST that starts an import is not (retried only after 408, 429, 503 or a failure to connect).
Never logs a secret or a token: every message passes through the session's `Redactor`."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import quote_plus, urlsplit

import requests

from jobs.http import GaveUp, HttpSession, RetryPolicy
from jobs.redaction import Redactor

from .errors import SfccAuthError, SfccConfigError, SfccError, SfccRequestError, SfccUnavailableError

Log = Callable[[str, str], None]
DEFAULT_TOKEN_URL = "https://account.demandware.com/dwsso/oauth2/access_token"
# Renew a little before Account Manager's expiry so a token never dies mid-request.
_TOKEN_MARGIN = 60
# Seconds to open a connection; the read timeout is the configured request (or upload) timeout.
CONNECT_TIMEOUT = 10.0


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
        # RFC 6749 §2.3.1: both form-url-encoded before Basic, as Account Manager decodes them;
        # a secret with `+ % / :` or a space sent raw is refused.
        self._basic = (quote_plus(client_id, safe=""), quote_plus(client_secret, safe=""))
        self._token_url = token_url
        self.timeout = timeout
        self._log = log or (lambda level, message: None)
        self._clock = clock
        self.redact = Redactor(client_secret)
        self.redact.add(base64.b64encode(":".join(self._basic).encode()).decode())
        self._http = HttpSession(
            "SFCC",
            retry=RetryPolicy(
                max_attempts=max(0, max_retries) + 1, backoff_base=backoff, max_sleep=max_backoff
            ),
            timeout=_timeouts(timeout),
            log=self._log,
            redact=self.redact,
            sleep=sleep,
            user_agent="sfcc-jobs-console/sfcc-client",
        )
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
        """Send with a bearer token, through the helper's retries; a 401 gets one fresh token.
        Any other answer is returned to the caller; a request that kept failing raises
        `SfccUnavailableError`."""
        if body is not None:
            kwargs["data"] = body  # rewound by the helper before every attempt
        try:
            response = self._http.request(
                method,
                url,
                headers=lambda: {**(headers or {}), "Authorization": f"Bearer {self.token()}"},
                refresh=self._forget_token,
                timeout=_timeouts(timeout or self.timeout),
                **kwargs,
            )
        except GaveUp as gave_up:
            # The last connection error (if any) is chained, so a caller can tell refused from not
            # found or a TLS failure; the message itself stays the short one.
            if gave_up.response is not None:
                gave_up.response.close()
            raise SfccUnavailableError(
                self.redact(
                    f"{gave_up.method} {_path(url)} failed after {_attempts(gave_up.attempts)}: "
                    f"{gave_up.problem}{gave_up.note}"
                )
            ) from gave_up.__cause__
        if response.status_code == 401:
            raise SfccAuthError(f"{method} {_path(url)}: SFCC refused a fresh access token (HTTP 401)")
        return response

    def token(self) -> str:
        if self._token is None or self._clock() >= self._token_expires:
            self._token, lifetime = self._fetch_token()
            self.redact.add(self._token)
            self._token_expires = self._clock() + max(lifetime - _TOKEN_MARGIN, lifetime / 2)
        return self._token

    def _forget_token(self, refused: requests.Response) -> None:
        self._token = None

    def _fetch_token(self) -> tuple[str, float]:
        try:
            # A token request may be repeated: at worst Account Manager issues one more token.
            response = self._http.request(
                "POST", self._token_url, data={"grant_type": "client_credentials"}, auth=self._basic,
                idempotent=True,
            )  # fmt: skip
        except GaveUp as gave_up:
            if gave_up.response is not None:
                gave_up.response.close()
            raise SfccUnavailableError(
                f"Account Manager token request failed after {_attempts(gave_up.attempts)}: {gave_up.problem}"
            ) from gave_up.__cause__
        if response.status_code in (400, 401, 403):
            raise SfccAuthError(
                f"Account Manager refused the client credentials of API client {self._client_id!r} "
                f"(HTTP {response.status_code}{_oauth_error(response)})"
            )
        if not response.ok:
            raise SfccUnavailableError(
                f"Account Manager token request failed: HTTP {response.status_code} from the token URL "
                f"on {urlsplit(self._token_url).hostname}"
            )
        return self._token_from(response)

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


def _timeouts(read: float) -> tuple[float, float]:
    return min(CONNECT_TIMEOUT, read), read


def _attempts(count: int) -> str:
    return f"{count} attempt{'' if count == 1 else 's'}"


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
