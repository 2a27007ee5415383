"""Recommendations and product sets in catalog.xml, valid against catalog.xsd."""

import pytest

from jobs.sfcc.records import CategoryAssignment, Product, ProductKind, Recommendation
from jobs.sfcc.xml import CatalogWriter, InvalidRecordError

from . import factories
from .conftest import assert_valid

CAT = "{http://www.demandware.com/xml/impex/catalog/2006-10-31}"


def test_it_writes_recommendations_after_the_assignments_and_product_sets(tmp_path, xsd_dir):
    path = tmp_path / "catalog.xml"
    with CatalogWriter(path, factories.header()) as writer:
        writer.product(
            Product("P1", recommendations=[Recommendation("P2", "1"), Recommendation("LOOK", "3")])
        )
        writer.assignment(CategoryAssignment("P1", "root", primary=True))
        writer.product(Product("LOOK", kind=ProductKind.SET, set_products=["P1", "P2"]))
        writer.product(Product("P2"))
    root = assert_valid(path, "catalog.xsd").getroot()
    assert [child.tag.removeprefix(CAT) for child in root][-3:] == [
        "category-assignment",
        "recommendation",
        "recommendation",
    ]
    recommendations = [dict(r.attrib) for r in root.iter(f"{CAT}recommendation")]
    assert recommendations[0] == {"source-id": "P1", "source-type": "product", "target-id": "P2", "type": "1"}
    look = root.find(f"{CAT}product[@product-id='LOOK']")
    assert [p.get("product-id") for p in look.iter(f"{CAT}product-set-product")] == ["P1", "P2"]
    assert writer.recommendation_count == 2


def test_it_refuses_a_recommendation_type_that_is_not_a_number(tmp_path):
    with CatalogWriter(tmp_path / "catalog.xml", factories.header()) as writer:
        with pytest.raises(InvalidRecordError, match="recommendation type 'cross' is not"):
            writer.product(Product("P1", recommendations=[Recommendation("P2", "cross")]))
        assert writer.product_count == 0


def test_a_recommendation_is_the_bytes_lxml_writes_and_its_odd_ids_read_back(tmp_path, xsd_dir):
    from lxml import etree

    from jobs.sfcc.xml.catalog import _recommendation_xml

    odd = "a&b <c> \"d\" 'e' f\tg"
    attrs = {"source-id": f"s {odd}", "source-type": "product", "target-id": f"t {odd}", "type": "1"}
    assert _recommendation_xml(f"s {odd}", Recommendation(f"t {odd}", "1")) == etree.tostring(
        etree.Element("recommendation", attrs), encoding="utf-8"
    )
    path = tmp_path / "catalog.xml"
    with CatalogWriter(path, factories.header()) as writer:
        writer.product(Product(f"s {odd}", recommendations=[Recommendation(f"t {odd}", "1")]))
    written = assert_valid(path, "catalog.xsd").getroot().find(f"{CAT}recommendation")
    assert dict(written.attrib) == attrs
