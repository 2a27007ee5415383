"""`Prefetch` and `Interleave`: sources paged ahead in threads, every item once, each source's
items in their order, a late source holding no other, a failure raised in the consumer, the
queue bounded, and every thread stopped when the consumer leaves. No timing is asserted; every
wait is bounded."""

import threading

import pytest

from jobs.pipeline.prefetch import Interleave, Prefetch

WAIT = 10  # seconds: the bound of every wait below, never reached when the code is right


def test_it_hands_on_every_item_of_every_source_once_each_source_in_its_order():
    sources = [[(s, i) for i in range(50)] for s in range(4)]
    with Interleave(sources, depth=2) as items:
        got = list(items)
    assert sorted(got) == sorted(item for source in sources for item in source)
    for s in range(4):
        assert [i for source, i in got if source == s] == list(range(50))


def test_a_late_source_holds_no_other():
    release = threading.Event()

    def late():
        assert release.wait(WAIT)  # its first item comes only once the other source is read
        yield "late"

    fast = [f"fast-{i}" for i in range(20)]
    got = []
    with Interleave([late(), fast], depth=2) as items:
        for item in items:
            got.append(item)
            if item == fast[-1]:
                release.set()
    assert got == [*fast, "late"]


def test_a_failing_source_raises_in_the_consumer_and_every_thread_stops():
    def failing():
        yield 1
        raise LookupError("Akeneo answered invalid JSON")

    endless = iter(range(10**9))  # stopped by the consumer leaving, not by its end
    with pytest.raises(LookupError, match="invalid JSON"), Interleave([failing(), endless], depth=2) as items:
        for _ in items:
            pass
    assert not [t for t in threading.enumerate() if t.name == "akeneo-prefetch"]


def test_the_queue_holds_at_most_depth_items_a_source():
    pulled = []

    def counted(n):
        for i in range(n):
            pulled.append(i)
            yield i

    with Prefetch(counted(100), depth=3) as items:
        assert next(items) == 0
        for _ in range(int(WAIT / 0.01)):  # the thread fills the queue, then waits
            if len(pulled) >= 5:
                break
            threading.Event().wait(0.01)
        threading.Event().wait(0.2)  # room for an unbounded queue to show itself
        # one handed on, three queued, one in the thread's hand waiting for room
        assert len(pulled) == 5
    assert not [t for t in threading.enumerate() if t.name == "akeneo-prefetch"]
