"""Token authentication and the API's JSON errors.

A request carries `Authorization: Bearer <token>`; the token's SHA-256 finds its row and user,
who acts with their role (the same capabilities as the pages). No session is read, so these
views are exempt from CSRF: a browser cannot make another site's request carry the header.
"""

from datetime import timedelta
from functools import wraps

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from jobs.operations.models import ApiToken
from jobs.roles import capabilities

# last_used is written at most this often per token, not on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


def fault(status: int, kind: str, message: str, **arguments) -> JsonResponse:
    """OCAPI's error document: {"fault": {"type": …, "message": …}}."""
    body = {"type": kind, "message": message}
    if arguments:
        body["arguments"] = arguments
    response = JsonResponse({"fault": body}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def token_user(request):
    """The user of the request's bearer token; None when there is none or it is unknown."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = ApiToken.objects.select_related("user").filter(token_hash=ApiToken.digest(token.strip())).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used is None or now - row.last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=row.pk).update(last_used=now)
    return row.user


def api_view(**methods):
    """`@api_view(GET=None, DELETE="run")`: the methods a view answers and the capability each
    needs (None: any role). 401 without a valid token, 403 without the capability."""

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
            user = token_user(request)
            if user is None:
                return fault(401, "InvalidAccessTokenException", "The API token is unknown or revoked.")
            can = capabilities(user)
            needed = methods[request.method]
            if not any(can.values()) or (needed and not can[needed]):
                return fault(403, "AccessForbiddenException", "Your role does not allow this.")
            request.user = user
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
