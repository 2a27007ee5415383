"""One transport shared by concurrent fetch streams: one `Retry-After` holds every thread back,
a 429 with several calls in flight lowers the limit of calls at once, one re-login serves every
thread refused the same token, and never more calls are in flight than allowed."""

from __future__ import annotations

import threading

from jobs.akeneo.transport import CallSlots
from tests.akeneo.conftest import make_client


def in_thread(target) -> None:
    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_it_holds_every_thread_back_until_a_429s_retry_after_has_passed(server, recorder):
    client = make_client(server, recorder, concurrency=4)
    client.transport.login()
    server.faults.set(storm_429=1, retry_after=3)
    assert client.get("/api/rest/v1/channels")  # 429, waited out, then answered
    assert recorder.sleeps == [3.0]
    recorder.now += 1  # one second later another stream calls: it waits the two seconds left
    in_thread(lambda: client.get("/api/rest/v1/channels"))
    assert recorder.sleeps == [3.0, 2.0]
    client.get("/api/rest/v1/channels")  # the thread that waited does not wait again
    in_thread(lambda: client.get("/api/rest/v1/channels"))  # nor does one after the moment passed
    recorder.now += 5
    in_thread(lambda: client.get("/api/rest/v1/channels"))
    assert recorder.sleeps == [3.0, 2.0, 2.0]


def test_it_lowers_the_calls_at_once_after_a_429_and_never_below_one():
    slots = CallSlots(4)
    assert slots.lower(4) == 3 and slots.limit == 3
    assert slots.lower(4) is None  # an older answer says no less than what is already lowered
    assert slots.lower(2) == 1 and slots.lower(1) is None and slots.limit == 1


def test_it_never_has_more_calls_in_flight_than_its_limit(server, recorder):
    client = make_client(server, recorder, concurrency=2)
    client.transport.login()
    server.faults.set(latency=0.02)
    threads = [threading.Thread(target=lambda: list(client.products())) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert server.statistics()["peak_in_flight"] <= 2
    assert client.transport.slots.in_use == 0


def test_it_logs_in_once_for_every_thread_refused_the_same_token(server, recorder):
    client = make_client(server, recorder, concurrency=4)
    client.transport.login()
    refused = client.transport.access_token()
    server.expire_tokens()
    logins = server.tokens.grants["password"]
    client.transport._relogin_after_401(refused)
    client.transport._relogin_after_401(refused)  # a second thread, refused the same old token
    assert server.tokens.grants["password"] == logins + 1
    assert client.transport.access_token() != refused
