"""GET /api/jobs, POST /api/jobs/<job-id>/executions, GET and DELETE
/api/jobs/<job-id>/executions/<id>, and the OpenAPI document at /api/schema."""

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from console.api import openapi
from console.api.auth import api_view, fault
from jobs import registry, scheduling, selectors, services
from jobs.models import ExecutionStatus, JobExecution, Trigger


@api_view(GET=None)
def jobs(request):
    all_jobs = registry.all_jobs()
    ids = [job.id for job in all_jobs]
    last = selectors.last_executions(ids)
    schedules = scheduling.schedules_for(ids)
    data = [_job(job, last.get(job.id), schedules.get(job.id)) for job in all_jobs]
    return JsonResponse({"count": len(data), "data": data})


@api_view(POST="run")
def executions(request, job_id):
    try:
        job = registry.get(job_id)
    except registry.UnknownJob as exc:
        return fault(404, "JobNotFoundException", str(exc), job_id=job_id)
    try:
        execution = services.execution_create(
            job_id=job.id, trigger=Trigger.API, user=request.caller.user, client_id=request.caller.client_id
        )
    except services.LocksHeld as exc:
        holder = {"execution_id": exc.holder.pk} if exc.holder is not None else {}
        return fault(409, "JobAlreadyRunningException", str(exc), job_id=job.id, **holder)
    except services.BrokerUnavailable as exc:
        return fault(503, "ServiceUnavailableException", str(exc))
    response = JsonResponse(execution_document(execution), status=202)
    response["Location"] = reverse("api_execution", args=[job.id, execution.pk])
    return response


@api_view(GET=None, DELETE="run")
def execution(request, job_id, execution_id):
    found = JobExecution.objects.select_related("triggered_by").filter(pk=execution_id, job_id=job_id).first()
    if found is None:
        return fault(404, "JobExecutionNotFoundException", f"{job_id} has no execution #{execution_id}.")
    if request.method == "DELETE":
        if not services.execution_stop(execution=found, user=request.caller.user):
            return fault(409, "JobExecutionNotRunningException", f"Execution #{found.pk} had already ended.")
        found.refresh_from_db()
    return JsonResponse(execution_document(found))


@require_GET
def schema(request):
    return JsonResponse(openapi.document(request.build_absolute_uri("/api")))


# --- documents ---------------------------------------------------------------------------


def _job(job: registry.Job, last: JobExecution | None, schedule) -> dict:
    upcoming = scheduling.next_run(schedule) if schedule else None
    return {
        "id": job.id,
        "description": job.description,
        "locks": sorted(job.locks),
        "steps": [step.name for step in job.steps],
        "schedule": scheduling.summary(schedule) if schedule else None,
        "next_run": _time(upcoming),
        "last_execution": execution_document(last, steps=False) if last else None,
    }


def execution_document(execution: JobExecution, *, steps: bool = True) -> dict:
    finished = execution.execution_status == ExecutionStatus.FINISHED
    duration = execution.duration
    document = {
        "id": execution.pk,
        "job_id": execution.job_id,
        "execution_status": execution.execution_status,
        "exit_status": {"code": execution.exit_status, "message": execution.message} if finished else None,
        "message": execution.message,
        "trigger": execution.trigger,
        "triggered_by": execution.triggered_by.get_username() if execution.triggered_by_id else None,
        "parent_id": execution.parent_id,
        "log_file_name": execution.log_file_name,
        "created": _time(execution.created),
        "start_time": _time(execution.started),
        "end_time": _time(execution.finished),
        "duration": round(duration.total_seconds(), 3) if duration is not None else None,
        "data_error_count": execution.data_error_count,
    }
    if steps:
        document["steps"] = [
            {
                "name": step.name,
                "status": step.status,
                "read_count": step.read_count,
                "write_count": step.write_count,
                "skip_count": step.skip_count,
                "error_count": step.error_count,
            }
            for step in execution.steps.all()
        ]
    return document


def _time(value):
    return value.isoformat() if value else None
