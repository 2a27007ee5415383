"""One call per item on a few threads, each result handed back to the caller as it finishes.

    with Concurrent(download, workers=4, check=ctx.check_abort) as calls:
        for item in items:
            for done in calls.submit(item):  # waits while the window is full
                handle(done)  # done.item, done.result, done.error
        for done in calls.drain():
            handle(done)

Only the call runs on the threads; the caller's thread handles every result (counters, data
errors, database rows), so those stay exact without locks of their own. At most `window`
items (twice the threads) are out at once: memory stays flat whatever the number of items,
and a slow call holds one thread while the others go on. Results come back in the order the
calls finished, however late the caller looks at them. `check` runs
every `POLL` seconds while the caller waits, so a Stop is noticed even when every thread is
busy. Leaving the block (Stop, a failure) drops the calls not yet started and waits for the
running ones, each bounded by its own timeouts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
POLL = 0.2  # seconds between `check` calls while waiting for a call to finish


@dataclass(frozen=True, slots=True)
class Done(Generic[T, R]):
    item: T
    result: R | None = None
    error: BaseException | None = None  # what the call raised, for the caller to judge


def _no_check() -> None:
    return None


class Concurrent(Generic[T, R]):
    def __init__(
        self,
        call: Callable[[T], R],
        *,
        workers: int,
        check: Callable[[], None] = _no_check,
        name: str = "concurrent",
    ):
        self.workers = max(1, workers)
        self.window = 2 * self.workers
        self._call = call
        self._check = check
        self._name = name
        self._pool: ThreadPoolExecutor | None = None
        self._out: dict[Future, T] = {}  # submitted, not yet handed back
        self._ends = itertools.count()  # numbers the calls as they finish (atomic under the GIL)

    def __enter__(self) -> Concurrent[T, R]:
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=self._name)
        return self

    def __exit__(self, *exc) -> None:
        assert self._pool is not None
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._out.clear()

    def submit(self, item: T) -> list[Done[T, R]]:
        """Queue one call; returns the calls that have finished meanwhile (waiting for one
        first when `window` are out)."""
        assert self._pool is not None, "use Concurrent in a with block"
        finished = self._wait_one() if len(self._out) >= self.window else []
        self._out[self._pool.submit(self._numbered, item)] = item
        return finished + self._collect([f for f in self._out if f.done()])

    def drain(self) -> Iterator[Done[T, R]]:
        """Every call still out, as each finishes."""
        while self._out:
            yield from self._wait_one()

    def _wait_one(self) -> list[Done[T, R]]:
        while True:
            finished, _ = wait(list(self._out), timeout=POLL, return_when=FIRST_COMPLETED)
            if finished:
                return self._collect(finished)
            self._check()

    def _numbered(self, item: T) -> tuple[int, R | None, BaseException | None]:
        try:
            result = self._call(item)
        except Exception as error:  # handed to the caller, judged there
            return next(self._ends), None, error
        return next(self._ends), result, None

    def _collect(self, futures) -> list[Done[T, R]]:
        ended = sorted((future.result(), self._out.pop(future)) for future in futures)
        return [Done(item, result, error) for (_, result, error), item in ended]
