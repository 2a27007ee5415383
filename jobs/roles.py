"""Roles are Django groups with a fixed set of permissions (DESIGN: who may run, schedule,
configure, download logs). `ensure_roles` runs after every migrate and is idempotent."""

from django.contrib.auth.models import Group, Permission

ADMINISTRATOR = "Administrator"
MERCHANDISER = "Merchandiser"
SUPPORT = "Support"

ROLE_PERMISSIONS = {
    ADMINISTRATOR: ["run_job", "schedule_job", "configure_import", "download_log"],
    MERCHANDISER: ["run_job", "download_log"],
    SUPPORT: ["download_log"],
}


# Administrators also manage users and their roles, in the console's Administration › Users
# and Roles (jobs.accounts); the Django admin is for superusers only.
USER_ADMIN_PERMISSIONS = ["add_user", "change_user", "view_user", "delete_user", "view_group"]


def ensure_roles(**kwargs):
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="jobs", codename__in=codenames)
        if role == ADMINISTRATOR:
            users = Permission.objects.filter(
                content_type__app_label="auth", codename__in=USER_ADMIN_PERMISSIONS
            )
            perms = perms | users
        group.permissions.set(perms)


def capabilities(user) -> dict[str, bool]:
    """What a user may do, for views (enforcement) and templates (what is shown)."""
    return {
        capability: user.has_perm(f"jobs.{codename}")
        for capability, codename in CAPABILITY_PERMISSIONS.items()
    } | {"users": user.has_perm("auth.change_user")}  # Administration › Users and Roles


CAPABILITY_PERMISSIONS = {
    "run": "run_job",
    "schedule": "schedule_job",
    "configure": "configure_import",
    "download": "download_log",
}


def role_capabilities(role: str) -> dict[str, bool]:
    """What a role may do, for callers that hold a role without being a user (API clients)."""
    granted = ROLE_PERMISSIONS.get(role, [])
    return {capability: codename in granted for capability, codename in CAPABILITY_PERMISSIONS.items()}
