"""Fetch Akeneo pages in a background thread while the step transforms and writes.

    with Prefetch(client.product_pages(search, **query)) as pages:
        for page in pages:
            ...  # transform and write; the next pages are already on their way

Waiting for Akeneo (the server's time and the network) then overlaps the step's own work, so
an import runs at the pace of the slower of the two instead of their sum. The queue holds at
most `depth` pages: memory stays that of a few pages whatever the size of the catalog. An error
in the fetching thread (Akeneo unreachable, invalid JSON) is raised in the consuming thread, at
the page where it happened; leaving the block early (Stop, a failure) stops the thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
DEPTH = 4  # pages fetched ahead: enough to ride out a slow page, a few hundred KB in memory
_END = object()
_POLL = 0.1  # seconds between checks of the stop flag while the queue is full


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


class Prefetch(Generic[T]):
    def __init__(self, source: Iterable[T], depth: int = DEPTH):
        self._source = source
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fetch, name="akeneo-prefetch", daemon=True)

    def __enter__(self) -> Iterator[T]:
        self._thread.start()
        return self._items()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _items(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item

    def _fetch(self) -> None:
        iterator = iter(self._source)
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


class Interleave(Generic[T]):
    """Several sources, each fetched in its own `Prefetch` thread, read in turn: the first item
    of each, then the second of each, and so on, skipping a source once it has ended.

        with Interleave([client.product_pages(a), client.product_pages(b)]) as pages:
            for page in pages:
                ...

    The order depends on the sources alone, never on which thread answered first. Memory is
    `depth` items a source. The first failure of any source is raised at its turn; leaving the
    block (a failure, Stop) stops every thread."""

    def __init__(self, sources: Iterable[Iterable[T]], depth: int = DEPTH):
        self._prefetches = [Prefetch(source, depth) for source in sources]

    def __enter__(self) -> Iterator[T]:
        try:
            readers = [prefetch.__enter__() for prefetch in self._prefetches]
        except BaseException:
            self.__exit__()
            raise
        return self._items(readers)

    def __exit__(self, *exc) -> None:
        for prefetch in self._prefetches:
            prefetch._stop.set()
        for prefetch in self._prefetches:
            if prefetch._thread.is_alive() or prefetch._thread.ident is not None:
                prefetch.__exit__()

    @staticmethod
    def _items(readers: list[Iterator[T]]) -> Iterator[T]:
        while readers:
            for reader in list(readers):
                try:
                    yield next(reader)
                except StopIteration:
                    readers.remove(reader)
