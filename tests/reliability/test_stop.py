"""Stop at every step of an import delivered to SFCC, with a real worker and the demo servers:
honoured up to the request that starts SFCC's import (the run ends aborted, SFCC unchanged, the
watermark where it was), refused with the reason once that import has started (the run ends
as SFCC's import did, and nothing says it was stopped)."""

import pytest

from demo.akeneo.server import DemoAkeneoServer
from demo.sfcc.server import DemoSfccServer
from jobs import services
from jobs.joblog import log_path
from jobs.models import AuditEntry, ExecutionStatus, ExitStatus, JobExecution, StepStatus, Watermark
from jobs.pipeline.definitions import FULL_PRODUCTS
from jobs.pipeline.delivery import SFCC_IMPORT_STARTED
from tests.conftest import ICECAT_API, XSD_DIR
from tests.integration import running, wait_finished, wait_for
from tests.reliability.helpers import configure_import, execution_log

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, redis_url, storage_root):
    with running(STORAGE_ROOT=str(storage_root)) as stack:
        yield stack


@pytest.fixture(scope="module")
def akeneo():
    server = DemoAkeneoServer(ICECAT_API).start()
    yield server
    server.stop()


@pytest.fixture
def sfcc(tmp_path):
    server = DemoSfccServer(schema_dir=XSD_DIR, data_dir=tmp_path / "sfcc").start()
    yield server
    server.stop()


def deliver_to(sfcc, **changes):
    return {"target": "sfcc", "instance_url": sfcc.url, "token_url": sfcc.token_url,
            "client_id": "demo-client", "client_secret": "demo-secret", "poll_interval": 0.2,
            **changes}  # fmt: skip


def logged(execution, text):
    def seen():
        execution.refresh_from_db()
        path = log_path(execution.log_file_name)
        return not execution.is_active or (path.exists() and text in path.read_text(errors="replace"))

    return seen


def test_a_stop_once_the_sfcc_import_started_is_refused_and_the_run_ends_as_sfcc_did(
    worker, akeneo, sfcc, users
):
    configure_import(akeneo.url, deliver_to(sfcc))
    sfcc.import_delay = 4.0  # SFCC's import job "runs" that long
    execution = services.execution_create(job_id=FULL_PRODUCTS)
    wait_for(lambda: JobExecution.objects.get(pk=execution.pk).stop_refusal, 180, what="the SFCC import")

    with pytest.raises(services.StopRefused, match=SFCC_IMPORT_STARTED):
        services.execution_stop(execution=execution, user=users["merchandiser"])

    execution = wait_finished(execution, timeout=120)
    assert execution.execution_status == ExecutionStatus.FINISHED
    assert execution.exit_status in (ExitStatus.OK, ExitStatus.WARN), execution.message
    assert "Stop" not in execution.message
    assert sfcc.store.products  # SFCC imported it, and the status says so
    assert Watermark.objects.get(key="products").execution_id == execution.pk
    assert not AuditEntry.objects.filter(action="stop").exists()
    assert f"From here a Stop is refused: {SFCC_IMPORT_STARTED}" in execution_log(execution)


def test_a_stop_while_sfcc_is_busy_before_the_import_ends_the_run_aborted_with_sfcc_unchanged(
    worker, akeneo, sfcc, users
):
    configure_import(akeneo.url, deliver_to(sfcc))
    sfcc.already_running = 1000  # another import holds SFCC's job: ours waits (30 s a try) to start
    before = Watermark.objects.filter(key="products").values_list("value", flat=True).first()
    execution = services.execution_create(job_id=FULL_PRODUCTS)
    wait_for(logged(execution, "is already running; trying again"), 180, what="the wait for SFCC")

    assert services.execution_stop(execution=execution, user=users["merchandiser"])

    execution = wait_finished(execution, timeout=60)
    assert (execution.execution_status, execution.message) == (
        ExecutionStatus.ABORTED,
        "Stopped by merchandiser",
    )
    assert execution.steps.get(name="deliver-archive").status == StepStatus.ABORTED
    assert not sfcc.store.products and sfcc.impex_files() == []  # nothing imported, upload removed
    assert Watermark.objects.filter(key="products").values_list("value", flat=True).first() == before
    assert "Execution aborted: Stopped by merchandiser" in execution_log(execution)
