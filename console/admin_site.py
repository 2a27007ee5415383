"""The Django admin, for superusers only.

Its pages are raw tables: the auth app's users and groups (where `is_superuser` and any
permission can be ticked) and django-celery-beat's periodic tasks (any task, any arguments).
A staff account that is not superuser could grant there what it does not hold, so the whole
site asks for a superuser; users and roles are managed in the console (jobs.accounts), which
enforces who may grant what. Changes of users and groups made here are still written to the
console's audit trail (console/admin_audit.py).

Loaded while the app registry fills (INSTALLED_APPS names ConsoleAdminConfig): no models here.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(AdminSite):
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class ConsoleAdminConfig(AdminConfig):
    default_site = "console.admin_site.SuperuserAdminSite"
