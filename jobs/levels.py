"""The one vocabulary of log levels, shared by the execution log, the pipeline and the clients
at the edges (which know nothing of Django, so this module imports nothing)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


# Names other code and libraries use for the same three levels.
_ALIASES = {"DEBUG": Level.INFO, "WARNING": Level.WARN, "CRITICAL": Level.ERROR, "FATAL": Level.ERROR}


def level_of(name: str) -> Level:
    """`Level` for a name in any case or a common alias; an unknown name is a programming error."""
    key = str(name).upper()
    try:
        return Level(key)
    except ValueError:
        if key in _ALIASES:
            return _ALIASES[key]
        raise ValueError(f"Unknown log level {name!r}; use one of {', '.join(Level)}") from None
