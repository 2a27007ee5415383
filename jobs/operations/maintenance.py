"""Retention (the Maintenance job and `prune_executions`): executions older than N days are
deleted with their log files and archives, except

- the newest K executions of each job,
- a running (or pending, or aborting) execution,
- each job's last successful (OK or WARN) execution: the differential import and the
  "ever succeeded" checks count on it,

and an execution that recorded shipped media (job 2) keeps its row, which says what SFCC
already has, while its log file and archives go.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from jobs.joblog import log_path
from jobs.models import ACTIVE_STATUSES, ExitStatus, JobExecution, TransferredMedia
from jobs.operations.report import ARTIFACT_DIR

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class PruneResult:
    deleted: int = 0
    stripped: int = 0  # rows kept as the shipped-media record, files removed
    files: int = 0
    bytes: int = 0


def prunable(*, days: int, keep: int, now: datetime | None = None) -> list[int]:
    """Ids of the executions past the retention, oldest first."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    ranked = JobExecution.objects.annotate(
        rank=Window(RowNumber(), partition_by=[F("job_id")], order_by=[F("created").desc(), F("id").desc()])
    )
    beyond_keep = ranked.filter(rank__gt=keep).values_list("pk", flat=True)
    last_success = (
        JobExecution.objects.filter(exit_status__in=[ExitStatus.OK, ExitStatus.WARN])
        .order_by()
        .values("job_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    candidates = (
        JobExecution.objects.filter(created__lt=cutoff, pk__in=list(beyond_keep))
        .exclude(execution_status__in=ACTIVE_STATUSES)
        .exclude(pk__in=last_success)
        .order_by("created", "id")
    )
    return list(candidates.values_list("pk", flat=True))


def prune(*, days: int, keep: int, now: datetime | None = None, dry_run: bool = False) -> PruneResult:
    ids = prunable(days=days, keep=keep, now=now)
    result = PruneResult()
    if dry_run:
        result.deleted = len(ids)
        return result
    for start in range(0, len(ids), BATCH):
        _prune_batch(ids[start : start + BATCH], result)
    return result


def _prune_batch(ids: list[int], result: PruneResult) -> None:
    executions = list(JobExecution.objects.filter(pk__in=ids).only("pk", "log_file_name", "artifacts"))
    ledger = set(TransferredMedia.objects.filter(execution_id__in=ids).values_list("execution_id", flat=True))
    for execution in executions:
        _remove_files(execution, result)
    stripped = [e.pk for e in executions if e.pk in ledger]
    JobExecution.objects.filter(pk__in=stripped).update(artifacts=[])
    deleted = JobExecution.objects.filter(pk__in=[e.pk for e in executions if e.pk not in ledger])
    result.deleted += deleted.delete()[1].get("jobs.JobExecution", 0)
    result.stripped += len(stripped)


def _remove_files(execution: JobExecution, result: PruneResult) -> None:
    root = Path(settings.STORAGE_ROOT)
    files = [log_path(execution.log_file_name)] if execution.log_file_name else []
    files += [root / artifact["path"] for artifact in execution.artifacts if artifact.get("path")]
    for path in files:
        _unlink(path, root, result)
    folder = root / ARTIFACT_DIR / str(execution.pk)
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.is_file():
                _unlink(path, root, result)
        shutil.rmtree(folder, ignore_errors=True)


def _unlink(path: Path, root: Path, result: PruneResult) -> None:
    # Paths come from our own rows, but a row is data: never delete outside the store.
    if not path.resolve().is_relative_to(root.resolve()):
        logger.warning("Not deleting %s: outside STORAGE_ROOT", path)
        return
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return
    result.files += 1
    result.bytes += size


def clean_workdirs() -> int:
    """Work folders left by workers that were killed mid-run (the runner removes its own)."""
    folder = Path(settings.STORAGE_ROOT) / "work"
    if not folder.is_dir():
        return 0
    active = {
        str(pk)
        for pk in JobExecution.objects.filter(execution_status__in=ACTIVE_STATUSES).values_list(
            "pk", flat=True
        )
    }
    removed = 0
    for path in folder.iterdir():
        if path.is_dir() and path.name not in active:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


# --- the Maintenance job -----------------------------------------------------------------


def prune_step(ctx) -> None:
    from jobs.operations.models import OperationsSettings

    options = OperationsSettings.load()
    ctx.info(f"Retention: {options.retention_days} days, keeping the last {options.retention_keep} per job")
    result = prune(days=options.retention_days, keep=options.retention_keep)
    ctx.wrote(result.deleted)
    ctx.skipped(result.stripped)
    ctx.info(
        f"{result.deleted:,} executions deleted, {result.stripped:,} kept as the shipped-media record; "
        f"{result.files:,} files ({result.bytes:,} bytes) removed"
    )


def workdirs_step(ctx) -> None:
    removed = clean_workdirs()
    ctx.wrote(removed)
    ctx.info(f"{removed} abandoned work folders removed")
