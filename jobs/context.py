"""What a step sees while it runs: the log, counters, data errors, abort checks, artifacts.

Counters and data errors are kept in memory and written to the database by the heartbeat
(every few seconds) and at the end of each step, so the hot path of an import never waits
on a query.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from jobs.joblog import JobLog
from jobs.models import DataError, ExecutionStatus, JobExecution, StepExecution
from jobs.registry import Job

# check_abort() asks the database at most this often (the heartbeat asks too, less often).
ABORT_CHECK_SECONDS = 0.5

# Every data error goes to the log file; the first ones are also kept as rows for the page.
MAX_STORED_DATA_ERRORS = 1000


class Aborted(Exception):
    """Raised by `check_abort()` when someone clicked Stop."""


class JobFailed(Exception):
    """A step's way to end the execution ERROR with a message (no traceback in the log)."""


class TooManyDataErrors(JobFailed):
    pass


class Suspended(Exception):  # noqa: N818 - a signal to the runner, not an error
    """Raised by a step whose work goes on elsewhere (a flow's job runs as an execution of its
    own): the runner releases the worker and leaves the execution running with its locks. Whoever
    raised it must end the step and the execution later (jobs.operations.flows does)."""


@dataclass
class RunState:
    """Shared by all steps of one execution."""

    execution: JobExecution
    job: Job
    log: JobLog
    workdir: Path
    abort: threading.Event = field(default_factory=threading.Event)
    abort_checked: float = float("-inf")  # time.monotonic() of check_abort's last query
    # The compare-and-sets of a point of no return (services.execution_no_return and
    # execution_stoppable), given by the runner: the context sits below the services.
    enter_no_return: Callable[[JobExecution, str], bool] | None = None
    leave_no_return: Callable[[JobExecution], None] | None = None
    past_no_return: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    data_error_count: int = 0
    flushed_error_count: int = 0  # what flush() last wrote, so an unchanged count is not written
    stored_data_errors: int = 0
    # None: no limit; otherwise the execution fails once more data errors than this are met.
    error_threshold: int | None = None
    pending_errors: list[DataError] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Called once the execution ends, whatever the outcome (e.g. close the Akeneo session).
    cleanup: list = field(default_factory=list)


class StepContext:
    def __init__(self, run: RunState, step: StepExecution):
        self.run = run
        self.step = step

    # --- what steps share -------------------------------------------------------------
    @property
    def execution(self) -> JobExecution:
        return self.run.execution

    @property
    def state(self) -> dict[str, Any]:
        return self.run.state

    @property
    def workdir(self) -> Path:
        return self.run.workdir

    # --- log ---------------------------------------------------------------------------
    def log(self, level: str, message: str) -> None:
        self.run.log.write(level, message, self.step.name)

    def info(self, message: str) -> None:
        self.log("INFO", message)

    def warning(self, message: str) -> None:
        self.log("WARN", message)

    def error(self, message: str) -> None:
        self.log("ERROR", message)

    def add_secret(self, value: str | None) -> None:
        self.run.log.add_secret(value)

    # --- counts and progress -------------------------------------------------------------
    def read(self, count: int = 1) -> None:
        self.step.read_count += count

    def wrote(self, count: int = 1) -> None:
        self.step.write_count += count

    def skipped(self, count: int = 1) -> None:
        self.step.skip_count += count

    def set_total(self, total: int | None) -> None:
        self.step.total = total

    def data_error(self, identifier: str, message: str) -> None:
        """An item-level problem: logged with its identifier, counted, the import goes on."""
        self.step.error_count += 1
        self.log("WARN", f"DATAERROR {identifier}: {message}")
        run = self.run
        with run.lock:
            run.data_error_count += 1
            if run.stored_data_errors < MAX_STORED_DATA_ERRORS:
                run.stored_data_errors += 1
                run.pending_errors.append(
                    DataError(
                        execution_id=run.execution.pk,
                        step=self.step.name,
                        identifier=identifier[:255],
                        message=message,
                    )
                )
            count = run.data_error_count
        if run.error_threshold is not None and count > run.error_threshold:
            raise TooManyDataErrors(
                f"{count} data errors: more than the configured threshold of {run.error_threshold}"
            )

    # --- abort and artifacts -------------------------------------------------------------
    def check_abort(self, fresh: bool = False) -> None:
        """Call at safe points (between pages, files, archives; the runner calls it between
        steps, fresh): ends the step when Stop was clicked. Asks the database, not only the
        heartbeat, so a Stop clicked a moment ago is seen here; at most every
        ABORT_CHECK_SECONDS unless `fresh`, so a check per file costs nothing."""
        run = self.run
        now = time.monotonic()
        if not run.abort.is_set() and (fresh or now - run.abort_checked >= ABORT_CHECK_SECONDS):
            run.abort_checked = now
            status = JobExecution.objects.filter(pk=run.execution.pk).values_list(
                "execution_status", flat=True
            )
            if status.first() != ExecutionStatus.RUNNING:
                # Stop was clicked (aborting), or the reaper already gave up on us (finished).
                run.abort.set()
        if run.abort.is_set():
            raise Aborted("Stopped on request")

    def point_of_no_return(self, reason: str) -> None:
        """Call right before work that cannot be undone or stopped (starting the SFCC import):
        from here a Stop is refused with `reason`, shown to the user. Raises Aborted when a Stop
        came first, so that work never starts."""
        if not self.run.enter_no_return(self.execution, reason):
            self.run.abort.set()
            raise Aborted("Stopped on request")
        self.run.past_no_return = True
        self.info(f"From here a Stop is refused: {reason}")

    def stoppable_again(self) -> None:
        """The point of no return was not passed after all (the work was refused and waits)."""
        self.run.leave_no_return(self.execution)
        self.run.past_no_return = False
        self.check_abort()

    def pause(self, seconds: float) -> None:
        """Sleep, waking at once when Stop is seen, unless past a point of no return (then
        nothing a Stop could change, and the caller's pace is kept)."""
        if self.run.past_no_return:
            time.sleep(seconds)
        else:
            self.run.abort.wait(seconds)

    def add_artifact(self, path: Path, kind: str = "archive") -> dict:
        """Move a file into the execution's artifact folder and record it for download."""
        folder = Path(settings.STORAGE_ROOT) / "artifacts" / str(self.execution.pk)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        if path.resolve() != target.resolve():
            shutil.move(str(path), target)
        artifact = {
            "name": target.name,
            "path": str(target.relative_to(settings.STORAGE_ROOT)),
            "size": target.stat().st_size,
            "kind": kind,
        }
        self.execution.artifacts = [*self.execution.artifacts, artifact]
        JobExecution.objects.filter(pk=self.execution.pk).update(artifacts=self.execution.artifacts)
        self.info(f"Artifact {target.name} ({artifact['size']:,} bytes)")
        return artifact


def flush(run: RunState, step: StepExecution | None) -> None:
    """Write counters and buffered data errors; called by the heartbeat and at step ends."""
    with run.lock:
        errors, run.pending_errors = run.pending_errors, []
        count = run.data_error_count
    if errors:
        DataError.objects.bulk_create(errors)
    if count != run.flushed_error_count:
        JobExecution.objects.filter(pk=run.execution.pk).update(data_error_count=count)
        run.flushed_error_count = count
    if step is not None and step.pk:
        StepExecution.objects.filter(pk=step.pk).update(
            read_count=step.read_count,
            write_count=step.write_count,
            skip_count=step.skip_count,
            error_count=step.error_count,
            total=step.total,
        )
