"""Fetch Akeneo pages in background threads while the step transforms and writes.

    with Prefetch(client.product_pages(search, **query)) as pages:
        for page in pages:
            ...  # transform and write; the next pages are already on their way

    with Interleave([client.product_pages(a), client.product_pages(b)]) as pages:
        for page in pages:
            ...  # the pages of both listings, as they arrive

Waiting for Akeneo (the server's time and the network) then overlaps the step's own work, so
an import runs at the pace of the slower of the two instead of their sum. The queue holds at
most `depth` pages a source: memory stays that of a few pages whatever the size of the catalog.
An error in a fetching thread (Akeneo unreachable, invalid JSON) is raised in the consuming
thread, where it arrives; leaving the block early (Stop, a failure) stops every thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
DEPTH = 4  # pages fetched ahead: enough to ride out a slow page, a few MB in memory
_END = object()
_POLL = 0.1  # seconds between checks of the stop flag while the queue is full


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


class Interleave(Generic[T]):
    """Several sources, each fetched in its own thread into one shared queue, handed on in the
    order their items arrive: a source whose next item is late holds no other (read in a fixed
    turn, four streams at Akeneo's latency spent a fifth of their time blocked behind one late
    stream, and the consumer as long waiting for it). Each source's own items keep their order.
    The first failure of any source is raised when it arrives; leaving the block (a failure,
    Stop) stops every thread."""

    def __init__(self, sources: Iterable[Iterable[T]], depth: int = DEPTH):
        self._threads = [
            threading.Thread(target=self._fetch, args=(source,), name="akeneo-prefetch", daemon=True)
            for source in sources
        ]
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth * len(self._threads)))
        self._stop = threading.Event()

    def __enter__(self) -> Iterator[T]:
        try:
            for thread in self._threads:
                thread.start()
        except BaseException:
            self.__exit__()
            raise
        return self._items()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.ident is not None:
                thread.join()

    def _items(self) -> Iterator[T]:
        running = len(self._threads)
        while running:
            item = self._queue.get()
            if item is _END:
                running -= 1
            elif isinstance(item, _Failure):
                raise item.error
            else:
                yield item

    def _fetch(self, source: Iterable[T]) -> None:
        iterator = iter(source)
        try:
            for item in iterator:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as error:  # handed to the consumer, raised there
            self._put(_Failure(error))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def _put(self, item) -> bool:
        """Queue an item, waiting while the queue is full; False once the consumer has left."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False


class Prefetch(Interleave[T]):
    """One source, fetched ahead in its own thread."""

    def __init__(self, source: Iterable[T], depth: int = DEPTH):
        super().__init__([source], depth)
