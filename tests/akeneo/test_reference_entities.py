"""Reference entities (Akeneo Enterprise / SaaS): the client against the demo Akeneo, which
answers them as Akeneo's API reference describes — token required, search-after pages of its
own size with an opaque cursor, attributes as one plain list, values trimmed by channel and
locales, 404 for an unknown entity."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from jobs.akeneo.errors import AkeneoNotFound
from tests.akeneo.conftest import make_client, start_server


@pytest.fixture
def paged_server(small_catalog):
    server = start_server(small_catalog, entity_page_size=7)
    yield server
    server.stop()


def test_it_lists_every_record_across_search_after_pages(paged_server, small_catalog):
    client = make_client(paged_server)
    records = list(client.reference_entity_records("designers"))
    with (small_catalog / "reference-entities__designers__records.jsonl").open() as handle:
        stored = [json.loads(line)["code"] for line in handle]
    assert [r["code"] for r in records] == sorted(stored) and len(records) == 30
    assert records[0]["values"]["label"][0] == {"locale": "en_US", "channel": None, "data": "Designer 01"}
    assert {e["code"] for e in client.reference_entities()} == {"designers", "fabrics"}
    attributes = client.reference_entity_attributes("fabrics")
    assert [a["code"] for a in attributes] == ["label", "description", "country", "weight_gsm"]


def test_its_pages_carry_an_opaque_cursor_and_no_limit(paged_server):
    token = make_client(paged_server).transport.access_token()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{paged_server.url}/api/rest/v1/reference-entities/designers/records"
    first = requests.get(url, headers=headers, timeout=5).json()
    assert len(first["_embedded"]["items"]) == 7
    assert first["_embedded"]["items"][0]["_links"]["self"]["href"] == f"{url}/designer_01"
    cursor = parse_qs(urlsplit(first["_links"]["next"]["href"]).query)["search_after"][0]
    assert "designer" not in cursor  # opaque, as Akeneo's
    last = None
    next_url, pages = first["_links"]["next"]["href"], 1
    while next_url and pages < 10:
        last = requests.get(next_url, headers=headers, timeout=5).json()
        next_url, pages = last["_links"].get("next", {}).get("href"), pages + 1
    assert pages == 5 and len(last["_embedded"]["items"]) == 2


def test_it_needs_a_token(paged_server):
    answer = requests.get(f"{paged_server.url}/api/rest/v1/reference-entities", timeout=5)
    assert answer.status_code == 401


def test_it_trims_record_values_to_the_channel_and_locales(paged_server):
    client = make_client(paged_server)
    record = next(iter(client.reference_entity_records("fabrics", channel="ecommerce", locales=["fr_FR"])))
    assert {e["locale"] for e in record["values"]["label"]} == {"fr_FR"}
    assert record["values"]["country"] == [{"locale": None, "channel": None, "data": "fr"}]


def test_an_unknown_entity_is_not_found(paged_server):
    client = make_client(paged_server)
    with pytest.raises(AkeneoNotFound):
        list(client.reference_entity_records("nope"))
    with pytest.raises(AkeneoNotFound):
        client.reference_entity_attributes("nope")
