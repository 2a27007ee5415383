"""Users and roles, as Business Manager's Administration › Organization › Users: create an
account with a role, deactivate and reactivate it, set its role and flags, reset its password.

The rules, the same for every caller (the console's pages, a test, a shell):
- only an active account that manages users (`auth.change_user`, the Administrator role's) acts;
- no one grants what they do not hold: a role whose permissions they lack, the staff or the
  superuser flag they do not have; a superuser's account is changed by superusers only;
- no one deactivates or demotes themselves, and no change leaves the console without an active
  account that manages users;
- every change is written to the audit trail (never a password).

Each service raises `Refused` with the reason (and the form field it concerns) and changes
nothing then.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from jobs import audit, roles
from jobs.models import AuditEntry

MANAGE_USERS = "auth.change_user"
# Long enough that it is never guessed, short enough to read out over the phone.
GENERATED_PASSWORD_BYTES = 12


class Refused(Exception):
    """A change the rules do not allow; `field` names the form field it is about (or "")."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def may_manage_users(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MANAGE_USERS))


def administrators():
    """Active accounts that manage users: superusers, and holders of the permission through a
    role or directly."""
    permission = Permission.objects.get(content_type__app_label="auth", codename="change_user")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
    )


def role_of(user) -> str:
    """The account's console role ("" when it has none); the first in ROLE_PERMISSIONS order
    when an account was given several in the admin."""
    names = {group.name for group in user.groups.all()}
    return next((role for role in roles.ROLE_PERMISSIONS if role in names), "")


def describe(user) -> str:
    flags = [flag for flag, on in (("staff", user.is_staff), ("superuser", user.is_superuser)) if on]
    state = "active" if user.is_active else "inactive"
    return f"role {role_of(user) or 'none'}, {state}{', ' + ', '.join(flags) if flags else ''}"


def generate_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def create_user(*, actor, username: str, email: str, role: str, password: str = ""):
    """A new active account with `role`; returns (user, password), the password generated when
    none was typed (the caller shows it once)."""
    _check_actor(actor)
    User = get_user_model()
    username = User.normalize_username(username.strip())
    if not username:
        raise Refused("Enter a user name.", "username")
    # Look-alikes (case, compatibility forms) of an existing name would sign in as another account.
    if User.objects.filter(username__iexact=username).exists():
        raise Refused(f"A user named {username!r} already exists.", "username")
    _check_grant(actor, role=role, is_staff=False, is_superuser=False)
    with transaction.atomic():
        user = User(username=username, email=email.strip(), is_active=True)
        password = _checked_password(password, user)
        user.set_password(password)
        user.save()
        _set_role(user, role)
        audit.record(
            action=AuditEntry.Action.USERS,
            user=actor,
            message=f"Created user {username!r} ({describe(user)}).",
        )
    return user, password


def update_user(*, actor, target, role: str, is_staff: bool, is_superuser: bool) -> list[str]:
    """Set the role and the flags; returns what changed (empty: nothing to do)."""
    _check_may_change(actor, target)
    changes = []
    if role != role_of(target):
        changes.append(f"role {role_of(target) or 'none'} → {role or 'none'}")
    if is_staff != target.is_staff:
        changes.append(f"staff {'on' if is_staff else 'off'}")
    if is_superuser != target.is_superuser:
        changes.append(f"superuser {'on' if is_superuser else 'off'}")
    if not changes:
        return []
    # Only what changes is a grant: keeping a flag an account already has is no escalation.
    _check_grant(
        actor,
        role=role if role != role_of(target) else "",
        is_staff=is_staff and not target.is_staff,
        is_superuser=is_superuser and not target.is_superuser,
    )
    with transaction.atomic():
        target.is_staff, target.is_superuser = is_staff, is_superuser
        target.save(update_fields=["is_staff", "is_superuser"])
        _set_role(target, role)
        _check_still_administered(actor, target)
        audit.record(
            action=AuditEntry.Action.USERS,
            user=actor,
            message=f"Changed user {target.get_username()!r}: {', '.join(changes)}.",
        )
    return changes


def set_active(*, actor, target, active: bool) -> bool:
    """Deactivate (the account can no longer sign in, its sessions end) or reactivate; returns
    False when the account already was so."""
    _check_may_change(actor, target)
    if target.is_active == active:
        return False
    with transaction.atomic():
        target.is_active = active
        target.save(update_fields=["is_active"])
        _check_still_administered(actor, target)
        audit.record(
            action=AuditEntry.Action.USERS,
            user=actor,
            message=f"{'Reactivated' if active else 'Deactivated'} user {target.get_username()!r}.",
        )
    return True


def reset_password(*, actor, target, password: str = "") -> str:
    """Set a new password (typed, or generated when empty) and return it, to be shown once.
    The account's other sessions end, as after any password change."""
    _check_may_change(actor, target)
    password = _checked_password(password, target)
    with transaction.atomic():
        target.set_password(password)
        target.save(update_fields=["password"])
        audit.record(
            action=AuditEntry.Action.USERS,
            user=actor,
            message=f"Reset the password of user {target.get_username()!r}.",
        )
    return password


# --- the rules -------------------------------------------------------------------------------


def _check_actor(actor) -> None:
    if not may_manage_users(actor):
        raise Refused("Only an Administrator manages users and roles.")


def _check_may_change(actor, target) -> None:
    _check_actor(actor)
    if target.is_superuser and not actor.is_superuser:
        raise Refused("Only a superuser may change a superuser's account.")


def _check_grant(actor, *, role: str, is_staff: bool, is_superuser: bool) -> None:
    """Refuse to grant what the actor does not hold (superusers hold everything)."""
    if role:
        if role not in roles.ROLE_PERMISSIONS:
            raise Refused(f"{role!r} is not a role.", "role")
        group = Group.objects.filter(name=role).first()
        held = group.permissions.select_related("content_type") if group else []
        missing = [p for p in held if not actor.has_perm(f"{p.content_type.app_label}.{p.codename}")]
        if missing:
            raise Refused(f"You cannot grant the role {role}: it holds rights you do not have.", "role")
    if is_superuser and not actor.is_superuser:
        raise Refused("Only a superuser may make an account superuser.", "is_superuser")
    if is_staff and not (actor.is_staff or actor.is_superuser):
        raise Refused("Only a staff account may grant the staff flag.", "is_staff")


def _check_still_administered(actor, target) -> None:
    """Inside the change's transaction, after it: refusing rolls it back."""
    if target.pk == actor.pk and not may_manage_users(_fresh(target)):
        raise Refused("You cannot remove your own right to manage users; ask another Administrator.", "role")
    if not administrators().exists():
        raise Refused("This would leave no active Administrator.", "role")


def _fresh(user):
    # has_perm caches permissions on the instance; read them again after the change.
    return get_user_model().objects.get(pk=user.pk)


def _set_role(user, role: str) -> None:
    """Replace the account's console role; groups that are not console roles stay."""
    user.groups.remove(*Group.objects.filter(name__in=list(roles.ROLE_PERMISSIONS)))
    if role:
        user.groups.add(Group.objects.get(name=role))


def _checked_password(password: str, user) -> str:
    if not password:
        return generate_password()
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise Refused(" ".join(error.messages), "password") from None
    return password
