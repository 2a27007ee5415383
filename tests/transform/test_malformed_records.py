"""Records not in the shape Akeneo publishes: each is a data error naming the record and the
field, never an exception; the records around it are transformed as usual."""

import copy
import random

import pytest

from jobs.sfcc.records import CatalogHeader
from jobs.sfcc.xml import CatalogWriter, InvalidRecordError
from jobs.transform import MasterAccumulator, transform_categories
from jobs.transform.shapes import record_name
from tests.transform.factories import config, model, product, transformer, value


def full_product(identifier="P1"):
    """A product with a value of every attribute type, associations and quantities."""
    data = product(
        identifier,
        name=value("Shirt", "en_US"),
        description=value("<p>Nice</p>", "en_US", "ecommerce"),
        ean=value("4006381333931"),
        brand=value("acme"),
        color=value("red"),
        collection=value(["summer", "winter"]),
        weight=value({"amount": "1.5000", "unit": "KILOGRAM"}),
        pieces=value(3),
        ratio=value("0.25"),
        waterproof=value(True),
        release_date=value("2024-01-02T00:00:00+00:00", scope="ecommerce"),
        picture=value("a/b/c/shirt.jpg"),
        gallery=value(["packshot_1"]),
        price=value([{"amount": "12.50", "currency": "EUR"}, {"amount": "14.00", "currency": "USD"}]),
    )
    data["categories"] = ["shirts"]
    data["associations"] = {"X_SELL": {"products": ["P2"], "product_models": ["M1"], "groups": []}}
    data["quantified_associations"] = {"BUNDLE": {"products": [{"identifier": "P3", "quantity": 2}]}}
    return data


def fresh():
    masters = MasterAccumulator()
    t = transformer()
    t.add_model(model("M1"), masters)
    return t, masters


# The shapes found to sink a whole import, and a few more of the same kind.
SKIPPED_PRODUCTS = [
    (42, "unnamed product", "malformed record: 42 (a number) is not an object"),
    (None, "unnamed product", "malformed record: None is not an object"),
    ("P9", "unnamed product", "malformed record: 'P9' (a string) is not an object"),
    ({**product("P1"), "values": "nope"}, "P1", "values: 'nope' (a string) is not an object"),
    ({**product("P1"), "family": 7}, "P1", "family: 7 (a number) is not a string"),
    ({**product("P1"), "associations": 5}, "P1", "associations: 5 (a number) is not an object"),
    ({**product("P1"), "parent": {"code": "M1"}}, "P1", "parent: {'code': 'M1'} (an object) is not a string"),
    (
        {**product("P1"), "categories": "shirts"},
        "P1",
        "categories: 'shirts' (a string) is not a list of codes",
    ),
    ({**product("P1"), "enabled": "yes"}, "P1", "enabled: 'yes' (a string) is not a boolean"),
    ({**product("P1"), "identifier": 12}, "unnamed product", "identifier: 12 (a number) is not a string"),
    (
        {**product("P1"), "identifier": None, "uuid": "b5c2d2c4-0000-4000-8000-000000000001"},
        "uuid b5c2d2c4-0000-4000-8000-000000000001",
        "product has no identifier value",
    ),
    (
        {**product("P1"), "associations": {"X_SELL": {"products": "P2"}}},
        "P1",
        "associations: X_SELL.products is not a list of codes",
    ),
    (
        {**product("P1"), "quantified_associations": {"BUNDLE": {"products": [5]}}},
        "P1",
        "quantified_associations: BUNDLE.products is not a list of {identifier, quantity}",
    ),
]


@pytest.mark.parametrize(("data", "name", "message"), SKIPPED_PRODUCTS)
def test_it_skips_a_malformed_product_naming_it_and_the_field(data, name, message):
    t, masters = fresh()
    result = t.product(data, masters)
    assert result.product is None and result.skipped
    assert [(p.identifier, p.fatal) for p in result.problems] == [(name, True)]
    assert message in result.problems[0].message


# Malformed values drop the value, not the product.
DROPPED_VALUES = [
    ({"name": "abc"}, "name: 'abc' (a string) is not a list of values; ignored"),
    ({"name": [5]}, "name: value 5 (a number) is not an object; ignored"),
    ({"name": [{"locale": ["en_US"], "scope": None, "data": "x"}]}, "name: locale ['en_US'] (a list) is not a locale code"),
    ({"price": value(["x"])}, "price: price 'x' (a string) is not an object of amount and currency; ignored"),
    ({"price": value([{"amount": "1", "currency": 5}])}, "price: price currency 5 (a number) is not a currency code"),
    ({"price": value([{"amount": {"v": 1}, "currency": "EUR"}])}, "price: price {'v': 1} (an object) EUR is not a number"),
    ({"price": value([{"amount": "NaN", "currency": "EUR"}])}, "price: price 'NaN' EUR is not a number; ignored"),
    ({"ean": value({"a": 1})}, "ean: {'a': 1} (an object) is not a text; value ignored"),
    ({"weight": value({"amount": 1, "unit": ["KG"]})}, "weight: metric unit ['KG'] (a list) is not a unit code"),
    ({"gallery": value([1, 2])}, "gallery: asset collection is not a list of asset codes; value ignored"),
]  # fmt: skip


@pytest.mark.parametrize(("values", "message"), DROPPED_VALUES)
def test_it_drops_a_malformed_value_and_imports_the_product(values, message):
    t, masters = fresh()
    data = product("P1", **values)
    result = t.product(data, masters)
    assert result.product is not None and not result.skipped
    assert result.prices == []
    assert [p.identifier for p in result.problems if p.message.startswith(message)] == ["P1"]


def test_it_skips_malformed_product_models_naming_them():
    masters = MasterAccumulator()
    t = transformer()
    for data, name, message in [
        (42, "unnamed product model", "42 (a number) is not an object"),
        (None, "unnamed product model", "None is not an object"),
        ({**model("M1"), "values": "nope"}, "M1", "values: 'nope' (a string) is not an object"),
        (
            {**model("M1"), "parent": {"code": "M0"}},
            "M1",
            "parent: {'code': 'M0'} (an object) is not a string",
        ),
        ({**model("M1"), "family_variant": ["by_size"]}, "M1", "family_variant: ['by_size'] (a list)"),
        ({**model("M1"), "code": 5}, "unnamed product model", "code: 5 (a number) is not a string"),
    ]:
        for call in (t.add_model, t.master):
            result = call(data, masters)
            assert result.product is None and result.skipped
            assert [p.identifier for p in result.problems] == [name]
            assert message in result.problems[0].message
    assert t.add_model(model("M1"), masters).problems == []  # the accumulator took none of them


def test_it_leaves_out_malformed_categories_and_keeps_the_rest_of_the_tree():
    categories = [
        {"code": "master", "parent": None, "labels": {"en_US": "Master"}},
        {"code": "shirts", "parent": "master", "labels": {"en_US": "Shirts"}},
        42,
        None,
        {"code": 5, "parent": "master"},
        {"code": "bad_parent", "parent": {"code": "master"}},
        {"code": "bad_labels", "parent": "master", "labels": "Shirts"},
        {"code": "", "parent": "master"},
    ]
    result = transform_categories(categories, "master", config())
    assert [c.id for c in result.categories] == ["root", "shirts"]
    assert sorted(str(p) for p in result.problems) == sorted([
        "unnamed category: malformed record: 42 (a number) is not an object; not imported",
        "unnamed category: malformed record: None is not an object; not imported",
        "unnamed category: malformed record: code: 5 (a number) is not a string; not imported",
        "bad_parent: malformed record: parent: {'code': 'master'} (an object) is not a string; not imported",
        "bad_labels: malformed record: labels: 'Shirts' (a string) is not an object of locale → label; "
        "not imported",
        "unnamed category: category without code; not imported",
    ])  # fmt: skip


# --- random shapes --------------------------------------------------------------------------

JUNK = [None, 0, 7, -1.5, True, "", "x", "EUR", [], [None], ["x"], [5], {}, {"data": None}, {"a": [1]}]


def _paths(node, prefix=()):
    """Every path into a JSON-like tree, containers included."""
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*prefix, index))


def _replace(node, path, junk):
    if not path:
        return junk
    parent = node
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = junk
    return node


def spoiled(rng: random.Random, good: dict):
    """`good` with one to three of its fields, at any depth, replaced by junk."""
    data = copy.deepcopy(good)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(data)) if isinstance(data, dict | list) else [()]
        data = _replace(data, rng.choice(paths), copy.deepcopy(rng.choice(JUNK)))
    return data


def test_it_never_raises_on_random_shapes_and_keeps_transforming_the_good_ones(tmp_path):
    rng = random.Random(20240614)  # seeded: the same 400 shapes on every run
    t, masters = fresh()
    expected = t.product(full_product("GOOD"), masters).product
    header = CatalogHeader(catalog_id="test", view_types=["large"])
    written = set()
    with CatalogWriter(tmp_path / "catalog.xml", header) as catalog:
        for number in range(400):
            data = spoiled(rng, full_product(f"P{number}"))
            result = t.product(data, masters)  # must not raise
            if result.skipped:
                assert result.product is None
                assert result.problems[-1].identifier == record_name(data, "identifier", "product")
            if result.product is not None:
                try:
                    catalog.product(result.product)
                except InvalidRecordError:
                    pass  # the pipeline reports it as a data error of the product
                else:
                    written.add(result.product.id)
            for problem in result.problems:  # every problem names the product it concerns
                assert problem.identifier in (f"P{number}", record_name(data, "identifier", "product"))
            good = t.product(full_product("GOOD"), masters)
            assert good.problems == [] and good.product == expected
            model_result = t.add_model(spoiled(rng, model("M1")), MasterAccumulator())
            assert all(isinstance(p.message, str) for p in model_result.problems)
    assert 50 < len(written) < 400  # most spoiled products still go out, the broken ones do not
