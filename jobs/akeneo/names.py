"""Associated products named by identifier on products-uuid servers (Akeneo 7, SaaS), for all
the listings of a client at once.

    names = UuidNames(search)  # search(uuids) → (uuid, identifier) of the products found
    names.remember(product["uuid"], product["identifier"])  # each product a listing reads
    for page in names.named(pages):  # in each fetching stream
        ...  # associations name products by identifier

Akeneo 7 names associated products by uuid, and SFCC's links and recommendations need their
identifiers. A uuid is named from the products already read (a bounded cache, uuid →
identifier), the others by `uuid IN` searches of a hundred. The uuids still unknown are pooled
over every stream of the client: a page is handed on at once with the records it can name, and
the few others (a product or two a page in a catalog read in `updated` order) wait until a
hundred uuids are pending, whosever they are; the stream whose page makes the hundred searches
them for all. Held back whole, four pages a stream (1.8 MB each) waited for searches of 50-80
uuids; a pool per stream searched five times as often. A stream holds at most `held` records:
past that it has its oldest ones' uuids searched at once, or waits for the search another
stream is making of them. A uuid no product answers for is remembered as such (it stays a uuid)
and is not asked again. Records that wait come after those read later: a listing's order is
not kept (the concurrent listings do not keep it either).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.akeneo.client import Page

# Uuids remembered, named or known to name no product: the products read most recently, which
# name most links of a catalog whose related products were edited together. Each entry keeps
# its product's uuid and identifier strings alive among the pages' garbage, pinning allocator
# pools: 50,000 entries cost 14 MB of peak RSS at 250,000 products (177 → 163 MB at 5,000) and
# made the peak grow until the cache was full; a uuid it misses costs a hundredth of a search.
CACHE_SIZE = 10_000
BATCH = 100  # uuids a search asks for: Akeneo's page size, so one call answers it
HELD = 100  # records a stream holds back while the pool gathers their uuids: a page's worth

Search = Callable[[list[str]], Iterable[tuple[str, str]]]


class _Held:
    """A stream's records waiting for uuids: parts of pages, oldest first, with their uuids."""

    def __init__(self) -> None:
        self.parts: deque[tuple[Page, list[str]]] = deque()
        self.records = 0


class UuidNames:
    def __init__(self, search: Search, *, cache_size: int = CACHE_SIZE, batch: int = BATCH, held: int = HELD):
        self._search = search
        self._cache_size, self._batch, self._held = cache_size, batch, held
        self._names: OrderedDict[str, str | None] = OrderedDict()  # None: no product answered
        self._pending: dict[str, None] = {}  # unknown, awaited by a held record, oldest first
        self._searching: set[str] = set()
        self._changed = threading.Condition()

    def remember(self, uuid: str, identifier: str) -> None:
        with self._changed:
            self._put(uuid, identifier)

    def unknown(self, records: Iterable[dict]) -> list[str]:
        """The associated uuids the cache does not name, once each, in the records' order."""
        with self._changed:
            return list(
                dict.fromkeys(u for r in records for u in associated_uuids(r) if u not in self._names)
            )

    def rename(self, records: Iterable[dict]) -> None:
        """Each associated uuid the cache names becomes the identifier; the others stay."""
        with self._changed:
            self._rename(records)

    def settle(self, wanted: Iterable[str]) -> None:
        """Until every uuid of `wanted` is named or known to name nothing: searches those no
        stream is searching (with pending ones, to fill the batch), waits for the others."""
        wanted = list(wanted)
        while True:
            with self._changed:
                left = [u for u in wanted if u not in self._names]
                if not left:
                    return
                mine = [u for u in left if u not in self._searching]
                if not mine:
                    self._changed.wait()
                    continue
                batch = self._claim(mine)
            self._resolve(batch)

    def named(self, pages: Iterable[Page]) -> Iterator[Page]:
        """`pages` (already remembered) with their associated products named. Each page is
        handed on at once with the records it can name; a record with a uuid still unknown
        follows later, in a page of its own (same `number`) once the uuid is settled."""
        held = _Held()
        for page in pages:
            late, unknown = self._split(page)
            yield page
            if late:
                held.parts.append((replace(page, items=late, items_count=None, next_url=None), unknown))
                held.records += len(late)
                with self._changed:
                    self._pending.update(
                        (u, None) for u in unknown if u not in self._names and u not in self._searching
                    )
                    batch = self._claim(()) if len(self._pending) >= self._batch else []
                if batch:
                    self._resolve(batch)
            yield from self._ready(held)
            while held.records > self._held:
                self.settle(held.parts[0][1])
                yield from self._ready(held)
        while held.parts:
            self.settle(held.parts[0][1])
            yield from self._ready(held)

    def _split(self, page: Page) -> tuple[list[dict], list[str]]:
        """Leaves in `page` the items it can name now (named), and returns the records that
        wait and the uuids they wait for."""
        ready, late, unknown = [], [], {}
        with self._changed:
            for item in page.items:
                waits = False
                if isinstance(item, dict):
                    for uuid in associated_uuids(item):
                        if uuid not in self._names:
                            unknown[uuid] = None
                            waits = True
                if waits:
                    late.append(item)
                else:
                    if isinstance(item, dict):
                        rename_associated_uuids(item, self._names)
                    ready.append(item)
        page.items = ready
        return late, list(unknown)

    def _ready(self, held: _Held) -> Iterator[Page]:
        """The held records whose uuids are all settled, from the oldest, named."""
        while held.parts:
            part, unknown = held.parts[0]
            with self._changed:
                if any(u not in self._names for u in unknown):
                    return
                self._rename(part.items)
            held.parts.popleft()
            held.records -= len(part.items)
            yield part

    def _claim(self, first: Iterable[str]) -> list[str]:
        """Up to a batch of uuids to search, `first` first, then the oldest pending (lock held)."""
        batch = list(dict.fromkeys(first))[: self._batch]
        chosen = set(batch)
        for uuid in self._pending:
            if len(batch) >= self._batch:
                break
            if uuid not in chosen:
                batch.append(uuid)
        for uuid in batch:
            self._pending.pop(uuid, None)
        self._searching.update(batch)
        return batch

    def _resolve(self, batch: list[str]) -> None:
        """Search `batch`; its uuids are then named or known to name nothing. A failed search
        settles none of them: a stream that waits for them searches them again (and its error,
        raised here, ends this stream)."""
        found: dict[str, str] | None = None
        try:
            found = dict(self._search(batch))
        finally:
            with self._changed:
                self._searching.difference_update(batch)
                if found is not None:
                    for uuid in batch:
                        self._put(uuid, found.get(uuid))
                self._changed.notify_all()

    def _put(self, uuid: str, identifier: str | None) -> None:
        self._pending.pop(uuid, None)  # named meanwhile, by a product a stream read
        self._names[uuid] = identifier
        self._names.move_to_end(uuid)
        if len(self._names) > self._cache_size:
            self._names.popitem(last=False)

    def _rename(self, records: Iterable[dict]) -> None:
        for record in records:
            rename_associated_uuids(record, self._names)


def _linked(product: dict, field: str) -> Iterator[dict]:
    """Each association type's `{products, …}` object; anything else is the transform's to report."""
    associations = product.get(field)
    if isinstance(associations, dict):
        yield from (links for links in associations.values() if isinstance(links, dict))


def _refs(links: dict) -> list:
    refs = links.get("products")
    return refs if isinstance(refs, list) else []


def associated_uuids(product: dict) -> Iterator[str]:
    for links in _linked(product, "associations"):
        for ref in _refs(links):
            if _looks_like_uuid(ref):
                yield ref
    for links in _linked(product, "quantified_associations"):
        for ref in _refs(links):
            if isinstance(ref, dict) and isinstance(ref.get("uuid"), str) and "identifier" not in ref:
                yield ref["uuid"]


def rename_associated_uuids(product: dict, names: Mapping[str, str | None]) -> None:
    for links in _linked(product, "associations"):
        if _refs(links):
            links["products"] = [
                (names.get(ref) or ref) if isinstance(ref, str) else ref for ref in links["products"]
            ]
    for links in _linked(product, "quantified_associations"):
        for ref in _refs(links):
            if isinstance(ref, dict) and isinstance(ref.get("uuid"), str) and "identifier" not in ref:
                ref["identifier"] = names.get(ref["uuid"]) or ref["uuid"]


def _looks_like_uuid(value) -> bool:
    return isinstance(value, str) and len(value) == 36 and value.count("-") == 4
