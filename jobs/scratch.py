"""A SQLite database for one execution's scratch data: what would otherwise grow in the
worker's memory with the catalog (the removals tracker's ids, the masters' facts and models).

A temporary file in the execution's work folder (the system's temporary folder without one),
with neither journal nor syncing: nothing in it outlives the step that made it, and closing it
removes the file."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path


class ScratchDatabase:
    def __init__(self, directory: Path | None, prefix: str, schema: str) -> None:
        self._file = tempfile.NamedTemporaryFile(dir=directory, prefix=prefix, suffix=".sqlite3")  # noqa: SIM115 - closed in close()
        self.db = sqlite3.connect(self._file.name)
        self.db.executescript(f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; {schema}")

    def close(self) -> None:
        self.db.close()
        self._file.close()
