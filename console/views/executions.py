"""One job execution: status, steps, the live log, data errors, downloads, Stop and Run again."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.views.common import get_execution_or_404, require, role_required
from console.views.jobs import start_job
from jobs import joblog, services
from jobs import messages as shown_messages

MAX_DATA_ERRORS_SHOWN = 1000


def _live_context(execution) -> dict:
    """What the polled fragment shows: status, steps and the end of the log (without the
    server's paths, which the downloaded log file keeps for support)."""
    tail = joblog.tail(joblog.log_path(execution.log_file_name)) if execution.log_file_name else ""
    return {
        "execution": execution,
        "steps": list(execution.steps.all()),
        "log_tail": shown_messages.without_paths(tail),
    }


@role_required
def execution(request, execution_id):
    execution = get_execution_or_404(execution_id)
    context = _live_context(execution)
    context["data_errors"] = execution.data_errors.all()[:MAX_DATA_ERRORS_SHOWN]
    context["data_errors_stored"] = execution.data_errors.count()
    context["artifacts"] = list(enumerate(execution.artifacts))
    return render(request, "executions/detail.html", context)


@role_required
def execution_live(request, execution_id):
    execution = get_execution_or_404(execution_id)
    return render(request, "executions/_live.html", _live_context(execution))


@require_POST
@role_required
def execution_stop(request, execution_id):
    require(request.user, "run")
    execution = get_execution_or_404(execution_id)
    if services.execution_stop(execution=execution, user=request.user):
        messages.success(request, f"Asked execution #{execution.pk} to stop.")
    else:
        # It ended between the page load and the click: nothing to stop.
        messages.info(request, f"Execution #{execution.pk} had already ended.")
    return redirect("execution", execution.pk)


@require_POST
@role_required
def execution_rerun(request, execution_id):
    require(request.user, "run")
    previous = get_execution_or_404(execution_id)
    execution = start_job(request, previous.job_id, again=True)
    return redirect("execution", (execution or previous).pk)


@role_required
def execution_log(request, execution_id):
    require(request.user, "download")
    execution = get_execution_or_404(execution_id)
    if not execution.log_file_name:
        raise Http404("This execution has no log file.")
    return _download(joblog.log_path(execution.log_file_name), execution.log_file_name)


@role_required
def execution_artifact(request, execution_id, index):
    require(request.user, "download")
    execution = get_execution_or_404(execution_id)
    if index >= len(execution.artifacts):
        raise Http404("No such artifact.")
    artifact = execution.artifacts[index]
    root = Path(settings.STORAGE_ROOT).resolve()
    path = (root / artifact["path"]).resolve()
    # The path comes from our own row, but a row is data: never serve outside the store.
    if not path.is_relative_to(root):
        raise Http404("No such artifact.")
    return _download(path, artifact.get("name") or path.name)


def _download(path: Path, name: str) -> FileResponse:
    try:
        file = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("The file is no longer there.") from None
    return FileResponse(file, as_attachment=True, filename=name)
