from django.core.management.base import BaseCommand

from jobs import registry, selectors


class Command(BaseCommand):
    help = "List each job with its steps, resource locks and last execution."

    def handle(self, *args, **options):
        last = selectors.last_executions()
        for job in registry.all_jobs():
            execution = last.get(job.id)
            if execution is None:
                status = "never run"
            else:
                when = execution.created.strftime("%Y-%m-%d %H:%M:%S %Z")
                status = f"#{execution.pk} {execution.status_label} at {when}"
            self.stdout.write(self.style.MIGRATE_HEADING(job.id))
            self.stdout.write(f"  {job.description}")
            self.stdout.write(f"  steps: {' → '.join(step.name for step in job.steps)}")
            self.stdout.write(f"  locks: {', '.join(sorted(job.locks)) or '(none)'}")
            self.stdout.write(f"  last execution: {status}")
