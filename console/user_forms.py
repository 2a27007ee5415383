"""Forms of Administration › Users and Roles. They check the shape of what was typed; the
rules (who may grant what) are jobs.accounts'."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from jobs import roles

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
