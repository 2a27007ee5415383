"""Runs one execution on a worker: claim, steps, log file, heartbeat, finish.

The claim is a compare-and-set (pending → running): a task message delivered twice runs
the execution once. Locks were taken when the execution was created; `execution_finish`
releases them in every outcome. If this process dies, the heartbeat stops and the reaper
ends the execution.

A step may raise `Suspended` (a flow whose job runs as an execution of its own): the worker is
released and the execution stays running, to be ended by whoever resumes it.

The runner knows nothing of what follows a finish (chains, alerts): the services announce
it with `jobs.signals.execution_finished` once the finish has committed, and the operations
listen. See the layering in jobs/services.py.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import traceback
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from jobs import messages, registry, services
from jobs.context import Aborted, JobFailed, RunState, StepContext, Suspended, flush
from jobs.joblog import JobLog, log_path
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, StepExecution, StepStatus

logger = logging.getLogger(__name__)


def run_execution(execution_id: int, *, task_id: str | None = None, worker: str = "") -> JobExecution | None:
    now = timezone.now()
    pending = JobExecution.objects.filter(pk=execution_id, execution_status=ExecutionStatus.PENDING)
    if task_id:
        # A message only runs the execution it was queued for (ids can be reused after a purge).
        pending = pending.filter(task_id=task_id)
    claimed = pending.update(
        execution_status=ExecutionStatus.RUNNING, started=now, heartbeat=now, worker=worker
    )
    if not claimed:
        # Already run, running elsewhere or stopped before it started: nothing to do.
        logger.info("Execution %s is not pending; message ignored", execution_id)
        return None
    execution = JobExecution.objects.get(pk=execution_id)
    log = JobLog(log_path(execution.log_file_name))
    workdir = Path(settings.STORAGE_ROOT) / "work" / str(execution.pk)
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.failure = log.failure or exc
    if log.failure:
        # Nothing can run without its log and work folder: end it now, locks freed at once.
        log.close()
        services.execution_finish(
            execution, exit_status=ExitStatus.ERROR, message=_log_unwritable(log.failure)
        )
        return execution
    try:
        job = registry.get(execution.job_id)
    except registry.UnknownJob as exc:
        log.write("ERROR", str(exc))
        log.close()
        services.execution_finish(execution, exit_status=ExitStatus.ERROR, message=str(exc))
        return execution
    run = RunState(
        execution=execution,
        job=job,
        log=log,
        workdir=workdir,
        enter_no_return=services.execution_no_return,
        leave_no_return=services.execution_stoppable,
    )
    heartbeat = Heartbeat(run)
    heartbeat.start()
    try:
        outcome = _run_steps(run, heartbeat)
        if outcome is not None:  # None: a step goes on elsewhere, and ends the execution there
            _finish(run, *outcome)
    finally:
        heartbeat.stop()
        for cleanup in run.cleanup:
            try:
                cleanup()
            except Exception:
                logger.warning("Cleanup after %s failed", execution, exc_info=True)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
    execution.refresh_from_db()
    return execution


def _run_steps(run: RunState, heartbeat: Heartbeat) -> tuple[str, str, str] | None:
    execution, job, log = run.execution, run.job, run.log
    by = f" by {execution.triggered_by.get_username()}" if execution.triggered_by_id else ""
    by = by or (f" by {execution.shell_user}" if execution.shell_user else "")
    log.write(
        "INFO",
        f"Execution #{execution.pk} of {job.id} started ({execution.trigger}{by}) on {execution.worker}",
    )
    if log.failure:
        return ExecutionStatus.FINISHED, ExitStatus.ERROR, _log_unwritable(log.failure)
    rows = {row.position: row for row in execution.steps.all()}
    for position, step in enumerate(job.steps, start=1):
        row = rows.get(position) or StepExecution.objects.create(
            execution=execution, position=position, name=step.name
        )
        heartbeat.step = row
        outcome = _run_step(run, step, row)
        if outcome is SUSPENDED:
            heartbeat.step = None
            return None
        if outcome is not None:
            return outcome
        if log.failure:
            return ExecutionStatus.FINISHED, ExitStatus.ERROR, f"{step.name}: {_log_unwritable(log.failure)}"
    heartbeat.step = None
    if _stop_requested(run):
        # Clicked during the last step, after its last safe point: nothing more runs, and a
        # stopped run is never OK (nor moves the watermark).
        return ExecutionStatus.ABORTED, "", f"{_stop_message(run)} after its last step had run"
    count = run.data_error_count
    if count:
        return ExecutionStatus.FINISHED, ExitStatus.WARN, f"{count:,} data error{'s' if count != 1 else ''}"
    return ExecutionStatus.FINISHED, ExitStatus.OK, ""


# A step that raised Suspended: the worker is released, the execution stays running.
SUSPENDED = ("suspended", "", "")


def _run_step(run: RunState, step: registry.Step, row: StepExecution) -> tuple[str, str, str] | None:
    """Run one step; None to go on, SUSPENDED when it goes on elsewhere, or the execution's
    outcome when it ends here."""
    row.status, row.started = StepStatus.RUNNING, timezone.now()
    row.save(update_fields=["status", "started"])
    run.log.write("INFO", "Step started", step.name)
    ctx = StepContext(run, row)
    outcome = None
    try:
        ctx.check_abort(fresh=True)
        step.run(ctx)
        row.status = StepStatus.WARN if row.error_count else StepStatus.OK
    except Suspended as exc:
        # The row is no longer ours to write: whoever resumes the step ends it.
        run.log.write("INFO", f"Step goes on without this worker: {exc}", step.name)
        return SUSPENDED
    except Aborted as exc:
        row.status, row.message = StepStatus.ABORTED, str(exc)
        outcome = (ExecutionStatus.ABORTED, "", _stop_message(run))
    except JobFailed as exc:
        row.status, row.message = StepStatus.ERROR, messages.shown(str(exc))
        if row.message != str(exc):
            run.log.write("ERROR", f"{exc} (in full, for support)", step.name)
        outcome = (ExecutionStatus.FINISHED, ExitStatus.ERROR, f"{step.name}: {row.message}")
    except Exception as exc:
        # The page shows a line without server paths; the log file keeps the trace.
        row.status, row.message = StepStatus.ERROR, messages.of_exception(exc)
        run.log.write(
            "ERROR", f"Unexpected error, the trace for support:\n{traceback.format_exc()}", step.name
        )
        outcome = (ExecutionStatus.FINISHED, ExitStatus.ERROR, f"{step.name}: {row.message}")
    row.finished = timezone.now()
    counts = f"read {row.read_count:,}, written {row.write_count:,}, skipped {row.skip_count:,}, errors {row.error_count:,}"
    level = "ERROR" if row.status == StepStatus.ERROR else "INFO"
    run.log.write(
        level, f"Step {row.status}{': ' + row.message if row.message else ''} ({counts})", step.name
    )
    _with_retries(lambda: _save_step(run, row))
    return outcome


def _save_step(run: RunState, row: StepExecution) -> None:
    flush(run, row)
    row.save(update_fields=["status", "message", "finished"])


def _stop_requested(run: RunState) -> bool:
    status = JobExecution.objects.filter(pk=run.execution.pk).values_list("execution_status", flat=True)
    return status.first() == ExecutionStatus.ABORTING


def _stop_message(run: RunState) -> str:
    message = JobExecution.objects.filter(pk=run.execution.pk).values_list("message", flat=True).first()
    return (message or "Stop requested").replace("Stop requested", "Stopped")


def _finish(run: RunState, status: str, exit_status: str, message: str) -> None:
    job = run.job

    def on_finished(execution):
        if exit_status in (ExitStatus.OK, ExitStatus.WARN) and job.on_success:
            job.on_success(execution)

    succeeded = exit_status in (ExitStatus.OK, ExitStatus.WARN)

    def close(status, exit_status, message, from_statuses) -> bool:
        label = exit_status or status
        # The outer transaction holds the finish's announcement back until this last line is
        # written: what the listeners add to the log (a chain started) comes after it.
        with transaction.atomic():
            done = services.execution_finish(
                run.execution,
                status=status,
                exit_status=exit_status,
                message=message,
                on_finished=on_finished if succeeded else None,
                from_statuses=from_statuses,
            )
            if done:
                run.log.write(
                    "INFO" if exit_status != ExitStatus.ERROR else "ERROR",
                    f"Execution {label}{': ' + message if message else ''}",
                )
        return done

    active = (ExecutionStatus.RUNNING, ExecutionStatus.ABORTING)
    # Success only from running: a Stop that came after the last check ends it aborted instead.
    if _with_retries(
        lambda: close(status, exit_status, message, (ExecutionStatus.RUNNING,) if succeeded else active)
    ):
        return
    if succeeded and _with_retries(lambda: _stop_requested(run)):
        succeeded = False
        stopped = f"{_stop_message(run)} after its last step had run"
        if _with_retries(lambda: close(ExecutionStatus.ABORTED, "", stopped, active)):
            return
    run.log.write(
        "WARN",
        f"Execution ended {exit_status or status}, but it had already been closed (abandoned by the reaper)",
    )


def _log_unwritable(failure: OSError) -> str:
    """The execution's log or work folder cannot be written: said in the worker's own log (the
    execution's is the one that failed), and in words for the page."""
    logger.error("Storage failure: %s", failure)
    return messages.storage_problem(failure)


def _with_retries(action, attempts: int = 5, pause: float = 1.0):
    """Database writes at the end of a step or execution must not be lost to one dropped
    connection: reconnect and retry a few times before giving up (then the reaper steps in)."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception:
            if attempt == attempts:
                raise
            logger.warning(
                "Database write failed (attempt %s/%s); reconnecting", attempt, attempts, exc_info=True
            )
            connection.close()
            time.sleep(pause * attempt)
    return None


class Heartbeat(threading.Thread):
    """Every few seconds: prove the worker is alive, flush counters, notice a Stop request."""

    def __init__(self, run: RunState):
        super().__init__(name=f"heartbeat-{run.execution.pk}", daemon=True)
        self.run_state = run
        self.step: StepExecution | None = None
        self._stopped = threading.Event()

    def run(self):
        interval = settings.JOBS_HEARTBEAT_SECONDS
        try:
            while not self._stopped.wait(interval):
                try:
                    self.beat()
                except Exception:
                    logger.warning("Heartbeat failed", exc_info=True)
                    close_old_connections()
                    connection.close()
        finally:
            connection.close()

    def beat(self):
        run = self.run_state
        pk = run.execution.pk
        JobExecution.objects.filter(
            pk=pk, execution_status__in=[ExecutionStatus.RUNNING, ExecutionStatus.ABORTING]
        ).update(heartbeat=timezone.now())
        status = JobExecution.objects.filter(pk=pk).values_list("execution_status", flat=True).first()
        if status != ExecutionStatus.RUNNING and not run.abort.is_set():
            # Stop was clicked (aborting), or the reaper already gave up on us (finished).
            run.abort.set()
        step = self.step
        if step is not None:
            flush(run, step)

    def stop(self):
        self._stopped.set()
        self.join(timeout=10)
