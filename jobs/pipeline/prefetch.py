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
