"""What the console's rooms share: the permission helpers (each fetches the object or raises
404, and refuses (403) what the user's role may not do) and the time zones a user may pick."""

from functools import wraps
from zoneinfo import available_timezones

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from jobs import registry
from jobs.models import JobExecution
from jobs.roles import capabilities, roles_with

# The zones a user may pick, for a schedule and for the header's setting.
TIME_ZONES = sorted(available_timezones() - {"localtime"})

# roles.py has no audit permission of its own; schedule_job is held by Administrators only.
AUDIT_CAPABILITY = "schedule"


# What each capability lets a user do, in the words of the 403 page.
CAPABILITY_WORDS = {
    "run": "Running and stopping jobs",
    "schedule": "Changing schedules, chains, alerts and settings",
    "configure": "Changing the import configuration",
    "download": "Downloading log files and archives",
    "users": "Managing users and their roles",
}


def refusal(capability: str) -> str:
    """ "Running and stopping jobs needs the Administrator or Merchandiser role." """
    roles = roles_with(capability)
    names = " or ".join(roles)
    return f"{CAPABILITY_WORDS[capability]} needs the {names} role."


def role_required(view):
    """Login required (anonymous users go to the login page), and a role: an account outside
    the Administrator, Merchandiser and Support groups sees nothing of the console."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not any(capabilities(request.user).values()):
            raise PermissionDenied(
                "The console needs one of the roles Administrator, Merchandiser or Support; "
                "ask an administrator to give you one."
            )
        return view(request, *args, **kwargs)

    return wrapper


def require(user, capability: str) -> None:
    if not capabilities(user)[capability]:
        raise PermissionDenied(refusal(capability))


def get_job_or_404(job_id: str) -> registry.Job:
    try:
        return registry.get(job_id)
    except registry.UnknownJob:
        raise Http404(f"There is no job {job_id!r}.") from None


def get_execution_or_404(execution_id: int) -> JobExecution:
    return get_object_or_404(JobExecution.objects.select_related("triggered_by", "parent"), pk=execution_id)
