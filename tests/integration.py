"""Helpers for integration tests: a real Celery worker (and beat) as subprocesses, on the
test database and the session's broker and storage root."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from demo.stack import Stack, beat_command, worker_command


def database_url() -> str:
    """The URL of the database the tests use (pytest-django renamed it to the test one)."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        STORAGE_ROOT=str(settings.STORAGE_ROOT),
        JOBS_HEARTBEAT_SECONDS="1",
        JOBS_HEARTBEAT_TIMEOUT_SECONDS="4",
        JOBS_REAPER_INTERVAL_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@contextmanager
def running(*, workers: int = 1, concurrency: int = 2, beat: bool = False, **extra_env: str):
    """Workers named worker-1, worker-2… of `concurrency` slots each (and optionally beat) for
    the duration of the block."""
    stack = Stack(env=process_env(**extra_env), echo=bool(os.getenv("TEST_ECHO_PROCESSES")))
    try:
        for n in range(1, workers + 1):
            stack.start(
                f"worker-{n}", worker_command(f"worker-{n}", concurrency=concurrency, loglevel="WARNING")
            )
        if beat:
            stack.start("beat", beat_command(loglevel="WARNING"))
        yield stack
    finally:
        stack.stop()


def wait_for(predicate, timeout: float = 60, interval: float = 0.2, what: str = "condition"):
    """Poll until `predicate()` is truthy; bounded by `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def wait_finished(execution, timeout: float = 90):
    def done():
        execution.refresh_from_db()
        return not execution.is_active

    wait_for(done, timeout, what=f"execution #{execution.pk} to end")
    return execution
