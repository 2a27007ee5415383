"""The engine in-process: claim, locks, steps, log file, outcomes, stop, reaper."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import runner, services
from jobs.joblog import log_path
from jobs.models import (
    AuditEntry,
    DataError,
    ExecutionStatus,
    ExitStatus,
    JobExecution,
    ResourceLock,
    StepStatus,
    Trigger,
)
from jobs.registry import UnknownJob
from tests.engine_jobs import gate, success_marker

pytestmark = pytest.mark.django_db


def create(job_id, **kwargs):
    return services.execution_create(job_id=job_id, **kwargs)


def test_it_runs_a_job_to_ok_with_its_log_file(no_enqueue):
    execution = create("Test-Quick")
    assert execution.execution_status == ExecutionStatus.PENDING
    assert execution.log_file_name.startswith("Job-Test-Quick-")
    runner.run_execution(execution.pk, worker="w1")
    execution.refresh_from_db()
    assert (execution.execution_status, execution.exit_status) == ("finished", "OK")
    assert execution.started and execution.finished and execution.worker == "w1"
    steps = list(execution.steps.all())
    assert [(s.name, s.status, s.read_count, s.write_count) for s in steps] == [
        ("count", "OK", 30, 30),
        ("again", "OK", 30, 30),
    ]
    text = log_path(execution.log_file_name).read_text()
    assert "[count] 30 items written" in text
    assert "Execution OK" in text
    assert not ResourceLock.objects.exists()


def test_it_names_the_log_file_as_sfcc_does(no_enqueue):
    execution = create("Test-Quick")
    stamp = execution.log_file_name.removeprefix("Job-Test-Quick-").removesuffix(".log")
    assert len(stamp) == 17 and stamp.isdigit()


def test_it_refuses_a_run_whose_locks_intersect_naming_the_holder(no_enqueue):
    first = create("Test-Gated")
    with pytest.raises(services.LocksHeld) as refused:
        create("Test-Quick")
    assert f"execution #{first.pk}" in str(refused.value)
    assert "alpha" in str(refused.value)
    assert JobExecution.objects.count() == 1


def test_it_refuses_a_second_run_of_the_same_job(no_enqueue):
    first = create("Test-Free")
    with pytest.raises(services.LocksHeld, match=f"already running as execution #{first.pk}"):
        create("Test-Free")


def test_it_lets_disjoint_locks_run_together(no_enqueue):
    create("Test-Quick")  # alpha
    create("Test-Beta")  # beta
    assert ResourceLock.objects.count() == 4  # two resources and two job locks


def test_it_refuses_an_unknown_job(no_enqueue):
    with pytest.raises(UnknownJob):
        create("No-Such-Job")


def test_it_runs_a_duplicated_message_once(no_enqueue):
    execution = create("Test-Quick")
    assert runner.run_execution(execution.pk, task_id=execution.task_id) is not None
    assert runner.run_execution(execution.pk, task_id=execution.task_id) is None
    assert execution.steps.get(name="count").read_count == 30


def test_it_ignores_a_message_for_another_task(no_enqueue):
    execution = create("Test-Quick")
    assert runner.run_execution(execution.pk, task_id="someone-else") is None
    execution.refresh_from_db()
    assert execution.execution_status == ExecutionStatus.PENDING


def test_it_ends_error_at_a_failing_step_and_skips_the_rest(no_enqueue):
    execution = create("Test-Fail")
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert execution.exit_status == ExitStatus.ERROR
    assert "boom: the source went away" in execution.message
    assert [s.status for s in execution.steps.all()] == [StepStatus.OK, StepStatus.ERROR, StepStatus.SKIPPED]
    assert "Traceback" in log_path(execution.log_file_name).read_text()
    assert not ResourceLock.objects.exists()


def test_it_ends_warn_with_counted_data_errors(no_enqueue):
    execution = create("Test-DataErrors")
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert (execution.exit_status, execution.message) == ("WARN", "3 data errors")
    assert execution.data_error_count == 3
    assert list(DataError.objects.values_list("identifier", flat=True)) == ["sku-1", "sku-2", "sku-3"]
    assert "DATAERROR sku-2: unknown attribute 'colour'" in log_path(execution.log_file_name).read_text()


def test_it_stops_a_pending_execution_at_once(no_enqueue, users):
    execution = create("Test-Quick")
    assert services.execution_stop(execution=execution, user=users["merchandiser"])
    execution.refresh_from_db()
    assert execution.execution_status == ExecutionStatus.ABORTED
    assert not ResourceLock.objects.exists()
    assert runner.run_execution(execution.pk) is None  # its message, arriving later, does nothing
    assert AuditEntry.objects.filter(action="stop", user=users["merchandiser"]).exists()


def test_it_reaps_an_execution_whose_heartbeat_stopped(no_enqueue, settings):
    settings.JOBS_HEARTBEAT_TIMEOUT_SECONDS = 60
    execution = create("Test-Quick")
    stale = timezone.now() - timedelta(minutes=5)
    JobExecution.objects.filter(pk=execution.pk).update(
        execution_status=ExecutionStatus.RUNNING, started=stale, heartbeat=stale, worker="celery@gone"
    )
    reaped = services.executions_reap()
    assert [e.pk for e in reaped] == [execution.pk]
    execution.refresh_from_db()
    assert execution.exit_status == ExitStatus.ERROR
    assert "celery@gone stopped responding" in execution.message
    assert not ResourceLock.objects.exists()
    assert "stopped responding" in log_path(execution.log_file_name).read_text()
    create("Test-Quick")  # the locks are free again


def test_it_leaves_a_live_execution_alone(no_enqueue):
    execution = create("Test-Quick")
    now = timezone.now()
    JobExecution.objects.filter(pk=execution.pk).update(execution_status="running", heartbeat=now)
    assert services.executions_reap() == []


def test_it_records_the_trigger_user_and_an_audit_entry(no_enqueue, users):
    execution = create("Test-Quick", trigger=Trigger.MANUAL, user=users["merchandiser"])
    assert execution.triggered_by == users["merchandiser"]
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.execution) == (users["merchandiser"], "run", execution)


def test_it_drops_a_duplicate_fire_of_one_schedule(no_enqueue):
    window = timedelta(seconds=30)
    first = create("Test-Free", trigger=Trigger.SCHEDULE, schedule="nightly", dedupe_window=window)
    with pytest.raises(services.DuplicateScheduleFire):
        create("Test-Free", trigger=Trigger.SCHEDULE, schedule="nightly", dedupe_window=window)
    runner.run_execution(first.pk)  # finished: the job lock is free, the window still holds
    with pytest.raises(services.DuplicateScheduleFire):
        create("Test-Free", trigger=Trigger.SCHEDULE, schedule="nightly", dedupe_window=window)
    assert JobExecution.objects.count() == 1


def test_it_opens_a_gate_file_for_gated_jobs(no_enqueue):
    execution = create("Test-Gated")
    gate(str(execution.pk)).parent.mkdir(parents=True, exist_ok=True)
    gate(str(execution.pk)).touch()
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert execution.exit_status == ExitStatus.OK


# --- Stop at every step: honoured, or refused with the reason; status, log, audit and the
# success hook (the watermark of the product imports) agree.


def stop_entries():
    return list(AuditEntry.objects.filter(action="stop").values_list("message", flat=True))


def test_a_stop_clicked_in_the_last_step_ends_the_run_aborted_not_ok(no_enqueue, users):
    execution = create("Test-Stop-Last-Step")
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert (execution.execution_status, execution.exit_status) == (ExecutionStatus.ABORTED, "")
    assert execution.message == "Stopped by merchandiser after its last step had run"
    assert not success_marker(execution).exists()  # the watermark would not move
    assert (
        "Execution aborted: Stopped by merchandiser after its last step"
        in log_path(execution.log_file_name).read_text()
    )
    assert stop_entries() == [f"Stopped execution #{execution.pk}"]
    assert not ResourceLock.objects.exists()


def test_a_stop_clicked_at_the_end_of_a_step_keeps_the_next_from_running(no_enqueue, users):
    execution = create("Test-Stop-Between-Steps")
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert execution.execution_status == ExecutionStatus.ABORTED
    assert execution.message == "Stopped by merchandiser"
    steps = list(execution.steps.all())
    assert [(s.status, s.read_count) for s in steps] == [(StepStatus.OK, 0), (StepStatus.ABORTED, 0)]
    assert not success_marker(execution).exists()


def test_a_stop_past_a_point_of_no_return_is_refused_with_the_reason(no_enqueue, users):
    execution = create("Test-No-Return")
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert (execution.execution_status, execution.exit_status, execution.message) == ("finished", "OK", "")
    text = log_path(execution.log_file_name).read_text()
    assert "From here a Stop is refused: the demo work has started; it cannot be stopped" in text
    assert (
        f"Stop refused: Execution #{execution.pk} cannot be stopped: the demo work has started; "
        "it cannot be stopped." in text
    )
    assert stop_entries() == []  # nothing says it was stopped
    assert success_marker(execution).exists()


def test_a_stop_just_before_a_point_of_no_return_keeps_the_work_from_starting(no_enqueue, users):
    execution = create("Test-Stop-Before-No-Return")
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert (execution.execution_status, execution.message) == (
        ExecutionStatus.ABORTED,
        "Stopped by merchandiser",
    )
    step = execution.steps.get()
    assert (step.status, step.write_count) == (StepStatus.ABORTED, 1)
    assert "From here a Stop is refused" not in log_path(execution.log_file_name).read_text()
    assert not success_marker(execution).exists()


def test_a_refused_stop_changes_nothing(no_enqueue, users):
    execution = create("Test-Quick")
    JobExecution.objects.filter(pk=execution.pk).update(execution_status="running", heartbeat=timezone.now())
    assert services.execution_no_return(execution, "the SFCC import has started")
    with pytest.raises(services.StopRefused, match="cannot be stopped: the SFCC import has started"):
        services.execution_stop(execution=execution, user=users["merchandiser"])
    execution.refresh_from_db()
    assert (execution.execution_status, execution.message) == (ExecutionStatus.RUNNING, "")
    assert stop_entries() == []
    services.execution_stoppable(execution)  # the import was refused and waits: stoppable again
    assert services.execution_stop(execution=execution, user=users["merchandiser"])
    execution.refresh_from_db()
    assert execution.execution_status == ExecutionStatus.ABORTING
    assert not services.execution_no_return(execution, "too late")


def test_a_pause_wakes_on_stop_unless_past_the_point_of_no_return(monkeypatch, no_enqueue, tmp_path):
    from jobs.context import RunState, StepContext
    from jobs.registry import get

    slept = []
    monkeypatch.setattr("jobs.context.time.sleep", slept.append)
    execution = create("Test-Quick")
    run = RunState(execution=execution, job=get("Test-Quick"), log=None, workdir=tmp_path)
    ctx = StepContext(run, execution.steps.first())
    run.abort.set()
    ctx.pause(30)  # returns at once: Stop was seen
    assert slept == []
    run.past_no_return = True
    ctx.pause(30)  # SFCC's import runs whatever we do: keep polling at the configured pace
    assert slept == [30]
