"""The last two steps of every import job: zip the staging folder into a site import
archive (split above the size limit), then keep it or import it into SFCC."""

from __future__ import annotations

import re

from jobs.context import JobFailed, StepContext
from jobs.pipeline import common
from jobs.sfcc.archive import build_archives
from jobs.sfcc.delivery import delivery_from_config
from jobs.sfcc.errors import SfccError, SfccJobError


def archive_name(ctx: StepContext) -> str:
    """`Akeneo-Full-Import-Products-42-20261123T020000`: job, execution, start time (UTC)."""
    job = re.sub(r"^[\d-]+\s*", "", ctx.execution.job_id)
    job = re.sub(r"[^A-Za-z0-9-]+", "-", job).strip("-") or "import"
    return f"{job}-{ctx.execution.pk}-{ctx.execution.created:%Y%m%dT%H%M%S}"


def build_archive(ctx: StepContext) -> None:
    staging = common.staging(ctx)
    files = [p for p in staging.rglob("*") if p.is_file()]
    if not files:
        ctx.state["archives"] = []
        ctx.info("Nothing new to deliver: no archive built")
        return
    ctx.read(len(files))
    archives = build_archives(
        staging,
        ctx.workdir / "archives",
        archive_name(ctx),
        max_bytes=common.import_settings(ctx).archive_max_bytes,
        checkpoint=ctx.check_abort,
    )
    ctx.state["archives"] = archives
    for archive in archives:
        ctx.wrote()
        ctx.info(f"{archive.name}: {archive.size:,} bytes")


def deliver_archive(ctx: StepContext) -> None:
    archives = ctx.state.get("archives") or []
    if not archives:
        ctx.info("Nothing to deliver")
        return
    delivery = delivery_from_config(
        common.import_settings(ctx).delivery,
        log=lambda level, message: ctx.log(level, message),
        # Its waits (retry backoff, SFCC busy, polling) wake at once when Stop is seen; the
        # delivery then meets its next checkpoint.
        sleep=ctx.pause,
    )
    ctx.run.cleanup.append(getattr(delivery, "close", lambda: None))
    for archive in archives:
        ctx.check_abort()
        ctx.read()
        try:
            result = delivery.deliver(archive.path, checkpoint=lambda phase: _checkpoint(ctx, phase))
        except SfccJobError as exc:
            for error in exc.data_errors:
                ctx.data_error(error.identifier, error.message)
            raise JobFailed(str(exc)) from exc
        except SfccError as exc:
            raise JobFailed(str(exc)) from exc
        if result.target != "local":  # a local archive is reported as the artifact below
            ctx.info(result.message)
        for error in result.data_errors:
            ctx.data_error(error.identifier, f"rejected by SFCC: {error.message}")
        # Keep what was sent, so support can download exactly what SFCC received.
        ctx.add_artifact(archive.path, kind="archive")
        ctx.wrote()


SFCC_IMPORT_STARTED = "the SFCC import has started; it cannot be stopped, only its result recorded"


def _checkpoint(ctx: StepContext, phase: str) -> None:
    """Where a delivery may be stopped: before the upload, and up to the request that starts
    SFCC's import; from that request on a Stop is refused (the import runs on SFCC anyway)."""
    if phase == "import":
        ctx.point_of_no_return(SFCC_IMPORT_STARTED)
    elif phase == "wait":
        ctx.stoppable_again()
    else:
        ctx.check_abort()
