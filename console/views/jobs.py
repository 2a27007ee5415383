"""Operations › Jobs: the list of jobs with Run, and each job's General and Schedule and
History tabs."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.templatetags.console import moment_text
from console.views.common import get_job_or_404, require, role_required
from console.views.forms import ScheduleForm
from jobs import registry, scheduling, selectors, services
from jobs.models import ExecutionStatus, JobExecution, QueuedRun, StepExecution
from jobs.operations import queued as queued_runs
from jobs.operations import report
from jobs.pipeline import shipped
from jobs.pipeline.definitions import ATTRIBUTES, MEDIA_PRICEBOOK

HISTORY_PAGE_SIZE = 25
# Product imports (DESIGN §2) need the attributes and the media/pricebooks imported first.
PRODUCT_IMPORT_PREFIX = "3-"
PREREQUISITES = (ATTRIBUTES, MEDIA_PRICEBOOK)


@dataclass
class JobRow:
    job: registry.Job
    execution: JobExecution | None
    step: StepExecution | None
    conflict: JobExecution | None
    schedule: scheduling.Schedule | None
    next_run: object
    progress: report.Progress | None = None
    holds: list[str] | None = None  # the resources the conflict holds that this job needs
    queued: QueuedRun | None = None  # its "Run when free", while it waits


def resources_held(job: registry.Job, holder: JobExecution, locks: dict[str, JobExecution]) -> list[str]:
    """The SFCC resources `holder` holds that `job` needs (the job locks are not resources)."""
    return sorted(
        name for name in job.lock_names if not name.startswith("job:") and locks.get(name) == holder
    )


def job_rows() -> tuple[list[JobRow], bool]:
    """Every registered job with its latest execution, in a constant number of queries.
    Also says whether anything is active: only active executions hold locks, and a queued run
    waits for one to end (or for its next try)."""
    jobs = registry.all_jobs()
    ids = [job.id for job in jobs]
    last = selectors.last_executions(ids)
    locks = selectors.held_locks()
    waiting = queued_runs.waiting()
    schedules = scheduling.schedules_for(ids)
    # A skipped scheduled run is newer than the execution it waited for: show the active one.
    shown = {job.id: locks.get(f"job:{job.id}") or last.get(job.id) for job in jobs}
    active = [e for e in shown.values() if e is not None and e.is_active]
    steps = selectors.running_steps([e.pk for e in active])
    # Past durations only while something runs: an idle page costs no aggregate query.
    medians = report.median_durations({e.job_id for e in active}) if active else {}
    now = timezone.now()
    rows = []
    for job in jobs:
        execution, schedule = shown[job.id], schedules.get(job.id)
        step = steps.get(execution.pk) if execution else None
        conflict = selectors.conflicting_execution(job, locks)
        rows.append(
            JobRow(
                job=job,
                execution=execution,
                step=step,
                conflict=conflict,
                holds=resources_held(job, conflict, locks) if conflict else None,
                queued=waiting.get(job.id),
                schedule=schedule,
                next_run=scheduling.next_run(schedule, now) if schedule else None,
                progress=report.progress_of(execution, [step] if step else [], medians.get(job.id), now)
                if execution
                else None,
            )
        )
    return rows, bool(locks or waiting)


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


def table_context(request) -> dict:
    rows, active = job_rows()
    # Without workers (eager mode, the tests' default) nobody is missing.
    liveness = None if settings.CELERY_TASK_ALWAYS_EAGER else selectors.worker_liveness(timezone.now())
    toasts = finished_toasts(request)
    return {
        "rows": rows,
        # Polled on while a run this user watches has not ended: its toast comes with a poll.
        "active": active
        or bool(request.session.get(WATCHED_EXECUTIONS) or request.session.get(WATCHED_QUEUED)),
        "liveness": liveness,
        "pending_timeout": settings.JOBS_PENDING_TIMEOUT_SECONDS,
        "toasts": toasts,
    }


@role_required
def jobs(request):
    return render(request, "jobs/list.html", table_context(request))


@role_required
def jobs_table(request):
    """The table alone, for htmx: polled while something runs and by Refresh. The toasts of
    runs that ended come with it, out of band."""
    return render(request, "jobs/_table.html", {**table_context(request), "toasts_oob": True})


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
    return render_to_string("jobs/_refusal.html", context)


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


@require_POST
@role_required
def job_run(request, job_id):
    require(request.user, "run")
    start_job(request, get_job_or_404(job_id).id)
    return redirect("jobs")


@require_POST
@role_required
def job_run_when_free(request, job_id):
    """Queue a run behind the locks that refused it: it starts once they are free."""
    require(request.user, "run")
    job = get_job_or_404(job_id)
    try:
        queued = queued_runs.request(job_id=job.id, user=request.user)
    except queued_runs.AlreadyQueued as exc:
        messages.info(request, str(exc))
        return redirect("jobs")
    except services.BrokerUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("jobs")
    if queued.state == QueuedRun.State.STARTED:
        # The locks were freed between the refusal and this click: it runs now.
        watch(request, execution=queued.execution)
        messages.success(request, f"Started {job.id} as execution #{queued.execution_id}.")
    else:
        watch(request, queued=queued)
        wait = settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS
        messages.success(
            request,
            f"{job.id} is queued: it starts when execution #{queued.waiting_for_id} has finished "
            f"(waiting {wait // 60} min at most).",
        )
    return redirect("jobs")


@require_POST
@role_required
def queued_run_cancel(request, queued_id):
    require(request.user, "run")
    queued = get_object_or_404(QueuedRun, pk=queued_id)
    if queued_runs.cancel(queued=queued, user=request.user):
        messages.success(request, f"The queued run of {queued.job_id} is cancelled.")
    else:
        # It started (or gave up) between the page's last refresh and this click.
        queued.refresh_from_db()
        messages.info(request, f"The queued run of {queued.job_id} had already ended: {queued.message}")
    # Back to the page the button was on (Jobs or Job History), never to a URL from the form.
    return redirect("history" if request.POST.get("back") == "history" else "jobs")


@role_required
def job_general(request, job_id):
    job = get_job_or_404(job_id)
    context = {
        "job": job,
        "tab": "general",
        "locks": sorted(job.locks),
        "order_warning": order_warning(job.id),
    }
    if job.id == MEDIA_PRICEBOOK:
        target = shipped.target_in_force()
        context["shipped"] = {"target": target, "count": shipped.shipped_count(target)}
    return render(request, "jobs/general.html", context)


@require_POST
@role_required
def media_ship_again(request):
    """Forget what was shipped to the target in force: the next run of job 2 ships every file."""
    require(request.user, "configure")
    try:
        target, count = shipped.forget_shipped_media(user=request.user)
    except shipped.MediaBusy as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{count:,} shipped media forgotten for {target.label}: the next run of {MEDIA_PRICEBOOK} ships them all.",
        )
    return redirect("job", MEDIA_PRICEBOOK)


@role_required
def job_schedule(request, job_id):
    job = get_job_or_404(job_id)
    current = scheduling.schedule_get(job.id)
    form = ScheduleForm(initial=ScheduleForm.initial_for(current))
    if request.method == "POST":
        require(request.user, "schedule")
        form = ScheduleForm(request.POST)
        if form.is_valid():
            saved = scheduling.schedule_set(job_id=job.id, user=request.user, schedule=form.schedule())
            messages.success(request, f"Schedule saved: {schedule_words(saved)}.")
            return redirect("job_schedule", job.id)
    executions = selectors.executions_with_counts().filter(job_id=job.id)
    page = Paginator(executions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"job": job, "tab": "schedule", "form": form, "schedule": current, "page": page}
    if current is not None:
        context["rule"] = scheduling.describe(current)
        context["next_run"] = scheduling.next_run(current)
    return render(request, "jobs/schedule.html", context, status=400 if form.errors else 200)


def schedule_words(schedule: scheduling.Schedule) -> str:
    """ "Every day at 02:00 Europe/Paris — next 3 Dec 2026, 02:00:00 CET (08:00:00 +07 your time)":
    the next run in the schedule's zone, and in the user's when that differs."""
    upcoming = scheduling.next_run(schedule)
    if not schedule.enabled:
        return f"{scheduling.describe(schedule)} — disabled"
    if upcoming is None:
        return f"{scheduling.describe(schedule)} — no further runs"
    text = f"{scheduling.describe(schedule)} — next {moment_text(upcoming, schedule.timezone)}"
    if schedule.timezone != timezone.get_current_timezone_name():
        text += f" ({moment_text(upcoming)} your time)"
    return text


@require_POST
@role_required
def job_schedule_delete(request, job_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    if scheduling.schedule_delete(job_id=job.id, user=request.user):
        messages.success(request, f"{job.id} is no longer scheduled.")
    return redirect("job_schedule", job.id)
