"""One execution: status, steps, the live fragment, data errors, log and artifact downloads,
Stop and Run again."""

import pytest
from django.urls import reverse

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
    write_log(storage_root, execution, "".join(f"line {n:06d}\n" for n in range(10_000)))
    page = merchandiser.get(reverse("execution", args=[execution.pk])).content.decode()
    assert "line 009999" in page and "line 000000" not in page


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
    assert f"Test-Gated (execution #{holder.pk}) holds alpha" in response.content.decode()
    assert JobExecution.objects.count() == 2


def test_it_shows_the_audit_trail_to_administrators(client, users, no_enqueue):
    client.force_login(users["merchandiser"])
    client.post(reverse("job_run", args=["Test-Quick"]))
    client.force_login(users["admin"])
    page = client.get(reverse("audit")).content.decode()
    assert "merchandiser" in page and "Started Test-Quick (manual)" in page and ">Run<" in page
