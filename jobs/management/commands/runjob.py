import getpass
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from jobs import services
from jobs.joblog import log_path
from jobs.models import ExitStatus, JobExecution, Trigger
from jobs.registry import UnknownJob


def os_user() -> str:
    """Who runs the command, as the operating system knows them ("" when it cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


class Command(BaseCommand):
    help = "Run a job from the shell. With --wait, follow it and print a JSON summary as the last line."

    def add_arguments(self, parser):
        parser.add_argument("job_id")
        parser.add_argument("--wait", action="store_true", help="follow the execution to its end")
        parser.add_argument("--timeout", type=float, default=None, help="give up waiting after N seconds")

    def handle(self, *args, job_id, wait, timeout, **options):
        try:
            execution = services.execution_create(job_id=job_id, trigger=Trigger.SHELL, shell_user=os_user())
        except (UnknownJob, services.LocksHeld, services.BrokerUnavailable) as exc:
            self.stderr.write(str(exc))
            raise SystemExit(2) from None
        self.stdout.write(f"Execution #{execution.pk} of {execution.job_id} queued")
        if not wait:
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        while execution.is_active:
            if deadline is not None and time.monotonic() > deadline:
                self.stderr.write(f"Still {execution.execution_status} after {timeout:.0f}s")
                raise SystemExit(1)
            time.sleep(0.5)
            execution.refresh_from_db()
        self.stdout.write(json.dumps(summary(execution)))
        raise SystemExit(0 if execution.exit_status in (ExitStatus.OK, ExitStatus.WARN) else 1)


def summary(execution: JobExecution) -> dict:
    root = Path(settings.STORAGE_ROOT).resolve()
    return {
        "execution_id": execution.pk,
        "job_id": execution.job_id,
        "execution_status": execution.execution_status,
        "exit_status": execution.exit_status,
        "message": execution.message,
        "log_file": str(log_path(execution.log_file_name).resolve()),
        "artifacts": [str(root / artifact["path"]) for artifact in execution.artifacts],
    }
