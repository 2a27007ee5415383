"""Retention: exactly what must go goes, with its log file and archives; the newest K per
job, running executions, each job's last success and the shipped-media record stay."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs import runner, services
from jobs.joblog import log_file_name, log_path
from jobs.models import ExecutionStatus, JobExecution, TransferredMedia
from jobs.operations import maintenance
from jobs.operations.models import OperationsSettings
from tests import engine_jobs  # noqa: F401 - registers Test-Quick…

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage_root(settings, tmp_path):
    """A storage root of this test's own: the files counted are exactly the ones it made (on
    SQLite execution ids are reused, so another test's artifacts/<id>/ could be counted)."""
    settings.STORAGE_ROOT = tmp_path / "storage"
    return settings.STORAGE_ROOT


def old(job_id, exit_status, days_ago, status=ExecutionStatus.FINISHED, storage_root=None):
    created = timezone.now() - timedelta(days=days_ago)
    name = log_file_name(job_id, created)
    execution = JobExecution.objects.create(
        job_id=job_id,
        execution_status=status,
        exit_status=exit_status,
        created=created,
        started=created,
        finished=None if status != ExecutionStatus.FINISHED else created + timedelta(minutes=1),
        log_file_name=name,
    )
    log_path(name).parent.mkdir(parents=True, exist_ok=True)
    log_path(name).write_text("a log line\n")
    archive = storage_root / "artifacts" / str(execution.pk) / "X.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(b"zip" * 100)
    execution.artifacts = [{"name": "X.zip", "path": f"artifacts/{execution.pk}/X.zip", "size": 300}]
    execution.save(update_fields=["artifacts"])
    return execution


@pytest.fixture
def history(storage_root):
    def make(job_id, exit_status, days_ago, **kwargs):
        return old(job_id, exit_status, days_ago, storage_root=storage_root, **kwargs)

    quick = {
        "a": make("Test-Quick", "OK", 100),
        "b": make("Test-Quick", "ERROR", 90),
        "c": make("Test-Quick", "OK", 80),  # shipped media: its row stays, its files go
        "d": make("Test-Quick", "", 60, status=ExecutionStatus.RUNNING),
        "e": make("Test-Quick", "OK", 50),  # the job's last success
        "f": make("Test-Quick", "ERROR", 40),
        "g": make("Test-Quick", "ERROR", 10),
        "h": make("Test-Quick", "ERROR", 5),
    }
    beta = {
        "p": make("Test-Beta", "OK", 300),
        "q": make("Test-Beta", "OK", 250),  # the job's last success
        "r": make("Test-Beta", "ERROR", 200),
        "s": make("Test-Beta", "ERROR", 150),  # r and s: the newest two
    }
    TransferredMedia.objects.create(
        code="img-1", kind="media", path="images/img-1.jpg", sha256="0" * 64, size=1, execution=quick["c"]
    )
    return quick | beta


def files_of(execution, storage_root):
    return [log_path(execution.log_file_name), storage_root / "artifacts" / str(execution.pk) / "X.zip"]


def test_it_prunes_exactly_what_is_past_the_retention(history, storage_root):
    result = maintenance.prune(days=30, keep=2)
    gone = {key for key, e in history.items() if not JobExecution.objects.filter(pk=e.pk).exists()}
    assert gone == {"a", "b", "f", "p"}
    assert (result.deleted, result.stripped) == (4, 1)
    assert result.files == 10 and result.bytes == 5 * (len("a log line\n") + 300)
    for key, execution in history.items():
        exists = [path.exists() for path in files_of(execution, storage_root)]
        assert exists == ([False, False] if key in gone | {"c"} else [True, True]), key
    ledger = JobExecution.objects.get(pk=history["c"].pk)
    assert ledger.artifacts == [] and TransferredMedia.objects.filter(execution=ledger).exists()


def test_a_second_pass_removes_nothing_more(history):
    maintenance.prune(days=30, keep=2)
    again = maintenance.prune(days=30, keep=2)
    assert (again.deleted, again.files) == (0, 0)


def test_a_dry_run_only_counts(history, storage_root):
    assert maintenance.prune(days=30, keep=2, dry_run=True).deleted == 5
    assert all(path.exists() for e in history.values() for path in files_of(e, storage_root))


def test_the_command_prunes_and_says_how_much(history, capsys):
    call_command("prune_executions", "--days", "30", "--keep", "2")
    assert "4 executions deleted, 1 kept as the shipped-media record; 10 files" in capsys.readouterr().out


def test_the_maintenance_job_prunes_with_the_configured_retention(history, no_enqueue):
    OperationsSettings.objects.create(pk=1, retention_days=30, retention_keep=2)
    execution = services.execution_create(job_id="Maintenance")
    runner.run_execution(execution.pk, task_id=execution.task_id)
    execution.refresh_from_db()
    assert execution.exit_status == "OK"
    assert "4 executions deleted" in log_path(execution.log_file_name).read_text()
    assert execution.steps.get(name="prune-executions").write_count == 4
