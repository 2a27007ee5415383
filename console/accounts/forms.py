"""Forms of the accounts room: Administration › Users and Roles, a user's time zone, API tokens
and API clients. They check the shape of what was typed; the rules (who may grant what) are
jobs.accounts'."""

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxValueValidator

from console.common import TIME_ZONES
from jobs import roles
from jobs.operations.models import ApiClient

ROLE_CHOICES = [("", "No role (cannot use the console)")] + [(role, role) for role in roles.ROLE_PERMISSIONS]
PASSWORD_HELP = "Leave empty to generate one; it is shown once."


class PasswordField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("help_text", PASSWORD_HELP)
        kwargs.setdefault("widget", forms.PasswordInput(attrs={"autocomplete": "new-password"}))
        super().__init__(**kwargs)


class NewUserForm(forms.Form):
    username = forms.CharField(label="User name", max_length=150, validators=[UnicodeUsernameValidator()])
    # A text input (with the e-mail keyboard) keeps the console's input style.
    email = forms.EmailField(
        label="E-mail",
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, required=False)
    password = PasswordField(label="Password")


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, required=False)
    is_staff = forms.BooleanField(label="Staff (may sign in to the Django admin)", required=False)
    is_superuser = forms.BooleanField(label="Superuser (every right, the Django admin)", required=False)


class PasswordResetForm(forms.Form):
    password = PasswordField(label="New password")


class TimeZoneForm(forms.Form):
    """The header's time zone setting; empty follows the browser."""

    timezone = forms.ChoiceField(
        label="Show times in",
        required=False,
        choices=[("", "My browser's time zone")] + [(z, z) for z in TIME_ZONES],
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"placeholder": "e.g. nightly CI"}))
    # Left empty: API_TOKEN_DEFAULT_DAYS.
    days = forms.IntegerField(label="Expires after (days)", min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS


class ApiClientForm(forms.Form):
    name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"placeholder": "e.g. GitHub Actions"})
    )
    role = forms.ChoiceField(choices=ApiClient.ROLE_CHOICES)
    days = forms.IntegerField(label="Expires after (days)", min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.API_CLIENT_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.API_CLIENT_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.API_CLIENT_MAX_DAYS
        self.fields["days"].initial = min(90, settings.API_CLIENT_MAX_DAYS)
