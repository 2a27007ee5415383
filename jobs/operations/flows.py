"""Flows: one execution that runs other jobs in order, one step per job, stopping at the
first ERROR (as SFCC's job flows).

Each step starts the inner job as an execution of its own (trigger `chain`, `parent` = the
flow's execution), which takes its own locks, and waits for it to end. The flow job locks
only itself: holding its children's resources would keep them from ever starting.

A child whose locks are held waits by the one policy (jobs.waiting). Unlike a scheduled run
or a chain, the wait happens inside the flow's running step, so the flow holds a worker slot
while it waits for (and while it runs) its child: a flow needs a worker of concurrency 2 or
more, or a second worker, for its children to run.
"""

from __future__ import annotations

import time

from jobs import registry, services
from jobs.context import JobFailed, StepContext
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, Trigger
from jobs.registry import Job, Step
from jobs.waiting import LockWait, WaitOver

# How often a flow step looks at its child (and at the flow's own Stop request).
POLL_SECONDS = 0.5

_flows: set[str] = set()


def flow_job(job_id: str, description: str, job_ids: list[str], order: str = "") -> Job:
    """A job whose steps run `job_ids` one after the other."""
    steps = tuple(
        Step(f"run {inner}", _runner_of(inner), f"Run {inner} and wait for it to end") for inner in job_ids
    )
    _flows.add(job_id)
    return Job(id=job_id, description=description, steps=steps, order=order)


def is_flow(job_id: str) -> bool:
    return job_id in _flows


def _runner_of(job_id: str):
    def run_inner_job(ctx: StepContext) -> None:
        child = _start_child(ctx, job_id)
        ctx.info(f"Started {job_id} as execution #{child.pk}")
        child = _wait_for(ctx, child)
        _judge(ctx, child)

    run_inner_job.__name__ = f"run_{job_id}"
    return run_inner_job


def _start_child(ctx: StepContext, job_id: str) -> JobExecution:
    """Start the inner job; while its locks are held elsewhere, wait (as a scheduled run
    does) up to JOBS_SCHEDULED_LOCK_WAIT_SECONDS, then fail the flow."""
    registry.get(job_id)  # an unknown job fails the step with a clear message
    wait = LockWait.since()
    while True:  # bounded: the wait ends (WaitOver) after JOBS_SCHEDULED_LOCK_WAIT_SECONDS
        ctx.check_abort()
        try:
            return services.execution_create(job_id=job_id, trigger=Trigger.CHAIN, parent=ctx.execution)
        except services.LocksHeld as exc:
            try:
                pause = wait.next_pause(exc)
            except WaitOver as over:
                raise JobFailed(str(over)) from None
            if wait.is_first_pause():
                ctx.warning(f"{exc} Waiting for it to end.")
        except services.BrokerUnavailable as exc:
            raise JobFailed(str(exc)) from None
        ctx.run.abort.wait(pause)  # wakes at once on a Stop of the flow


def _wait_for(ctx: StepContext, child: JobExecution) -> JobExecution:
    """Until the child ends. A Stop of the flow stops the child too (services.execution_stop);
    the flow ends once its child did, aborted."""
    while True:
        child.refresh_from_db(fields=["execution_status", "exit_status", "message", "data_error_count"])
        if not child.is_active:
            ctx.check_abort()
            return child
        time.sleep(POLL_SECONDS)


def _judge(ctx: StepContext, child: JobExecution) -> None:
    label = child.exit_status or child.execution_status
    said = f": {child.message}" if child.message else ""
    if child.execution_status == ExecutionStatus.FINISHED and child.exit_status == ExitStatus.OK:
        ctx.info(f"{child.job_id} (execution #{child.pk}) ended OK")
        return
    if child.execution_status == ExecutionStatus.FINISHED and child.exit_status == ExitStatus.WARN:
        # The flow goes on and ends WARN, naming the child that warned.
        ctx.data_error(f"{child.job_id} #{child.pk}", f"ended WARN{said}")
        return
    raise JobFailed(f"{child.job_id} (execution #{child.pk}) ended {label}{said}")
