"""Operations › Jobs: the list of jobs with Run, and each job's General and Schedule and
History tabs."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.views.common import get_job_or_404, require, role_required
from console.views.forms import ScheduleForm
from jobs import registry, scheduling, selectors, services
from jobs.models import JobExecution, StepExecution
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


def job_rows() -> tuple[list[JobRow], bool]:
    """Every registered job with its latest execution, in a constant number of queries.
    Also says whether anything is active (only active executions hold locks)."""
    jobs = registry.all_jobs()
    ids = [job.id for job in jobs]
    last = selectors.last_executions(ids)
    locks = selectors.held_locks()
    schedules = scheduling.schedules_for(ids)
    # A skipped scheduled run is newer than the execution it waited for: show the active one.
    shown = {job.id: locks.get(f"job:{job.id}") or last.get(job.id) for job in jobs}
    steps = selectors.running_steps([e.pk for e in shown.values() if e is not None and e.is_active])
    now = timezone.now()
    rows = []
    for job in jobs:
        execution, schedule = shown[job.id], schedules.get(job.id)
        rows.append(
            JobRow(
                job=job,
                execution=execution,
                step=steps.get(execution.pk) if execution else None,
                conflict=selectors.conflicting_execution(job, locks),
                schedule=schedule,
                next_run=scheduling.next_run(schedule, now) if schedule else None,
            )
        )
    return rows, bool(locks)


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


def table_context() -> dict:
    rows, active = job_rows()
    # Without workers (eager mode, the tests' default) nobody is missing.
    liveness = None if settings.CELERY_TASK_ALWAYS_EAGER else selectors.worker_liveness(timezone.now())
    return {
        "rows": rows,
        "active": active,
        "liveness": liveness,
        "pending_timeout": settings.JOBS_PENDING_TIMEOUT_SECONDS,
    }


@role_required
def jobs(request):
    return render(request, "jobs/list.html", table_context())


@role_required
def jobs_table(request):
    """The table alone, for htmx: polled while something runs and by Refresh."""
    return render(request, "jobs/_table.html", table_context())


def start_job(request, job_id: str, *, again: bool = False) -> JobExecution | None:
    """Run a job from a page: the execution, or None when refused; the user is told either way.
    The one way the Run and Run again buttons start a job."""
    try:
        execution = services.execution_create(job_id=job_id, user=request.user)
    except services.LocksHeld as exc:
        # A double click lands here too: the first click's execution holds the job lock.
        already = exc.holder is not None and exc.holder.job_id == job_id
        (messages.info if already else messages.error)(request, str(exc))
        return None
    except services.BrokerUnavailable as exc:
        messages.error(request, str(exc))
        return None
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
            messages.success(request, f"Schedule saved: {scheduling.summary(saved)}.")
            return redirect("job_schedule", job.id)
    executions = selectors.executions_with_counts().filter(job_id=job.id)
    page = Paginator(executions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"job": job, "tab": "schedule", "form": form, "schedule": current, "page": page}
    if current is not None:
        context["summary"] = scheduling.summary(current)
    return render(request, "jobs/schedule.html", context, status=400 if form.errors else 200)


@require_POST
@role_required
def job_schedule_delete(request, job_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    if scheduling.schedule_delete(job_id=job.id, user=request.user):
        messages.success(request, f"{job.id} is no longer scheduled.")
    return redirect("job_schedule", job.id)
