"""Errors raised by `jobs.akeneo.client`.

Every message names the cause a support person needs (HTTP status, the URL path, Akeneo's own
`message`) and never a secret: the client builds messages from redacted text only.
"""

from __future__ import annotations


class AkeneoError(Exception):
    """Base class: anything that went wrong talking to Akeneo."""


class AkeneoConfigError(AkeneoError):
    """The client was given an unusable configuration (no URL, no credentials)."""


class AkeneoConnectionError(AkeneoError):
    """Akeneo could not be reached (refused, reset, timed out), even after retries."""


class AkeneoInvalidResponse(AkeneoError):
    """Akeneo answered with something that is not the JSON its API promises (an HTML error
    page from a proxy, a truncated body)."""


class AkeneoHTTPError(AkeneoError):
    """Akeneo answered with an error status. `status`, `path` and Akeneo's `message` are kept
    as attributes for callers that branch on them."""

    def __init__(self, message: str, *, status: int, path: str, akeneo_message: str = ""):
        super().__init__(message)
        self.status = status
        self.path = path
        self.akeneo_message = akeneo_message


class AkeneoAuthError(AkeneoHTTPError):
    """The credentials were rejected (token endpoint 4xx, or 401 again after a fresh login)."""


class AkeneoNotFound(AkeneoHTTPError):
    """404: the resource (a product, an attribute, a media file) does not exist."""


class AkeneoRequestError(AkeneoHTTPError):
    """Another 4xx: the request itself is wrong (a bad filter, `limit` over 100)."""


class AkeneoRateLimited(AkeneoHTTPError):
    """429 still answered after every retry."""


class AkeneoServerError(AkeneoHTTPError):
    """408 or 5xx still answered after every retry."""


class AkeneoForeignLink(AkeneoError):
    """Akeneo pointed the client at another server (a `next` link or a redirect to another
    scheme, host or port). It is not followed: the credentials go to the configured Akeneo only.
    `host` is the other server's `host:port`, as the message names it."""

    def __init__(self, message: str, *, host: str):
        super().__init__(message)
        self.host = host


class AkeneoMediaRefused(AkeneoError):
    """A media file Akeneo served is not one the import ships: larger than the configured limit
    (refused while streaming, before the rest is read) or not of its attribute's type."""
