"""Raw paging and import runs: the figures of the import side of the benchmark."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from demo.akeneo.server import DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_SECRET, DEMO_USERNAME
from demo.config import demo_document
from jobs import config as import_config
from jobs import services
from jobs.akeneo.client import PAGE_SIZE, AkeneoClient
from jobs.models import ExecutionStatus, JobExecution

from .environment import RssSampler

TOUCH_EVERY = 100  # 1% of products changed for the second differential run
PICK_UP_TIMEOUT = 120  # seconds for the worker to claim an execution


def configure(akeneo_url: str, comment: str = "benchmark", **akeneo) -> None:
    """The demo's mapping against the demo server, `akeneo` fields changed; archives kept
    locally (no SFCC)."""
    document = demo_document()
    document["akeneo"].update(url=akeneo_url, **akeneo)
    document["delivery"] = {"target": "local"}
    import_config.save(document, comment=comment)


@dataclass
class Paging:
    products: int
    seconds: float
    sample: list[str]  # every TOUCH_EVERY-th identifier: the products the 1% run changes

    @property
    def per_second(self) -> float:
        return self.products / self.seconds


def raw_paging(akeneo_url: str) -> Paging:
    """Every product, 100 a page with `search_after` and the import's scope and locales, the
    items left unused: the rate the API (server, HTTP, JSON) sets for any client."""
    settings = import_config.load()
    client = AkeneoClient(
        akeneo_url,
        client_id=DEMO_CLIENT_ID,
        secret=DEMO_SECRET,
        username=DEMO_USERNAME,
        password=DEMO_PASSWORD,
    )
    query = {"scope": settings.mapping.channel, "locales": list(settings.mapping.locales)}
    count, sample = 0, []
    with client:
        client.transport.login()
        began = time.perf_counter()
        for page in client.product_pages(**query):
            for item in page.items:
                if count % TOUCH_EVERY == 0:
                    sample.append(item["identifier"])
                count += 1
        seconds = time.perf_counter() - began
    return Paging(count, seconds, sample)


def listing_pages(catalog: Path) -> int:
    """Pages of 100 a full import lists: its products and its product models."""
    pages = 0
    for name in ("products.jsonl", "product-models.jsonl"):
        with (catalog / name).open("rb") as records:
            pages += -(-sum(1 for _ in records) // PAGE_SIZE)
    return pages


@dataclass
class ImportRun:
    job_id: str
    execution_id: int
    exit_status: str
    message: str
    seconds: float  # started → finished, on the worker
    read: int  # items read by the export-products step
    written: int
    peak_rss_mb: float


def run_job(
    job_id: str, sampler: RssSampler, timeout: float = 3600, step: str = "export-products"
) -> ImportRun:
    """Queue the job as the Run button does, wait for it to end, read its figures (`read` and
    `written` are those of `step`)."""
    sampler.reset()
    execution = services.execution_create(job_id=job_id)
    began = time.monotonic()
    while True:
        execution.refresh_from_db()
        status = execution.execution_status
        if status in (ExecutionStatus.FINISHED, ExecutionStatus.ABORTED):
            break
        waited = time.monotonic() - began
        if status == ExecutionStatus.PENDING and waited > PICK_UP_TIMEOUT:
            raise TimeoutError(f"no worker took execution #{execution.pk} within {PICK_UP_TIMEOUT} s")
        if waited > timeout:
            raise TimeoutError(f"{job_id} did not end within {timeout:.0f} s (execution #{execution.pk})")
        time.sleep(0.1)
    peak = sampler.peak()
    return _figures(execution, peak, step)


def _figures(execution: JobExecution, peak: float, step_name: str) -> ImportRun:
    step = execution.steps.get(name=step_name)
    return ImportRun(
        job_id=execution.job_id,
        execution_id=execution.pk,
        exit_status=execution.exit_status or execution.execution_status,
        message=execution.message,
        seconds=(execution.finished - execution.started).total_seconds(),
        read=step.read_count,
        written=step.write_count,
        peak_rss_mb=peak,
    )
