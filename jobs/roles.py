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
        "run": user.has_perm("jobs.run_job"),
        "schedule": user.has_perm("jobs.schedule_job"),
        "configure": user.has_perm("jobs.configure_import"),
        "download": user.has_perm("jobs.download_log"),
        "users": user.has_perm("auth.change_user"),
    }
