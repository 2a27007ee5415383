"""The execution log file: `Job-<job-id>-<yyyyMMddHHmmssSSS>.log`, one per execution.

Lines read `[2026-11-23 11:20:01.123 UTC] INFO  [export-products] 1,200 products written`.
Each line is flushed as it is written so the console can tail a running execution.
Registered secrets are masked in every line: a log file never holds a password or token.
A log that cannot be written (a full disk) never raises into the job: the first failure is
kept in `failure`, and the runner ends the execution with it as the cause.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from jobs.levels import level_of
from jobs.redaction import MASK, Redactor

__all__ = ["MASK", "JobLog", "append", "log_file_name", "log_path"]
LOG_DIR = "logs"
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._-]")


def log_file_name(job_id: str, when: datetime) -> str:
    stamp = when.astimezone(UTC).strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    return f"Job-{_UNSAFE.sub('_', job_id)}-{stamp}.log"


def log_path(name: str) -> Path:
    """Where a log file lives. The name comes from our own database row, never from a request;
    still, a row is data: only its last part counts, so no name reaches outside the log folder."""
    return Path(settings.STORAGE_ROOT) / LOG_DIR / Path(name).name


class JobLog:
    def __init__(self, path: Path, secrets: set[str] | None = None):
        self.path = path
        self._lock = threading.Lock()
        self.redact = Redactor(*(secrets or ()))
        self.failure: OSError | None = None
        self._file = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            self.failure = exc

    def add_secret(self, value: str | None) -> None:
        self.redact.add(value)

    def write(self, level: str, message: str, step: str = "") -> None:
        message = self.redact(message)
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d} UTC"
        where = f"[{step}] " if step else ""
        # One message may span lines (a traceback); indent the rest so each entry stays one block.
        message = message.rstrip().replace("\n", "\n    ")
        with self._lock:
            if self._file is None or self._file.closed or self.failure:
                return
            try:
                self._file.write(f"[{stamp}] {level_of(level):<5} {where}{message}\n")
                self._file.flush()
            except OSError as exc:
                self.failure = exc

    def close(self) -> None:
        with self._lock:
            if self._file is None:
                return
            try:
                self._file.close()
            except OSError as exc:  # the buffered rest could not be written either
                self.failure = self.failure or exc


def append(log_file_name: str, level: str, message: str) -> None:
    """One line added to an execution's log from outside its run (the reaper, a chain)."""
    if not log_file_name:
        return
    log = JobLog(log_path(log_file_name))
    try:
        log.write(level, message)
    finally:
        log.close()


def tail(path: Path, max_bytes: int = 16_384) -> str:
    """The end of a log file, for the execution page: at most `max_bytes`, whole lines."""
    try:
        with open(path, "rb") as file:
            file.seek(0, 2)
            size = file.tell()
            file.seek(max(0, size - max_bytes))
            data = file.read()
    except (FileNotFoundError, IsADirectoryError):
        return ""
    if size > max_bytes:
        data = data.split(b"\n", 1)[-1]
    return data.decode("utf-8", errors="replace")
