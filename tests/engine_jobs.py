"""Jobs the engine tests register: quick, gated (runs until a test lets it go), failing,
with data errors. A gate is a file in the storage root that the test creates."""

import os
import signal
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jobs.context import JobFailed
from jobs.registry import Job, Step, register


def gate(name: str) -> Path:
    return Path(settings.STORAGE_ROOT) / "gates" / name


def count_step(ctx):
    for _ in range(3):
        ctx.read(10)
        ctx.wrote(10)
    ctx.info("30 items written")
    # A side effect per run, so a test can prove a message delivered twice ran once.
    marker = Path(settings.STORAGE_ROOT) / "runs" / str(ctx.execution.pk)
    marker.parent.mkdir(parents=True, exist_ok=True)
    with open(marker, "a") as file:
        file.write("ran\n")


def wait_for_gate(ctx):
    """Runs until the test opens the gate or clicks Stop; bounded to 120 s either way."""
    ctx.set_total(1200)
    ctx.info("Waiting for the gate")
    for _ in range(1200):
        ctx.check_abort()
        if gate(str(ctx.execution.pk)).exists():
            return
        ctx.read()
        time.sleep(0.1)
    raise JobFailed("the test never opened the gate")


def success_marker(execution) -> Path:
    # Named by the log file too: SQLite reuses ids between tests, the storage root stays.
    return Path(settings.STORAGE_ROOT) / "successes" / f"{execution.pk}-{execution.log_file_name}"


def record_success(execution):
    """An on_success hook, as the product imports' watermark is: a file per execution."""
    marker = success_marker(execution)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def gate_then_busy(ctx):
    """The last seconds of a long step: after the gate, two seconds without a safe point (a
    `.passed` file beside the gate says the step is past it)."""
    wait_for_gate(ctx)
    gate(f"{ctx.execution.pk}.passed").touch()
    time.sleep(2)
    ctx.wrote()


def stop_requested_mid_step(ctx):
    """Stop clicked while the step is past its last safe point (in-process tests)."""
    from jobs import services

    services.execution_stop(execution=ctx.execution, user=_user(ctx.state.get("stop_by", "merchandiser")))
    ctx.wrote()


def _user(name):
    from django.contrib.auth.models import User

    return User.objects.filter(username=name).first()


def point_of_no_return(ctx):
    """Enters a point of no return, then someone clicks Stop: refused, and the step goes on."""
    from jobs import services

    ctx.point_of_no_return("the demo work has started; it cannot be stopped")
    try:
        services.execution_stop(execution=ctx.execution, user=_user("merchandiser"))
    except services.StopRefused as refused:
        ctx.info(f"Stop refused: {refused}")
    ctx.wrote()


def stop_then_point_of_no_return(ctx):
    """Stop is clicked just before the point of no return: the work behind it never starts."""
    stop_requested_mid_step(ctx)
    ctx.point_of_no_return("the demo work has started; it cannot be stopped")
    ctx.wrote(100)  # never reached


def deaf_until_gate(ctx):
    """A long unit of work with no safe point: a Stop waits for it (bounded to 120 s)."""
    for _ in range(1200):
        if gate(str(ctx.execution.pk)).exists():
            return
        time.sleep(0.1)
    raise JobFailed("the test never opened the gate")


def die_after_the_finish_commits(execution):
    """In a worker started with TEST_KILL_WORKER_AFTER_FINISH=1: once the finish has committed,
    before its announcement is sent (on-commit callbacks run in order, and this one is added
    first), the whole worker dies (kill -9 of its process group, the main process included)."""
    if os.environ.get("TEST_KILL_WORKER_AFTER_FINISH") == "1":
        transaction.on_commit(lambda: os.killpg(os.getpgid(0), signal.SIGKILL))


def fail_step(ctx):
    raise RuntimeError("boom: the source went away")


def data_errors_step(ctx):
    for identifier in ["sku-1", "sku-2", "sku-3"]:
        ctx.data_error(identifier, "unknown attribute 'colour'")
    ctx.wrote(7)


register(
    Job(
        "Test-Quick",
        "Counts to 30",
        (Step("count", count_step), Step("again", count_step)),
        frozenset({"alpha"}),
    )
)
register(
    Job("Test-Gated", "Runs until released", (Step("wait", wait_for_gate),), frozenset({"alpha", "beta"}))
)
register(Job("Test-Beta", "Locks beta only", (Step("count", count_step),), frozenset({"beta"})))
register(Job("Test-Free", "Locks nothing", (Step("count", count_step),)))
register(
    Job("Test-Fail", "Fails", (Step("count", count_step), Step("fail", fail_step), Step("never", count_step)))
)
register(Job("Test-DataErrors", "Meets bad items", (Step("items", data_errors_step),)))
register(
    Job("Test-Late-Stop", "Gate, then busy without a safe point", (Step("busy", gate_then_busy),),
        frozenset({"delta"}), on_success=record_success)
)  # fmt: skip
register(
    Job("Test-Stop-Last-Step", "Stop clicked in its last step", (Step("last", stop_requested_mid_step),),
        on_success=record_success)
)  # fmt: skip
register(
    Job("Test-Stop-Between-Steps", "Stop clicked at the end of its first step",
        (Step("first", stop_requested_mid_step), Step("second", count_step)), on_success=record_success)
)  # fmt: skip
register(
    Job("Test-No-Return", "A Stop refused past a point of no return", (Step("work", point_of_no_return),),
        on_success=record_success)
)  # fmt: skip
register(
    Job("Test-Stop-Before-No-Return", "A Stop just before a point of no return",
        (Step("work", stop_then_point_of_no_return),), on_success=record_success)
)  # fmt: skip
register(Job("Test-Deaf", "One long unit of work without a safe point", (Step("work", deaf_until_gate),)))
register(
    Job(
        "Test-DiesAfterFinish",
        "Finishes OK, then its worker dies before announcing it",
        (Step("count", count_step),),
        frozenset({"gamma"}),
        on_success=die_after_the_finish_commits,
    )
)
