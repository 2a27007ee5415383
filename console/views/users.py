"""Administration › Users and Roles: the accounts of the console, as Business Manager lists
them. Administrators create accounts, set roles, deactivate and reset passwords; the rules and
the audit are jobs.accounts'."""

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from console.user_forms import NewUserForm, PasswordResetForm, UserRoleForm
from console.views.common import require, role_required
from jobs import accounts


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
