"""The accounts room: who signs in and with what.

- Sign in: the login page. The limit itself is enforced for every login form by the
  authentication backend (console/throttle.py); this page only says so in words, with 429.
- Administration › Users and Roles: the accounts of the console, as Business Manager lists
  them. Administrators create accounts, set roles, deactivate and reset passwords; the rules
  and the audit are jobs.accounts'.
- Account › Time zone: the zone every page shows times in, chosen from the header and
  remembered for the user (console.models.UserPreference).
- Account › API tokens: a signed-in user with a role creates, lists and revokes personal
  tokens for the REST API (Support's reads executions and logs, as sfcc-ci does); an account
  without a role is offered none, since a token acts with its owner's role. A token is shown
  once, when created, and works until it expires.
- Administration › API clients: Administrators create and revoke the clients Salesforce's
  tools (sfcc-ci, the B2C CLI) sign in with, as in Account Manager: a client id, a secret
  shown once, a role and an expiry. Both are audited.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from console import throttle
from console.accounts.forms import (
    ApiClientForm,
    NewUserForm,
    PasswordResetForm,
    TimeZoneForm,
    TokenForm,
    UserRoleForm,
)
from console.common import require, role_required
from console.middleware import chosen_timezone, remember_timezone
from jobs import accounts
from jobs.operations import changes
from jobs.operations.models import ApiClient, ApiToken
from jobs.roles import capabilities


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttle.blocked(request, request.POST.get("username")):
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            throttled = f"Too many failed sign-ins. Wait {minutes} minutes, or ask an administrator."
            context = self.get_context_data(form=self.get_form_class()(request), throttled=throttled)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


def _no_store(response):
    # A page that shows a password once must not be kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


@role_required
def users(request):
    require(request.user, "users")
    form = NewUserForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            user, password = accounts.create_user(actor=request.user, **form.cleaned_data)
        except accounts.Refused as refusal:
            form.add_error(refusal.field or None, refusal.message)
        else:
            # Rendered here, not after a redirect: the password must not pass through the session.
            created = {"user": user, "password": password, "typed": bool(form.cleaned_data["password"])}
            form = NewUserForm()
    listed = get_user_model().objects.order_by("username").prefetch_related("groups")
    rows = [{"user": user, "role": accounts.role_of(user)} for user in listed]
    context = {"form": form, "rows": rows, "created": created}
    return _no_store(render(request, "users/list.html", context, status=400 if form.errors else 200))


@role_required
def user(request, user_id):
    require(request.user, "users")
    target = get_object_or_404(get_user_model(), pk=user_id)
    form = _role_form(request, target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changes = accounts.update_user(actor=request.user, target=target, **form.cleaned_data)
        except accounts.Refused as refusal:
            form.add_error(refusal.field or None, refusal.message)
        else:
            if changes:
                messages.success(request, f"{target.get_username()}: {', '.join(changes)}.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("user", user_id=target.pk)
    return _user_page(request, target, form=form, status=400 if form.errors else 200)


@require_POST
@role_required
def user_active(request, user_id):
    require(request.user, "users")
    target = get_object_or_404(get_user_model(), pk=user_id)
    if request.POST.get("active") not in ("0", "1"):
        messages.error(request, "Say whether the account is to be active (active=1) or not (active=0).")
        return _user_page(request, target, status=400)
    active = request.POST["active"] == "1"
    try:
        changed = accounts.set_active(actor=request.user, target=target, active=active)
    except accounts.Refused as refusal:
        messages.error(request, refusal.message)
        return _user_page(request, target, status=400)
    # Clicking twice (or in two tabs) finds the account already so: say it, change nothing.
    state = "active" if active else "deactivated"
    messages.success(request, f"{target.get_username()} is {'now ' if changed else 'already '}{state}.")
    return redirect("user", user_id=target.pk)


@require_POST
@role_required
def user_password(request, user_id):
    require(request.user, "users")
    target = get_object_or_404(get_user_model(), pk=user_id)
    form = PasswordResetForm(request.POST)
    if not form.is_valid():
        return _user_page(request, target, password_form=form, status=400)
    try:
        password = accounts.reset_password(actor=request.user, target=target, **form.cleaned_data)
    except accounts.Refused as refusal:
        form.add_error(refusal.field or None, refusal.message)
        return _user_page(request, target, password_form=form, status=400)
    if target.pk == request.user.pk:
        update_session_auth_hash(request, target)  # resetting one's own keeps this session
    typed = bool(form.cleaned_data["password"])
    return _user_page(request, target, new_password={"password": password, "typed": typed})


def _role_form(request, target, data=None) -> UserRoleForm:
    initial = {
        "role": accounts.role_of(target),
        "is_staff": target.is_staff,
        "is_superuser": target.is_superuser,
    }
    form = UserRoleForm(data, initial=initial)
    # What the actor may not grant is shown but not editable (a crafted POST is ignored, and
    # jobs.accounts refuses the grant for any other caller).
    form.fields["is_superuser"].disabled = not request.user.is_superuser
    form.fields["is_staff"].disabled = not (request.user.is_staff or request.user.is_superuser)
    return form


def _user_page(request, target, *, form=None, password_form=None, new_password=None, status=200):
    target.refresh_from_db()
    context = {
        "target": target,
        "role": accounts.role_of(target),
        "form": form or _role_form(request, target),
        "password_form": password_form or PasswordResetForm(),
        "new_password": new_password,
        "is_self": target.pk == request.user.pk,
        "locked": target.is_superuser and not request.user.is_superuser,
    }
    return _no_store(render(request, "users/detail.html", context, status=status))


@login_required
def time_zone(request):
    back = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: the setting must not become an open redirect.
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    form = TimeZoneForm(request.POST or None, initial={"timezone": chosen_timezone(request)})
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["timezone"]
        remember_timezone(request, name)
        messages.success(request, f"Times are now shown in {name or 'your browser’s time zone'}.")
        return redirect(back or "jobs")
    status = 400 if form.errors else 200
    return render(request, "account/time_zone.html", {"form": form, "next": back}, status=status)


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
