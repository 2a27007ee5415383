"""The benchmark's own world: a database, a broker database, a storage root, the demo Akeneo
server and a Celery worker as child processes, and a sampler of the worker's memory.

Nothing here touches the console's own data: the database is `bench_jobs` on the configured
PostgreSQL server (or a SQLite file under var/bench), the broker is Redis DB 13 of the
configured Redis (or an embedded Redis on a free port) with a queue named after this process
(two benchmarks at once, e.g. `make bench` beside the test suite's tiny one, never take each
other's tasks), the storage root is var/bench/storage-<database> (one run's never empties
another's, as a shared var/bench/storage did).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from console import celery_app
from demo import embedded_redis
from demo.stack import Stack, manage_command, worker_command

BENCH_DATABASE = "bench_jobs"
BENCH_REDIS_DB = 13
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- database ----------------------------------------------------------------------------


class BenchDatabase:
    """A fresh, migrated database of the configured engine, made the default connection of
    this process (as Django's test runner does) and handed to the worker by URL."""

    def __init__(self, var_dir: Path, name: str = BENCH_DATABASE):
        self.settings = settings.DATABASES["default"]
        self.postgres = connection.vendor == "postgresql"
        self.name = name if self.postgres else str(var_dir / f"{name}.sqlite3")

    @property
    def url(self) -> str:
        if not self.postgres:
            return f"sqlite:///{self.name}"
        db = self.settings
        auth = db.get("USER") or ""
        if db.get("PASSWORD"):
            auth += f":{db['PASSWORD']}"
        return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{self.name}"

    def create(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self._remove_sqlite()
        self._switch(self.name)
        call_command("migrate", interactive=False, verbosity=0)

    def drop(self) -> None:
        connections.close_all()
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            self._remove_sqlite()

    def _switch(self, name: str) -> None:
        connections.close_all()
        self.settings["NAME"] = name
        connection.settings_dict["NAME"] = name

    def _admin(self, statement: str) -> None:
        import psycopg

        db = self.settings
        with psycopg.connect(
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        ) as admin:
            admin.execute(statement)

    def _remove_sqlite(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(self.name + suffix).unlink(missing_ok=True)


# --- broker ------------------------------------------------------------------------------


@dataclass
class BenchBroker:
    """Redis DB 13 of the configured Redis, or an embedded Redis of its own; and a queue of
    this run's own."""

    var_dir: Path
    url: str = ""
    queue: str = field(default_factory=lambda: f"bench-{os.getpid()}")
    process: subprocess.Popen | None = None

    def start(self) -> None:
        if settings.REDIS_EMBEDDED:
            port = free_port()
            self.process = embedded_redis.start(port, self.var_dir / "redis")
            self.url = f"redis://127.0.0.1:{port}/0"
        else:
            parts = urlsplit(settings.REDIS_URL)
            self.url = urlunsplit(parts._replace(path=f"/{BENCH_REDIS_DB}"))
        # Nothing was queued from this process yet, so the producer pool picks this up.
        settings.CELERY_BROKER_URL = self.url
        celery_app.conf.broker_url = self.url
        celery_app.conf.task_default_queue = self.queue

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


# --- processes ---------------------------------------------------------------------------


class AkeneoServer:
    """`manage.py akeneo_demo_server` over a catalog, in its own process (its own core)."""

    def __init__(self, data: Path, *options: str):
        """`options`: more of the command's options, e.g. "--latency", "150ms"."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            manage_command("akeneo_demo_server", "--data", str(data), "--port", str(self.port), *options),
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the demo Akeneo server exited with {self.process.returncode}")
            try:
                requests.get(f"{self.url}/api/rest/v1", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the demo Akeneo server did not answer within {timeout:.0f} s")

    def touch(self, identifiers: list[str]) -> None:
        response = requests.post(f"{self.url}/_demo/touch", json={"products": identifiers}, timeout=60)
        response.raise_for_status()

    def stats(self) -> dict:
        """`/_demo/stats`: requests, calls refused over the limit, most calls in flight."""
        response = requests.get(f"{self.url}/_demo/stats", timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Worker:
    """One Celery worker, concurrency 1, a fresh pool process per task (`--max-tasks-per-child
    1`): each import's peak RSS is its own, not what earlier runs left behind."""

    def __init__(self, env: dict[str, str], log_dir: Path, queue: str):
        self.stack = Stack(env=env, echo=False, log_dir=log_dir)
        command = worker_command(queue, concurrency=1, loglevel="WARNING")
        command += ["--max-tasks-per-child", "1", "--queues", queue]
        self.process = self.stack.start("worker", command)

    def stop(self) -> None:
        self.stack.stop()


@dataclass
class Environment:
    var_dir: Path
    database: BenchDatabase
    broker: BenchBroker
    storage: Path

    def worker_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database.url,
            REDIS_URL=self.broker.url,
            STORAGE_ROOT=str(self.storage),
            PYTHONUNBUFFERED="1",
            JOBS_EXTRA_MODULES="",
        )
        return env


def prepare(var_dir: Path, database_name: str = BENCH_DATABASE) -> Environment:
    var_dir.mkdir(parents=True, exist_ok=True)
    storage = var_dir / f"storage-{database_name}"
    shutil.rmtree(storage, ignore_errors=True)
    storage.mkdir(parents=True)
    settings.STORAGE_ROOT = storage
    database = BenchDatabase(var_dir, database_name)
    database.create()
    broker = BenchBroker(var_dir)
    broker.start()
    return Environment(var_dir, database, broker, storage)


# --- memory ------------------------------------------------------------------------------


@dataclass
class RssSampler:
    """Samples a process tree every `interval` seconds in a thread. `peak()` is the largest RSS
    of one process seen since `reset()`: with a prefork pool of one, the process running the
    import (the pool child), or the worker itself when it has no child."""

    pid: int
    interval: float = 0.05
    _peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def reset(self) -> None:
        self._peak = 0

    def peak(self) -> float:
        return self._peak / MB

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.wait(self.interval):
            try:
                children = root.children(recursive=True)
                processes = children or [root]
                largest = 0
                for process in processes:
                    try:
                        largest = max(largest, process.memory_info().rss)
                    except psutil.NoSuchProcess:
                        continue
            except psutil.NoSuchProcess:
                return
            self._peak = max(self._peak, largest)
