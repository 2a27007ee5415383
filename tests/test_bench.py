"""The benchmark's plumbing on a tiny catalog: it runs end to end and writes every figure.
No timings are asserted (DESIGN §7: speed is measured by benchmarks, not by tests)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
KEYS = {
    "products", "full_import_s", "products_per_s", "peak_rss_mb", "raw_paging_products_per_s", "ratio",
    "diff_noop_s", "diff_1pct_s", "rss_small_mb", "rss_large_mb",
    "latency_full_import_s", "latency_ideal_s", "latency_ratio", "latency_pages", "latency_refused_429",
}  # fmt: skip
PAGES = {"jobs", "history", "history_filtered", "execution"}


def test_it_runs_the_benchmark_and_writes_its_results(tmp_path):
    out = tmp_path / "results.json"
    # A database of this run's own: a suite running beside (or a make bench) must not drop it.
    command = [
        sys.executable, "manage.py", "bench", "--products", "300", "--small-products", "100",
        "--executions", "200", "--requests", "3", "--images", "40", "--database", f"bench_jobs_test_{os.getpid()}",
        "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "JOBS_EXTRA_MODULES": ""}  # the four import jobs only, not the tests' own
    finished = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr

    results = json.loads(out.read_text())
    assert set(results) >= KEYS
    assert results["products"] == 300
    assert results["runs"]["full"]["exit_status"] in ("OK", "WARN")
    assert results["runs"]["diff_noop"]["read"] == 0  # nothing changed, nothing read
    assert results["runs"]["diff_1pct"]["written"] >= results["diff_1pct_products"]
    assert set(results["pages"]) == PAGES
    for page in results["pages"].values():
        assert {"p50_ms", "p95_ms", "queries"} <= set(page)
        assert page["queries"] == page["queries_few_rows"] or page["url"].startswith("/history/?")
    assert "import ÷ raw paging" in finished.stdout
    assert results["runs"]["full"]["read"] == results["latency_run"]["read"]  # the same import, slower PIM
    assert "150 ms a call, 4 at once: ideal ÷ measured" in finished.stdout
    media = results["media"]
    assert media["images"] == 40 and media["limit"] == 4
    assert {"concurrent_s", "one_at_a_time_s", "ideal_s", "ratio", "speedup"} <= set(media)
    assert media["ideal_s"] == pytest.approx(40 * media["latency_ms"] / 1000 / 4, abs=0.01)
    assert [run["concurrency"] for run in media["runs"].values()] == [4, 1]
    assert "media ideal ÷ measured" in finished.stdout
