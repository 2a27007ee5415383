"""Operations › Jobs: the list of jobs with Run, and each job's General and Schedule and
History tabs."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.common import get_job_or_404, require, role_required
from console.jobs.forms import ScheduleForm
from console.pagination import page_of
from console.runs import (
    WATCHED_EXECUTIONS,
    WATCHED_QUEUED,
    finished_toasts,
    order_warning,
    resources_held,
    start_job,
    watch,
)
from console.templatetags.console import moment_text
from jobs import registry, scheduling, selectors, services
from jobs.models import JobExecution, QueuedRun, StepExecution
from jobs.operations import queued as queued_runs
from jobs.operations import report
from jobs.pipeline import shipped
from jobs.pipeline.definitions import MEDIA_PRICEBOOK

HISTORY_PAGE_SIZE = 25


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
    page = page_of(executions, HISTORY_PAGE_SIZE, request)
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
