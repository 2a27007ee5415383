from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from jobs import roles

# For a local demo only (`make run`); a real installation creates its users in the console.
DEMO_USERS = [
    ("admin", roles.ADMINISTRATOR, "admin-demo"),
    ("merchandiser", roles.MERCHANDISER, "merchandiser-demo"),
    ("support", roles.SUPPORT, "support-demo"),
]


class Command(BaseCommand):
    help = "Create the roles and one demo user for each (idempotent); print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.CONSOLE_PORT, help="the console's port")

    def handle(self, *args, port, **options):
        roles.ensure_roles()
        User = get_user_model()
        for username, role, password in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = role == roles.ADMINISTRATOR
                user.is_superuser = False
                user.save()
            user.groups.set([Group.objects.get(name=role)])
        self.stdout.write(f"Log in at http://127.0.0.1:{port} as one of:")
        for username, role, password in DEMO_USERS:
            self.stdout.write(f"  {role:<14} user {username!r:<16} password {password!r}")
