"""What the pages may show of a failure: one line, no server path, no stack trace.

An execution's message and its steps' messages are shown to every role on the Jobs, Job History
and execution pages. An unexpected exception's text can carry the server's file system layout
("File name too long: '/srv/console/var/storage/work/17/…'") or a framework's internals; the
page gets a cleaned line, and the log file keeps the full trace for support.
"""

from __future__ import annotations

import errno
import functools
import re
import sys
import tempfile
from pathlib import PurePosixPath

from django.conf import settings

# A full disk or an exhausted quota: the storage volume, not the job, is what failed.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# Shown in a table cell: a line, not a page.
MAX_SHOWN = 500
SERVER_PATH = "…"
# Where a server's files live. A URL's path ("PUT /on/demandware.servlet/webdav/…",
# "POST /api/oauth/v1/token") is the remote side's and stays: only absolute paths that begin
# with one of these folders, or with a folder of this installation, are the server's.
# fmt: off
_SERVER_FOLDERS = frozenset({
    "app", "bin", "data", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "nix", "opt",
    "private", "proc", "root", "run", "sbin", "snap", "srv", "storage", "tmp", "Users", "usr",
    "var", "Volumes", "work",
})
# fmt: on
_WINDOWS_PATH = re.compile(r"""(?<![\w])[A-Za-z]:\\(?:[^\s'"\\<>|]+\\)*[^\s'"\\<>|]*""")


@functools.cache
def _absolute_path() -> re.Pattern:
    folders = set(_SERVER_FOLDERS)
    for root in _installation_roots():
        parts = PurePosixPath(root).parts
        if len(parts) > 1:
            folders.add(parts[1])
    names = "|".join(sorted(re.escape(folder) for folder in folders))
    # At the start, after a space, a quote, a bracket or "=": never inside a URL.
    return re.compile(rf"""(?<![\w.:/~-])/(?:{names})(?![\w.-])(?:/[^\s'"<>|]*)?""")


def _installation_roots() -> list[str]:
    roots = [sys.prefix, sys.base_prefix, tempfile.gettempdir()]
    if settings.configured:  # a script without settings still has the common folders
        roots += [str(settings.STORAGE_ROOT), str(settings.BASE_DIR)]
    return [root for root in roots if root.startswith("/")]


def without_paths(text: str) -> str:
    """`text` with absolute server paths replaced by "…/<last part>" (the file's name, cut)."""

    def short(match: re.Match) -> str:
        name = re.split(r"[\\/]", match.group(0).rstrip("/\\"))[-1]
        return f"{SERVER_PATH}/{name[:40]}{'…' if len(name) > 40 else ''}" if name else SERVER_PATH

    return _WINDOWS_PATH.sub(short, _absolute_path().sub(short, text))


def shown(text: str) -> str:
    """A message fit for a page: its first line, paths removed, cut to MAX_SHOWN characters."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    if line.startswith("Traceback (most recent call last)"):
        line = "an unexpected error (the log file has the details)"
    line = without_paths(line)
    return line if len(line) <= MAX_SHOWN else f"{line[: MAX_SHOWN - 1]}…"


def storage_problem(exc: OSError) -> str:
    """The storage volume failing, as a page says it: the cause and what to do, never the path."""
    if exc.errno in DISK_FULL:
        return "No space left on the storage volume (STORAGE_ROOT): free space, then run again"
    return f"The storage volume (STORAGE_ROOT) cannot be written: {exc.strerror or type(exc).__name__}"


def of_exception(exc: BaseException) -> str:
    """An unexpected exception as a page shows it: its type and what went wrong, never where."""
    if isinstance(exc, OSError) and exc.errno in DISK_FULL:
        return storage_problem(exc)
    if isinstance(exc, OSError) and exc.strerror:
        # str(OSError) is "[Errno 36] File name too long: '/the/full/path'": keep the reason only.
        return f"{type(exc).__name__}: {exc.strerror} (the log file has the details)"
    text = shown(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
