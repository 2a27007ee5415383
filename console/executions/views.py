"""One job execution: status, steps, the live log, data errors, downloads, Stop and Run again."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.common import get_execution_or_404, require, role_required
from console.executions import logview
from console.runs import start_job
from jobs import joblog, services
from jobs import messages as shown_messages
from jobs.models import ExitStatus
from jobs.operations import report

MAX_DATA_ERRORS_SHOWN = 1000
# How much of the log the page shows: the end while it runs (polled every 2 s), more once it
# ended; the download always has the whole file.
LOG_SHOWN_LIVE_BYTES = 64 * 1024
LOG_SHOWN_BYTES = 1024 * 1024


def _live_context(execution) -> dict:
    """What the polled fragments show: status, progress, steps, child executions, the log
    (without the server's paths, which the downloaded log file keeps for support)."""
    steps = list(execution.steps.all())
    children = list(execution.children.order_by("created", "id"))
    entries, cut, first_error = [], False, None
    if execution.log_file_name:
        path = joblog.log_path(execution.log_file_name)
        limit = LOG_SHOWN_LIVE_BYTES if execution.is_active else LOG_SHOWN_BYTES
        text = joblog.tail(path, max_bytes=limit)
        entries = logview.parse(shown_messages.without_paths(text))
        cut = path.exists() and path.stat().st_size > limit
        if execution.is_active:
            # Polled every 2 s: the first error among the lines shown, no reading of the file.
            first_error = next((entry for entry in entries if entry.level == "ERROR"), None)
        elif execution.exit_status == ExitStatus.ERROR or any(entry.level == "ERROR" for entry in entries):
            # The first error may be older than the lines shown: it is read from the file's start.
            first_error = logview.first_error(path)
    progress = None
    if execution.is_active:
        expected = report.median_durations([execution.job_id]).get(execution.job_id)
        progress = report.progress_of(execution, steps, expected)
    for step in steps:
        # A flow's step "run <job>" started that job as a child execution of this one.
        step.child = next((child for child in children if step.name == f"run {child.job_id}"), None)
    summary = (
        first_error.summary
        if first_error
        else (execution.message if execution.exit_status == ExitStatus.ERROR else "")
    )
    return {
        "execution": execution,
        "steps": steps,
        "children": children,
        "progress": progress,
        "log_entries": entries,
        "log_cut": cut,
        "first_error": first_error,
        "error_summary": summary,
        "hint": logview.explain(summary) if summary else None,
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
    return render(request, "executions/_live_response.html", _live_context(execution))


@require_POST
@role_required
def execution_stop(request, execution_id):
    require(request.user, "run")
    execution = get_execution_or_404(execution_id)
    try:
        stopped = services.execution_stop(execution=execution, user=request.user)
    except services.StopRefused as refused:
        messages.error(request, str(refused))
        return redirect("execution", execution.pk)
    if stopped:
        messages.success(request, f"Asked execution #{execution.pk} to stop.")
    elif services.active_executions().filter(pk=execution.pk).exists():
        # Someone else clicked Stop first: it is aborting already.
        messages.info(request, f"Execution #{execution.pk} is already stopping.")
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
