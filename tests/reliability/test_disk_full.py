"""A full disk: the execution ends ERROR at once with the cause in words (no server path), its
locks are freed, its work folder is gone and the differential watermark stays where it was."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import runner, services
from jobs.models import ExecutionStatus, ExitStatus, ResourceLock, StepStatus, Watermark
from jobs.pipeline.definitions import FULL_PRODUCTS
from tests.reliability.helpers import configure_import

pytestmark = pytest.mark.django_db(transaction=True)

FULL = "No space left on the storage volume (STORAGE_ROOT)"


@pytest.fixture
def akeneo(tmp_path, no_enqueue):
    out = tmp_path / "akeneo"
    write_catalog(out, products=400, seed=5)
    server = DemoAkeneoServer(out).start()
    yield server
    server.stop()


def assert_ended_truthfully(execution):
    execution.refresh_from_db()
    assert (execution.execution_status, execution.exit_status) == (ExecutionStatus.FINISHED, ExitStatus.ERROR)
    assert FULL in execution.message, execution.message
    assert str(settings.STORAGE_ROOT) not in execution.message
    assert not ResourceLock.objects.exists()  # freed at once, not by the reaper a minute later
    assert not Watermark.objects.filter(key="products").exists()
    assert not (Path(settings.STORAGE_ROOT) / "work" / str(execution.pk)).exists()


@pytest.fixture
def small_volume(tmp_path, settings):
    """STORAGE_ROOT on a tmpfs of 16 MiB (a real file system that fills), and a way to fill it."""
    mount = tmp_path / "volume"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    (mount / "logs").mkdir()

    def fill(leave: int | None) -> None:
        """Leave `leave` bytes free; None frees the space again."""
        (mount / "filler").unlink(missing_ok=True)
        if leave is not None:
            free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
            (mount / "filler").write_bytes(b"x" * max(0, free - leave))

    settings.STORAGE_ROOT = mount
    try:
        yield fill
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


needs_root = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounts a tmpfs (root on Linux)"
)


@needs_root
def test_a_full_disk_ends_the_run_before_any_step(akeneo, small_volume):
    configure_import(akeneo.url)
    small_volume(leave=0)  # not one more byte: the log's first line cannot be written
    execution = services.execution_create(job_id=FULL_PRODUCTS)
    runner.run_execution(execution.pk)
    assert_ended_truthfully(execution)
    assert not execution.steps.filter(status=StepStatus.OK).exists()


@needs_root
def test_a_disk_that_fills_during_the_import_ends_it_error_and_frees_everything(akeneo, small_volume):
    configure_import(akeneo.url)
    small_volume(leave=96 * 1024)  # room for the log, not for the catalog
    execution = services.execution_create(job_id=FULL_PRODUCTS)
    runner.run_execution(execution.pk)
    assert_ended_truthfully(execution)
    steps = list(execution.steps.values_list("name", "status", "message"))
    assert execution.steps.filter(status=StepStatus.OK).exists(), steps  # under way before the disk filled

    small_volume(leave=None)  # space freed: the next run is whole again
    again = services.execution_create(job_id=FULL_PRODUCTS)
    runner.run_execution(again.pk)
    again.refresh_from_db()
    assert again.exit_status in (ExitStatus.OK, ExitStatus.WARN), again.message
