"""The streaming writers produce files Salesforce's schemas accept, in any call order."""

from decimal import Decimal

import pytest
from lxml import etree

from jobs.sfcc.records import (
    AttributeDefinition,
    AttributeType,
    BundledProduct,
    Category,
    CategoryAssignment,
    CustomValue,
    ImageGroup,
    Mode,
    PricebookHeader,
    PriceTable,
    Product,
    ProductLink,
    VariationAttribute,
    VariationValue,
)
from jobs.sfcc.xml import CatalogWriter, InvalidRecordError, MetadataWriter, PricebookWriter, clean_text

from . import factories
from .conftest import assert_valid

CAT = "{http://www.demandware.com/xml/impex/catalog/2006-10-31}"
META = "{http://www.demandware.com/xml/impex/metadata/2006-10-31}"
PB = "{http://www.demandware.com/xml/impex/pricebook/2006-10-31}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"

TRICKY = 'ctl\x00\x01\x08\x0b\x0c\x1f end ]]> <&> "q" 😀🇫🇷 שלום عربي \ud800 lone \ufffe\uffff tab\tnl\ncr\r'
TRICKY_CLEAN = 'ctl end ]]> <&> "q" 😀🇫🇷 שלום عربي  lone  tab\tnl\ncr\r'


def write_catalog(path, products, categories=(), assignments=()):
    with CatalogWriter(path, factories.header()) as w:
        for category in categories:
            w.category(category)
        for product in products:
            w.product(product)
        for assignment in assignments:
            w.assignment(assignment)
    return w


def test_it_writes_a_valid_catalog_with_masters_groups_variants_bundles_and_links(tmp_path, xsd_dir):
    products = [*factories.master_family(), factories.bundle(), factories.standard_product(1)]
    path = tmp_path / "catalog.xml"
    write_catalog(path, products, factories.categories(), factories.assignments())

    root = assert_valid(path, "catalog.xsd").getroot()
    master = root.find(f"{CAT}product[@product-id='apollon']")
    assert [v.get("product-id") for v in master.iter(f"{CAT}variant")] == products[0].variants
    assert [g.get("product-id") for g in master.iter(f"{CAT}variation-group")] == [
        "apollon_blue",
        "apollon_red",
    ]
    axes = [a.get("attribute-id") for a in master.iter(f"{CAT}variation-attribute")]
    assert axes == ["akeneo_color", "akeneo_size"]
    variation = master.find(f".//{CAT}image-group/{CAT}variation")
    assert (variation.get("attribute-id"), variation.get("value")) == ("akeneo_color", "blue")
    assert master.find(f".//{CAT}image-group[@variation-value='red']") is not None
    bundle = root.find(f"{CAT}product[@product-id='apollon_bundle']")
    assert [q.text for q in bundle.iter(f"{CAT}quantity")] == ["1", "2"]
    assert [link.get("type") for link in bundle.iter(f"{CAT}product-link")] == ["accessory", "up-sell"]
    standard = root.find(f"{CAT}product[@product-id='1000000000001']")
    multi = standard.find(f".//{CAT}custom-attribute[@attribute-id='akeneo_collection']")
    assert [v.text for v in multi] == ["winter_2016", "summer_2017"]
    langs = [
        c.get(LANG) for c in standard.iterfind(f".//{CAT}custom-attribute[@attribute-id='akeneo_erp_name']")
    ]
    assert langs == ["en-US", "fr-FR"]


def test_it_keeps_schema_order_whatever_the_call_order(tmp_path, xsd_dir):
    path = tmp_path / "catalog.xml"
    family = factories.master_family()
    with CatalogWriter(path, factories.header()) as w:
        w.assignment(factories.assignments()[0])
        w.product(family[0])
        w.category(factories.categories()[0])
        w.assignment(factories.assignments()[1])
        w.product(family[1])
        w.category(factories.categories()[1])

    root = assert_valid(path, "catalog.xsd").getroot()
    tags = [etree.QName(child).localname for child in root]
    assert tags == [
        "header",
        "category",
        "category",
        "product",
        "product",
        "category-assignment",
        "category-assignment",
    ]
    assert (w.category_count, w.product_count, w.assignment_count) == (2, 2, 2)


def test_it_writes_delete_mode_records(tmp_path, xsd_dir):
    path = tmp_path / "catalog.xml"
    write_catalog(
        path,
        [Product("gone", mode=Mode.DELETE, display_name={"x-default": "ignored"})],
        [Category("old_category", mode=Mode.DELETE)],
        [CategoryAssignment("gone", "old_category", mode=Mode.DELETE)],
    )
    root = assert_valid(path, "catalog.xsd").getroot()
    assert [el.get("mode") for el in root[1:]] == ["delete", "delete", "delete"]
    assert len(root.find(f"{CAT}product")) == 0

    pricebook = tmp_path / "pb.xml"
    with PricebookWriter(pricebook, factories.pricebook_header()) as w:
        w.price(PriceTable("gone", Decimal("1"), mode=Mode.DELETE))
    tree = assert_valid(pricebook, "pricebook.xsd")
    assert tree.find(f".//{PB}price-table").get("mode") == "delete"


def test_it_cleans_tricky_text_and_keeps_the_file_valid(tmp_path, xsd_dir):
    assert clean_text(TRICKY) == TRICKY_CLEAN
    huge = "Ünïcödé ]]> שלום 😀 " * 55_000  # over 1 MB of text
    product = Product(
        "tricky",
        display_name={"x-default": TRICKY, "ar": "منتج عربي"},
        long_description={"x-default": huge},
        custom=[CustomValue("akeneo_notes", TRICKY), CustomValue("akeneo_tags", [TRICKY, "plain"])],
    )
    category = Category("cat", {"x-default": TRICKY}, parent="root")
    path = tmp_path / "catalog.xml"
    write_catalog(path, [product], [Category("root"), category])

    root = assert_valid(path, "catalog.xsd").getroot()
    written = root.find(f"{CAT}product")
    assert written.find(f"{CAT}display-name").text == TRICKY_CLEAN
    assert written.find(f"{CAT}long-description").text == huge
    assert [v.text for v in written.iterfind(f".//{CAT}value")] == [TRICKY_CLEAN, "plain"]
    assert root.find(f"{CAT}category[@category-id='cat']/{CAT}display-name").text == TRICKY_CLEAN


def test_it_escapes_what_xml_requires_in_every_product_text_and_attribute(tmp_path, xsd_dir):
    """Products are serialized by hand (the hot path): every value reads back as given."""
    odd = "a&b <c> \"d\" 'e' f\tg"
    product = Product(
        f"id {odd}",
        ean=odd,
        brand=odd,
        display_name={"x-default": odd, "fr-FR": "é"},
        images=[ImageGroup(odd, [f"p/{odd}.jpg"], variation_attribute=odd, variation_value=odd)],
        custom=[
            CustomValue(odd, f"{odd}\r\n"),
            CustomValue(odd, [odd, ""], "fr-FR"),
            CustomValue("empty", []),
        ],
        variation_attributes=[
            VariationAttribute(odd, {"x-default": odd}, [VariationValue(odd, {"x-default": odd})])
        ],
        variants=[f"v {odd}"],
        links=[ProductLink(f"l {odd}", "cross-sell")],
        bundled=[BundledProduct(f"b {odd}", 2)],
    )
    path = tmp_path / "catalog.xml"
    write_catalog(path, [product])

    written = assert_valid(path, "catalog.xsd").getroot().find(f"{CAT}product")
    assert written.get("product-id") == f"id {odd}"
    assert [written.findtext(f"{CAT}{tag}") for tag in ("ean", "brand", "display-name")] == [odd] * 3
    group = written.find(f"{CAT}images/{CAT}image-group")
    assert group.get("view-type") == odd
    assert group.find(f"{CAT}variation").attrib == {"attribute-id": odd, "value": odd}
    assert group.find(f"{CAT}image").get("path") == f"p/{odd}.jpg"
    custom = written.findall(f"{CAT}custom-attributes/{CAT}custom-attribute")
    assert [(c.get("attribute-id"), c.get(LANG)) for c in custom] == [
        (odd, None),
        (odd, "fr-FR"),
        ("empty", None),
    ]
    assert custom[0].text == f"{odd}\r\n"
    assert [v.text for v in custom[1]] == [odd, None] and len(custom[2]) == 0
    attribute = written.find(f".//{CAT}variation-attribute")
    assert attribute.get("attribute-id") == odd and attribute.findtext(f"{CAT}display-name") == odd
    assert written.find(f".//{CAT}variation-attribute-value").get("value") == odd
    assert written.find(f".//{CAT}variant").get("product-id") == f"v {odd}"
    assert written.find(f".//{CAT}product-link").get("product-id") == f"l {odd}"
    assert written.find(f".//{CAT}bundled-product").get("product-id") == f"b {odd}"


def test_it_rejects_records_the_schema_cannot_hold_without_writing_them(tmp_path, xsd_dir):
    path = tmp_path / "catalog.xml"
    bad = [
        Product(" padded"),
        Product("x" * 101),
        Product("ok", links=[ProductLink("other", "sideways")]),
        Product("ok", display_name={"x-default": "n" * 4001}),
        Product("ok", ean="1" * 300),
        Product("ok", images=[ImageGroup("large", [""])]),
    ]
    with CatalogWriter(path, factories.header()) as w:
        for product in bad:
            with pytest.raises(InvalidRecordError):
                w.product(product)
        w.product(Product("fine"))
    root = assert_valid(path, "catalog.xsd").getroot()
    assert [p.get("product-id") for p in root.iter(f"{CAT}product")] == ["fine"]
    assert w.product_count == 1


def test_it_removes_a_half_written_file_when_the_caller_fails(tmp_path):
    path = tmp_path / "catalog.xml"
    with pytest.raises(RuntimeError), CatalogWriter(path, factories.header()) as w:
        w.product(factories.standard_product(1))
        raise RuntimeError("Akeneo went away")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_it_writes_valid_metadata_with_enum_values_and_groups(tmp_path, xsd_dir):
    path = tmp_path / "system-objecttype-extensions.xml"
    with MetadataWriter(path) as w:
        w.group(factories.groups()[0])  # before the attributes: still written after them
        for definition in factories.attributes():
            w.attribute(definition)
        w.attribute(AttributeDefinition("akeneo_tricky", AttributeType.STRING, {"x-default": TRICKY}))

    root = assert_valid(path, "metadata.xsd").getroot()
    extension = root.find(f"{META}type-extension")
    assert extension.get("type-id") == "Product"
    assert [etree.QName(c).localname for c in extension] == [
        "custom-attribute-definitions",
        "group-definitions",
    ]
    color = extension.find(f".//{META}attribute-definition[@attribute-id='akeneo_color']")
    assert color.findtext(f"{META}type") == "enum-of-string"
    assert color.findtext(f"{META}select-multiple-flag") == "false"
    assert color.findtext(f"{META}externally-managed-flag") == "true"
    assert [v.text for v in color.iter(f"{META}value")] == ["blue", "red"]
    collection = extension.find(f".//{META}attribute-definition[@attribute-id='akeneo_collection']")
    assert collection.findtext(f"{META}select-multiple-flag") == "true"
    weight = extension.find(f".//{META}attribute-definition[@attribute-id='akeneo_weight']")
    assert weight.findtext(f"{META}unit") == "GRAM"
    tricky = extension.find(f".//{META}attribute-definition[@attribute-id='akeneo_tricky']")
    assert tricky.findtext(f"{META}display-name") == TRICKY_CLEAN
    group = extension.find(f".//{META}attribute-group")
    assert [a.get("attribute-id") for a in group.iter(f"{META}attribute")] == [
        "akeneo_collection",
        "akeneo_erp_name",
    ]


def test_it_writes_valid_metadata_without_groups_or_attributes(tmp_path, xsd_dir):
    only_groups = tmp_path / "groups.xml"
    with MetadataWriter(only_groups) as w:
        w.group(factories.groups()[0])
    assert_valid(only_groups, "metadata.xsd")
    empty = tmp_path / "empty.xml"
    with MetadataWriter(empty):
        pass
    assert len(assert_valid(empty, "metadata.xsd").getroot()[0]) == 0


def test_it_writes_valid_pricebooks(tmp_path, xsd_dir):
    path = tmp_path / "akeneo-eur-list-prices.xml"
    with PricebookWriter(path, factories.pricebook_header()) as w:
        for table in factories.prices():
            w.price(table)
    root = assert_valid(path, "pricebook.xsd").getroot()
    header = root.find(f"{PB}pricebook/{PB}header")
    assert header.get("pricebook-id") == "akeneo-eur-list-prices"
    assert header.findtext(f"{PB}currency") == "EUR"
    amounts = [(a.get("quantity"), a.text) for a in root.iter(f"{PB}amount")]
    assert amounts == [("1", "899.00"), ("2", "100")]

    with (
        pytest.raises(InvalidRecordError),
        PricebookWriter(tmp_path / "bad.xml", PricebookHeader("bad", "eur")),
    ):
        pass
    assert not (tmp_path / "bad.xml").exists()
