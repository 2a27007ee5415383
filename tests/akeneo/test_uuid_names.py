"""The uuids of associated products that no page has named are pooled over every stream of a
client: one `uuid IN` search per hundred, whoever's pages they are on (`jobs.akeneo.names`)."""

from __future__ import annotations

import threading
import uuid

import pytest

from jobs.akeneo.client import Page
from jobs.akeneo.names import UuidNames


def _uuid(number: int) -> str:
    return str(uuid.UUID(int=number + 1))


def _page(number: int, targets: list[int]) -> Page:
    product = {"associations": {"X_SELL": {"products": [_uuid(t) for t in targets]}}}
    return Page(items=[product, "not a record"], number=number)


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
    return page.items[0]["associations"]["X_SELL"]["products"]


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
        assert [page.number for page in handed[s]] == list(range(pages))
        for page in handed[s]:
            assert all(name.startswith("sku-") for name in _names(page))
            assert page.items[1] == "not a record"


def test_a_stream_holds_at_most_its_limit_then_has_its_own_uuids_searched():
    pim = Pim()
    names = UuidNames(pim.search, held=2)
    pages = [_page(p, [p]) for p in range(6)]  # one uuid a page: the pool never reaches a hundred
    read: list[int] = []

    def source():
        for page in pages:
            read.append(page.number)
            yield page

    for page in names.named(source()):
        assert len(read) <= page.number + 2  # this page and the one held behind it
        assert _names(page) == [f"sku-{page.number}"]
    assert [len(s) for s in pim.searches] == [2, 2, 2]


def test_a_uuid_no_product_answers_for_stays_as_it_is_and_is_asked_once():
    pim = Pim()
    names = UuidNames(pim.search, held=1)
    absent = 20_000
    first, second = list(names.named([_page(0, [absent, 1])])), list(names.named([_page(1, [absent])]))
    assert _names(first[0]) == [_uuid(absent), "sku-1"]
    assert _names(second[0]) == [_uuid(absent)]
    assert pim.searches == [[_uuid(absent), _uuid(1)]]  # in the order the page names them


def test_remembered_products_are_named_without_a_search():
    pim = Pim()
    names = UuidNames(pim.search)
    names.remember(_uuid(7), "seven")
    assert _names(next(names.named([_page(0, [7])]))) == ["seven"]
    assert pim.searches == []


def test_a_failed_search_ends_its_stream_and_another_stream_searches_its_uuids_again():
    pim = Pim(fail_first=True)
    names = UuidNames(pim.search, held=1)
    with pytest.raises(ConnectionError):
        list(names.named([_page(0, [3])]))
    assert _names(next(names.named([_page(1, [3])]))) == ["sku-3"]
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
    assert [_names(p) for name in ("first", "second") for p in handed[name]] == [["sku-5"], ["sku-5"]]


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

    handed = list(names.named(source()))
    assert [_names(p) for p in handed] == [["sku-1", "two"], ["sku-3"], ["sku-4"]]
    assert pim.searches == [[_uuid(1), _uuid(3), _uuid(4)]]
