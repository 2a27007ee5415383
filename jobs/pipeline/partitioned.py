"""Products and product models of a full import, fetched over several concurrent streams.

    with listing(client, PRODUCTS, search, query=..., streams=4, until=started, workdir=..., log=...) as pages:
        for page in pages:
            ...  # every record of the listing exactly once, one page at a time

The listing is split into `updated` ranges of about equal size (`jobs.akeneo.ranges`: why the
split is exact, and how a record changed during the import is handled), one stream per range,
each a thread that pages with `search_after` ahead of the consumer into one bounded queue
(`Interleave`): memory holds a few pages per stream whatever the catalog. The consumer takes the
pages as they arrive (their order, and so the order of products in the catalog file, varies
from run to run; each product is there once) and writes the key of each record it hands on to a
file in the execution's folder; once every range has ended, the records changed since the
import started are read and those whose key is in that file are left out. One stream (or a
catalog too small to split) is today's single listing, unfiltered.

The streams share the client, so one token, one limit of calls in flight and one `Retry-After`
(`jobs.akeneo.transport`). A stream that fails (Akeneo unreachable, invalid JSON) raises in the
consumer: the step fails, the execution ends ERROR, the watermark stays.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from jobs.akeneo.client import API, AkeneoClient, ListQuery, Page
from jobs.akeneo.ranges import UpdatedRange, catch_up, plan
from jobs.akeneo.transport import json_loads
from jobs.pipeline.prefetch import Interleave, Prefetch

BATCH = 2_000  # late records checked against the exported keys at a time
# Pages queued ahead per stream (a single listing queues `prefetch.DEPTH`), in one queue the
# streams share. A decoded page of 100 products is about 1.8 MB (a stream also holds back the
# few records whose associated products are being named, `jobs.akeneo.names`): one a stream keeps four
# pages queued, 180 ms of the consumer's work, where a page takes a stream 30-40 ms at zero
# latency and the streams, not the consumer, are the bound at Akeneo's (peak RSS of 250,000
# products: 193 MB against 207 MB at two a stream).
STREAM_DEPTH = 1


@dataclass(frozen=True)
class Kind:
    name: str  # for the log
    key: Callable[[dict], str | None]  # what names a record once, whatever its version

    def path(self, client: AkeneoClient) -> str:
        return client.products_path if self.name == "products" else f"{API}/product-models"

    def pages(self, client: AkeneoClient, search: dict | None, query: dict) -> Iterator[Page]:
        fetch = client.product_pages if self.name == "products" else client.product_model_pages
        return fetch(search, **query)


def _product_key(record: dict) -> str | None:
    key = record.get("uuid") or record.get("identifier")
    return key if isinstance(key, str) else None


def _model_key(record: dict) -> str | None:
    code = record.get("code")
    return code.lower() if isinstance(code, str) else None


PRODUCTS = Kind("products", _product_key)
PRODUCT_MODELS = Kind("product models", _model_key)


@dataclass(frozen=True)
class Plan:
    """How a listing is read: its ranges (one: a single unfiltered listing) and their count."""

    ranges: list[UpdatedRange]
    total: int


def plan_listing(
    client: AkeneoClient, kind: Kind, search: dict | None, *, streams: int, until: datetime
) -> Plan:
    """The ranges of a listing, found by counting (`jobs.akeneo.ranges.plan`): a few rounds of
    calls, which a step can make while it reads the catalog's structure."""
    path = kind.path(client)

    def count_before(moment: datetime) -> int:
        return client.count(path, ListQuery(search=UpdatedRange(None, moment).search(search)).params())

    ranges, total = plan(count_before, until=_utc(until), streams=streams, page_size=client.page_size)
    return Plan(ranges, total)


@contextmanager
def listing(
    client: AkeneoClient,
    kind: Kind,
    search: dict | None,
    *,
    query: dict,
    streams: int,
    until: datetime,
    workdir: Path,
    log: Callable[[str], None],
    planned: Plan | None = None,
) -> Iterator[Iterator[Page]]:
    """The listing's pages; `planned`: its ranges, found beforehand by `plan_listing` with the
    same `search`, `streams` and `until`."""
    until = _utc(until)
    if planned is None:
        planned = plan_listing(client, kind, search, streams=streams, until=until)
    ranges, total = planned.ranges, planned.total
    if len(ranges) == 1:
        with Prefetch(kind.pages(client, search, {**query, "with_count": True})) as pages:
            yield pages
        return
    log(f"{total:,} {kind.name} in {len(ranges)} ranges of `updated`, fetched at once: "
        + "; ".join(str(r) for r in ranges))  # fmt: skip
    with _Keys(workdir) as keys:
        pages = _read(client, kind, search, query, ranges, total, until, keys)
        try:
            yield pages
        finally:
            pages.close()  # a consumer that stops early (Stop, a failure) stops every stream now


def _read(
    client, kind: Kind, search, query, ranges: list[UpdatedRange], total: int, until, keys
) -> Iterator[Page]:
    first = True
    sources = [_kept(kind.pages(client, r.search(search), query), r) for r in ranges]
    with Interleave(sources, depth=STREAM_DEPTH) as pages:
        for page in pages:
            if first:
                page.items_count, first = total, False
            keys.add(kind.key(item) for item in page.items if isinstance(item, dict))
            yield page
    late = catch_up(until)
    with Prefetch(_kept(kind.pages(client, late.search(search), query), late)) as pages:
        batch: list[Page] = []
        for page in pages:
            batch.append(page)
            if sum(len(p.items) for p in batch) >= BATCH:
                yield from keys.unseen(batch, kind.key)
                batch = []
        yield from keys.unseen(batch, kind.key)


def _kept(pages: Iterable[Page], kept: UpdatedRange) -> Iterator[Page]:
    """The records of each page that belong to the range (in the fetching thread)."""
    for page in pages:
        page.items = [item for item in page.items if kept.holds(item)]
        page.items_count = None
        yield page


class _Keys:
    """The keys of the records handed on, one JSON string a line in a temporary file: the
    disk, not memory, grows with the catalog."""

    def __init__(self, directory: Path):
        self._file = tempfile.TemporaryFile(dir=directory, prefix=".exported-keys-")  # noqa: SIM115

    def __enter__(self) -> _Keys:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def add(self, keys: Iterable[str | None]) -> None:
        lines = [_line(key) for key in keys if key is not None]
        self._file.write(b"".join(lines))

    def unseen(self, pages: list[Page], key: Callable[[dict], str | None]) -> Iterator[Page]:
        """The pages without the records already handed on (and records them as handed on)."""
        wanted = {k for page in pages for item in page.items if isinstance(item, dict) and (k := key(item))}
        seen: set[str] = set()
        if wanted:
            self._file.seek(0)
            for line in self._file:
                found = json_loads(line)
                if found in wanted:
                    seen.add(found)
            self._file.seek(0, 2)
        for page in pages:
            page.items = [i for i in page.items if not isinstance(i, dict) or key(i) not in seen]
            self.add(key(item) for item in page.items if isinstance(item, dict))
            yield page


def _line(key: str) -> bytes:
    """A key as one JSON line: orjson, or the standard encoder for a lone surrogate (which
    orjson refuses; `json_loads` reads it back with the standard parser)."""
    try:
        return orjson.dumps(key) + b"\n"
    except orjson.JSONEncodeError:
        return json.dumps(key).encode() + b"\n"


def _utc(moment: datetime) -> datetime:
    """Naive UTC to the second, as `ranges` counts."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)
