import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from console.models import UserPreference

# The zone a user chose in the header, copied into the session at sign-in (or at the first
# request of a session older than that) so that pages read no extra row; "" follows the browser.
SESSION_KEY = "console_timezone"


def chosen_timezone(request) -> str:
    """The user's chosen time zone, or "" (the browser's) when they chose none."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return ""
    if SESSION_KEY not in session:
        stored = UserPreference.objects.filter(user=user).values_list("timezone", flat=True).first()
        session[SESSION_KEY] = stored or ""
    return session[SESSION_KEY]


@receiver(user_logged_in, dispatch_uid="console.timezone_at_login")
def _timezone_at_login(sender, request, user, **kwargs):
    """Read the user's choice once, at sign-in: the pages then read the session only."""
    if request is not None and hasattr(request, "session"):
        stored = UserPreference.objects.filter(user=user).values_list("timezone", flat=True).first()
        request.session[SESSION_KEY] = stored or ""


def remember_timezone(request, name: str) -> None:
    """Store the choice for this session and every later sign-in."""
    UserPreference.objects.update_or_create(user=request.user, defaults={"timezone": name})
    request.session[SESSION_KEY] = name


class UserTimezoneMiddleware:
    """Shows times in the zone the user chose in the header, else in the browser's, which the
    page script stores in the `tz` cookie, else in settings.TIME_ZONE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = chosen_timezone(request) or request.COOKIES.get("tz", "")
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
