"""The demo catalog generator: deterministic, a valid snapshot, served completely."""

from __future__ import annotations

import json

from demo.akeneo.generator import write_catalog
from tests.akeneo.conftest import make_client, start_server


def read(directory, name: str) -> list[dict]:
    with (directory / name).open() as handle:
        return [json.loads(line) for line in handle]


def test_it_is_deterministic_for_a_seed(tmp_path):
    write_catalog(tmp_path / "a", products=150, seed=3)
    write_catalog(tmp_path / "b", products=150, seed=3)
    write_catalog(tmp_path / "c", products=150, seed=4)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) > 40
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "products.jsonl").read_bytes() != (
        tmp_path / "c" / "products.jsonl"
    ).read_bytes()


def test_it_writes_a_consistent_clean_catalog(small_catalog):
    products, models = read(small_catalog, "products.jsonl"), read(small_catalog, "product-models.jsonl")
    attributes = {a["code"]: a for a in read(small_catalog, "attributes.jsonl")}
    families = {f["code"] for f in read(small_catalog, "families.jsonl")}
    categories = {c["code"]: c["parent"] for c in read(small_catalog, "categories.jsonl")}
    model_codes = {m["code"] for m in models}
    assert len(products) == 400 and [p["identifier"] for p in products] == sorted(
        p["identifier"] for p in products
    )
    assert 0.1 <= sum(1 for p in products if p["parent"]) / len(products) <= 0.35
    assert {p["parent"] for p in products if p["parent"]} <= model_codes
    assert {m["parent"] for m in models if m["parent"]} <= model_codes
    assert any(m["parent"] for m in models)  # two-level models exist
    for record in products + models:
        assert record["family"] in families
        assert set(record["values"]) <= set(attributes)
        assert set(record["categories"]) <= set(categories)
    types = {a["type"] for a in attributes.values()}
    assert len(attributes) == 43 and len(types) == 16
    depth = max(_depth(code, categories) for code in categories)
    assert depth == 5
    # One tree, one sub-tree per site; some products are classified in both sites.
    sites = [code for code, parent in categories.items() if parent == "master"]
    assert sites == ["site_fashion", "site_living"]
    in_sites = [{_site(code, categories) for code in p["categories"]} for p in products]
    assert sum(1 for found in in_sites if found == set(sites)) > 0
    assert len(read(small_catalog, "channels.jsonl")) == 2
    assert sum(1 for p in products if p["associations"]) > 0
    quantified = [set(p["quantified_associations"]) for p in products if p["quantified_associations"]]
    assert {"PACK"} in quantified and {"OUTFIT"} in quantified
    entities = {e["code"] for e in read(small_catalog, "reference-entities.jsonl")}
    records = {
        e: {r["code"] for r in read(small_catalog, f"reference-entities__{e}__records.jsonl")}
        for e in entities
    }
    assert entities == {"designers", "fabrics"} and len(records["designers"]) == 30
    for record in products + models:
        values = record["values"]
        assert {v["data"] for v in values.get("designer", ())} <= records["designers"]
        assert {code for v in values.get("fabrics", ()) for code in v["data"]} <= records["fabrics"]
    charts = [v["data"] for p in products + models for v in p["values"].get("size_chart", ())]
    assert charts and all(rows and set(rows[0]) == {"size", "chest_cm", "length_cm"} for rows in charts)


def _depth(code: str, parents: dict) -> int:
    depth = 0
    while parents[code]:
        code, depth = parents[code], depth + 1
    return depth


def test_it_adds_bad_records_only_when_asked(tmp_path):
    counts = write_catalog(tmp_path, products=200, seed=1, bad_records=True)
    products = read(tmp_path, "products.jsonl")
    assert counts.bad_records >= 5
    assert any("legacy_code" in p["values"] for p in products)
    assert any(p["family"] == "discontinued_family" for p in products)


def test_it_is_served_completely_by_the_demo_server(small_catalog):
    server = start_server(small_catalog)
    try:
        client = make_client(server)
        products = {p["identifier"]: p for p in client.products()}
        models = {m["code"]: m for m in client.product_models()}
    finally:
        server.stop()
    assert set(products) == {p["identifier"] for p in read(small_catalog, "products.jsonl")}
    assert set(models) == {m["code"] for m in read(small_catalog, "product-models.jsonl")}
    variant = next(p for p in products.values() if p["parent"] and models[p["parent"]]["parent"])
    root = models[models[variant["parent"]]["parent"]]
    # a two-level variant carries its own size, its sub-model's colour and its root's name
    assert {"size", "color", "name"} <= set(variant["values"])
    assert variant["values"]["name"] == root["values"]["name"]


def _site(code: str, parents: dict) -> str:
    while parents[parents[code]]:
        code = parents[code]
    return code
