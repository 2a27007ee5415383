"""`POST /dwsso/oauth2/access_token`: Account Manager's token endpoint, as sfcc-ci and the
B2C CLI call it, for the API clients created in the console (client credentials grant only).

The client authenticates with HTTP Basic, its id and secret each form-url-encoded first
(RFC 6749 §2.3.1), or with `client_id` and `client_secret` in the form body. The answer is
Account Manager's token document; errors are RFC 6749 §5.2's.
"""

import base64
import binascii
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from jobs.operations import changes
from jobs.operations.models import ApiClient
from jobs.roles import role_capabilities

SCOPES = {"run": "jobs:run", "download": "logs:read"}


@csrf_exempt
@require_POST
def access_token(request):
    credentials, basic = _client_credentials(request)
    if credentials is None:
        return _error(
            401, "invalid_client", "Send the client id and secret (HTTP Basic or form body).", basic
        )
    client_id, secret = credentials
    client = ApiClient.objects.filter(client_id=client_id).first()
    # One answer for an unknown client, a wrong secret and a revoked or expired client: the
    # endpoint tells no one which client ids exist.
    if client is None or not client.secret_matches(secret) or not client.is_usable:
        return _error(401, "invalid_client", "Client authentication failed", basic)
    grant = request.POST.get("grant_type", "")
    if not grant:
        return _error(400, "invalid_request", "The grant_type parameter is missing.")
    if grant != "client_credentials":
        return _error(
            400, "unsupported_grant_type", f"grant_type {grant!r} is not supported: use client_credentials."
        )
    _, token, lifetime = changes.access_token_issue(client, seconds=settings.API_CLIENT_TOKEN_SECONDS)
    return _no_store(
        JsonResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": lifetime,
                "scope": scope(client.role),
            }
        )
    )


def scope(role: str) -> str:
    can = role_capabilities(role)
    return " ".join(["jobs:read", *(name for capability, name in SCOPES.items() if can[capability])])


def _client_credentials(request) -> tuple[tuple[str, str] | None, bool]:
    """((client id, secret) or None, whether HTTP Basic was used)."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, True
        user, sep, password = decoded.partition(":")
        if not sep:
            return None, True
        return (unquote_plus(user), unquote_plus(password)), True
    client_id, secret = request.POST.get("client_id"), request.POST.get("client_secret")
    if client_id and secret:
        return (client_id, secret), False
    return None, False


def _error(status: int, error: str, description: str, basic: bool = False) -> JsonResponse:
    response = _no_store(JsonResponse({"error": error, "error_description": description}, status=status))
    if status == 401 and basic:
        response["WWW-Authenticate"] = 'Basic realm="access_token"'
    return response


def _no_store(response):
    # RFC 6749 §5.1: token responses are never cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
