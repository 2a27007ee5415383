"""The login page, throttled: after `LOGIN_FAILURE_LIMIT` failed attempts on one username, or
from one address, within `LOGIN_FAILURE_WINDOW_SECONDS`, further attempts are refused (429)
until the window has passed, even with the right password.

Counts live in Django's cache. Without a CACHES setting that is the default per-process memory
cache: enough for one web process; with several, each counts on its own (a shared cache such
as Redis makes the limit exact).
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache

PREFIX = "login-failures"


def _keys(request) -> list[str]:
    username = request.POST.get("username", "").strip().lower()[:150]
    address = request.META.get("REMOTE_ADDR", "")
    keys = [f"{PREFIX}:address:{address}"]
    if username:
        keys.append(f"{PREFIX}:user:{username}")
    return keys


def _blocked(keys: list[str]) -> bool:
    counts = cache.get_many(keys)
    return any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values())


def _count_failure(keys: list[str]) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in keys:
        # add() starts the window at the first failure; incr() keeps it (no sliding window).
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, window)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        keys = _keys(request)
        if _blocked(keys):
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            throttled = f"Too many failed sign-ins. Wait {minutes} minutes, or ask an administrator."
            context = self.get_context_data(form=self.get_form_class()(request), throttled=throttled)
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form came back: wrong username or password
            _count_failure(keys)
        else:
            cache.delete_many(keys[1:])  # signed in: the username starts afresh
        return response
