"""The demo server on Akeneo's icecat demo catalog (../shared), read back through the client;
every expectation is computed here from the .jsonl files, independently of the server."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.akeneo.conftest import make_client, start_server
from tests.conftest import ICECAT_API


def read(name: str, directory=ICECAT_API) -> list[dict]:
    with (directory / name).open() as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def files():
    models = {m["code"].casefold(): m for m in read("product-models.jsonl")}
    return {"products": read("products.jsonl"), "models": models, "categories": read("categories.jsonl")}


def ancestors(record: dict, models: dict) -> list[dict]:
    """Parent model, then grand-parent (codes compared case-insensitively, as Akeneo does)."""
    found, parent = [], record.get("parent")
    while parent:
        model = models[parent.casefold()]
        found.append(model)
        parent = model.get("parent")
    return found


def test_it_pages_out_every_product_and_product_model(icecat_server, files):
    client = make_client(icecat_server)
    products = [p["identifier"] for p in client.products()]
    models = [m["code"] for m in client.product_models()]
    assert len(products) == len(set(products)) == 1239
    assert set(products) == {p["identifier"] for p in files["products"]}
    assert len(models) == 81 and {m.casefold() for m in models} == set(files["models"])
    assert client.count_products() == 1239 and client.count_product_models() == 81


def test_it_filters_on_family_in(icecat_server, files):
    client = make_client(icecat_server)
    search = {"family": [{"operator": "IN", "value": ["clothing", "shoes"]}]}
    expected = {p["identifier"] for p in files["products"] if p["family"] in ("clothing", "shoes")}
    assert {p["identifier"] for p in client.products(search)} == expected and len(expected) > 100


def test_it_filters_on_categories_in_children(icecat_server, files):
    children: dict[str, list[str]] = {}
    for category in files["categories"]:
        children.setdefault(category["parent"], []).append(category["code"])
    subtree, stack = set(), ["master_men"]
    while stack:
        code = stack.pop()
        subtree.add(code)
        stack.extend(children.get(code, []))
    expected = set()
    for product in files["products"]:
        categories = set(product["categories"])
        for model in ancestors(product, files["models"]):
            categories |= set(model["categories"])  # variants are classified where their models are
        if categories & subtree:
            expected.add(product["identifier"])
    client = make_client(icecat_server)
    search = {"categories": [{"operator": "IN CHILDREN", "value": ["master_men"]}]}
    assert {p["identifier"] for p in client.products(search)} == expected
    assert len(subtree) > 3 and len(expected) > 20


def test_it_filters_on_parent_and_enabled(icecat_server, files):
    client = make_client(icecat_server)
    variants = {p["identifier"] for p in files["products"] if p["parent"]}
    disabled = {p["identifier"] for p in files["products"] if not p["enabled"]}
    found = {p["identifier"] for p in client.products({"parent": [{"operator": "NOT EMPTY"}]})}
    off = {p["identifier"] for p in client.products({"enabled": [{"operator": "=", "value": False}]})}
    assert found == variants and len(variants) == 240
    assert off == disabled


def test_it_filters_on_updated_after_a_touch(small_catalog):
    server = start_server(ICECAT_API)
    try:
        client = make_client(server)
        since = {"updated": [{"operator": ">", "value": "2030-01-01 00:00:00"}]}
        assert list(client.products(since)) == []
        server.touch_products(["1111111171", "tvsam32"], when=1_900_000_000)  # 2030-03-17
        server.touch_product_models(["amor"], when=1_900_000_000)
        assert {p["identifier"] for p in client.products(since)} == {"1111111171", "tvsam32"}
        assert [m["code"] for m in client.product_models(since)] == ["amor"]
        touched = next(client.products({"identifier": [{"operator": "IN", "value": ["tvsam32"]}]}))
        assert touched["updated"] == "2030-03-17T17:46:40+00:00"
    finally:
        server.stop()


def test_it_serves_variants_with_their_inherited_values(tmp_path, files):
    """Real Akeneo stores a variant's own values only: strip the inherited ones from a copy of
    the snapshot, and the server must merge them back from the model and the root model."""
    data = tmp_path / "icecat"
    shutil.copytree(ICECAT_API, data)
    stripped = {}
    with (data / "products.jsonl").open("w") as out:
        for product in files["products"]:
            inherited = set().union(*(m["values"] for m in ancestors(product, files["models"])))
            own = {k: v for k, v in product["values"].items() if k not in inherited}
            if product["parent"] and len(own) < len(product["values"]):
                stripped[product["identifier"]] = product
            out.write(json.dumps({**product, "values": own}) + "\n")
    server = start_server(data)
    try:
        client = make_client(server)
        served = {p["identifier"]: p for p in client.products({"parent": [{"operator": "NOT EMPTY"}]})}
    finally:
        server.stop()
    assert len(stripped) > 100
    for identifier, original in stripped.items():
        values = served[identifier]["values"]
        for model in ancestors(original, files["models"]):
            for code in model["values"]:
                assert code in values, (identifier, code)
        assert values["sku"] == original["values"]["sku"]


def test_it_computes_completeness_from_the_family_requirements(icecat_server, files):
    client = make_client(icecat_server)
    complete = {
        p["identifier"]
        for p in client.products({"completeness": [{"operator": "=", "value": 100, "scope": "ecommerce"}]})
    }
    on_all = {
        p["identifier"]
        for p in client.products(
            {
                "completeness": [
                    {
                        "operator": "GREATER OR EQUALS THAN ON ALL LOCALES",
                        "value": 100,
                        "scope": "ecommerce",
                        "locales": ["en_US", "fr_FR", "de_DE"],
                    }
                ]
            }  # fmt: skip
        )
    }
    families = {f["code"]: f for f in read("families.jsonl")}
    for identifier in complete:
        product = next(p for p in files["products"] if p["identifier"] == identifier)
        values = dict(product["values"])
        for model in ancestors(product, files["models"]):
            values = {**model["values"], **values}
        assert set(families[product["family"]]["attribute_requirements"]["ecommerce"]) <= set(values)
    assert on_all <= complete and complete
