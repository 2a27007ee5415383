"""Starting a run from a page and following it until its toast: the one way the Jobs room's
Run buttons and an execution's Run again start a job, and the toasts the Jobs table brings
when a watched run ends. Shared by the rooms; it renders only the shared partials."""

from dataclasses import dataclass

from django.contrib import messages
from django.template.loader import render_to_string

from jobs import registry, selectors, services
from jobs.models import ExecutionStatus, JobExecution, QueuedRun
from jobs.pipeline.definitions import ATTRIBUTES, MEDIA_PRICEBOOK

# Product imports (DESIGN §2) need the attributes and the media/pricebooks imported first.
PRODUCT_IMPORT_PREFIX = "3-"
PREREQUISITES = (ATTRIBUTES, MEDIA_PRICEBOOK)


def resources_held(job: registry.Job, holder: JobExecution, locks: dict[str, JobExecution]) -> list[str]:
    """The SFCC resources `holder` holds that `job` needs (the job locks are not resources)."""
    return sorted(
        name for name in job.lock_names if not name.startswith("job:") and locks.get(name) == holder
    )


def order_warning(job_id: str) -> str:
    """Why running this product import now may fail, or "" when the order was kept."""
    if not job_id.startswith(PRODUCT_IMPORT_PREFIX):
        return ""
    succeeded = selectors.ever_succeeded(PREREQUISITES)
    missing = [job for job in PREREQUISITES if job not in succeeded]
    if not missing:
        return ""
    return (
        f"{' and '.join(missing)} never finished OK: the products may refer to attributes, "
        "images or pricebooks that SFCC does not have yet. Run the jobs in order: 1, 2, then 3."
    )


# The runs a user started from the pages, kept in their session until their toast is shown.
WATCHED_EXECUTIONS = "watched_executions"
WATCHED_QUEUED = "watched_queued_runs"
WATCH_LIMIT = 20


def watch(request, *, execution: JobExecution | None = None, queued: QueuedRun | None = None) -> None:
    key, pk = (WATCHED_EXECUTIONS, execution.pk) if execution else (WATCHED_QUEUED, queued.pk)
    request.session[key] = [*request.session.get(key, []), pk][-WATCH_LIMIT:]


@dataclass
class Toast:
    text: str
    status: str  # a status label: OK, WARN, ERROR, aborted
    execution_id: int | None


def finished_toasts(request) -> list[Toast]:
    """The watched runs that ended since the last look, said once each (then forgotten)."""
    session = request.session
    watched_queued = session.get(WATCHED_QUEUED, [])
    watched = list(session.get(WATCHED_EXECUTIONS, []))
    if not watched and not watched_queued:
        return []
    toasts, still_queued = [], []
    for row in QueuedRun.objects.filter(pk__in=watched_queued):
        if row.state == QueuedRun.State.WAITING:
            still_queued.append(row.pk)
        elif row.state == QueuedRun.State.STARTED and row.execution_id:
            watched.append(row.execution_id)  # from now on, a run like any other
        elif row.state != QueuedRun.State.CANCELLED:
            toasts.append(Toast(f"{row.job_id}: {row.message}", "ERROR", row.execution_id))
    still = []
    for execution in JobExecution.objects.filter(pk__in=watched).order_by("pk"):
        if execution.is_active:
            still.append(execution.pk)
            continue
        ended = "was stopped" if execution.execution_status == ExecutionStatus.ABORTED else "finished"
        text = f"{execution.job_id} #{execution.pk} {ended} {execution.status_label}"
        toasts.append(Toast(f"{text}: {execution.message}" if execution.message else f"{text}.",
                            execution.status_label, execution.pk))  # fmt: skip
    session[WATCHED_EXECUTIONS], session[WATCHED_QUEUED] = still, still_queued
    return toasts


def refusal_text(job_id: str, exc: services.LocksHeld) -> str:
    """Who holds what, for a message: the holder as a link, its job, who started it and since
    when (HTML rendered by the template, which escapes every value)."""
    if exc.holder is None:
        return str(exc)
    holds = resources_held(registry.get(job_id), exc.holder, selectors.held_locks())
    context = {"job_id": job_id, "holder": exc.holder, "holds": holds, "sentence": True}
    # Rendered by the template (every value escaped), so the message stays safe HTML.
    return render_to_string("partials/refusal.html", context)


def start_job(request, job_id: str, *, again: bool = False) -> JobExecution | None:
    """Run a job from a page: the execution, or None when refused; the user is told either way.
    The one way the Run and Run again buttons start a job."""
    try:
        execution = services.execution_create(job_id=job_id, user=request.user)
    except services.LocksHeld as exc:
        # A double click lands here too: the first click's execution holds the job lock.
        already = exc.holder is not None and exc.holder.job_id == job_id
        (messages.info if already else messages.error)(request, refusal_text(job_id, exc))
        return None
    except services.BrokerUnavailable as exc:
        messages.error(request, str(exc))
        return None
    watch(request, execution=execution)
    messages.success(request, f"Started {job_id}{' again' if again else ''} as execution #{execution.pk}.")
    if warning := order_warning(job_id):
        messages.warning(request, warning)
    return execution
