"""Removals: what the previous import to the same target exported and this one does not.

After every product import the export step stores, per delivery target (the master catalog on
an SFCC instance, or the local archives of a catalog), every product id it exported and each
product's category assignments per catalog (`ExportedProducts`, one compressed row). The next
import compares with the latest row of an execution that ended OK or WARN:

- a product no longer exported (disabled and filtered out, deleted in Akeneo, moved out of the
  filters' scope) is set offline with its assignments deleted, or deleted, or left alone, as
  `catalogs.removed_products` says. The full import knows every product in scope; the
  differential one asks Akeneo, without the filters, what changed since the watermark and
  treats what the filters now leave out as removed (a deletion shows in the next full import:
  Akeneo lists no deleted products);
- an exported product's assignment the previous import wrote and this one does not (a category
  removed in Akeneo, or moved out of every exported tree) is deleted (`mode="delete"`).

A product read but skipped for a data error keeps its previous state: a broken record does
not take a product offline.

Memory does not grow with the catalog: the tracker keeps the previous snapshot and this
import's products in a SQLite file of the execution's work folder, and a snapshot is read and
written as a stream of lines. A differential run that exported and removed nothing stores the
previous snapshot's bytes again, without reading them.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from jobs.models import ExitStatus, ExportedProducts, JobExecution
from jobs.scratch import ScratchDatabase

SEP = "\t"  # between a catalog id and a category id: neither can hold a tab
# Format 2: zlib-compressed lines after HEADER, sorted by product id, one per product:
# `id<TAB>catalog<TAB>category<TAB>catalog<TAB>category…`. An id that could be mistaken for
# anything else (a tab or line break in it, or a leading `[`) makes its line JSON:
# `["id", "catalog", "category", …]`. No product line starts with a tab: ids are never empty.
# Format 1 (rows of earlier versions) is one JSON document: {"format": 1, "products": {…}}.
FORMAT = 2
HEADER = b"\texported-products\t2\n"
LEVEL = 6
_READ_CHUNK = 256 * 1024
_BATCH = 1000  # rows of this import's products inserted at once


@dataclass(frozen=True)
class Snapshot:
    """One stored snapshot: how many products, and the encoded bytes."""

    count: int
    data: bytes


class Tracker:
    """The products and assignments of one export, beside the previous import's.

    `previous` is the previous import's snapshot; None when no import to the target has
    succeeded (nothing is removed then). It is read into the tracker's file only when an
    answer needs it. Close the tracker (or use it as a context manager) to remove its file."""

    def __init__(self, previous: Snapshot | None, *, differential: bool, directory: Path | None = None):
        self.previous = previous
        self._compare = previous is not None and previous.count > 0
        self.differential = differential
        self._scratch = ScratchDatabase(
            directory,
            ".exported-",
            """
            CREATE TABLE previous (id TEXT PRIMARY KEY, keys TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE current (id TEXT PRIMARY KEY, keys TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE failed (id TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE gone (id TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE candidates (id TEXT PRIMARY KEY) WITHOUT ROWID;
            """,
        )
        self._db = self._scratch.db
        self._loaded = False
        self._pending: list[tuple[str, str]] = []
        self._exported_any = False

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._scratch.close()

    def exported(self, product_id: str, assignments: Iterable[tuple[str, str]]) -> None:
        """Record an exported product (exported again: its last assignments count)."""
        keys = [f"{catalog}{SEP}{category}" for catalog, category in assignments]
        self._pending.append((product_id, SEP.join(keys)))
        self._exported_any = True
        if len(self._pending) >= _BATCH:
            self._flush()

    def unassigned(self) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        """Exported products' previous assignments they no longer have, by product id: one
        query once every product is exported, not one per product."""
        if not self._compare or not self._exported_any:
            return
        db = self._previous_db()
        self._flush()
        rows = db.execute(
            "SELECT id, previous.keys, current.keys FROM current JOIN previous USING (id) "
            "WHERE previous.keys != current.keys ORDER BY id"
        )
        for product_id, before, now in rows:
            kept = set(_pairs(now))
            stale = [pair for pair in _pairs(before) if pair not in kept]
            if stale:
                yield product_id, stale

    def skipped(self, identifier: str) -> None:
        try:
            self._db.execute("INSERT OR IGNORE INTO failed VALUES (?)", (identifier,))
        except UnicodeEncodeError:
            pass  # a lone surrogate: no XML can hold the id, so no import exported it

    def removed(self, candidates: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
        """Previously exported products this import removes, with their previous assignments.
        A full import passes no candidates (every previous product is one); a differential one
        passes what changed in Akeneo, unfiltered."""
        if not self._compare:
            return {}
        if candidates is not None:
            candidates = list(candidates)
            if not candidates:
                return {}  # nothing changed in Akeneo: nothing to compare, nothing to read
        db = self._previous_db()
        self._flush()
        pool = "previous"
        if candidates is not None:
            db.execute("DELETE FROM candidates")
            db.executemany("INSERT OR IGNORE INTO candidates VALUES (?)", ((c,) for c in candidates))
            pool = "previous JOIN candidates USING (id)"
        rows = db.execute(
            f"SELECT id, keys FROM {pool} WHERE id NOT IN (SELECT id FROM current) "  # noqa: S608
            "AND id NOT IN (SELECT id FROM failed) ORDER BY id"
        )
        return {product_id: _pairs(keys) for product_id, keys in rows}

    def snapshot(self, removed: Iterable[str]) -> Snapshot:
        """What the target holds after this import: the differential's is the previous one
        updated; a full import's is what it exported, plus the skipped products' previous state."""
        removed = list(removed)
        if self.differential and self.previous is not None and not self._exported_any and not removed:
            return self.previous  # the target holds what it held: the same bytes
        self._flush()
        db = self._previous_db()
        db.executemany("INSERT OR IGNORE INTO gone VALUES (?)", ((r,) for r in removed))
        kept = "" if self.differential else "AND id IN (SELECT id FROM failed)"
        rows = db.execute(
            "SELECT id, keys FROM current UNION ALL "  # noqa: S608
            f"SELECT id, keys FROM previous WHERE id NOT IN (SELECT id FROM current) {kept} "
            "AND id NOT IN (SELECT id FROM gone) ORDER BY id"
        )
        return _encode_rows(rows)

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany("INSERT OR REPLACE INTO current VALUES (?, ?)", self._pending)
            self._pending.clear()

    def _previous_db(self) -> sqlite3.Connection:
        """The connection, with the previous snapshot read into its table the first time."""
        if not self._loaded and self._compare:
            self._db.executemany("INSERT OR REPLACE INTO previous VALUES (?, ?)", _rows(self.previous.data))
            self._loaded = True
        return self._db


def _pairs(keys: str) -> list[tuple[str, str]]:
    if not keys:
        return []
    parts = keys.split(SEP)
    return list(zip(parts[::2], parts[1::2], strict=True))


def _line(product_id: str, keys: str) -> bytes:
    if SEP in product_id or "\n" in product_id or "\r" in product_id or product_id.startswith("["):
        return (
            json.dumps([product_id, *keys.split(SEP)] if keys else [product_id], ensure_ascii=False).encode()
            + b"\n"
        )
    return f"{product_id}{SEP}{keys}\n".encode() if keys else f"{product_id}\n".encode()


def _encode_rows(rows: Iterable[tuple[str, str]]) -> Snapshot:
    compressor = zlib.compressobj(LEVEL)
    chunks = [compressor.compress(HEADER)]
    count = 0
    lines: list[bytes] = []
    for product_id, keys in rows:
        lines.append(_line(product_id, keys))
        count += 1
        if len(lines) == _BATCH:  # compressed a batch at a time, not a call per line
            chunks.append(compressor.compress(b"".join(lines)))
            lines.clear()
    chunks.append(compressor.compress(b"".join(lines)))
    chunks.append(compressor.flush())
    return Snapshot(count, b"".join(chunks))


def _rows(data: bytes) -> Iterator[tuple[str, str]]:
    """(product id, keys joined by tabs) of an encoded snapshot, read as a stream."""
    decompressor = zlib.decompressobj()
    view = memoryview(data)
    head = decompressor.decompress(view[:_READ_CHUNK])
    if not head.startswith(HEADER[:1]):
        # Format 1: one JSON document (a row of an earlier version), read whole this once.
        document = json.loads(head + decompressor.decompress(view[_READ_CHUNK:]) + decompressor.flush())
        if document.get("format") != 1:
            raise ValueError(f"unknown exported-products format {document.get('format')!r}")
        for product_id, keys in document["products"].items():
            yield product_id, SEP.join(keys)
        return
    if not head.startswith(HEADER):
        raise ValueError("unknown exported-products format")
    rest = head[len(HEADER) :]
    position = _READ_CHUNK
    while True:
        lines = rest.split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield _parse(line)
        if position >= len(view):
            break
        rest += decompressor.decompress(view[position : position + _READ_CHUNK])
        position += _READ_CHUNK
    rest += decompressor.flush()
    for line in rest.split(b"\n"):
        if line:
            yield _parse(line)


def _parse(line: bytes) -> tuple[str, str]:
    if line.startswith(b"["):
        product_id, *parts = json.loads(line)
        return product_id, SEP.join(parts)
    product_id, _, keys = line.decode().partition(SEP)
    return product_id, keys


def encode(products: dict[str, list[str]]) -> bytes:
    """product id → its assignment keys (`catalog<TAB>category`), encoded as stored."""
    return _encode_rows((p, SEP.join(products[p])) for p in sorted(products)).data


def decode(data: bytes) -> dict[str, list[str]]:
    """What `encode` encoded (either format): whole, in memory; for tests and inspection."""
    return {
        product_id: [f"{catalog}{SEP}{category}" for catalog, category in _pairs(keys)]
        for product_id, keys in _rows(bytes(data))
    }


def latest(target: str, *, before: JobExecution | None = None) -> ExportedProducts | None:
    """The latest row for the target of an execution that ended OK or WARN."""
    rows = ExportedProducts.objects.filter(
        target=target, execution__exit_status__in=[ExitStatus.OK, ExitStatus.WARN]
    )
    if before is not None:
        rows = rows.exclude(execution=before)
    return rows.order_by("-id").only("id", "execution_id", "product_count", "created").first()


def previous_products(
    target: str, execution: JobExecution
) -> tuple[ExportedProducts | None, Snapshot | None]:
    row = latest(target, before=execution)
    if row is None:
        return None, None
    return row, Snapshot(row.product_count, _read_data(row.pk))


def save(target: str, execution: JobExecution, snapshot: Snapshot, previous_id: int | None) -> None:
    """Store this execution's snapshot; prune the target's older rows but the one it was
    compared with (which stays in force should this execution fail)."""
    ExportedProducts.objects.filter(target=target, execution=execution).delete()
    row = ExportedProducts.objects.create(
        target=target, execution=execution, product_count=snapshot.count, data=b""
    )
    _write_data(row.pk, snapshot.data)
    older = ExportedProducts.objects.filter(target=target, id__lt=row.id)
    if previous_id is not None:
        older = older.exclude(id=previous_id)
    older.delete()


# The snapshot's bytes go to and from PostgreSQL in binary. Django binds parameters on the
# client: a bytea becomes a hex literal inside the query text, the data doubled and copied
# several times over (the full import's peak RSS: +13 MB at 250,000 products, growing with the
# catalog); and it reads a bytea as hex text. A cursor of psycopg's own binds on the server,
# and `%b` and `binary=True` send and receive the bytes as they are.


def _write_data(pk: int, data: bytes) -> None:
    if connection.vendor != "postgresql":
        ExportedProducts.objects.filter(pk=pk).update(data=data)
        return
    import psycopg

    connection.ensure_connection()
    table = ExportedProducts._meta.db_table
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f'UPDATE "{table}" SET data = %b WHERE id = %s', [data, pk])  # noqa: S608


def _read_data(pk: int) -> bytes:
    if connection.vendor != "postgresql":
        return bytes(ExportedProducts.objects.values_list("data", flat=True).get(pk=pk))
    import psycopg

    connection.ensure_connection()
    table = ExportedProducts._meta.db_table
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f'SELECT data FROM "{table}" WHERE id = %s', [pk], binary=True)  # noqa: S608
        (data,) = cursor.fetchone()
    return bytes(data)
