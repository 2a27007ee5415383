"""Changes of users and groups made in the Django admin, written to the console's audit trail
like those made in Users and Roles."""

from jobs import accounts, audit
from jobs.models import AuditEntry

AUDITED = {("auth", "user"), ("auth", "group")}
VERBS = {1: "added", 2: "changed", 3: "deleted"}  # LogEntry's ADDITION, CHANGE, DELETION


def record_admin_change(sender, instance, created, **kwargs):
    """post_save of admin's LogEntry: the admin writes one after saving a user or a group
    (fields and groups included), so the entry sees the object as it now is."""
    if not created or instance.content_type is None:
        return
    if (instance.content_type.app_label, instance.content_type.model) not in AUDITED:
        return
    verb = VERBS.get(instance.action_flag, "changed")
    message = f"Django admin: {verb} {instance.content_type.model} {instance.object_repr!r}"
    detail = instance.get_change_message()
    if detail:
        message += f": {detail}"
    state = _user_state(instance) if instance.content_type.model == "user" else ""
    audit.record(action=AuditEntry.Action.USERS, user=instance.user, message=message + state)


def _user_state(entry) -> str:
    user = entry.get_edited_object() if entry.action_flag != 3 else None
    return f" (now {accounts.describe(user)})" if user is not None else ""
