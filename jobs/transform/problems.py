"""How the transforms report item-level problems without failing the whole run.

Every transform returns its records together with a list of `Problem`s. A problem names the
Akeneo identifier (product identifier, model code, attribute or category code) it concerns, so
the job log can say "1111111119: unknown attribute 'foo'; value ignored" and count it as one data
error. A `fatal` problem means the item itself was skipped (its record is `None`); the others are
warnings about a value that was dropped or repaired. Nothing here raises for bad data: an
exception out of a transform is a bug, not a data error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    identifier: str
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        return f"{self.identifier}: {self.message}"
