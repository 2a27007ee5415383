from django.utils import timezone

from jobs import roles as job_roles


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The zone pages show times in (console.middleware), to compare with a schedule's own.
    return {
        "can": job_roles.capabilities(user),
        "current_timezone_name": timezone.get_current_timezone_name(),
    }
