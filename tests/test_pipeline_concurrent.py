"""`Concurrent`, the few threads job 2 downloads media on: every item once, results in the order
the calls finished, a failing or slow call holding no other, a bounded window, and a Stop
noticed while every thread is busy. No timing is asserted; every wait is bounded."""

import threading

import pytest

from jobs.pipeline.concurrent import Concurrent

WAIT = 10  # seconds: the bound of every wait below, never reached when the code is right


def run_all(calls, items):
    handed = []
    for item in items:
        handed += calls.submit(item)
    handed += list(calls.drain())
    return handed


def test_it_hands_back_every_item_once_with_its_result():
    threads = set()

    def square(n):
        threads.add(threading.current_thread().name)
        return n * n

    with Concurrent(square, workers=4, name="sq") as calls:
        handed = run_all(calls, range(200))
    assert sorted(d.item for d in handed) == list(range(200))
    assert all(d.result == d.item * d.item and d.error is None for d in handed)
    assert threads and all(name.startswith("sq") for name in threads) and len(threads) <= 4


def test_it_hands_back_a_failure_and_goes_on_with_the_others():
    def call(n):
        if n == 3:
            raise LookupError("no such file")
        return n

    with Concurrent(call, workers=4) as calls:
        handed = run_all(calls, range(10))
    failed = [d for d in handed if d.error is not None]
    assert [(d.item, str(d.error)) for d in failed] == [(3, "no such file")]
    assert sorted(d.item for d in handed if d.error is None) == [n for n in range(10) if n != 3]


def test_a_slow_call_holds_no_other_and_comes_back_last():
    others_done = threading.Event()
    finished = []
    lock = threading.Lock()

    def call(n):
        if n == 0:  # the first submitted waits until every other call has finished
            assert others_done.wait(WAIT)
            return n
        with lock:
            finished.append(n)
            if len(finished) == 19:
                others_done.set()
        return n

    with Concurrent(call, workers=4) as calls:
        handed = run_all(calls, range(20))
    assert [d.item for d in handed][-1] == 0
    assert sorted(d.item for d in handed) == list(range(20))


class Stopped(Exception):
    pass


def test_it_keeps_at_most_a_window_out_and_notices_a_stop_while_every_thread_is_busy():
    release, started = threading.Event(), []
    checks = []

    def blocked(n):
        started.append(n)
        assert release.wait(WAIT)
        return n

    def check():
        checks.append(len(started))
        # The running calls end a little after the block is left, once the queue is dropped.
        threading.Timer(0.5, release.set).start()
        raise Stopped

    calls = Concurrent(blocked, workers=2, check=check)
    try:
        with pytest.raises(Stopped), calls:
            for n in range(calls.window):  # fills the window: nothing waits yet
                assert calls.submit(n) == []
            calls.submit(calls.window)  # the window is full: waits, checks, is stopped
    finally:
        release.set()
    assert len(checks) == 1 and checks[0] <= 2
    assert len(started) == 2  # the queued calls were dropped, not started, when the block was left
