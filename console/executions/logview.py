"""An execution's log read for the page: entries with their level, the first error, and what
to do about it. The file itself (jobs.joblog) is downloaded unchanged; this only reads it.

An entry is one line `[2026-11-23 11:20:01.123 UTC] ERROR [step] message`, plus the indented
lines that follow it (a traceback, a long message): those are the entry's detail, folded on
the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jobs.levels import level_of
from jobs.messages import without_paths

LINE = re.compile(
    r"^\[(?P<stamp>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC\] (?P<level>[A-Z]+)\s+"
    r"(?:\[(?P<step>[^\]]+)\] )?(?P<message>.*)$"
)
CONTINUATION = "    "
# How much of a file the first-error scan reads: enough for any real log's start, bounded.
FIRST_ERROR_SCAN_BYTES = 8 * 1024 * 1024


@dataclass
class Entry:
    level: str
    message: str
    step: str = ""
    time: datetime | None = None
    detail: list[str] = field(default_factory=list)

    @property
    def is_traceback(self) -> bool:
        return self.message.startswith("Traceback (most recent call last)")

    @property
    def detail_text(self) -> str:
        return "\n".join(self.detail)

    @property
    def summary(self) -> str:
        """The entry in one line: a traceback's last line is the exception and its message."""
        if self.is_traceback and self.detail:
            return self.detail[-1].strip()
        return self.message


def parse(text: str) -> list[Entry]:
    """Entries of a log text; a line that is neither an entry nor a continuation (a cut first
    line of a tail) becomes an INFO entry of its own, so nothing is dropped."""
    entries: list[Entry] = []
    for line in text.splitlines():
        match = LINE.match(line)
        level = _level(match["level"]) if match else None
        if match and level:
            stamp = datetime.strptime(match["stamp"][:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            entries.append(Entry(level, match["message"], match["step"] or "", stamp))
        elif line.startswith(CONTINUATION) and entries:
            entries[-1].detail.append(line[len(CONTINUATION) :])
        elif line.strip():
            entries.append(Entry("INFO", line))
    return entries


def _level(name: str) -> str | None:
    try:
        return level_of(name)
    except ValueError:
        return None  # not a level this log writes: the line is shown as it is


def first_error(path: Path, max_bytes: int = FIRST_ERROR_SCAN_BYTES) -> Entry | None:
    """The first ERROR entry of a log file, with its detail, reading at most `max_bytes`;
    server paths in it are shortened as on every page."""
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read(max_bytes)
    except (FileNotFoundError, IsADirectoryError):
        return None
    for entry in parse(text):
        if entry.level == "ERROR":
            # Shown in the page: without the server's paths (the downloaded file keeps them).
            entry.message = without_paths(entry.message)
            entry.detail = [without_paths(line) for line in entry.detail]
            return entry
    return None


@dataclass(frozen=True)
class Hint:
    cause: str  # what went wrong, in a user's words
    action: str  # what to do about it


# Known causes, first match wins: a pattern searched in the error's one-line summary.
KNOWN_CAUSES: list[tuple[re.Pattern, Hint]] = [
    (
        re.compile(r"AkeneoAuthError|Akeneo.*\b(401|403)\b|\b401\b.*Akeneo", re.IGNORECASE),
        Hint(
            "Akeneo refused the credentials (HTTP 401).",
            "Check the Akeneo credentials in Import configuration (client id, secret, username, password), "
            "then use Test connection.",
        ),
    ),
    (
        re.compile(r"AkeneoConnectionError|Akeneo unreachable", re.IGNORECASE),
        Hint(
            "Akeneo could not be reached.",
            "Check the Akeneo URL in Import configuration and that Akeneo is up; Test connection names the cause.",
        ),
    ),
    (
        re.compile(r"AkeneoConfigError"),
        Hint("The Akeneo settings are incomplete.", "Fill in the Akeneo section of Import configuration."),
    ),
    (
        re.compile(r"AkeneoRateLimited|\b429\b"),
        Hint(
            "Akeneo kept answering “too many requests” (HTTP 429).",
            "Run the job again later, when Akeneo is less busy.",
        ),
    ),
    (
        re.compile(r"AkeneoServerError"),
        Hint(
            "Akeneo answered with a server error after every retry.",
            "Run the job again later; if it keeps failing, ask the Akeneo administrator.",
        ),
    ),
    (
        re.compile(r"AkeneoNotFound"),
        Hint(
            "Akeneo does not have something the import asked for (HTTP 404).",
            "Check the channel, locales and attribute codes in Import configuration against Akeneo.",
        ),
    ),
    (
        re.compile(r"SfccAuthError|Account Manager refused", re.IGNORECASE),
        Hint(
            "SFCC refused the API client's credentials.",
            "Check the SFCC client id and secret in Import configuration, and the API client's OCAPI and "
            "WebDAV permissions in Business Manager.",
        ),
    ),
    (
        re.compile(r"SfccUnavailableError"),
        Hint(
            "SFCC could not be reached.",
            "Check the SFCC instance URL in Import configuration and that the instance is up.",
        ),
    ),
    (
        re.compile(r"SfccConfigError"),
        Hint(
            "The SFCC delivery settings are incomplete.", "Fill in the SFCC section of Import configuration."
        ),
    ),
    (
        re.compile(r"SfccJobAlreadyRunningError"),
        Hint(
            "SFCC's site import job was already running.",
            "Wait until it ends in Business Manager, then run the job again.",
        ),
    ),
    (
        re.compile(r"SfccJobTimeoutError"),
        Hint(
            "SFCC's site import did not finish in time.",
            "Look at the import in Business Manager (Administration › Site Development › Site Import & Export).",
        ),
    ),
    (
        re.compile(r"SfccJobError"),
        Hint(
            "SFCC's site import job failed.",
            "Open its log in Business Manager (Administration › Site Development › Site Import & Export).",
        ),
    ),
    (
        re.compile(r"stopped responding \(no heartbeat"),
        Hint(
            "The worker running it stopped (killed, restarted or lost).",
            "Run the job again; the worker's own log file says why it stopped.",
        ),
    ),
    (
        re.compile(r"data errors: more than the configured threshold"),
        Hint(
            "More items failed than the configured error threshold allows.",
            "See the Data errors below; fix the items in Akeneo or raise the threshold in Import configuration.",
        ),
    ),
]


def explain(summary: str) -> Hint | None:
    """What to do about an error, when its cause is a known one."""
    for pattern, hint in KNOWN_CAUSES:
        if pattern.search(summary):
            return hint
    return None
