"""Operations › Reports (the Job Status Report, CSV, report and retention settings) and a job's
Chains and Alerts tab."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from console.operations_forms import AlertForm, ChainForm, OperationsSettingsForm
from console.views.common import get_job_or_404, require, role_required
from jobs import audit
from jobs.models import AuditEntry
from jobs.operations import chains, report
from jobs.operations.models import JobAlertRule, JobChain, OperationsSettings


@role_required
def status_report(request):
    options = OperationsSettings.load()
    form = OperationsSettingsForm(initial=_settings_initial(options))
    return _report_page(request, form)


def _report_page(request, form, status=200):
    context = {"rows": report.job_statuses(), "usage": report.disk_usage(), "form": form}
    return render(request, "reports/status.html", context, status=status)


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
    with transaction.atomic():
        OperationsSettings.objects.update_or_create(pk=1, defaults=form.cleaned_data)
        _audit(request.user, "", f"Report and retention settings: {_describe(form.cleaned_data)}")
    messages.success(request, "Report and retention settings saved.")
    return redirect("status_report")


def _describe(data: dict) -> str:
    recipients = data["report_recipients"] or "nobody"
    return f"report to {recipients}; keep {data['retention_days']} days, at least {data['retention_keep']} per job"


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
    return render(request, "jobs/operations.html", context, status=status)


@require_POST
@role_required
def job_chain_add(request, job_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    form = ChainForm(request.POST, source=job.id)
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            with transaction.atomic():
                chains.chain_add(source=job.id, target=target, user=request.user)
                _audit(request.user, job.id, f"Chain added: {target} starts after {job.id} ends OK or WARN")
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
    chain.enabled = not chain.enabled
    with transaction.atomic():
        chain.save(update_fields=["enabled"])
        _audit(request.user, job.id, f"Chain {chain} {'enabled' if chain.enabled else 'disabled'}")
    messages.success(request, f"Chain {chain} {'enabled' if chain.enabled else 'disabled'}.")
    return redirect("job_operations", job.id)


@require_POST
@role_required
def job_chain_delete(request, job_id, chain_id):
    require(request.user, "schedule")
    job = get_job_or_404(job_id)
    chain = get_object_or_404(JobChain, pk=chain_id, source_job=job.id)
    with transaction.atomic():
        chain.delete()
        _audit(request.user, job.id, f"Chain removed: {chain}")
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
    data = form.cleaned_data
    with transaction.atomic():
        JobAlertRule.objects.update_or_create(job_id=job.id, defaults=data)
        hanging = (
            f"hanging after {data['hanging_minutes']} min"
            if data["hanging_minutes"]
            else "no hanging threshold"
        )
        _audit(request.user, job.id, f"Alerts: e-mails to {data['recipients'] or 'nobody'}; {hanging}")
    messages.success(request, f"Alerts of {job.id} saved.")
    return redirect("job_operations", job.id)


def _audit(user, job_id: str, message: str) -> None:
    audit.record(user=user, action=AuditEntry.Action.CONFIGURE, job_id=job_id, message=message)
