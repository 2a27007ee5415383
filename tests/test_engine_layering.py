"""The engine's seams: the finish announcement (after commit, robust, durable), the one
lock-wait policy and the one audit writer."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from jobs import audit, runner, services, signals
from jobs.joblog import log_path
from jobs.models import AuditEntry, ExecutionStatus, JobExecution, PendingAnnouncement
from jobs.waiting import LockWait, WaitOver
from tests import engine_jobs  # noqa: F401 - registers Test-Quick

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listener(sender, execution, **kwargs):
        calls.append((execution.pk, execution.exit_status))

    signals.execution_finished.connect(listener, dispatch_uid="test-listener")
    yield calls
    signals.execution_finished.disconnect(dispatch_uid="test-listener")


def test_it_announces_a_finish_only_after_it_commits(no_enqueue, heard):
    execution = services.execution_create(job_id="Test-Quick")
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        runner.run_execution(execution.pk, task_id=execution.task_id)
        assert heard == []
    assert PendingAnnouncement.objects.filter(execution=execution).exists()
    for callback in callbacks:
        callback()
    assert heard == [(execution.pk, "OK")]
    assert not PendingAnnouncement.objects.filter(execution=execution).exists()


def test_it_finishes_although_a_receiver_raises(no_enqueue, heard):
    def broken(sender, execution, **kwargs):
        raise RuntimeError("listener is broken")

    signals.execution_finished.connect(broken, dispatch_uid="test-broken")
    try:
        execution = services.execution_create(job_id="Test-Quick")
        with TestCase.captureOnCommitCallbacks(execute=True):
            runner.run_execution(execution.pk, task_id=execution.task_id)
    finally:
        signals.execution_finished.disconnect(dispatch_uid="test-broken")
    execution.refresh_from_db()
    assert (execution.execution_status, execution.exit_status) == (ExecutionStatus.FINISHED, "OK")
    assert heard == [(execution.pk, "OK")]  # the other receivers still ran
    assert "listener is broken" in log_path(execution.log_file_name).read_text()


def test_it_announces_late_a_finish_whose_worker_died(no_enqueue, heard):
    execution = services.execution_create(job_id="Test-Quick")
    with TestCase.captureOnCommitCallbacks(execute=False):  # the process dies: callbacks lost
        runner.run_execution(execution.pk, task_id=execution.task_id)
    assert services.announce_overdue() == 0  # within the grace, the worker may still send it
    assert services.announce_overdue(now=timezone.now() + services.announce_grace() * 2) == 1
    assert heard == [(execution.pk, "OK")]
    assert services.announce_overdue(now=timezone.now() + services.announce_grace() * 2) == 0


def test_it_waits_then_gives_up_with_the_reason(settings):
    settings.JOBS_SCHEDULED_LOCK_WAIT_SECONDS = 60
    settings.JOBS_SCHEDULED_LOCK_RETRY_SECONDS = 5
    start = timezone.now()
    wait = LockWait.since(start.isoformat())
    held = services.LocksHeld("Test-Quick", None, ["job:Test-Quick"])
    assert wait.next_pause(held, now=start + timedelta(seconds=1)) == 5
    assert wait.is_first_pause(now=start + timedelta(seconds=1))
    assert not wait.is_first_pause(now=start + timedelta(seconds=6))
    with pytest.raises(WaitOver, match=r"its resources are in use\. Waited 61s for it\."):
        wait.next_pause(held, now=start + timedelta(seconds=61))


def test_it_records_a_skipped_chain_run_with_its_parent(no_enqueue):
    source = services.execution_create(job_id="Test-Quick")
    skipped = services.execution_record_skipped(
        job_id="Test-Beta", reason="locks held", trigger="chain", parent=source
    )
    assert (skipped.trigger, skipped.parent, skipped.execution_status) == ("chain", source, "aborted")
    assert skipped.message == "Skipped: locks held"


def test_it_records_an_audit_entry_and_refuses_an_unknown_action(users, no_enqueue):
    execution = services.execution_create(job_id="Test-Quick")
    entry = audit.record(user=users["admin"], action=AuditEntry.Action.RUN, execution=execution, message="x")
    assert (entry.user, entry.job_id, entry.execution) == (users["admin"], "Test-Quick", execution)
    assert audit.record(user=None, action=AuditEntry.Action.SCHEDULE, job_id="Test-Quick").user is None
    with pytest.raises(ValueError, match="Unknown audit action 'launch'"):
        audit.record(user=None, action="launch")
    assert JobExecution.objects.filter(pk=execution.pk).exists()


def test_console_views_change_state_only_through_the_engines_services():
    """No room's view or form, and no API view, writes a model itself: each change goes
    through a service (jobs.services, jobs.config, jobs.accounts, jobs.operations.changes),
    which writes its audit entry too."""
    import re
    from pathlib import Path

    from django.conf import settings

    writes = re.compile(
        r"\.(save|delete|update|update_or_create|get_or_create|bulk_create|issue)\(|objects\.create\("
    )
    console = Path(__file__).resolve().parents[1] / "console"
    modules = [console / "runs.py", console / "common.py", *sorted((console / "api").glob("*.py"))]
    for room in settings.CONSOLE_ROOMS:
        modules += sorted((console / room).glob("*.py"))
    assert len(modules) > 2 + len(settings.CONSOLE_ROOMS)  # the rooms were found
    found = [
        f"{path.relative_to(console)}:{number}: {line.strip()}"
        for path in modules
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if writes.search(line)
        and not line.lstrip().startswith("#")
        and "config.save(" not in line  # jobs.config.save: the configuration's service
    ]
    assert found == []


def test_every_room_of_the_console_is_listed_and_routed():
    """A package under console/ with its own views is a room: its templates are found through
    CONSOLE_ROOMS and its routes through the root URL map."""
    from pathlib import Path

    from django.conf import settings

    from console import urls

    console = Path(__file__).resolve().parents[1] / "console"
    rooms = {path.parent.name for path in console.glob("*/views.py")} - {"api"}
    assert rooms == set(settings.CONSOLE_ROOMS)
    included = {
        getattr(p.urlconf_name, "__name__", "") for p in urls.urlpatterns if hasattr(p, "urlconf_name")
    }
    assert {f"console.{room}.urls" for room in rooms} <= included


def test_a_rooms_templates_use_only_their_own_and_the_shared_ones():
    """A room renders, extends and includes its own templates or the shared ones in templates/
    (the layout and the partials), never another room's."""
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(__file__).resolve().parents[1]
    named = re.compile(r'(?:extends|include) "([^"]+)"|"([a-z_]+/[a-z_]+\.html)"')
    found = []
    for room in settings.CONSOLE_ROOMS:
        own = root / "console" / room / "templates"
        sources = [*own.rglob("*.html"), *(root / "console" / room).glob("*.py")]
        for path in sources:
            for match in named.finditer(path.read_text()):
                name = match.group(1) or match.group(2)
                if not (own / name).is_file() and not (root / "templates" / name).is_file():
                    found.append(f"{path.relative_to(root)} -> {name}")
    assert found == []
