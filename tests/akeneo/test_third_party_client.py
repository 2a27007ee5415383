"""Third-party proof: the PyPI client `akeneo-api-client` pages every resource of the icecat
snapshot out of the demo Akeneo, and the counts match the .jsonl files. The package has no
API class for /products, product models by search_after aside, association types or media:
those go through its generic `ResourceClient.get_resources` and its own page cursor."""

from __future__ import annotations

import json

import pytest

from demo.akeneo.server import DemoAkeneoServer
from tests.conftest import ICECAT_API

akeneo_api_client = pytest.importorskip("akeneo_api_client.client_builder")
ResourceCursor = pytest.importorskip("akeneo_api_client.pagination.resource_cursor").ResourceCursor
PAGE = 100


@pytest.fixture(scope="session")
def icecat_demo():
    if not ICECAT_API.is_dir():
        pytest.skip("the icecat snapshot is not there")
    server = DemoAkeneoServer(ICECAT_API).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def third_party(icecat_demo):
    builder = akeneo_api_client.ClientBuilder(icecat_demo.url)
    return builder.build_authenticated_by_password("admin", "admin", "demo_client", "demo_secret")


def lines(name: str) -> list[dict]:
    with (ICECAT_API / name).open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


def flatten(cursor) -> list[dict]:
    return [item for page in cursor for item in page]


def generic(client, path: str, query: dict | None = None) -> list[dict]:
    """Any list through the package's generic resource client and page cursor."""
    api = client.product_uuid_api
    response = api.resource_client.get_resources(path, [], dict(query or {}), PAGE)
    return flatten(ResourceCursor(PAGE, api.page_factory.create_page(response.json())))


def test_it_pages_products_by_uuid_with_a_third_party_client(third_party):
    products = flatten(third_party.product_uuid_api.all(PAGE, {}))
    assert len(products) == len(lines("products.jsonl"))
    assert all("identifier" not in p and p["uuid"] for p in products)
    assert {p["values"]["sku"][0]["data"] for p in products} == {
        p["identifier"] for p in lines("products.jsonl")
    }


@pytest.mark.parametrize("pagination", ["page", "search_after"])
def test_it_pages_products_by_identifier_with_a_third_party_client(third_party, pagination):
    products = generic(third_party, "api/rest/v1/products", {"pagination_type": pagination})
    assert sorted(p["identifier"] for p in products) == sorted(
        p["identifier"] for p in lines("products.jsonl")
    )


def test_it_pages_product_models_with_a_third_party_client(third_party):
    models = flatten(third_party.product_model_api.all(PAGE, {}))
    assert sorted(m["code"] for m in models) == sorted(m["code"] for m in lines("product-models.jsonl"))


@pytest.mark.parametrize(
    ("api", "file"),
    [("family_api", "families.jsonl"), ("attribute_api", "attributes.jsonl"),
     ("attribute_group_api", "attribute-groups.jsonl"), ("category_api", "categories.jsonl"),
     ("channel_api", "channels.jsonl"), ("locale_api", "_locales.jsonl"),
     ("currency_api", "_currencies.jsonl")],
)  # fmt: skip
def test_it_pages_structure_with_a_third_party_client(third_party, api, file):
    assert len(flatten(getattr(third_party, api).all(PAGE, {}))) == len(lines(file))


def test_it_pages_association_types_with_a_third_party_client(third_party):
    assert len(generic(third_party, "api/rest/v1/association-types")) == len(lines("association-types.jsonl"))


def test_it_pages_options_and_variants_with_a_third_party_client(third_party):
    for path in sorted(ICECAT_API.glob("attributes__*__options.jsonl")):
        code = path.name.split("__")[1]
        assert len(flatten(third_party.attribute_option_api.all(code, PAGE, {}))) == len(lines(path.name)), (
            code
        )
    for path in sorted(ICECAT_API.glob("families__*__variants.jsonl")):
        code = path.name.split("__")[1]
        assert len(flatten(third_party.family_variant_api.all(code, PAGE, {}))) == len(lines(path.name)), code
