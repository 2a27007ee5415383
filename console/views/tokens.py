"""Account › API tokens: any signed-in user creates, lists and revokes personal tokens for the
REST API. A token acts with its owner's role until it expires; it is shown once, when created.

Administration › API clients: Administrators create and revoke the clients Salesforce's tools
(sfcc-ci, the B2C CLI) sign in with, as in Account Manager: a client id, a secret shown once,
a role and an expiry. Both are audited."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.operations_forms import ApiClientForm, TokenForm
from console.views.common import require, role_required
from jobs import audit
from jobs.models import AuditEntry
from jobs.operations.models import ApiClient, ApiToken


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        row, created = ApiToken.issue(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        # Rendered here, not after a redirect: the token must not pass through the session.
        form = TokenForm()
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "created": created,
        "now": timezone.now(),
    }
    response = render(request, "account/tokens.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    messages.success(request, f"Token {token.name} revoked: it no longer opens the API.")
    return redirect("tokens")


@role_required
def api_clients(request):
    require(request.user, "configure")
    form = ApiClientForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            client, secret = ApiClient.issue(
                name=data["name"], role=data["role"], days=data["days"], user=request.user
            )
            audit.record(
                user=request.user,
                action=AuditEntry.Action.CONFIGURE,
                message=f"API client {client.name} ({client.client_id}) created: role {client.role}, "
                f"expires {client.expires:%Y-%m-%d}",
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
    if client.revoked is None:
        with transaction.atomic():
            ApiClient.objects.filter(pk=client.pk).update(revoked=timezone.now())
            client.access_tokens.all().delete()
            audit.record(
                user=request.user,
                action=AuditEntry.Action.CONFIGURE,
                message=f"API client {client.name} ({client.client_id}) revoked",
            )
        messages.success(request, f"API client {client.name} revoked: its tokens no longer open the API.")
    return redirect("api_clients")
