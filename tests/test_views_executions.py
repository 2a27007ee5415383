"""One execution: status, steps, the live fragment, data errors, log and artifact downloads,
Stop and Run again."""

import pytest
from django.urls import reverse

from console.executions.views import LOG_SHOWN_BYTES
from jobs.models import AuditEntry, DataError, ExecutionStatus, ExitStatus, JobExecution, StepExecution
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchandiser(client, users):
    client.force_login(users["merchandiser"])
    return client


def write_log(storage_root, execution, text):
    path = storage_root / "logs" / execution.log_file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_it_shows_status_trigger_steps_and_the_log(merchandiser, users, storage_root):
    parent = make_execution("Test-Beta")
    execution = make_execution(
        "Test-Quick",
        exit_status=ExitStatus.WARN,
        message="3 data errors",
        user=users["admin"],
        trigger="chain",
        parent=parent,
        counts=(30, 27, 3),
    )
    write_log(storage_root, execution, "[2026-11-23 11:20:01.123 UTC] INFO  Execution started\n")
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert "badge-warn" in page and "3 data errors" in page
    assert "chain" in page and "by admin" in page and reverse("execution", args=[parent.pk]) in page
    assert ">count<" in page and ">again<" in page and ">27<" in page
    assert "Execution started" in page
    # Finished: nothing polls, and it can be run again.
    assert "hx-trigger" not in page
    assert reverse("execution_rerun", args=[execution.pk]) in page
    assert reverse("execution_stop", args=[execution.pk]) not in page


def test_it_polls_the_live_fragment_while_active(merchandiser, storage_root):
    execution = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    StepExecution.objects.filter(execution=execution).update(read_count=600, total=1200)
    write_log(storage_root, execution, "line one\nWaiting for the gate\n")
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert f'hx-get="{reverse("execution_live", args=[execution.pk])}"' in page
    assert reverse("execution_stop", args=[execution.pk]) in page
    fragment = merchandiser.get(reverse("execution_live", args=[execution.pk])).content.decode()
    assert "<html" not in fragment and 'id="execution-live"' in fragment
    assert 'value="50"' in fragment and "Waiting for the gate" in fragment and "hx-trigger" in fragment
    JobExecution.objects.filter(pk=execution.pk).update(execution_status="finished", exit_status="OK")
    final = merchandiser.get(reverse("execution_live", args=[execution.pk])).content.decode()
    assert "badge-ok" in final and "hx-trigger" not in final


def test_it_tails_long_logs(merchandiser, storage_root):
    execution = make_execution()
    lines = LOG_SHOWN_BYTES // len("line 000000\n") + 1000  # a little more than the page shows
    write_log(storage_root, execution, "".join(f"line {n:06d}\n" for n in range(lines)))
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert f"line {lines - 1:06d}" in page and "line 000000" not in page
    assert "The last part of the log is shown; the log file has every line." in page


def test_it_shows_the_first_thousand_data_errors_and_the_total(merchandiser):
    execution = make_execution(exit_status=ExitStatus.WARN, data_error_count=5000)
    DataError.objects.bulk_create(
        DataError(execution=execution, step="count", identifier=f"sku-{n:05d}", message="unknown attribute")
        for n in range(1200)
    )
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert "sku-00999" in page and "sku-01000" not in page
    assert '<span class="count">5,000</span>' in page
    assert "The first 1,000 of 1,200 stored are shown" in page


def test_it_downloads_the_log_file(merchandiser, storage_root):
    execution = make_execution()
    write_log(storage_root, execution, "[2026-11-23] INFO  Execution OK\n")
    response = merchandiser.get(reverse("execution_log", args=[execution.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{execution.log_file_name}"'
    assert b"".join(response.streaming_content) == b"[2026-11-23] INFO  Execution OK\n"


def test_it_answers_404_for_a_missing_log_file(merchandiser):
    execution = make_execution()
    assert merchandiser.get(reverse("execution_log", args=[execution.pk])).status_code == 404
    no_name = make_execution(log_file_name="")
    assert merchandiser.get(reverse("execution_log", args=[no_name.pk])).status_code == 404
    assert merchandiser.get(reverse("execution_log", args=[999999])).status_code == 404


def test_it_downloads_an_artifact_by_index(merchandiser, storage_root):
    folder = storage_root / "artifacts" / "dl"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "X.zip").write_bytes(b"PK archive")
    artifacts = [{"name": "X.zip", "path": "artifacts/dl/X.zip", "size": 10, "kind": "archive"}]
    execution = make_execution(artifacts=artifacts)
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert reverse("execution_artifact", args=[execution.pk, 0]) in page and "X.zip" in page
    response = merchandiser.get(reverse("execution_artifact", args=[execution.pk, 0]))
    assert response["Content-Disposition"] == 'attachment; filename="X.zip"'
    assert b"".join(response.streaming_content) == b"PK archive"
    assert merchandiser.get(reverse("execution_artifact", args=[execution.pk, 1])).status_code == 404


@pytest.mark.parametrize(
    "path", ["../outside.txt", "/etc/passwd", "artifacts/../../outside.txt", "logs/../.."]
)
def test_it_never_serves_an_artifact_outside_the_storage_root(merchandiser, storage_root, path):
    (storage_root.parent / "outside.txt").write_text("secret")
    execution = make_execution(artifacts=[{"name": "x", "path": path, "size": 1, "kind": "archive"}])
    assert merchandiser.get(reverse("execution_artifact", args=[execution.pk, 0])).status_code == 404


def test_it_never_follows_a_symlink_out_of_the_storage_root(merchandiser, storage_root):
    (storage_root.parent / "outside.txt").write_text("secret")
    link = storage_root / "artifacts" / "link.txt"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(storage_root.parent / "outside.txt")
    execution = make_execution(
        artifacts=[{"name": "x", "path": "artifacts/link.txt", "size": 1, "kind": "x"}]
    )
    assert merchandiser.get(reverse("execution_artifact", args=[execution.pk, 0])).status_code == 404


def test_it_stops_a_running_execution(merchandiser, users):
    execution = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    response = merchandiser.post(reverse("execution_stop", args=[execution.pk]), follow=True)
    execution.refresh_from_db()
    assert execution.execution_status == ExecutionStatus.ABORTING
    assert f"Asked execution #{execution.pk} to stop." in response.content.decode()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.user, entry.execution) == ("stop", users["merchandiser"], execution)


def test_it_shows_stopping_with_the_stop_button_disabled_while_aborting(merchandiser):
    execution = make_execution(
        "Test-Gated", status=ExecutionStatus.ABORTING, message="Stop requested by admin"
    )
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert "■ Stopping…</button>" in page and "disabled" in page
    assert reverse("execution_stop", args=[execution.pk]) not in page  # no form to post again


def test_a_second_stop_says_it_is_already_stopping(merchandiser):
    execution = make_execution(
        "Test-Gated", status=ExecutionStatus.ABORTING, message="Stop requested by admin"
    )
    response = merchandiser.post(reverse("execution_stop", args=[execution.pk]), follow=True)
    assert f"Execution #{execution.pk} is already stopping." in response.content.decode()
    execution.refresh_from_db()
    assert (execution.execution_status, execution.message) == (
        ExecutionStatus.ABORTING,
        "Stop requested by admin",
    )
    assert not AuditEntry.objects.exists()


def test_it_shows_why_a_stop_is_refused_and_changes_nothing(merchandiser):
    reason = "the SFCC import has started; it cannot be stopped, only its result recorded"
    execution = make_execution("Test-Gated", status=ExecutionStatus.RUNNING, stop_refusal=reason)
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert f"Not possible now: {reason}" in page
    response = merchandiser.post(reverse("execution_stop", args=[execution.pk]), follow=True)
    assert f"Execution #{execution.pk} cannot be stopped: {reason}." in response.content.decode()
    execution.refresh_from_db()
    assert (execution.execution_status, execution.message) == (ExecutionStatus.RUNNING, "")
    assert not AuditEntry.objects.exists()


def test_it_says_when_there_was_nothing_to_stop(merchandiser):
    execution = make_execution()
    response = merchandiser.post(reverse("execution_stop", args=[execution.pk]), follow=True)
    assert f"Execution #{execution.pk} had already ended." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_it_runs_a_finished_execution_again(merchandiser, users, no_enqueue):
    previous = make_execution("Test-Quick", exit_status=ExitStatus.ERROR)
    response = merchandiser.post(reverse("execution_rerun", args=[previous.pk]))
    again = JobExecution.objects.exclude(pk=previous.pk).get()
    assert response.url == reverse("execution", args=[again.pk])
    assert (again.job_id, again.triggered_by) == ("Test-Quick", users["merchandiser"])


def test_it_refuses_to_run_again_while_locks_are_held(merchandiser, no_enqueue):
    previous = make_execution("Test-Quick")
    holder = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    response = merchandiser.post(reverse("execution_rerun", args=[previous.pk]), follow=True)
    page = response.content.decode()
    assert (
        f'Test-Quick cannot start: <a class="holder-link" href="/executions/{holder.pk}/">#{holder.pk}</a>'
        in page
    )
    assert "holds alpha." in page
    assert JobExecution.objects.count() == 2


def test_it_shows_the_audit_trail_to_administrators(client, users, no_enqueue):
    client.force_login(users["merchandiser"])
    client.post(reverse("job_run", args=["Test-Quick"]))
    client.force_login(users["admin"])
    page = client.get(reverse("audit")).content.decode()
    assert "merchandiser" in page and "Started Test-Quick (manual)" in page and ">Run<" in page


AKENEO_401_LOG = """\
[2026-11-23 11:20:01.123 UTC] INFO  Execution #7 of 1- Akeneo-Import-Attributes started (manual by admin)
[2026-11-23 11:20:01.200 UTC] INFO  [export-attributes] Step started
[2026-11-23 11:20:02.000 UTC] WARN  [export-attributes] Akeneo: retrying after a timeout
[2026-11-23 11:20:03.456 UTC] ERROR [export-attributes] Traceback (most recent call last):
      File "/srv/console/jobs/runner.py", line 109, in _run_step
        step.run(ctx)
      File "/srv/console/jobs/akeneo/transport.py", line 160, in _token
        raise AkeneoAuthError(message, status=401, path="/api/oauth/v1/token")
    jobs.akeneo.errors.AkeneoAuthError: Akeneo refused the credentials (HTTP 401 on /api/oauth/v1/token)
[2026-11-23 11:20:03.460 UTC] ERROR [export-attributes] Step ERROR: AkeneoAuthError: Akeneo refused the credentials
[2026-11-23 11:20:03.500 UTC] INFO  Execution ERROR
"""


def test_it_shows_the_log_with_levels_folded_tracebacks_and_what_to_do(merchandiser, storage_root):
    execution = make_execution("Test-Quick", exit_status=ExitStatus.ERROR, message="export-attributes: …")
    write_log(storage_root, execution, AKENEO_401_LOG)
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    summary = page[page.index('id="error-summary"') :]
    summary = summary[: summary.index("</section>")]
    assert "Akeneo refused the credentials (HTTP 401)." in summary
    assert "check the akeneo credentials" in summary.lower() and "Import configuration" in summary
    # The first error in one line (the traceback's last line), without the server paths.
    assert "jobs.akeneo.errors.AkeneoAuthError: Akeneo refused the credentials" in summary
    assert "/srv/console" not in summary
    assert page.count('data-level="ERROR"') == 2 and page.count('data-level="WARN"') == 1
    assert 'class="log-entry level-error"' in page
    # The traceback is folded (a closed <details>) under its one-line summary.
    assert '<details class="log-detail"><summary>Python traceback, 5 lines</summary>' in page
    assert 'id="log-filters"' in page and 'id="log-search"' in page
    # Times in the page's one format; the download is the file, byte for byte.
    assert '23 Nov 2026,</span> <span class="nowrap">11:20:03 UTC' in page
    download = merchandiser.get(reverse("execution_log", args=[execution.pk]))
    assert b"".join(download.streaming_content).decode() == AKENEO_401_LOG


def test_an_error_of_no_known_cause_is_still_summarised(merchandiser, storage_root):
    execution = make_execution("Test-Quick", exit_status=ExitStatus.ERROR, message="count: boom")
    write_log(storage_root, execution, "[2026-11-23 11:20:03.456 UTC] ERROR [count] RuntimeError: boom\n")
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert 'id="error-summary"' in page and "[count] RuntimeError: boom" in page
    assert 'id="hint-action"' not in page
    ok = make_execution("Test-Quick")
    write_log(storage_root, ok, "[2026-11-23 11:20:03.456 UTC] INFO  Execution OK\n")
    assert 'id="error-summary"' not in merchandiser.get(reverse("execution", args=[ok.pk])).content.decode()


def test_it_shows_progress_with_time_left_from_past_durations(merchandiser, storage_root):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for minutes in (8, 10, 12):  # median 10 min
        past = make_execution("Test-Gated", created=now - timedelta(hours=minutes))
        JobExecution.objects.filter(pk=past.pk).update(finished=past.started + timedelta(minutes=minutes))
    running = make_execution("Test-Gated", status=ExecutionStatus.RUNNING, created=now - timedelta(minutes=4))
    StepExecution.objects.filter(execution=running).update(read_count=480, total=1200)
    fragment = merchandiser.get(reverse("execution_live", args=[running.pk])).content.decode()
    assert "Step 1 of 1: wait" in fragment and "480 of 1,200 (40 %)" in fragment
    assert "40 % overall" in fragment and "about 6 min left" in fragment
    jobs = merchandiser.get(reverse("jobs")).content.decode()
    assert "480 of 1,200 (40 %)" in jobs and "about 6 min left" in jobs
    JobExecution.objects.filter(pk=running.pk).update(started=now - timedelta(minutes=15))
    fragment = merchandiser.get(reverse("execution_live", args=[running.pk])).content.decode()
    assert "longer than usual (10 min 00 s)" in fragment


def test_a_queued_execution_says_it_waits_for_a_worker(merchandiser):
    pending = make_execution("Test-Gated", status=ExecutionStatus.PENDING)
    fragment = merchandiser.get(reverse("execution_live", args=[pending.pk])).content.decode()
    assert "Queued: waiting for a worker" in fragment


def test_a_flows_page_lists_its_child_executions_with_links(merchandiser):
    from jobs.operations.definitions import FULL_PIPELINE
    from jobs.pipeline.definitions import ATTRIBUTES, MEDIA_PRICEBOOK

    flow = make_execution(FULL_PIPELINE, status=ExecutionStatus.RUNNING)
    first = make_execution(ATTRIBUTES, trigger="chain", parent=flow)
    second = make_execution(MEDIA_PRICEBOOK, status=ExecutionStatus.RUNNING, trigger="chain", parent=flow)
    page = merchandiser.get(reverse("execution", args=[flow.pk])).content.decode()
    children = page[page.index('id="children"') :]
    children = children[: children.index("</section>")]
    for child, badge in ((first, "badge-ok"), (second, "badge-running")):
        row = children[children.index(f'data-child="{child.pk}"') :]
        row = row[: row.index("</tr>")]
        assert reverse("execution", args=[child.pk]) in row and child.job_id in row and badge in row
    # Each flow step links to the execution it started.
    assert f'<a class="child-link" href="{reverse("execution", args=[first.pk])}">#{first.pk}</a>' in page
    # A child says whose child it is.
    child_page = merchandiser.get(reverse("execution", args=[first.pk])).content.decode()
    assert f'after <a href="{reverse("execution", args=[flow.pk])}">#{flow.pk}</a>' in child_page
