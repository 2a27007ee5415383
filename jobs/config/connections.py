"""The console's Test connection buttons and its "Load from Akeneo" lists: short, barely retried
attempts with the given values, and what a failure means in a user's words.

`test_akeneo`, `test_delivery` and `akeneo_lists` raise the client's own error (`AkeneoError`,
`SfccError`), whose message names the cause and never a secret; `diagnose` turns one into a
`Diagnosis` (what went wrong, what to do), keeping the client's message as the detail.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from jobs.akeneo.client import AkeneoClient
from jobs.akeneo.errors import (
    AkeneoAuthError,
    AkeneoConnectionError,
    AkeneoError,
    AkeneoHTTPError,
    AkeneoInvalidResponse,
    AkeneoNotFound,
)
from jobs.sfcc.delivery import LocalDelivery, SfccConfig, SfccDelivery
from jobs.sfcc.errors import SfccAuthError, SfccConfigError, SfccError, SfccRequestError, SfccUnavailableError

# A button click should answer within seconds, not sit through a job's patient retries.
TEST_TIMEOUT = 15.0
CONNECT_TIMEOUT = 5.0
# The most codes a "Load from Akeneo" list holds: a picker, not an export (100 per page).
MAX_LISTED = 2000


def _client(akeneo: dict) -> AkeneoClient:
    return AkeneoClient(
        akeneo["url"],
        client_id=akeneo["client_id"],
        secret=akeneo["secret"],
        username=akeneo["username"],
        password=akeneo["password"],
        timeout=(CONNECT_TIMEOUT, read_timeout(akeneo)),
        max_attempts=2,
        backoff_base=0.2,
        max_sleep=1.0,
    )


def read_timeout(akeneo: dict) -> float:
    return min(float(akeneo["timeout"]), TEST_TIMEOUT)


def test_akeneo(akeneo: dict) -> str:
    """`akeneo` is a normalized `akeneo` section with secrets in clear."""
    client = _client(akeneo)
    try:
        return client.test_connection()
    finally:
        client.close()


def test_delivery(delivery: dict) -> str:
    """`delivery` is a normalized `delivery` section with secrets in clear."""
    if delivery["target"] == "local":
        return LocalDelivery().test_connection()
    config = SfccConfig.from_mapping(
        {**delivery, "request_timeout": min(delivery["request_timeout"], TEST_TIMEOUT), "max_retries": 1,
         "backoff": 0.2, "max_backoff": 1.0}
    )  # fmt: skip
    sfcc = SfccDelivery(config)
    try:
        return sfcc.test_connection()
    finally:
        sfcc.close()


@dataclass(frozen=True)
class Choice:
    code: str
    label: str  # what the picker shows beside the code (a type, a label)


def akeneo_lists(akeneo: dict) -> dict[str, list[Choice]]:
    """Akeneo's own codes to pick from: attributes (with their type), enabled locales, channels
    and association types, each at most MAX_LISTED long."""
    client = _client(akeneo)
    try:
        return {
            "attributes": _take(client.attributes(), lambda a: a.get("type", "")),
            "locales": _take(client.locales(enabled_only=True), lambda a: a.get("label") or ""),
            "channels": _take(client.channels(), lambda a: _label(a)),
            "association_types": _take(
                client.association_types(),
                lambda a: ("quantified · " if a.get("is_quantified") else "") + _label(a),
            ),
        }
    finally:
        client.close()


def _take(items, label) -> list[Choice]:
    found = []
    for item in items:
        code = item.get("code")
        if isinstance(code, str) and code:
            found.append(Choice(code, str(label(item))[:100]))
        if len(found) >= MAX_LISTED:
            break
    return found


def _label(item: dict) -> str:
    labels = item.get("labels")
    if isinstance(labels, dict):
        # English when Akeneo has it (the console's language), else the first label given.
        return str(labels.get("en_US") or next((text for text in labels.values() if text), ""))
    return ""


# --- what a failure means ---------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    cause: str  # what went wrong, in a user's words
    action: str  # what to do about it
    detail: str  # the client's own message, for support


def diagnose(exc: Exception, *, service: str, url: str, timeout: float = TEST_TIMEOUT) -> Diagnosis:
    """`service` is "Akeneo" or "SFCC"; `url` the address that was tried (its host is named)."""
    host = urlsplit(str(url)).netloc or str(url)
    detail = str(exc)
    network = _network_cause(exc)
    if network == "tls":
        return Diagnosis(
            f"The secure connection (TLS) to {host} failed: {_tls_reason(exc)}.",
            f"Check the URL's scheme (https:// only where {host} speaks TLS) and that its certificate is "
            "valid and issued for this host name.",
            detail,
        )
    if network == "dns":
        return Diagnosis(
            f"The host name {urlsplit(str(url)).hostname or host} was not found (DNS).",
            "Check the spelling of the URL; a host name of your network must be known to the console's DNS.",
            detail,
        )
    if network == "refused":
        return Diagnosis(
            f"{host} refused the connection: nothing is listening on that port.",
            f"Check the URL and its port, and that {service} is running.",
            detail,
        )
    if network == "timeout":
        return Diagnosis(
            f"{host} did not answer within {timeout:g} seconds.",
            f"Check that {service} is up and that a firewall or proxy lets the console through; "
            + (
                "raise the request timeout if Akeneo is just slow."
                if service == "Akeneo"
                else "try again later."
            ),
            detail,
        )
    if isinstance(exc, AkeneoError):
        return _akeneo(exc, host, detail)
    if isinstance(exc, SfccError):
        return _sfcc(exc, host, detail)
    return Diagnosis(f"{service} could not be reached.", f"Check the {service} settings above.", detail)


def _akeneo(exc: AkeneoError, host: str, detail: str) -> Diagnosis:
    if isinstance(exc, AkeneoAuthError) and exc.path.endswith("/oauth/v1/token"):
        said = exc.akeneo_message.lower()
        if "client" in said or "secret" in said:
            which, where = (
                "the client id or secret",
                "the client id and secret of the connection (Akeneo › Connect)",
            )
        elif "user" in said or "password" in said:
            which, where = "the username or password", "the Akeneo user's username and password"
        else:
            which, where = "the credentials", "the client id, secret, username and password"
        return Diagnosis(
            f"Akeneo refused {which} (HTTP {exc.status}).",
            f"Check {where}; secrets left empty are the stored ones, type them again if they changed.",
            detail,
        )
    if isinstance(exc, AkeneoAuthError):
        return Diagnosis(
            f"Akeneo accepted the login but refused to read {exc.path} (HTTP {exc.status}).",
            "Give the Akeneo user's role the Web API permissions to list channels, attributes and products.",
            detail,
        )
    if isinstance(exc, AkeneoNotFound):
        return Diagnosis(
            f"{host} has no Akeneo API at {exc.path} (HTTP 404).",
            "Check the URL: it is the PIM's base address (as in the browser), without /api or /user/login.",
            detail,
        )
    if isinstance(exc, AkeneoInvalidResponse) and "HTML" in str(exc):
        return Diagnosis(
            f"{host} answered a web page instead of Akeneo's JSON.",
            "The URL probably points at a proxy, a sign-in page or another site: use the PIM's base address.",
            detail,
        )
    if isinstance(exc, AkeneoInvalidResponse):
        return Diagnosis(
            f"{host} answered something that is not Akeneo's API.",
            "Check the URL: it is the PIM's base address.",
            detail,
        )
    if isinstance(exc, AkeneoHTTPError) and exc.status >= 500:
        return Diagnosis(
            f"Akeneo answered with a server error (HTTP {exc.status}).",
            "Try again later; if it lasts, ask the Akeneo administrator.",
            detail,
        )
    if isinstance(exc, AkeneoConnectionError):
        return Diagnosis(
            f"Akeneo at {host} could not be reached.", "Check the URL and that Akeneo is up.", detail
        )
    return Diagnosis("Akeneo refused the request.", "Check the Akeneo settings above.", detail)


def _sfcc(exc: SfccError, host: str, detail: str) -> Diagnosis:
    if isinstance(exc, SfccAuthError) and "Account Manager" in str(exc):
        return Diagnosis(
            "Account Manager refused the API client id or secret.",
            "Check the API client id and secret (Account Manager › API Client); secrets left empty are the "
            "stored ones, type it again if it changed.",
            detail,
        )
    if isinstance(exc, SfccAuthError):
        return Diagnosis(
            f"{host} refused the access token Account Manager granted.",
            "Check that the instance URL and the token URL belong to the same realm, and the client's "
            "OCAPI settings in Business Manager.",
            detail,
        )
    if isinstance(exc, SfccRequestError) and exc.status in (401, 403):
        return Diagnosis(
            f"{host} granted a token but refused the WebDAV listing of Impex (HTTP {exc.status}).",
            "Give the API client read_write on /impex (Business Manager › Administration › Organization › "
            "WebDAV Client Permissions).",
            detail,
        )
    if isinstance(exc, SfccRequestError) and exc.status == 404:
        return Diagnosis(
            f"{host} has no WebDAV Impex folder (HTTP 404).",
            "Check the instance URL: https://<instance>.dx.commercecloud.salesforce.com, without a path.",
            detail,
        )
    if isinstance(exc, SfccConfigError) and "html" in str(exc).lower():
        return Diagnosis(
            "The token URL answered a web page instead of a token.",
            "Check the token URL (Account Manager's is "
            "https://account.demandware.com/dwsso/oauth2/access_token).",
            detail,
        )
    if isinstance(exc, SfccConfigError):
        return Diagnosis("The SFCC settings are incomplete.", "Fill in the Delivery section above.", detail)
    if isinstance(exc, SfccUnavailableError):
        return Diagnosis(
            f"SFCC at {host} could not be reached or kept failing.",
            "Check the instance URL and that the instance is up; try again later.",
            detail,
        )
    return Diagnosis("SFCC refused the request.", "Check the Delivery settings above.", detail)


def _chain(exc: BaseException):
    """The exception and those behind it: chained causes, and the errors requests and urllib3
    wrap in their arguments (`MaxRetryError.reason`)."""
    seen, todo = [], [exc]
    while todo and len(seen) < 20:  # bounded: a chain is a few links long
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is known for known in seen):
            continue
        seen.append(current)
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        todo += [arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException)]
    return seen


def _network_cause(exc: BaseException) -> str | None:
    chain = _chain(exc)
    if any(isinstance(e, requests.exceptions.SSLError | ssl.SSLError) for e in chain):
        return "tls"
    if any(isinstance(e, urllib3.exceptions.NameResolutionError | socket.gaierror) for e in chain):
        return "dns"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused"
    # urllib3's NewConnectionError is a ConnectTimeoutError by descent, though nothing timed out.
    timeouts = requests.Timeout | socket.timeout | urllib3.exceptions.TimeoutError
    if any(
        isinstance(e, timeouts) and not isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain
    ):
        return "timeout"
    return None


def _tls_reason(exc: BaseException) -> str:
    text = " ".join(str(e) for e in _chain(exc)).lower()
    if "certificate verify failed" in text or "certificate" in text:
        return "its certificate is not trusted (self-signed, expired or for another name)"
    if "wrong version number" in text or "record layer" in text or "unexpected eof" in text:
        return "it does not speak TLS on that port (is it http://?)"
    return "the TLS handshake failed"
