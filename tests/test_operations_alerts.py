"""Alerts: a hanging execution is flagged on the pages and e-mailed once; a failure is e-mailed
once (by the runner, or by the sweep for a reaped execution); the status report is e-mailed."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from jobs import runner, services
from jobs.models import JobExecution
from jobs.operations import alerts
from jobs.operations.models import ExecutionAlert, JobAlertRule, OperationsSettings
from tests import engine_jobs  # noqa: F401 - registers Test-Quick…

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule():
    return JobAlertRule.objects.create(
        job_id="Test-Gated", recipients="ops@example.com, pim@example.com", hanging_minutes=10
    )


def running_for(job_id, minutes):
    execution = services.execution_create(job_id=job_id)
    started = timezone.now() - timedelta(minutes=minutes)
    JobExecution.objects.filter(pk=execution.pk).update(
        execution_status="running", started=started, heartbeat=timezone.now()
    )
    execution.refresh_from_db()
    return execution


def test_a_hanging_execution_is_flagged_and_mailed_once(rule, no_enqueue, mailoutbox):
    hanging = running_for("Test-Gated", 15)
    running_for("Test-Free", 60)  # no threshold for this job
    assert [e.pk for e, _ in alerts.hanging_executions()] == [hanging.pk]
    assert alerts.sweep() == 1
    assert alerts.sweep() == 0
    (mail,) = mailoutbox
    assert mail.to == ["ops@example.com", "pim@example.com"]
    assert mail.subject == f"[SFCC Jobs] Test-Gated: execution #{hanging.pk} is running longer than 10 min"
    assert f"/executions/{hanging.pk}/" in mail.body
    assert ExecutionAlert.objects.get().kind == "hanging"


def test_an_execution_under_its_threshold_is_not_flagged(rule, no_enqueue, mailoutbox):
    running_for("Test-Gated", 5)
    assert alerts.hanging_executions() == [] and alerts.sweep() == 0 and mailoutbox == []


def test_the_pages_show_the_hanging_badge(rule, no_enqueue, client, users):
    hanging = running_for("Test-Gated", 15)
    client.force_login(users["support"])
    jobs_page = client.get(reverse("jobs")).content.decode()
    row = jobs_page.split('data-job="Test-Gated"')[1].split("</tr>")[0]
    assert "Hanging" in row and "hanging threshold of 10 min" in row
    assert "Hanging" not in jobs_page.split('data-job="Test-Quick"')[1].split("</tr>")[0]
    assert ">Hanging</span>" in client.get(reverse("execution", args=[hanging.pk])).content.decode()
    assert ">Hanging</span>" in client.get(reverse("status_report")).content.decode()


def test_a_failure_is_mailed_once_by_the_runner(no_enqueue, mailoutbox):
    JobAlertRule.objects.create(job_id="Test-Fail", recipients="ops@example.com")
    execution = services.execution_create(job_id="Test-Fail")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the announcement after the finish
        runner.run_execution(execution.pk, task_id=execution.task_id)
    assert alerts.sweep() == 0
    (mail,) = mailoutbox
    assert mail.subject == f"[SFCC Jobs] Test-Fail: execution #{execution.pk} ended ERROR"
    assert "boom: the source went away" in mail.body and "The end of its log:" in mail.body


def test_a_reaped_execution_is_mailed_by_the_sweep(no_enqueue, mailoutbox, settings):
    JobAlertRule.objects.create(job_id="Test-Quick", recipients="ops@example.com")
    execution = services.execution_create(job_id="Test-Quick")
    stale = timezone.now() - timedelta(minutes=5)
    JobExecution.objects.filter(pk=execution.pk).update(
        execution_status="running", started=stale, heartbeat=stale
    )
    services.executions_reap()
    assert alerts.sweep() == 1 and alerts.sweep() == 0
    assert "stopped responding" in mailoutbox[0].body


def test_no_recipients_no_mail(no_enqueue, mailoutbox):
    execution = services.execution_create(job_id="Test-Fail")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the announcement after the finish
        runner.run_execution(execution.pk, task_id=execution.task_id)
    assert alerts.sweep() == 0 and mailoutbox == []


def test_the_status_report_job_mails_the_report_as_csv(no_enqueue, mailoutbox):
    OperationsSettings.objects.create(pk=1, report_recipients="boss@example.com")
    execution = services.execution_create(job_id="Job-Status-Report")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the announcement after the finish
        runner.run_execution(execution.pk, task_id=execution.task_id)
    execution.refresh_from_db()
    assert execution.exit_status == "OK"
    (mail,) = mailoutbox
    assert mail.to == ["boss@example.com"] and "Test-Quick: never run" in mail.body
    name, content, mimetype = mail.attachments[0]
    assert mimetype == "text/csv" and content.startswith("job,last status")
    assert execution.artifacts[0]["kind"] == "report"


def test_the_status_report_job_without_recipients_keeps_the_report(no_enqueue, mailoutbox):
    execution = services.execution_create(job_id="Job-Status-Report")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the announcement after the finish
        runner.run_execution(execution.pk, task_id=execution.task_id)
    execution.refresh_from_db()
    assert execution.exit_status == "OK" and mailoutbox == [] and len(execution.artifacts) == 1
