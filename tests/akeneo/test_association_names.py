"""Associated products named by identifier on products-uuid servers, with few extra calls: the
uuids a page cannot name yet are gathered over several pages and named by one `uuid IN` search,
and only the records that wait for it are held back."""

from __future__ import annotations

import json
import uuid

from jobs.akeneo.client import API, AkeneoClient
from jobs.akeneo.names import HELD

PAGES, PER_PAGE = 24, 10


def _uuid(number: int) -> str:
    return str(uuid.UUID(int=number + 1))


def _product(number: int) -> dict:
    # Each product is associated with one listed on a later page, and one no product answers for.
    later = (number + 3 * PER_PAGE + 1) % (PAGES * PER_PAGE)
    return {
        "uuid": _uuid(number),
        "values": {"sku": [{"locale": None, "scope": None, "data": f"sku-{number}"}]},
        "associations": {"X_SELL": {"products": [_uuid(later), _uuid(10_000 + number)]}},
    }


class Catalog:
    """A products-uuid PIM of PAGES pages; records every `uuid IN` search."""

    def __init__(self) -> None:
        self.searches: list[list[str]] = []
        self.products = [_product(n) for n in range(PAGES * PER_PAGE)]

    def get_json(self, url: str, params: dict | None = None) -> dict:
        if url.endswith(API):
            return {"routes": {"pim_api_product_uuid_list": {"route": f"{API}/products-uuid"}}}
        if url.endswith("/attributes"):
            return {"_embedded": {"items": [{"code": "sku", "type": "pim_catalog_identifier"}]}}
        search = json.loads((params or {}).get("search") or "{}")
        if "uuid" in search:
            wanted = search["uuid"][0]["value"]
            self.searches.append(wanted)
            found = [json.loads(json.dumps(p)) for p in self.products if p["uuid"] in wanted]
            return {"_links": {}, "_embedded": {"items": found}}
        number = int(url.rsplit("page=", 1)[1]) if "page=" in url else 0
        items = self.products[number * PER_PAGE : (number + 1) * PER_PAGE]
        links = {"next": {"href": f"{API}/products-uuid?page={number + 1}"}} if number + 1 < PAGES else {}
        return {"_links": links, "_embedded": {"items": json.loads(json.dumps(items))}}


def test_every_association_is_named_with_a_search_per_several_pages_not_per_page():
    catalog = Catalog()
    client = AkeneoClient("https://pim.example.com", client_id="c", secret="s", username="u", password="p")
    client.transport.get_json = catalog.get_json
    pages = list(client.product_pages())
    handed = sorted(int(p["identifier"].removeprefix("sku-")) for page in pages for p in page.items)
    assert handed == list(range(PAGES * PER_PAGE))  # every product once
    for page in pages:
        for product in page.items:
            number = int(product["identifier"].removeprefix("sku-"))
            later = (number + 3 * PER_PAGE + 1) % (PAGES * PER_PAGE)
            # named when some product answers for the uuid; left as it is when none does
            assert product["associations"]["X_SELL"]["products"] == [f"sku-{later}", _uuid(10_000 + number)]
    asked = [u for search in catalog.searches for u in search]
    assert len(asked) == len(set(asked))  # no uuid asked twice: what a search named is remembered
    assert all(len(search) <= 100 for search in catalog.searches)
    assert len(catalog.searches) < PAGES / 2  # today's catalogs: one search per page, twice the calls


def test_each_page_is_handed_on_before_the_next_is_read():
    catalog = Catalog()
    client = AkeneoClient("https://pim.example.com", client_id="c", secret="s", username="u", password="p")
    fetched = []
    original = catalog.get_json

    def counting(url, params=None):
        if "products-uuid" in url and "uuid" not in ((params or {}).get("search") or ""):
            fetched.append(url)
        return original(url, params)

    client.transport.get_json = counting
    seen: set[int] = set()
    held = 0
    for page in client.product_pages():
        if page.number not in seen:  # the page itself, less the records that wait
            seen.add(page.number)
            assert len(fetched) == page.number
            held += PER_PAGE - len(page.items)
        else:
            held -= len(page.items)
        assert held <= HELD + PER_PAGE  # records waiting: the limit, and a page gone past it
    assert held == 0
