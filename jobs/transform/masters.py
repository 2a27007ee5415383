"""What a master needs, collected while models and products stream by.

The pipeline pages product models first, then products, in constant memory: it cannot hold
products until their master is written. `MasterAccumulator` keeps only the small facts a master
is made of, so masters are written after their variants:

- per product model: its code, its parent's code, its family variant code and its own axis
  values (e.g. `color=blue` for a sub-model) — enough to find a variant's master and to give a
  variant the axis values Akeneo did not merge into it;
- per master: the variant identifiers, the variation group codes, the axis values seen (codes,
  in first-seen order) and, per value of the first axis, the image paths of the first sub-model
  or variant that had it.

Both live in a SQLite file in the execution's work folder, not in the worker's memory, which
stays level however many models and variants the catalog has. With `keep_values=True` it also
keeps each model's Akeneo `values` so variants missing inherited values get them (the REST API
merges them already, so this is off by default: it costs the models' full values).

The transformer (`ProductTransformer.add_model`, `.product`, `.master`) fills and reads it; the
pipeline only creates it and asks for `root_codes()` and `unresolved()` at the end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from jobs.scratch import ScratchDatabase
from jobs.transform.problems import Problem
from jobs.transform.values import compact_json

NO_AXIS_VALUES: Mapping[str, str] = MappingProxyType({})  # a root model's, shared


@dataclass(slots=True)
class ModelInfo:
    code: str
    parent: str | None  # lower-cased parent code
    family_variant: str
    axis_values: Mapping[str, str]  # this model's own axis values (sub-models)
    values: dict | None = None  # Akeneo values, only with keep_values
    # A root model's categories: a variant's assignments are those beyond them.
    categories: tuple[str, ...] = ()


# Models and masters' facts are rows of a SQLite database (`jobs.scratch`: a file in the
# execution's work folder), not Python objects: held in memory they were 15.5 MB at 250,000
# products (17,641 models, 12,386 masters), growing with the catalog. Each
# fact is a row (master key, kind, value); the first row of a value wins, and rows come back in
# the order they came. Text is stored as UTF-8 bytes with lone surrogates passed through (JSON
# can hold them, SQLite's text cannot), so every code comes back as it went in.
VARIANT, GROUP, AXIS, IMAGES = range(4)
PAIR = "\x01"  # between an axis code and its value: no code or value that can be written holds it


class _Store:
    def __init__(self, directory: Path | None) -> None:
        self._scratch = ScratchDatabase(
            directory,
            ".masters-",
            """
            CREATE TABLE facts (
                master BLOB NOT NULL, kind INTEGER NOT NULL, value BLOB NOT NULL, extra BLOB,
                UNIQUE (master, kind, value)
            );
            CREATE TABLE models (
                key BLOB PRIMARY KEY, code BLOB NOT NULL, parent BLOB, family_variant BLOB NOT NULL,
                axis_values BLOB, categories BLOB, "values" BLOB
            );
            """,
        )
        self._db = self._scratch.db

    def add(self, master: str, kind: int, value: str, extra: str | None = None) -> None:
        row = (_enc(master), kind, _enc(value), _enc(extra))
        self._db.execute("INSERT OR IGNORE INTO facts VALUES (?, ?, ?, ?)", row)

    def rows(self, master: str, kind: int) -> list[tuple[str, str | None]]:
        found = self._db.execute(
            "SELECT value, extra FROM facts WHERE master = ? AND kind = ? ORDER BY rowid",
            (_enc(master), kind),
        )
        return [(_dec(value), _dec(extra)) for value, extra in found]

    def add_model(self, key: str, info: ModelInfo) -> bool:
        """False when a model of that key is there already."""
        row = tuple(
            _enc(text)
            for text in (
                key, info.code, info.parent, info.family_variant,
                compact_json(info.axis_values) if info.axis_values else None,
                compact_json(info.categories) if info.categories else None,
                None if info.values is None else compact_json(info.values),
            )
        )  # fmt: skip
        return (
            self._db.execute("INSERT OR IGNORE INTO models VALUES (?, ?, ?, ?, ?, ?, ?)", row).rowcount == 1
        )

    def model(self, key: str) -> ModelInfo | None:
        row = self._db.execute(
            'SELECT code, parent, family_variant, axis_values, categories, "values" FROM models WHERE key = ?',
            (_enc(key),),
        ).fetchone()
        if row is None:
            return None
        code, parent, family_variant, axis_values, categories, values = map(_dec, row)
        return ModelInfo(
            code, parent, family_variant,
            json.loads(axis_values) if axis_values else NO_AXIS_VALUES,
            None if values is None else json.loads(values),
            categories=tuple(json.loads(categories)) if categories else (),
        )  # fmt: skip

    def root_codes(self) -> list[str]:
        return [
            _dec(code)
            for (code,) in self._db.execute("SELECT code FROM models WHERE parent IS NULL ORDER BY rowid")
        ]

    def orphans(self) -> list[tuple[str, str]]:
        """(code, parent) of the sub-models whose parent is not among the models."""
        found = self._db.execute(
            "SELECT code, parent FROM models WHERE parent IS NOT NULL "
            "AND parent NOT IN (SELECT key FROM models) ORDER BY rowid"
        )
        return [(_dec(code), _dec(parent)) for code, parent in found]

    def close(self) -> None:
        self._scratch.close()


class MasterState:
    """One master's facts, read and added through the accumulator's database."""

    __slots__ = ("_store", "_key")

    def __init__(self, store: _Store, key: str) -> None:
        self._store, self._key = store, key

    @property
    def variants(self) -> list[str]:
        return [value for value, _ in self._store.rows(self._key, VARIANT)]

    @property
    def groups(self) -> list[str]:
        return [value for value, _ in self._store.rows(self._key, GROUP)]

    @property
    def axis_values(self) -> dict[str, dict[str, None]]:
        """Axis code → {value code: None}: an insertion-ordered set."""
        found: dict[str, dict[str, None]] = {}
        for pair, _ in self._store.rows(self._key, AXIS):
            axis, _, value = pair.partition(PAIR)
            found.setdefault(axis, {})[value] = None
        return found

    @property
    def images(self) -> dict[str, dict[str, list[str]]]:
        """First-axis value → view type → image paths."""
        return {value: json.loads(images) for value, images in self._store.rows(self._key, IMAGES)}

    def add_variant(self, identifier: str) -> None:
        self._store.add(self._key, VARIANT, identifier)

    def add_group(self, code: str) -> None:
        self._store.add(self._key, GROUP, code)

    def add_axis_values(self, values: Mapping[str, str]) -> None:
        for axis, value in values.items():
            self._store.add(self._key, AXIS, f"{axis}{PAIR}{value}")

    def add_images(self, value: str | None, images: dict[str, list[str]]) -> None:
        # The first sub-model or variant of a colour speaks for it: a later row for the same
        # value is ignored (the facts are unique per master, kind and value).
        if value is not None and images:
            self._store.add(self._key, IMAGES, value, compact_json(images))


class MasterAccumulator:
    """Models by code and masters' facts, in a SQLite file in `directory` (the system's
    temporary folder without one). Close it (or use it as a context manager) to remove it."""

    def __init__(self, *, keep_values: bool = False, directory: Path | None = None) -> None:
        self.keep_values = keep_values
        self._store = _Store(directory)

    def __enter__(self) -> MasterAccumulator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    def add_model(self, info: ModelInfo) -> Problem | None:
        if not self.keep_values:
            info.values = None
        if not self._store.add_model(info.code.lower(), info):
            return Problem(info.code, "product model seen twice; the first one is kept")
        if info.parent is not None:
            state = self.state(info.parent)
            state.add_group(info.code)
            state.add_axis_values(info.axis_values)
        return None

    def model(self, code: str) -> ModelInfo | None:
        return self._store.model(code.lower())

    def state(self, root_code: str) -> MasterState:
        return MasterState(self._store, root_code.lower())

    def add_variant(self, root_code: str, identifier: str, axis_values: dict[str, str]) -> MasterState:
        state = self.state(root_code)
        state.add_variant(identifier)
        state.add_axis_values(axis_values)
        return state

    def chain(self, parent_code: str) -> list[ModelInfo] | None:
        """The models from a variant's parent up to its root; None when one is missing or the
        parents loop."""
        chain: list[ModelInfo] = []
        key: str | None = parent_code.lower()
        while key is not None:
            info = self._store.model(key)
            if info is None or len(chain) == 2:  # Akeneo has at most two model levels
                return None
            chain.append(info)
            key = info.parent
        return chain

    def root_codes(self) -> list[str]:
        """Codes of the root models seen, in the order they came: the masters to write."""
        return self._store.root_codes()

    def unresolved(self) -> list[Problem]:
        """Sub-models whose parent never came, once everything has streamed by."""
        return [
            Problem(code, f"parent model {parent!r} does not exist; not imported", fatal=True)
            for code, parent in self._store.orphans()
        ]


def _enc(text: str | None) -> bytes | None:
    return None if text is None else text.encode("utf-8", "surrogatepass")


def _dec(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "surrogatepass")
