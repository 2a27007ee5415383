"""Start and stop the processes of a whole console: broker, worker, beat, demo servers, web.

Used by `make run` (the `runstack` command) and by the integration tests, so both start
the worker and beat the same way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

PYTHON = sys.executable
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the process that started us dies, however it
    dies (kill -9, a closed terminal), so no worker, server or broker outlives its stack.
    Linux only (prctl); elsewhere the stack's own signal handling is all there is. The signal
    comes when the starting *thread* ends: start stacks from a thread that lives as long."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def port_holder(port: int, host: str = "127.0.0.1") -> str | None:
    """None when `port` is free on `host`; else who holds it ("pid 123: python manage.py …",
    or "another process" when the system does not tell)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is free
    try:
        probe.bind((host, port))
    except OSError:
        pass
    else:
        return None
    finally:
        probe.close()
    try:
        import psutil

        for connection in psutil.net_connections(kind="inet"):
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port and connection.pid:
                command = " ".join(psutil.Process(connection.pid).cmdline()) or "?"
                return f"pid {connection.pid}: {command[:160]}"
    except (ImportError, psutil.Error):
        pass
    return "another process"


def worker_command(name: str = "worker", concurrency: int = 2, loglevel: str = "INFO") -> list[str]:
    return [
        PYTHON, "-m", "celery", "-A", "console", "worker",
        "--loglevel", loglevel, "--concurrency", str(concurrency),
        "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip


def beat_command(loglevel: str = "INFO") -> list[str]:
    return [
        PYTHON, "-m", "celery", "-A", "console", "beat", "--loglevel", loglevel,
        "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
        "--pidfile=", "--max-interval", "5",
    ]  # fmt: skip


def manage_command(*args: str) -> list[str]:
    return [PYTHON, str(Path(settings.BASE_DIR) / "manage.py"), *args]


@dataclass
class Stack:
    """Child processes, each in its own process group so that Celery's pool children
    stop with their parent. Output lines are prefixed with the process name."""

    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    echo: bool = True
    log_dir: Path | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            bufsize=1,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, no lock taken after fork
        )
        self.processes[name] = process
        threading.Thread(target=self._pump, args=(name, process), daemon=True).start()
        return process

    def _pump(self, name: str, process: subprocess.Popen) -> None:
        log = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = open(self.log_dir / f"{name}.log", "a", encoding="utf-8")  # noqa: SIM115
        try:
            for line in process.stdout:
                if self.echo:
                    sys.stdout.write(f"{name:>8} | {line}")
                if log:
                    log.write(line)
                    log.flush()
        finally:
            if log:
                log.close()

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill one process group at once (as `kill -9` of a worker would)."""
        process = self.processes[name]
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)
        self.processes.clear()

    def failed(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return f"{name} exited with code {process.returncode}"
        return None
