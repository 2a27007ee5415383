"""The worked example in ../shared/mapping-example reproduced from the icecat JSON.

The example XML is compared semantically: everything it says about ids, kinds, variation
attributes, variants, groups, display names, custom values and the category assignment must be
in the records. The records may say more (the variant carries all its inherited values, display
names carry en-US beside x-default). Where the example is illustrative rather than derived from
the data, the test says so and checks the data's value instead: the variant's EAN and size (the
example shows 1234567890316 / m, the icecat variant 1111111119 has 1234567890131 / xxl) and the
image paths ("Image paths are illustrative").
"""

import pytest
from lxml import etree

from jobs.sfcc.records import ProductKind
from jobs.transform import MasterAccumulator
from tests.transform.conftest import example_config, icecat_transformer

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# (attribute id, lang) → the data's value where the example's is illustrative.
ILLUSTRATIVE_VARIANT_VALUES = {("akeneo_size", None): "xxl"}


@pytest.fixture(scope="module")
def example(shared_dir):
    return etree.parse(str(shared_dir / "mapping-example" / "catalog.xml")).getroot()


@pytest.fixture(scope="module")
def records(icecat):
    """apollon, apollon_blue and 1111111119 streamed the way the pipeline streams them."""
    transformer = icecat_transformer(example_config())
    models = {model["code"]: model for model in icecat["models"]}
    variant = next(p for p in icecat["products"] if p["identifier"] == "1111111119")
    masters = MasterAccumulator()
    results = [transformer.add_model(models[code], masters) for code in ("apollon", "apollon_blue")]
    results.append(transformer.product(variant, masters))
    results.append(transformer.master(models["apollon"], masters))
    assert [p for r in results for p in r.problems] == []
    return {r.product.id: r for r in results if r.product is not None}


def product_xml(example, product_id):
    return example.find(f"c:product[@product-id='{product_id}']", NS)


def localized(element, tag):
    return {e.get(XML_LANG): e.text for e in element.findall(f"c:{tag}", NS)}


def custom_values(element):
    values = {}
    for attribute in element.findall("c:custom-attributes/c:custom-attribute", NS):
        key = (attribute.get("attribute-id"), attribute.get(XML_LANG))
        items = [v.text for v in attribute.findall("c:value", NS)]
        values[key] = items if items else attribute.text
    return values


def record_custom(product):
    return {(v.attribute_id, v.lang): v.value for v in product.custom}


def assert_contains(record: dict, expected: dict):
    assert {key: record.get(key) for key in expected} == expected


def test_it_writes_the_records_of_the_example_and_no_others(records):
    assert set(records) == {"apollon", "apollon_blue", "1111111119"}
    assert records["apollon"].product.kind == ProductKind.MASTER
    assert records["apollon_blue"].product.kind == ProductKind.VARIATION_GROUP
    assert records["1111111119"].product.kind == ProductKind.VARIANT


def test_it_reproduces_the_master(example, records):
    expected = product_xml(example, "apollon")
    master = records["apollon"].product
    assert_contains(master.display_name, localized(expected, "display-name"))
    assert_contains(master.long_description, localized(expected, "long-description"))
    assert record_custom(master) == custom_values(expected)
    assert master.online is True
    assert master.variants == [v.get("product-id") for v in expected.findall(".//c:variant", NS)]
    assert master.variation_groups == [
        g.get("product-id") for g in expected.findall(".//c:variation-group", NS)
    ]


def test_it_reproduces_the_master_variation_attributes(example, records):
    expected = product_xml(example, "apollon").findall(".//c:variation-attribute", NS)
    attributes = records["apollon"].product.variation_attributes
    assert [a.attribute_id for a in attributes] == [e.get("attribute-id") for e in expected]
    assert_contains(attributes[0].display_name, localized(expected[0], "display-name"))
    color = expected[0].find(".//c:variation-attribute-value", NS)
    assert [v.value for v in attributes[0].values] == [color.get("value")]
    assert_contains(attributes[0].values[0].display, localized(color, "display-value"))
    # The example's size value "m" is illustrative: the variant it lists has size xxl.
    assert [(v.value, v.display["x-default"]) for v in attributes[1].values] == [("xxl", "XXL")]


def test_it_reproduces_the_master_image_groups(example, records):
    expected = product_xml(example, "apollon").findall(".//c:image-group", NS)
    groups = records["apollon"].product.images
    assert [(g.view_type, g.variation_value) for g in groups] == [
        (e.get("view-type"), e.get("variation-value")) for e in expected
    ]
    assert groups[1].variation_attribute == "akeneo_color"
    assert all(len(g.paths) == 1 and g.paths[0].startswith("akeneo/") for g in groups)
    assert groups[0].paths != groups[1].paths  # the model's picture, then apollon_blue's


def test_it_reproduces_the_variation_group(example, records):
    expected = product_xml(example, "apollon_blue")
    group = records["apollon_blue"].product
    assert group.display_name == localized(expected, "display-name")
    assert record_custom(group) == custom_values(expected)


def test_it_reproduces_the_variant_with_its_inherited_values(example, records):
    expected = product_xml(example, "1111111119")
    variant = records["1111111119"].product
    assert variant.ean == "1234567890131"  # the example's 1234567890316 is illustrative
    assert_contains(variant.display_name, localized(expected, "display-name"))
    wanted = {**custom_values(expected), **ILLUSTRATIVE_VARIANT_VALUES}
    assert_contains(record_custom(variant), wanted)
    # Inherited from the root model, as "the variant carries … the ones it inherits".
    assert record_custom(variant)[("akeneo_erp_name", "en-US")] == "Apollon"


def test_it_reproduces_the_category_assignment(example, records):
    expected = [
        (e.get("product-id"), e.get("category-id"), e.findtext("c:primary-flag", namespaces=NS) == "true")
        for e in example.findall("c:category-assignment", NS)
    ]
    assignments = [a for r in records.values() for a in r.assignments]
    assert [(a.product_id, a.category_id, a.primary) for a in assignments] == expected


def test_it_prices_the_variant_as_the_example_pricebook(shared_dir, records):
    pricebook = etree.parse(str(shared_dir / "mapping-example" / "pricebook.xml")).getroot()
    ns = {"p": "http://www.demandware.com/xml/impex/pricebook/2006-10-31"}
    expected = [
        (
            pricebook.find(".//p:header", ns).get("pricebook-id"),
            t.get("product-id"),
            t.findtext("p:amount", namespaces=ns),
        )
        for t in pricebook.findall(".//p:price-table", ns)
    ]
    prices = [(book, t.product_id, str(t.amount)) for r in records.values() for book, t in r.prices]
    assert prices == expected
