"""The client against bodies taken from Akeneo's published API reference (tests/akeneo/fixtures/):
identifiers read from the main identifier attribute, uuid associations renamed, a product
without identifier value, Akeneo's error bodies mapped to the client's errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from jobs.akeneo.client import API, AkeneoClient, identifier_value
from jobs.akeneo.errors import AkeneoAuthError, AkeneoNotFound, AkeneoRateLimited, AkeneoRequestError

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class PublishedAkeneo:
    """Answers the client's GETs with the published examples; records what was asked."""

    def __init__(self, attributes: str = "identifier_attributes.json"):
        self.page = fixture("products_uuid_page.json")
        self.attributes = fixture(attributes)
        self.asked: list[tuple[str, dict]] = []

    def get_json(self, url: str, params: dict | None = None) -> dict:
        self.asked.append((url, dict(params or {})))
        if url.endswith(API):
            return {"routes": {"pim_api_product_uuid_list": {"route": f"{API}/products-uuid"}}}
        if url.endswith("/attributes"):
            return self.attributes
        if url.endswith("/product-models/model-biker-jacket"):
            return fixture("product_model.json")
        search = json.loads((params or {}).get("search") or "{}")
        if "uuid" in search:  # the batched resolution of associated uuids
            wanted = set(search["uuid"][0]["value"])
            items = [p for p in self.page["_embedded"]["items"] if p["uuid"] in wanted]
            return {"_links": {}, "_embedded": {"items": json.loads(json.dumps(items))}}
        return json.loads(json.dumps(self.page))


@pytest.fixture
def published():
    return PublishedAkeneo(attributes="sku_attribute.json")


def client_over(fake: PublishedAkeneo) -> AkeneoClient:
    client = AkeneoClient("https://pim.example.com", client_id="c", secret="s", username="u", password="p")
    client.transport.get_json = fake.get_json
    return client


def test_it_reads_the_identifier_from_the_identifier_attribute(published):
    # (a product whose associated products are still being named comes after the others)
    products = {p["uuid"]: p["identifier"] for p in client_over(published).products()}
    assert sorted(products.values(), key=lambda i: (i is None, i or "")) == ["top-pack", "top-xl", None]
    assert products["25566245-55c3-42ce-86d9-8610ac459fa8"] == "top-xl"


def test_it_asks_for_the_identifier_attribute_once(published):
    client = client_over(published)
    list(client.products())
    list(client.products())
    assert sum(1 for url, _ in published.asked if url.endswith("/attributes")) == 1


def test_it_prefers_the_main_identifier_of_a_saas_pim():
    fake = PublishedAkeneo()
    assert client_over(fake).identifier_attribute == "ean"


def test_it_keeps_the_identifier_attribute_when_values_are_trimmed(published):
    list(client_over(published).products(attributes=["name"]))
    listing = [p for url, p in published.asked if url.endswith("/products-uuid") and "search" not in p]
    assert listing and all(set(p["attributes"].split(",")) >= {"name", "sku"} for p in listing)


def test_it_renames_associated_uuids_to_identifiers(published):
    products = {p["uuid"]: p for p in client_over(published).products()}
    first = products["25566245-55c3-42ce-86d9-8610ac459fa8"]
    assert first["associations"]["PACK"]["products"] == ["top-pack"]
    # fc24e6c3-… is in no page of this PIM: it stays a uuid rather than vanishing
    quantified = first["quantified_associations"]["PRODUCT_SET"]["products"]
    assert quantified == [{"uuid": "fc24e6c3-933c-4a93-8a81-e5c703d134d5", "quantity": 2,
                           "identifier": "fc24e6c3-933c-4a93-8a81-e5c703d134d5"}]  # fmt: skip


def test_it_renames_the_uuids_a_product_model_is_associated_with(published):
    model = client_over(published).product_model("model-biker-jacket")
    assert model["associations"]["PACK"]["products"] == ["top-pack"]


def test_it_finds_no_identifier_in_a_product_without_identifier_value():
    page = fixture("products_uuid_page.json")["_embedded"]["items"]
    assert identifier_value(page[2], "sku") is None
    assert identifier_value({"values": {"sku": [{"data": "  "}]}}, "sku") is None
    assert identifier_value(page[0], "sku") == "top-xl"


def test_the_media_fixture_links_to_the_download_endpoint():
    value = fixture("media_value.json")["value"]
    assert value["_links"]["download"]["href"].endswith(f"/media-files/{value['data']}/download")


def _response(status: int, body: dict) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


@pytest.mark.parametrize(
    ("key", "status", "error"),
    [("401", 401, AkeneoAuthError), ("404", 404, AkeneoNotFound), ("422", 422, AkeneoRequestError),
     ("422_pagination", 422, AkeneoRequestError), ("429", 429, AkeneoRateLimited)],
)  # fmt: skip
def test_it_maps_akeneo_error_bodies(key, status, error):
    body = fixture("errors.json")[key]
    client = AkeneoClient("https://pim.example.com", client_id="c", secret="s", username="u", password="p")
    found = client.transport._http_error(_response(status, body), "GET", f"{API}/products-uuid", 1)
    assert isinstance(found, error) and found.status == status
    assert found.akeneo_message == body["message"] and body["message"] in str(found)
