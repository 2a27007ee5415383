"""Liveness that does not depend on a worker.

- Every worker keeps a `WorkerHeartbeat` row fresh, from a thread of its main process started
  when the worker is ready (Celery's `worker_ready`) and marked stopped at a clean shutdown.
  A killed worker just goes silent.
- Beat runs the checks itself, in a thread of its own process (Celery's `beat_init`), every
  JOBS_REAPER_INTERVAL_SECONDS. No message is queued for them, so they run with every worker
  dead and nothing piles up in the broker while no worker consumes:
    end the executions whose heartbeat stopped (services.executions_reap),
    end the pending executions no worker will take (services.executions_unclaimed_fail),
    announce the finishes a dead worker left unsaid (services.announce_overdue).
  Then it sends `signals.liveness_checked`, for the operations' periodic checks (alerts).
  Beat keeps a heartbeat row too, so the Jobs page can say when it is not running.

Each check is a compare-and-set, so two beats (or the `jobs.reap` task) running them at once
do each thing once.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass

from celery import signals as celery_signals
from django.conf import settings
from django.db import close_old_connections, connection

from jobs import services, signals
from jobs.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

STARTED = "Liveness checks run in beat every %ss"


@dataclass
class TickResult:
    reaped: int
    unclaimed: int
    announced: int


def tick(now=None) -> TickResult:
    """One pass of beat's checks."""
    result = TickResult(
        reaped=len(services.executions_reap(now)),
        unclaimed=len(services.executions_unclaimed_fail(now)),
        announced=services.announce_overdue(now),
    )
    services.heartbeats_prune(now)
    return result


class Repeat(threading.Thread):
    """Calls `action` now and every `interval` seconds until stopped; a failing call is logged
    and the next one gets a fresh database connection."""

    def __init__(self, name: str, interval: float, action):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.action = action
        self._stopped = threading.Event()

    def run(self):
        try:
            while True:
                try:
                    close_old_connections()
                    self.action()
                except Exception:
                    logger.warning("%s failed", self.name, exc_info=True)
                    connection.close()
                if self._stopped.wait(self.interval):
                    return
        finally:
            connection.close()

    def stop(self):
        self._stopped.set()
        self.join(timeout=10)


_threads: dict[str, Repeat] = {}
_threads_lock = threading.Lock()


def _start(key: str, interval: float, action) -> bool:
    with _threads_lock:
        if key in _threads and _threads[key].is_alive():
            return False  # the consumer is ready again after a reconnect: one thread is enough
        _threads[key] = Repeat(key, interval, action)
        _threads[key].start()
        return True


def _stop(key: str) -> None:
    with _threads_lock:
        thread = _threads.pop(key, None)
    if thread is not None:
        thread.stop()


# --- the worker --------------------------------------------------------------------------


def on_worker_ready(sender=None, **kwargs) -> None:
    name = sender.hostname
    services.heartbeat_start(kind=WorkerHeartbeat.Kind.WORKER, name=name)
    _start(
        f"worker-heartbeat-{name}",
        settings.JOBS_HEARTBEAT_SECONDS,
        lambda: services.heartbeat_beat(kind=WorkerHeartbeat.Kind.WORKER, name=name),
    )


def on_worker_shutdown(sender=None, **kwargs) -> None:
    name = sender.hostname
    _stop(f"worker-heartbeat-{name}")
    try:
        services.heartbeat_stop(kind=WorkerHeartbeat.Kind.WORKER, name=name)
    except Exception:
        # The database is gone too: the row goes stale instead, which says the same later.
        logger.warning("Could not record the shutdown of %s", name, exc_info=True)
    finally:
        connection.close()


# --- beat --------------------------------------------------------------------------------


def beat_name() -> str:
    return f"beat@{socket.gethostname()}"


def beat_pass() -> None:
    services.heartbeat_beat(kind=WorkerHeartbeat.Kind.BEAT, name=beat_name())
    result = tick()
    signals.announce_liveness_checked()
    if result.reaped or result.unclaimed or result.announced:
        logger.info(
            "Liveness: %s abandoned, %s not taken by any worker, %s finishes announced late",
            result.reaped,
            result.unclaimed,
            result.announced,
        )


def on_beat_init(sender=None, **kwargs) -> None:
    interval = settings.JOBS_REAPER_INTERVAL_SECONDS
    if _start("beat-liveness", interval, beat_pass):
        logger.info(STARTED, interval)


def connect() -> None:
    celery_signals.worker_ready.connect(on_worker_ready, dispatch_uid="jobs.liveness.worker_ready")
    celery_signals.worker_shutdown.connect(on_worker_shutdown, dispatch_uid="jobs.liveness.worker_shutdown")
    celery_signals.beat_init.connect(on_beat_init, dispatch_uid="jobs.liveness.beat_init")
