"""The login page. The limit itself is enforced for every login form by the authentication
backend (console/throttle.py); this page only says so in words, with 429."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from console import throttle


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttle.blocked(request, request.POST.get("username")):
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            throttled = f"Too many failed sign-ins. Wait {minutes} minutes, or ask an administrator."
            context = self.get_context_data(form=self.get_form_class()(request), throttled=throttled)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)
