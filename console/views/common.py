"""Permission helpers shared by the page modules: each fetches the object or raises 404,
and refuses (403) what the user's role may not do."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from jobs import registry
from jobs.models import JobExecution
from jobs.roles import capabilities

# roles.py has no audit permission of its own; schedule_job is held by Administrators only.
AUDIT_CAPABILITY = "schedule"


def role_required(view):
    """Login required (anonymous users go to the login page), and a role: an account outside
    the Administrator, Merchandiser and Support groups sees nothing of the console."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not any(capabilities(request.user).values()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def require(user, capability: str) -> None:
    if not capabilities(user)[capability]:
        raise PermissionDenied


def get_job_or_404(job_id: str) -> registry.Job:
    try:
        return registry.get(job_id)
    except registry.UnknownJob:
        raise Http404(f"There is no job {job_id!r}.") from None


def get_execution_or_404(execution_id: int) -> JobExecution:
    return get_object_or_404(JobExecution.objects.select_related("triggered_by", "parent"), pk=execution_id)
