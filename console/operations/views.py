"""Operations › Reports (the Job Status Report, CSV, report and retention settings) and a job's
Chains and Alerts tab."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.common import get_job_or_404, require, role_required
from console.operations.forms import AlertForm, ChainForm, OperationsSettingsForm
from jobs.operations import chains, changes, report
from jobs.operations.models import JobAlertRule, JobChain, OperationsSettings


@role_required
def status_report(request):
    options = OperationsSettings.load()
    form = OperationsSettingsForm(initial=_settings_initial(options))
    return _report_page(request, form)


def _report_page(request, form, status=200):
    context = {"rows": report.job_statuses(), "usage": report.disk_usage(), "form": form}
    return render(request, "operations/status.html", context, status=status)


def _settings_initial(options: OperationsSettings) -> dict:
    return {
        "report_recipients": options.report_recipients,
        "retention_days": options.retention_days,
        "retention_keep": options.retention_keep,
    }


@role_required
def status_report_csv(request):
    response = HttpResponse(report.to_csv(report.job_statuses()), content_type="text/csv; charset=utf-8")
    name = f"job-status-report-{timezone.localtime():%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@role_required
def operations_settings(request):
    require(request.user, "schedule")
    form = OperationsSettingsForm(request.POST)
    if not form.is_valid():
        return _report_page(request, form, status=400)
    changes.settings_save(request.user, form.cleaned_data)
    messages.success(request, "Report and retention settings saved.")
    return redirect("status_report")


# --- a job's Chains and Alerts tab -------------------------------------------------------


@role_required
def job_operations(request, job_id):
    job = get_job_or_404(job_id)
    return _operations_page(request, job)


def _operations_page(request, job, *, chain_form=None, alert_form=None, status=200):
    rule = JobAlertRule.objects.filter(job_id=job.id).first()
    context = {
        "job": job,
        "tab": "operations",
        "outgoing": JobChain.objects.filter(source_job=job.id),
        "incoming": JobChain.objects.filter(target_job=job.id),
        "rule": rule,
        "chain_form": chain_form or ChainForm(source=job.id),
        "alert_form": alert_form
        or AlertForm(
            initial={"recipients": rule.recipients, "hanging_minutes": rule.hanging_minutes} if rule else None
        ),
    }
    return render(request, "operations/job.html", context, status=status)


@require_POST
@role_required
def job_chain_add(request, job_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    form = ChainForm(request.POST, source=job.id)
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            changes.chain_add(request.user, source=job.id, target=target)
        except chains.ChainInvalid as exc:
            form.add_error("target", str(exc))
    if form.errors:
        return _operations_page(request, job, chain_form=form, status=400)
    messages.success(request, f"{target} now starts when {job.id} ends OK or WARN.")
    return redirect("job_operations", job.id)


@require_POST
@role_required
def job_chain_toggle(request, job_id, chain_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    chain = get_object_or_404(JobChain, pk=chain_id, source_job=job.id)
    changes.chain_toggle(request.user, chain)
    messages.success(request, f"Chain {chain} {'enabled' if chain.enabled else 'disabled'}.")
    return redirect("job_operations", job.id)


@require_POST
@role_required
def job_chain_delete(request, job_id, chain_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    chain = get_object_or_404(JobChain, pk=chain_id, source_job=job.id)
    changes.chain_remove(request.user, chain)
    messages.success(request, f"Chain {chain} removed.")
    return redirect("job_operations", job.id)


@require_POST
@role_required
def job_alerts(request, job_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    form = AlertForm(request.POST)
    if not form.is_valid():
        return _operations_page(request, job, alert_form=form, status=400)
    changes.alerts_save(request.user, job.id, form.cleaned_data)
    messages.success(request, f"Alerts of {job.id} saved.")
    return redirect("job_operations", job.id)
