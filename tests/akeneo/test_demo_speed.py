"""The demo Akeneo behaves as a PIM over a network when asked: latency per call and per item,
media latency and bandwidth (slept, never spent in CPU: the sleeps are recorded here instead),
Akeneo's concurrency limit answered 429 with `Retry-After`, and `updated` dates spread over time."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
import requests

from jobs.akeneo.client import API
from tests.akeneo.conftest import make_client, start_server


@pytest.fixture
def sleeps(server):
    recorded: list[float] = []
    server.sleep = recorded.append
    return recorded


def get(client, path: str, params: dict | None = None) -> requests.Response:
    """The raw answer, with the client's token but without its retries."""
    return client.transport.session.get(
        client.transport.url(path),
        params=params,
        headers={"Authorization": f"Bearer {client.transport.access_token()}"},
    )


def test_it_sleeps_the_latency_of_a_call_plus_each_item(server, sleeps):
    client = make_client(server)
    client.transport.login()
    server.faults.set(latency=0.15, latency_per_item=0.002)
    assert get(client, f"{API}/products", {"limit": 30}).status_code == 200
    assert get(client, f"{API}/channels").status_code == 200
    # Each answer leaves its latency after the request came in: the demo's own work is part of it.
    nominal = [0.15 + 30 * 0.002, 0.15 + 2 * 0.002]
    assert len(sleeps) == 2
    assert all(want - 0.05 < slept <= want for slept, want in zip(sleeps, nominal, strict=True))


def test_it_sleeps_the_media_latency_then_paces_the_bytes(server, small_catalog, sleeps, tmp_path):
    client = make_client(server)
    product = next(p for p in client.products() if "main_image" in p["values"])
    code = product["values"]["main_image"][0]["data"]
    stored = (small_catalog / "media" / code).read_bytes()
    server.faults.set(latency=1.0, media_latency=0.04, media_bandwidth=len(stored) / 2)
    sleeps.clear()
    client.download_media(code, tmp_path / "image.jpg")
    assert (tmp_path / "image.jpg").read_bytes() == stored
    assert 0.02 < sleeps[0] <= 0.04  # the media latency (less the demo's own work), not the API's
    assert sum(sleeps[1:]) == pytest.approx(2.0)  # the size at the bandwidth: two seconds' worth
    assert len(sleeps) > 2  # paced in chunks, not one burst then a wait


def test_it_refuses_a_call_beyond_the_concurrency_limit_with_retry_after(server):
    client = make_client(server)
    client.transport.login()
    server.faults.set(concurrency=2, retry_after=3)
    assert server.faults.enter() and server.faults.enter()  # two calls in flight
    refused = get(client, f"{API}/channels")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3"
    assert refused.json() == {"code": 429, "message": "Too many requests"}
    server.faults.leave()
    assert get(client, f"{API}/channels").status_code == 200  # a slot is free again
    server.faults.leave()
    assert server.statistics()["fault_concurrency"] == 1


def test_it_never_has_more_calls_in_flight_than_the_limit(server):
    client = make_client(server)
    client.transport.login()
    server.faults.set(concurrency=3, latency=0.05)
    statuses: list[int] = []
    start = threading.Barrier(8)

    def call() -> None:
        start.wait(timeout=10)
        statuses.append(get(client, f"{API}/channels").status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(set(statuses)) <= [200, 429] and len(statuses) == 8
    stats = server.statistics()
    assert 1 <= stats["peak_in_flight"] <= 3
    assert stats.get("fault_concurrency", 0) == statuses.count(429)
    assert server.faults.in_flight == 0  # every slot given back


def test_it_sets_the_speed_knobs_over_http_and_names_a_bad_one(server):
    url = f"{server.url}/_demo/faults"
    body = requests.post(
        url, json={"latency": 0.1, "media_bandwidth": 1e6, "concurrency": 4}, timeout=5
    ).json()
    assert (body["latency"], body["media_bandwidth"], body["concurrency"]) == (0.1, 1e6, 4)
    refused = requests.post(url, json={"latency": -1}, timeout=5)
    assert refused.status_code == 400 and "latency" in refused.json()["message"]
    assert requests.delete(url, timeout=5).json()["latency"] == 0.0


def test_it_goes_back_to_its_starting_settings_when_cleared(small_catalog):
    server = start_server(small_catalog, latency=0.2, concurrency=4)
    try:
        server.faults.set(latency=0.0, concurrency=1, fail_503=2)
        cleared = server.faults.clear()
        assert (cleared.latency, cleared.concurrency, cleared.fail_503) == (0.2, 4, 0)
    finally:
        server.stop()


def test_it_spreads_updated_dates_and_filters_on_them(small_catalog):
    server = start_server(small_catalog, updated_spread=90 * 86400)
    try:
        client = make_client(server)
        products = list(client.products())
        stamps = sorted(datetime.fromisoformat(p["updated"]) for p in products)
        created = {p["created"] for p in products}
        assert len(created) == 1 and min(stamps) >= datetime.fromisoformat(created.pop())
        assert len(set(stamps)) > len(products) // 2  # spread, not one moment
        middle = stamps[len(stamps) // 2].strftime("%Y-%m-%d %H:%M:%S")
        before = client.count_products({"updated": [{"operator": "<", "value": middle}]})
        after = client.count_products({"updated": [{"operator": ">", "value": middle}]})
        at = sum(1 for s in stamps if s.strftime("%Y-%m-%d %H:%M:%S") == middle)
        assert before + at + after == len(products) and before == stamps.index(stamps[len(stamps) // 2])
        assert [p["updated"] for p in client.products()] == [p["updated"] for p in products]  # stable
    finally:
        server.stop()


def test_its_updated_ranges_answer_what_a_record_by_record_check_answers(small_catalog):
    """Date ranges are answered from an index sorted by `updated` (a count costs two lookups):
    every operator, alone or with another filter, paged with `search_after`, before and after
    records are touched, gives exactly the records whose own `updated` matches."""
    server = start_server(small_catalog, updated_spread=30 * 86400)
    try:
        client = make_client(server)
        stamps = {p["identifier"]: p["updated"] for p in client.products()}
        ordered = sorted(stamps.values())
        low, middle, high = (ordered[len(ordered) * k // 4][:19].replace("T", " ") for k in (1, 2, 3))
        searches = [
            {"updated": [{"operator": "<", "value": middle}]},
            {"updated": [{"operator": ">", "value": middle}]},
            {"updated": [{"operator": "=", "value": middle}]},
            {"updated": [{"operator": "BETWEEN", "value": [low, high]}]},
            {"updated": [{"operator": ">", "value": low}, {"operator": "<", "value": high}]},
            {
                "updated": [{"operator": "BETWEEN", "value": [low, high]}],
                "enabled": [{"operator": "=", "value": True}],
            },
        ]

        def expected(search, records):
            def keeps(p):
                second = p["updated"][:19].replace("T", " ")
                checks = {"<": lambda v: second < v, ">": lambda v: second > v, "=": lambda v: second == v,
                          "BETWEEN": lambda v: v[0] <= second <= v[1]}  # fmt: skip
                dated = all(checks[c["operator"]](c["value"]) for c in search["updated"])
                return dated and ("enabled" not in search or p["enabled"])

            return sorted(p["identifier"] for p in records if keeps(p))

        for touched in (False, True):
            if touched:  # an edit moves records out of their range and into the newest one
                server.touch_products(list(stamps)[::7])
            records = list(client.products())
            for search in searches:
                found = [p["identifier"] for p in client.products(search)]
                assert sorted(found) == expected(search, records), search
                assert len(found) == len(set(found)) and client.count_products(search) == len(found)
    finally:
        server.stop()
