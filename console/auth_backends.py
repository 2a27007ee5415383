"""The authentication backend that enforces the sign-in limit for every login form."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from console import throttle


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if throttle.blocked(request, username):
            # PermissionDenied stops authenticate() at once: no other backend is asked, and
            # user_login_failed is sent (and counted) as for a wrong password.
            raise PermissionDenied("too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="console.throttle.count_failure")
def _count_failure(sender, credentials, request=None, **kwargs):
    throttle.count_failure(request, credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="console.throttle.forget_user")
def _forget_user(sender, request, user, **kwargs):
    throttle.forget_user(request, user.get_username())
