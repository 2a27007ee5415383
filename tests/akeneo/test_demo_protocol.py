"""The demo Akeneo refuses what Akeneo refuses and answers as Akeneo 7 / SaaS does: no
`identifier` in products-uuid records, media values with `_links.download`, Akeneo's 422s
for pagination parameters (PaginationParametersValidator's messages)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from jobs.akeneo.client import API
from tests.akeneo.conftest import make_client


@pytest.fixture(scope="module")
def client(icecat_server):
    found = make_client(icecat_server)
    yield found
    found.close()


def get(client, path: str, params: dict | None = None):
    """Status and JSON body, with the client's token but without its error mapping."""
    response = client.transport.session.get(
        client.transport.url(path),
        params=params,
        headers={"Authorization": f"Bearer {client.transport.access_token()}"},
    )
    return response.status_code, response.json()


def test_it_answers_products_uuid_without_identifier(client):
    status, body = get(client, f"{API}/products-uuid", {"limit": 100})
    assert status == 200
    items = body["_embedded"]["items"]
    assert items and all("identifier" not in p and p["uuid"] and p["values"]["sku"][0]["data"] for p in items)


def test_it_finds_a_product_by_uuid(client):
    _, body = get(client, f"{API}/products-uuid", {"limit": 2})
    uuids = [p["uuid"] for p in body["_embedded"]["items"]]
    search = json.dumps({"uuid": [{"operator": "IN", "value": uuids}]})
    _, found = get(client, f"{API}/products-uuid", {"search": search, "pagination_type": "search_after"})
    assert sorted(p["uuid"] for p in found["_embedded"]["items"]) == sorted(uuids)
    status, one = get(client, f"{API}/products-uuid/{uuids[0]}")
    assert status == 200 and one["uuid"] == uuids[0] and "identifier" not in one


def test_an_in_search_pages_and_combines_with_other_filters_as_a_full_scan_would(client):
    """An `IN` filter's rows are the only ones the demo visits: paged with search_after, with
    counts, and with another filter, it answers what scanning every product answers."""
    _, body = get(client, f"{API}/products", {"limit": 100})
    products = body["_embedded"]["items"]
    chosen = [p["identifier"] for p in products[::7]] + ["no-such-product"]
    family = products[0]["family"]
    kept = [p["identifier"] for p in products[::7] if p["family"] == family]
    assert 0 < len(kept) < len(chosen) - 1  # the second filter drops some
    search = {
        "identifier": [{"operator": "IN", "value": chosen}],
        "family": [{"operator": "IN", "value": [family]}],
    }

    found, params = [], {"search": json.dumps(search), "pagination_type": "search_after", "limit": 2}
    for _ in range(len(chosen)):  # bounded: a page holds at least one product
        _, page = get(client, f"{API}/products", params)
        found += [p["identifier"] for p in page["_embedded"]["items"]]
        if "next" not in page["_links"]:
            break
        params["search_after"] = parse_qs(urlsplit(page["_links"]["next"]["href"]).query)["search_after"][0]
    assert found == sorted(kept, key=[p["identifier"] for p in products].index)
    _, counted = get(client, f"{API}/products", {"search": json.dumps(search), "with_count": "true"})
    assert counted["items_count"] == len(kept)
    outside = {"identifier": [{"operator": "NOT IN", "value": chosen}]}
    _, rest = get(client, f"{API}/products", {"search": json.dumps(outside), "with_count": "true"})
    _, every = get(client, f"{API}/products", {"with_count": "true"})
    assert rest["items_count"] == every["items_count"] - len(chosen) + 1


def test_it_links_media_values_to_their_download(client):
    search = json.dumps({"identifier": [{"operator": "IN", "value": ["1111111171"]}]})
    _, body = get(client, f"{API}/products", {"search": search})
    (image,) = body["_embedded"]["items"][0]["values"]["image"]
    assert (
        image["_links"]["download"]["href"]
        == f"{client.transport.base_url.rstrip('/')}{API}/media-files/{image['data']}/download"
    )


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        (f"{API}/products-uuid", {"with_count": "1"},
         'Parameter "with_count" has to be a boolean. Only "true" or "false" allowed, "1" given.'),
        (f"{API}/products-uuid", {"with_count": "True"},
         'Parameter "with_count" has to be a boolean. Only "true" or "false" allowed, "True" given.'),
        (f"{API}/products", {"pagination_type": "foo"}, "Pagination type does not exist."),
        (f"{API}/categories", {"pagination_type": "search_after"}, "Pagination type is not supported."),
        (f"{API}/attributes/color/options", {"pagination_type": "search_after"}, "Pagination type is not supported."),
        (f"{API}/channels", {"limit": "101"}, "You cannot request more than 100 items."),
    ],
)  # fmt: skip
def test_it_refuses_what_akeneo_refuses(client, path, params, message):
    assert get(client, path, params) == (422, {"code": 422, "message": message})


def test_it_gives_no_count_under_search_after(client):
    _, body = get(client, f"{API}/products-uuid", {"pagination_type": "search_after", "with_count": "true"})
    assert "items_count" not in body
    _, body = get(client, f"{API}/products-uuid", {"with_count": "true", "limit": 1})
    assert body["items_count"] == 1239


def test_it_still_counts_for_progress_under_search_after(client):
    first = next(client.product_pages(with_count=True))
    assert first.items_count == 1239


def test_it_links_media_in_raw_bytes_as_in_parsed_records(small_catalog):
    """The fast path (bytes, no parse) gives the same media links as the parsed one."""
    from demo.akeneo.query import media_links, media_links_raw
    from demo.akeneo.snapshot import Snapshot

    snapshot = Snapshot(small_catalog)
    media = frozenset(
        a["code"] for a in snapshot.attributes if a["type"] in ("pim_catalog_image", "pim_catalog_file")
    )
    keys = [b'"' + code.encode() + b'"' for code in media]
    base = "http://127.0.0.1:1/api/rest/v1/media-files/"
    linked = 0
    for row in range(len(snapshot.products)):
        raw = snapshot.products.raw(row)
        fast = media_links_raw(raw, keys, base)
        assert json.loads(fast) == media_links(json.loads(raw), media, base)
        linked += fast != raw
    snapshot.close()
    assert linked
