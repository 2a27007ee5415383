"""Two beats (a deployment mistake that happens): both fire the same schedule slot, and the
job runs once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from jobs import scheduling
from jobs.models import ExitStatus, JobExecution, Trigger
from tests import engine_jobs  # noqa: F401 - registers Test-Quick in this process
from tests.integration import wait_finished, wait_for
from tests.reliability.helpers import process_log, processes

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FIRED = "Sending due task job:Test-Quick"
TICKING = "Liveness checks run in beat every"


def done(logs) -> list[str]:
    return re.findall(r"Task jobs\.run_scheduled\[[^]]+\] succeeded", process_log(logs, "worker-1"))


def test_it_runs_a_slot_fired_by_two_beats_once(django_db_setup, redis_url, storage_root, tmp_path):
    every_minute = scheduling.Schedule(kind=scheduling.INTERVAL, every=1, period="minutes")
    scheduling.schedule_set(job_id="Test-Quick", user=None, schedule=every_minute)
    logs = tmp_path / "logs"
    with processes(logs, workers=1, beats=2, STORAGE_ROOT=str(storage_root)):
        for beat in ("beat-1", "beat-2"):  # both have loaded the schedules and tick
            wait_for(lambda beat=beat: TICKING in process_log(logs, beat), 60, what=f"{beat} to tick")
        # Counted from a minute ago, the slot is due now; both beats notice the change and fire it.
        PeriodicTask.objects.filter(name=scheduling.task_name("Test-Quick")).update(
            last_run_at=timezone.now() - timedelta(seconds=60)
        )
        PeriodicTasks.update_changed()
        for beat in ("beat-1", "beat-2"):
            wait_for(lambda beat=beat: FIRED in process_log(logs, beat), 60, what=f"{beat} to fire the slot")
        wait_for(lambda: len(done(logs)) >= 2, 60, what="the worker to take both fires")
        assert "Dropped a duplicate fire of schedule job:Test-Quick" in process_log(logs, "worker-1")
        [execution] = JobExecution.objects.filter(job_id="Test-Quick", trigger=Trigger.SCHEDULE)
        assert wait_finished(execution).exit_status == ExitStatus.OK
    scheduling.schedule_delete(job_id="Test-Quick", user=None)
