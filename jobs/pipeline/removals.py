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
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable

from jobs.models import ExitStatus, ExportedProducts, JobExecution

SEP = "\t"  # between a catalog id and a category id: neither can hold a tab
FORMAT = 1


class Tracker:
    """The products and assignments of one export, beside the previous import's.

    `previous` maps product id → its assignment keys (`catalog<TAB>category`); None when no
    import to the target has succeeded (nothing is removed then)."""

    def __init__(self, previous: dict[str, list[str]] | None, *, differential: bool):
        self.previous = previous
        self.differential = differential
        self.current: dict[str, list[str]] = {}
        self.failed: set[str] = set()

    def exported(self, product_id: str, assignments: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Record an exported product; returns its previous assignments it no longer has."""
        keys = [f"{catalog}{SEP}{category}" for catalog, category in assignments]
        self.current[product_id] = keys
        before = (self.previous or {}).get(product_id) or ()
        now = set(keys)
        return [_split(key) for key in before if key not in now]

    def skipped(self, identifier: str) -> None:
        self.failed.add(identifier)

    def removed(self, candidates: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
        """Previously exported products this import removes, with their previous assignments.
        A full import passes no candidates (every previous product is one); a differential one
        passes what changed in Akeneo, unfiltered."""
        if not self.previous:
            return {}
        pool = self.previous.keys() if candidates is None else (c for c in candidates if c in self.previous)
        return {
            product_id: [_split(key) for key in self.previous[product_id]]
            for product_id in pool
            if product_id not in self.current and product_id not in self.failed
        }

    def snapshot(self, removed: Iterable[str]) -> dict[str, list[str]]:
        """What the target holds after this import: the differential's is the previous one
        updated; a full import's is what it exported, plus the skipped products' previous state."""
        previous = self.previous or {}
        base = dict(previous) if self.differential else {k: previous[k] for k in self.failed if k in previous}
        for product_id in removed:
            base.pop(product_id, None)
        base.update(self.current)
        return base


def _split(key: str) -> tuple[str, str]:
    catalog, _, category = key.partition(SEP)
    return catalog, category


def encode(products: dict[str, list[str]]) -> bytes:
    text = json.dumps({"format": FORMAT, "products": products}, separators=(",", ":"), ensure_ascii=False)
    return zlib.compress(text.encode(), 6)


def decode(data: bytes) -> dict[str, list[str]]:
    document = json.loads(zlib.decompress(bytes(data)))
    if document.get("format") != FORMAT:
        raise ValueError(f"unknown exported-products format {document.get('format')!r}")
    return document["products"]


def latest(target: str, *, before: JobExecution | None = None) -> ExportedProducts | None:
    """The latest row for the target of an execution that ended OK or WARN."""
    rows = ExportedProducts.objects.filter(
        target=target, execution__exit_status__in=[ExitStatus.OK, ExitStatus.WARN]
    )
    if before is not None:
        rows = rows.exclude(execution=before)
    return rows.order_by("-id").only("id", "execution_id", "product_count", "created").first()


def previous_products(target: str, execution: JobExecution) -> tuple[ExportedProducts | None, dict | None]:
    row = latest(target, before=execution)
    if row is None:
        return None, None
    data = ExportedProducts.objects.values_list("data", flat=True).get(pk=row.pk)
    return row, decode(data)


def save(
    target: str, execution: JobExecution, products: dict[str, list[str]], previous_id: int | None
) -> None:
    """Store this execution's snapshot; prune the target's older rows but the one it was
    compared with (which stays in force should this execution fail)."""
    ExportedProducts.objects.filter(target=target, execution=execution).delete()
    row = ExportedProducts.objects.create(
        target=target, execution=execution, product_count=len(products), data=encode(products)
    )
    older = ExportedProducts.objects.filter(target=target, id__lt=row.id)
    if previous_id is not None:
        older = older.exclude(id=previous_id)
    older.delete()
