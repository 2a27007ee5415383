"""Benchmark: page every product of a snapshot through `AkeneoClient` from a demo server
running in its own process (so client and server do not share a GIL).

    python -m bench.akeneo_paging --data /tmp/cat250k [--port 8093] [--pages N]

Prints products/s, the server's start-up time and its resident memory after paging.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from demo.akeneo.server import DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_SECRET, DEMO_USERNAME
from jobs.akeneo.client import AkeneoClient

REPO = Path(__file__).resolve().parents[1]


def start_server(data: str, port: int) -> tuple[subprocess.Popen, float]:
    command = [sys.executable, "manage.py", "akeneo_demo_server", "--data", data, "--port", str(port)]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL)
    for _ in range(1200):  # up to 10 minutes for a very large snapshot
        if process.poll() is not None:
            raise SystemExit(f"the demo server exited with {process.returncode}")
        try:
            requests.get(f"http://127.0.0.1:{port}/api/rest/v1", timeout=1)
            return process, time.monotonic() - started
        except requests.ConnectionError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the demo server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", required=True)
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--pages", type=int, default=0, help="stop after N pages (0: all)")
    args = parser.parse_args()
    process, startup = start_server(args.data, args.port)
    try:
        server = psutil.Process(process.pid)
        rss_idle = server.memory_info().rss
        client = AkeneoClient(f"http://127.0.0.1:{args.port}", client_id=DEMO_CLIENT_ID, secret=DEMO_SECRET,
                              username=DEMO_USERNAME, password=DEMO_PASSWORD)  # fmt: skip
        client.test_connection()
        count, pages, began = 0, 0, time.perf_counter()
        for page in client.product_pages():
            count += len(page.items)
            pages += 1
            if args.pages and pages >= args.pages:
                break
        elapsed = time.perf_counter() - began
        rss = server.memory_info().rss
        print(
            f"{count} products in {pages} pages, {elapsed:.1f} s: {count / elapsed:,.0f} products/s "
            f"through the client; server start-up {startup:.1f} s, server RSS {rss_idle / 2**20:.0f} MB "
            f"after start, {rss / 2**20:.0f} MB after paging"
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
