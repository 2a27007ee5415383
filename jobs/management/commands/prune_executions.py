"""`python manage.py prune_executions --days 30 --keep 20`: retention from the shell or cron,
the same rules as the Maintenance job (see jobs/operations/maintenance.py)."""

from django.core.management.base import BaseCommand, CommandError

from jobs.operations.maintenance import prune


class Command(BaseCommand):
    help = (
        "Delete executions older than N days with their log files and archives, keeping the last K "
        "per job, running ones and each job's last successful one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True, help="keep everything newer than this")
        parser.add_argument("--keep", type=int, default=20, help="keep at least this many per job")
        parser.add_argument("--dry-run", action="store_true", help="only count what would go")

    def handle(self, *args, days, keep, dry_run, **options):
        if days < 0 or keep < 0:
            raise CommandError("--days and --keep cannot be negative.")
        result = prune(days=days, keep=keep, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{result.deleted:,} executions would be deleted")
            return
        self.stdout.write(
            f"{result.deleted:,} executions deleted, {result.stripped:,} kept as the shipped-media record; "
            f"{result.files:,} files ({result.bytes:,} bytes) removed"
        )
