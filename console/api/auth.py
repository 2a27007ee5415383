"""Bearer tokens and the API's JSON errors.

A request carries `Authorization: Bearer <token>`: a personal token (`sjc_…`, Account › API
tokens), which acts with its owner's role, or an access token the token endpoint issued to an
API client (client credentials), which acts with the client's role. Either is found by its
SHA-256. No session is read, so these views are exempt from CSRF: a browser cannot make
another site's request carry the header.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from jobs.operations import changes
from jobs.operations.models import ApiAccessToken, ApiClient, ApiToken
from jobs.roles import capabilities, role_capabilities


@dataclass(frozen=True)
class Caller:
    """Who a bearer token speaks for: a user (personal token) or an API client."""

    user: object | None
    client: ApiClient | None
    can: dict[str, bool]

    @property
    def client_id(self) -> str:
        return self.client.client_id if self.client else ""


def fault(status: int, kind: str, message: str, **arguments) -> JsonResponse:
    """OCAPI's error document: {"fault": {"type": …, "message": …}}."""
    body = {"type": kind, "message": message}
    if arguments:
        body["arguments"] = arguments
    response = JsonResponse({"fault": body}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def bearer(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_user(token: str):
    """The user of a personal token; None when it is unknown, expired, or revoked (deleted,
    its owner deactivated, or its owner's password changed since it was issued)."""
    row = ApiToken.objects.select_related("user").filter(token_hash=ApiToken.digest(token)).first()
    if row is None or not row.opens_for(row.user):
        return None
    changes.note_use(row)
    return row.user


def token_client(token: str) -> ApiClient | None:
    """The API client of an access token; None when unknown or expired, or when the client
    was revoked or has expired since."""
    row = ApiAccessToken.objects.select_related("client").filter(token_hash=ApiToken.digest(token)).first()
    if row is None or row.expires <= timezone.now() or not row.client.is_usable:
        return None
    changes.note_use(row.client)
    return row.client


def caller_of(request) -> Caller | None:
    token = bearer(request)
    if token is None:
        return None
    if token.startswith(ApiToken.PREFIX):
        user = token_user(token)
        return Caller(user, None, capabilities(user)) if user is not None else None
    client = token_client(token)
    return Caller(None, client, role_capabilities(client.role)) if client is not None else None


def api_view(forbidden: str = "AccessForbiddenException", **methods):
    """`@api_view(GET=None, DELETE="run")`: the methods a view answers and the capability each
    needs (None: any role). 401 without a valid token, 403 (`forbidden`) without the
    capability. The view finds the caller in `request.caller`; `request.user` is the token's
    user, or anonymous for an API client."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = fault(405, "MethodNotAllowedException", f"{request.method} is not supported here.")
                response["Allow"] = ", ".join(methods)
                return response
            if "Authorization" not in request.headers:
                return fault(
                    401, "MissingAccessTokenException", "Send an API token: Authorization: Bearer <token>."
                )
            caller = caller_of(request)
            if caller is None:
                return fault(
                    401, "InvalidAccessTokenException", "The access token is unknown, expired or revoked."
                )
            needed = methods[request.method]
            if not any(caller.can.values()) or (needed and not caller.can[needed]):
                return fault(403, forbidden, "Your role does not allow this.")
            request.caller = caller
            request.user = caller.user or AnonymousUser()
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
