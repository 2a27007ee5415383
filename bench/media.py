"""Job 2's media downloads against a PIM's latency: `images` files at `LATENCY` each with
Akeneo's limit of `LIMIT` calls at once, downloaded `LIMIT` at once and then one at a time,
against the ideal `images × LATENCY ÷ LIMIT`.

The demo Akeneo (its own process) sleeps `LATENCY` before each download's first byte and
answers 429 beyond `LIMIT` calls in flight; listings answer at once, so the figure is the
downloads' own. The time is the transfer-media step's, from its start to its end on the worker
(the product listing it pages through included); assets, pricebooks and the archive are left out.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import requests

from demo.akeneo.generator import media_code, write_catalog
from jobs.models import JobExecution, TransferredMedia
from jobs.pipeline.definitions import MEDIA_PRICEBOOK

from . import imports
from .environment import AkeneoServer

LATENCY = 0.040  # seconds before a download's first byte, as a PIM over a network
LIMIT = 4  # Akeneo's concurrent calls per connection
SEED = 1
IMAGE_ATTRIBUTES = ("main_image", "image_2", "variation_image")


def media_catalog(root: Path, images: int) -> Path:
    """`root/media-catalog-<images>`: a demo catalog of `images` products, each with an image of
    its own (`main_image`) and no other image; the server makes up each file's bytes."""
    path = root / f"media-catalog-{images}"
    if (path / "_bench_media.json").exists():
        return path
    partial = root / f".media-catalog-{images}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    write_catalog(partial, products=images, seed=SEED)
    _rewrite(partial / "product-models.jsonl", lambda record, _: None)
    count = _rewrite(
        partial / "products.jsonl",
        lambda record, i: record["values"].__setitem__(
            "main_image", [{"locale": None, "scope": None, "data": media_code(f"bench_{i:07d}.jpg")}]
        ),
    )
    (partial / "_bench_media.json").write_text(json.dumps({"images": count}))
    shutil.rmtree(path, ignore_errors=True)
    partial.rename(path)
    return path


def _rewrite(path: Path, change) -> int:
    """Each record without its image values, then `change(record, position)`; returns the count."""
    lines = path.read_text().splitlines()
    with path.open("w") as out:
        for i, line in enumerate(lines):
            record = json.loads(line)
            for attribute in IMAGE_ATTRIBUTES:
                record.get("values", {}).pop(attribute, None)
            change(record, i)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(lines)


def run(root: Path, images: int, sampler, say) -> dict:
    catalog = media_catalog(root, images)
    say(f"Media: {images:,} images at {LATENCY * 1000:.0f} ms each, Akeneo's limit of {LIMIT} calls at once")
    server = AkeneoServer(catalog)
    try:
        faults = {"media_latency": LATENCY, "concurrency": LIMIT, "retry_after": 0.1}
        requests.post(f"{server.url}/_demo/faults", json=faults, timeout=30).raise_for_status()
        at_once = _transfer(server.url, LIMIT, sampler)
        say(f"  {LIMIT} at once: {at_once['seconds']:.1f} s for {at_once['written']:,} files")
        one = _transfer(server.url, 1, sampler)
        say(f"  one at a time: {one['seconds']:.1f} s for {one['written']:,} files")
        stats = requests.get(f"{server.url}/_demo/stats", timeout=30).json()
    finally:
        server.stop()
    ideal = at_once["written"] * LATENCY / LIMIT
    ratio, speedup = ideal / at_once["seconds"], one["seconds"] / at_once["seconds"]
    say(f"  ideal {ideal:.1f} s: ideal ÷ measured {ratio:.2f}; {speedup:.1f}× faster than one at a time")
    return {
        "media": {
            "images": at_once["written"],
            "latency_ms": LATENCY * 1000,
            "limit": LIMIT,
            "concurrent_s": round(at_once["seconds"], 2),
            "one_at_a_time_s": round(one["seconds"], 2),
            "ideal_s": round(ideal, 2),
            "ratio": round(ratio, 3),
            "speedup": round(speedup, 2),
            "refused_429": stats.get("fault_concurrency", 0),
            "runs": {"concurrent": at_once, "one_at_a_time": one},
        }
    }


def _transfer(url: str, concurrency: int, sampler) -> dict:
    """Job 2 on the worker with `concurrency` calls at once, every file shipped anew."""
    TransferredMedia.objects.all().delete()  # the benchmark's own database: a target with nothing shipped
    imports.configure(url, f"benchmark: media, {concurrency} at once", concurrency=concurrency)
    ran = imports.run_job(MEDIA_PRICEBOOK, sampler, step="transfer-media")
    if ran.exit_status not in ("OK", "WARN"):
        raise RuntimeError(f"job 2 (execution #{ran.execution_id}) ended {ran.exit_status}: {ran.message}")
    step = JobExecution.objects.get(pk=ran.execution_id).steps.get(name="transfer-media")
    return {
        "execution_id": ran.execution_id,
        "concurrency": concurrency,
        "seconds": (step.finished - step.started).total_seconds(),
        "written": step.write_count,
        "job_seconds": round(ran.seconds, 2),
        "peak_rss_mb": round(ran.peak_rss_mb, 1),
    }
