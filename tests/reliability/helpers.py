"""Helpers for the fault tests: a Redis of their own that can be stopped and started again,
the test process's Celery app pointed at it, processes whose INFO logs a test can read, and
the import configuration pointed at the demo servers."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path

from console.celery import app as celery_app
from demo import embedded_redis
from demo.stack import Stack, beat_command, worker_command
from jobs import config as import_config
from jobs.joblog import log_path
from tests.integration import process_env, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DedicatedRedis:
    """A redis-server on a free port that a test stops and starts again at will."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> DedicatedRedis:
        self.process = embedded_redis.start(self.port, self.workdir)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        wait_for(lambda: not embedded_redis.is_up(self.url), 10, what="redis to stop")


@contextmanager
def dedicated_redis(workdir: Path):
    redis = DedicatedRedis(workdir).start()
    try:
        yield redis
    finally:
        redis.stop()


@contextmanager
def celery_broker(url: str):
    """The test process publishes to `url` (as the web process would with REDIS_URL=url)."""
    conf = celery_app.conf
    before = conf.broker_url

    def reset_pools():
        # Forget, don't close: kombu's pools are shared by broker URL, and the default one is
        # used again by the tests that follow.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url = url
    reset_pools()
    try:
        yield
    finally:
        conf.broker_url = before
        reset_pools()


@contextmanager
def processes(log_dir: Path, *, workers: int = 1, beats: int = 0, **extra_env: str):
    """Workers and beats logging at INFO into `log_dir/<name>.log`, which tests may read."""
    stack = Stack(env=process_env(**extra_env), echo=bool(os.getenv("TEST_ECHO_PROCESSES")), log_dir=log_dir)
    try:
        for n in range(1, workers + 1):
            stack.start(f"worker-{n}", worker_command(f"worker-{n}", concurrency=2, loglevel="INFO"))
        for n in range(1, beats + 1):
            stack.start(f"beat-{n}", beat_command(loglevel="INFO"))
        yield stack
    finally:
        stack.stop()


def process_log(log_dir: Path, name: str) -> str:
    path = log_dir / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def configure_import(akeneo_url: str, delivery: dict | None = None, **sections) -> None:
    """The configuration in force: Akeneo at `akeneo_url`, delivery local unless given."""
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = akeneo_url
    document["delivery"] = delivery or {"target": "local"}
    for name, values in sections.items():
        document[name].update(values)
    import_config.save(document, comment="reliability test")


def execution_log(execution) -> str:
    return log_path(execution.log_file_name).read_text(errors="replace")
