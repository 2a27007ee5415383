"""The benchmark in order: catalogs, environment, imports, console pages, report."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from jobs.pipeline.definitions import DIFFERENTIAL_PRODUCTS, FULL_PRODUCTS

from . import environment, imports, media, pages, report
from .catalog import ensure_catalog


@dataclass(frozen=True)
class Sizes:
    products: int  # the full catalog
    small_products: int  # the small catalog of the memory-growth comparison
    executions: int  # rows behind the console pages
    requests: int = 50  # timed requests per page
    images: int = 5_000  # media files of job 2's downloads (bench.media)


LATENCY = 0.15  # seconds a call: a PIM over a network (100–500 ms a page is common)
# Every run's catalog was edited over a year, as a PIM's is: its `updated` dates spread, so a
# full import splits it into `akeneo.concurrency` ranges (records all stamped in one second
# cannot be split: that import reads one stream).
EDITED_OVER_A_YEAR = ("--updated-spread-days", "365")
CALLS_AT_ONCE = 4  # Akeneo's limit per connection (Good practices, "Maximum Concurrent API Calls")

FULL = Sizes(products=250_000, small_products=50_000, executions=1_000_000)
QUICK = Sizes(products=20_000, small_products=5_000, executions=10_000, images=400)


def var_dir() -> Path:
    return Path(settings.VAR_DIR) / "bench"


def run(sizes: Sizes, *, out: Path, database: str, say: Callable[[str], None], keep: bool = False) -> dict:
    root = var_dir()
    say(f"Catalogs of {sizes.small_products:,} and {sizes.products:,} products (cached in {root})")
    small_catalog = ensure_catalog(root, sizes.small_products)
    catalog = ensure_catalog(root, sizes.products)
    env = environment.prepare(root, database)
    say(f"Database {env.database.url}, broker {env.broker.url}, storage {env.storage}")
    worker = sampler = None
    try:
        worker = environment.Worker(env.worker_env(), root / "logs", env.broker.queue)
        sampler = environment.RssSampler(worker.process.pid).start()
        results = {"products": sizes.products, "small_products": sizes.small_products}
        results |= _imports(small_catalog, catalog, sampler, say)
        results |= media.run(root, sizes.images, sampler, say)
        worker.stop()
        worker = None
        results |= _console(sizes, results.pop("execution_id"), say)
    finally:
        if sampler is not None:
            sampler.stop()
        if worker is not None:
            worker.stop()
        env.broker.stop()
        if not keep:
            env.database.drop()
            shutil.rmtree(env.storage, ignore_errors=True)
    results |= {
        "executions": sizes.executions,
        "database": connection.vendor,
        "machine": report.machine(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    report.write(results, out)
    return results


def _imports(small_catalog: Path, catalog: Path, sampler, say) -> dict:
    say(f"Full import of the small catalog ({small_catalog.name})")
    server = environment.AkeneoServer(small_catalog, *EDITED_OVER_A_YEAR)
    try:
        imports.configure(server.url)
        small = _checked(imports.run_job(FULL_PRODUCTS, sampler))
    finally:
        server.stop()
    say(f"  {small.seconds:.1f} s, peak RSS {small.peak_rss_mb:.0f} MB")

    say(f"Demo Akeneo over {catalog.name}, edited over a year")
    server = environment.AkeneoServer(catalog, *EDITED_OVER_A_YEAR)
    try:
        imports.configure(server.url)
        paging = imports.raw_paging(server.url)
        say(f"  raw paging: {paging.products:,} products in {paging.seconds:.1f} s")
        full = _checked(imports.run_job(FULL_PRODUCTS, sampler))
        rate = paging.products / full.seconds
        say(
            f"  full import: {full.seconds:.1f} s ({rate:,.0f} products/s), peak RSS {full.peak_rss_mb:.0f} MB"
        )
        noop = _checked(imports.run_job(DIFFERENTIAL_PRODUCTS, sampler))
        say(f"  differential, nothing changed: {noop.seconds:.2f} s")
        server.touch(paging.sample)
        changed = _checked(imports.run_job(DIFFERENTIAL_PRODUCTS, sampler))
        say(f"  differential, {len(paging.sample):,} products changed: {changed.seconds:.1f} s")
    finally:
        server.stop()
    say(f"Demo Akeneo over {catalog.name} at {LATENCY * 1000:.0f} ms a call, {CALLS_AT_ONCE} calls at once")
    latency = _latency(catalog, full, sampler, say)
    return {
        **latency,
        "full_import_s": round(full.seconds, 2),
        "products_per_s": round(rate, 1),
        "peak_rss_mb": round(full.peak_rss_mb, 1),
        "raw_paging_s": round(paging.seconds, 2),
        "raw_paging_products_per_s": round(paging.per_second, 1),
        "ratio": round(rate / paging.per_second, 3),
        "diff_noop_s": round(noop.seconds, 2),
        "diff_1pct_s": round(changed.seconds, 2),
        "diff_1pct_products": len(paging.sample),
        "rss_small_mb": round(small.peak_rss_mb, 1),
        "rss_large_mb": round(full.peak_rss_mb, 1),
        "rss_growth": round(full.peak_rss_mb / small.peak_rss_mb - 1, 3),
        "runs": {
            "full_small": asdict(small),
            "full": asdict(full),
            "diff_noop": asdict(noop),
            "diff_1pct": asdict(changed),
        },
        "execution_id": full.execution_id,
    }


def _latency(catalog: Path, zero_latency: imports.ImportRun, sampler, say) -> dict:
    """The full import against a PIM over a network: `LATENCY` on every call, Akeneo's limit of
    `CALLS_AT_ONCE` calls per connection enforced (429 beyond it), records edited over a year.
    The best any client can do is `max(pages × latency ÷ calls at once, zero-latency time)`:
    waiting for pages at the limit, or working as without latency, whichever is longer."""
    server = environment.AkeneoServer(
        catalog,
        "--latency",
        str(LATENCY),
        "--concurrency",
        str(CALLS_AT_ONCE),
        *EDITED_OVER_A_YEAR,
    )
    try:
        imports.configure(server.url, concurrency=CALLS_AT_ONCE)
        before = server.stats()["requests"]  # the readiness check's, and this one's own
        run = _checked(imports.run_job(FULL_PRODUCTS, sampler))
        stats = server.stats()
    finally:
        server.stop()
    pages = imports.listing_pages(catalog)
    ideal = max(pages * LATENCY / CALLS_AT_ONCE, zero_latency.seconds)
    one_stream = pages * LATENCY  # one call at a time: the wait alone, before any work
    # Every call the import made (pages, counts, structure, the searches naming associated
    # products by uuid) waited `LATENCY` at the limit: the least time these calls can take.
    calls = stats["requests"] - before - 1  # less the second stats request itself
    at_limit = calls * LATENCY / CALLS_AT_ONCE
    ratio = ideal / run.seconds
    say(
        f"  full import: {run.seconds:.1f} s for {pages:,} pages; ideal {ideal:.1f} s "
        f"(ideal ÷ measured {ratio:.2f}); its {calls:,} calls at the limit {at_limit:.1f} s; "
        f"one stream would wait {one_stream:.1f} s; "
        f"{stats.get('fault_concurrency', 0)} calls refused (429), at most {stats['peak_in_flight']} at once"
    )
    return {
        "latency_ms": round(LATENCY * 1000),
        "latency_calls_at_once": CALLS_AT_ONCE,
        "latency_pages": pages,
        "latency_full_import_s": round(run.seconds, 2),
        "latency_ideal_s": round(ideal, 2),
        "latency_ratio": round(ratio, 3),
        "latency_one_stream_wait_s": round(one_stream, 2),
        "latency_calls": calls,
        "latency_calls_at_limit_s": round(at_limit, 2),
        "latency_refused_429": stats.get("fault_concurrency", 0),
        "latency_peak_in_flight": stats["peak_in_flight"],
        "latency_run": asdict(run),
    }


def _checked(run: imports.ImportRun) -> imports.ImportRun:
    if run.exit_status not in ("OK", "WARN"):
        raise RuntimeError(
            f"{run.job_id} (execution #{run.execution_id}) ended {run.exit_status}: {run.message}"
        )
    return run


def _console(sizes: Sizes, execution_id: int, say) -> dict:
    client = pages.logged_in_client()
    urls = pages.pages(execution_id)
    few_rows = {name: pages.count_queries(client, url)[1] for name, url in urls.items()}
    say(f"Adding {sizes.executions:,} executions")
    began = time.perf_counter()
    pages.seed_executions(sizes.executions)
    say(f"  {time.perf_counter() - began:.1f} s; timing each page {sizes.requests} times")
    timings = {}
    for name, url in urls.items():
        timing = pages.time_page(client, name, url, sizes.requests)
        timing.queries_few_rows = few_rows[name]
        if timing.status != 200:
            timings[name] = {"url": url, "status": timing.status, "missing": True}
            say(f"  {name}: {url} answered HTTP {timing.status}: reported as missing")
            continue
        timings[name] = timing.as_dict()
        say(f"  {name}: p50 {timing.p50_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms, {timing.queries} queries")
    return {"pages": timings}
