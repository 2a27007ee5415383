"""`python manage.py setup_schedules`: the operations jobs' default schedules (nightly
Maintenance), created when missing. Run by `runstack` after migrate; safe to run again."""

from django.core.management.base import BaseCommand

from jobs.operations.setup import ensure_default_schedules


class Command(BaseCommand):
    help = "Create the default schedules of the operations jobs where a job has none."

    def handle(self, *args, **options):
        for line in ensure_default_schedules():
            self.stdout.write(line)
