"""The uuids of associated products that no page has named are pooled over every stream of a
client: one `uuid IN` search per hundred, whoever's pages they are on, and only the records
that wait for one are held back (`jobs.akeneo.names`)."""

from __future__ import annotations

import threading
import uuid

import pytest

from jobs.akeneo.client import Page
from jobs.akeneo.names import UuidNames


def _uuid(number: int) -> str:
    return str(uuid.UUID(int=number + 1))


def _page(number: int, targets: list[int], *, plain: int = 0) -> Page:
    """A product associated with `targets`, `plain` products associated with none, and an item
    that is no record (for the transform to report)."""
    product = {"code": number, "associations": {"X_SELL": {"products": [_uuid(t) for t in targets]}}}
    return Page(items=[product, *({"code": -1} for _ in range(plain)), "not a record"], number=number)


class Pim:
    """Names the uuids of products 0–9,999; records each search."""

    def __init__(self, fail_first: bool = False, gate: threading.Event | None = None):
        self.searches: list[list[str]] = []
        self.fail_first, self.gate = fail_first, gate

    def search(self, uuids: list[str]):
        self.searches.append(list(uuids))
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.fail_first and len(self.searches) == 1:
            raise ConnectionError("Akeneo unreachable")
        return [(u, f"sku-{uuid.UUID(u).int - 1}") for u in uuids if uuid.UUID(u).int <= 10_000]


def _names(page: Page) -> list[str]:
    return _products(page)[0]["associations"]["X_SELL"]["products"]


def _products(*parts: Page) -> list[dict]:
    """The associated products handed on, in their order."""
    return [
        item for part in parts for item in part.items if isinstance(item, dict) and "associations" in item
    ]


class Turns:
    """Streams reading their pages in turn (s0 p0, s1 p0, … s3 p0, s0 p1, …), each in its own
    thread as concurrent streams read a PIM, and each done with its page (named, or held and
    its uuids pooled) before the next stream reads: the order of the pool is the test's."""

    def __init__(self, streams: int):
        self.streams, self.read = streams, 0
        self.changed = threading.Condition()

    def source(self, stream: int, pages: list[Page]):
        for number, page in enumerate(pages):
            with self.changed:
                turn = number * self.streams + stream
                assert self.changed.wait_for(lambda turn=turn: self.read == turn, timeout=10)
            yield page  # the stream asks for its next page once done with this one
            with self.changed:
                self.read += 1
                self.changed.notify_all()


def test_the_uuids_of_several_streams_are_searched_together_a_hundred_at_a_time():
    pim = Pim()
    names = UuidNames(pim.search)
    streams, pages, per_page = 4, 10, 10
    turns = Turns(streams)
    handed: dict[int, list[Page]] = {}

    def uuids(stream: int, page: int) -> list[int]:
        first = (stream * pages + page) * per_page
        return list(range(first, first + per_page))

    def stream(s: int) -> None:
        handed[s] = list(names.named(turns.source(s, [_page(p, uuids(s, p)) for p in range(pages)])))

    threads = [threading.Thread(target=stream, args=(s,)) for s in range(streams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    asked = [u for search in pim.searches for u in search]
    assert sorted(asked) == sorted(_uuid(n) for n in range(streams * pages * per_page))  # each once
    in_turn = [_uuid(n) for p in range(pages) for s in range(streams) for n in uuids(s, p)]
    # a search each time a hundred are pending, from the pages of all four streams …
    assert pim.searches[:3] == [in_turn[:100], in_turn[100:200], in_turn[200:300]]
    # … and at most one a stream for what is pending as it ends; a pool per stream would
    # search 12 times (40 + 40 + 20 uuids a stream)
    assert len(pim.searches) <= 3 + streams
    assert all(len(search) <= 100 for search in pim.searches)
    for s in range(streams):
        products = _products(*handed[s])
        assert sorted(p["code"] for p in products) == list(range(pages))  # each once
        assert all(
            name.startswith("sku-") for p in products for name in p["associations"]["X_SELL"]["products"]
        )
        assert sum(part.items.count("not a record") for part in handed[s]) == pages


def test_a_page_is_handed_on_at_once_without_the_records_that_wait_for_a_search():
    pim = Pim()
    names = UuidNames(pim.search)
    names.remember(_uuid(1), "one")
    stream = names.named([_page(0, [1], plain=2), _page(1, [2], plain=3)])
    first = next(stream)  # named from what was read: nothing waits
    assert _names(first) == ["one"] and len(first.items) == 4
    second = next(stream)  # its associated product waits for uuid 2; the rest goes on
    assert second.number == 1 and _products(second) == [] and len(second.items) == 4
    late = list(stream)
    assert [part.number for part in late] == [1] and _names(late[0]) == ["sku-2"]
    assert pim.searches == [[_uuid(2)]]


def test_a_stream_holds_at_most_its_limit_of_records_then_has_their_uuids_searched():
    pim = Pim()
    names = UuidNames(pim.search, held=2)
    pages = [_page(p, [p], plain=5) for p in range(6)]  # the pool never reaches a hundred
    waiting, handed = 0, []
    for part in names.named(pages):
        handed.append(part)
        read = max(p.number for p in handed) + 1
        waiting = read - len(_products(*handed))
        assert waiting <= 3  # the limit, and the record that went past it
    assert sorted(p["code"] for p in _products(*handed)) == list(range(6))
    assert [len(s) for s in pim.searches] == [3, 3]


def test_a_uuid_no_product_answers_for_stays_as_it_is_and_is_asked_once():
    pim = Pim()
    names = UuidNames(pim.search, held=1)
    absent = 20_000
    first, second = (
        _products(*names.named([_page(0, [absent, 1])])),
        _products(*names.named([_page(1, [absent])])),
    )
    assert first[0]["associations"]["X_SELL"]["products"] == [_uuid(absent), "sku-1"]
    assert second[0]["associations"]["X_SELL"]["products"] == [_uuid(absent)]
    assert pim.searches == [[_uuid(absent), _uuid(1)]]  # in the order the page names them


def test_remembered_products_are_named_without_a_search():
    pim = Pim()
    names = UuidNames(pim.search)
    names.remember(_uuid(7), "seven")
    assert _names(next(names.named([_page(0, [7])]))) == ["seven"]  # in the page itself
    assert pim.searches == []


def test_a_failed_search_ends_its_stream_and_another_stream_searches_its_uuids_again():
    pim = Pim(fail_first=True)
    names = UuidNames(pim.search, held=1)
    with pytest.raises(ConnectionError):
        list(names.named([_page(0, [3])]))
    assert _names(list(names.named([_page(1, [3])]))[-1]) == ["sku-3"]
    assert pim.searches == [[_uuid(3)], [_uuid(3)]]


def test_a_stream_waits_for_the_search_another_stream_is_making_of_its_uuids():
    gate = threading.Event()
    pim = Pim(gate=gate)
    names = UuidNames(pim.search, held=1)
    handed: dict[str, list[Page]] = {}

    def stream(name: str, number: int) -> None:
        handed[name] = list(names.named([_page(number, [5])]))

    first = threading.Thread(target=stream, args=("first", 0))
    first.start()
    _until(lambda: len(pim.searches) == 1)
    second = threading.Thread(target=stream, args=("second", 1))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting: the uuid is being searched by the first stream
    gate.set()
    first.join(10)
    second.join(10)
    assert len(pim.searches) == 1
    named = [
        p["associations"]["X_SELL"]["products"]
        for name in ("first", "second")
        for p in _products(*handed[name])
    ]
    assert named == [["sku-5"], ["sku-5"]]


def _until(condition, tries: int = 200) -> None:
    event = threading.Event()
    for _ in range(tries):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition never met")


def test_a_pending_uuid_a_stream_reads_meanwhile_is_not_searched():
    pim = Pim()
    names = UuidNames(pim.search, batch=3, held=10)

    def source():
        yield _page(0, [1, 2])  # held: its two uuids pending
        names.remember(_uuid(2), "two")  # another stream reads product 2 meanwhile
        yield _page(1, [3])  # two pending, not yet three
        yield _page(2, [4])

    handed = _products(*names.named(source()))
    assert [p["associations"]["X_SELL"]["products"] for p in handed] == [
        ["sku-1", "two"],
        ["sku-3"],
        ["sku-4"],
    ]
    assert pim.searches == [[_uuid(1), _uuid(3), _uuid(4)]]
