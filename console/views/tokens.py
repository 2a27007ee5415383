"""Account › API tokens: a signed-in user with a role creates, lists and revokes personal tokens
for the REST API (Support's reads executions and logs, as sfcc-ci does); an account without a
role is offered none, since a token acts with its owner's role. A token is shown once, when
created, and works until it expires.

Administration › API clients: Administrators create and revoke the clients Salesforce's tools
(sfcc-ci, the B2C CLI) sign in with, as in Account Manager: a client id, a secret shown once,
a role and an expiry. Both are audited."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.operations_forms import ApiClientForm, TokenForm
from console.views.common import require, role_required
from jobs.operations import changes
from jobs.operations.models import ApiClient, ApiToken
from jobs.roles import capabilities


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    may_create = any(capabilities(request.user).values())
    if request.method == "POST" and not may_create:
        raise PermissionDenied(
            "An API token acts with your role, and your account has none: it would open nothing."
        )
    if request.method == "POST" and form.is_valid():
        _, created = changes.token_issue(
            request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        # Rendered here, not after a redirect: the token must not pass through the session.
        form = TokenForm()
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "created": created,
        "now": timezone.now(),
        "may_create": may_create,
    }
    response = render(request, "account/tokens.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    changes.token_revoke(token)
    messages.success(request, f"Token {token.name} revoked: it no longer opens the API.")
    return redirect("tokens")


@role_required
def api_clients(request):
    require(request.user, "configure")
    form = ApiClientForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client, secret = changes.api_client_issue(
            request.user, name=data["name"], role=data["role"], days=data["days"]
        )
        # Rendered here, not after a redirect: the secret must not pass through the session.
        created = {"client": client, "secret": secret}
        form = ApiClientForm()
    context = {
        "form": form,
        "clients": ApiClient.objects.select_related("created_by"),
        "created": created,
        "token_minutes": round(settings.API_CLIENT_TOKEN_SECONDS / 60),
    }
    response = render(request, "account/api_clients.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required
def api_client_revoke(request, client_pk):
    require(request.user, "configure")
    client = get_object_or_404(ApiClient, pk=client_pk)
    # Revoking twice changes nothing and records nothing.
    if changes.api_client_revoke(request.user, client):
        messages.success(request, f"API client {client.name} revoked: its tokens no longer open the API.")
    return redirect("api_clients")
