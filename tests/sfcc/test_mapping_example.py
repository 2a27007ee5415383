"""The records of ../shared/mapping-example, written by our writers, give the same XML."""

from decimal import Decimal

from lxml import etree

from jobs.sfcc.records import (
    AttributeDefinition,
    AttributeGroup,
    AttributeType,
    CatalogHeader,
    Category,
    CategoryAssignment,
    CustomValue,
    ImageGroup,
    PricebookHeader,
    PriceTable,
    Product,
    ProductKind,
    ValueDefinition,
    VariationAttribute,
    VariationValue,
)
from jobs.sfcc.xml import CatalogWriter, MetadataWriter, PricebookWriter

from .conftest import assert_valid

NAME = "Long gray suit jacket and matching pants unstructured"
DESCRIPTION = f"{NAME}. 61% wool, 30% polyester, 9% ramie. Dry clean only."


def canonical(element):
    """Tag, attributes, stripped text and children, without comments or layout whitespace."""
    children = [canonical(child) for child in element if isinstance(child.tag, str)]
    return (element.tag, dict(element.attrib), (element.text or "").strip(), children)


def example(shared_dir, name):
    return etree.parse(str(shared_dir / "mapping-example" / name)).getroot()


def catalog_records():
    header = CatalogHeader("akeneo-master", ["large", "small"], "/images", "${productname}", "${productname}")
    categories = [
        Category("root", {"x-default": "Master catalog", "en-US": "Master catalog"}),
        Category(
            "master_men_blazers_deals",
            {"x-default": "Blazers deals", "en-US": "Blazers deals", "fr-FR": "Promotions blazers"},
            parent="master_men_blazers",
        ),
    ]
    master = Product(
        "apollon",
        kind=ProductKind.MASTER,
        display_name={"x-default": NAME},
        long_description={"x-default": DESCRIPTION, "en-US": DESCRIPTION},
        images=[
            ImageGroup("large", ["akeneo/3f/3f2a9c0e-apollon.jpg"]),
            ImageGroup("large", ["akeneo/91/91c4d2aa-apollon.jpg"], variation_value="blue"),
        ],
        custom=[
            CustomValue("akeneo_collection", ["winter_2016"]),
            CustomValue("akeneo_erp_name", "Apollon", lang="en-US"),
            CustomValue("akeneo_supplier", "zaro"),
            CustomValue("akeneo_wash_temperature", "600"),
        ],
        variation_attributes=[
            VariationAttribute(
                "akeneo_color",
                {"x-default": "Color"},
                [VariationValue("blue", {"x-default": "Blue", "fr-FR": "Bleu"})],
            ),
            VariationAttribute(
                "akeneo_size", {"x-default": "Size"}, [VariationValue("m", {"x-default": "M"})]
            ),
        ],
        variants=["1111111119"],
        variation_groups=["apollon_blue"],
    )
    group = Product(
        "apollon_blue",
        kind=ProductKind.VARIATION_GROUP,
        display_name={"x-default": NAME},
        custom=[CustomValue("akeneo_color", "blue")],
    )
    variant = Product(
        "1111111119",
        kind=ProductKind.VARIANT,
        ean="1234567890316",
        display_name={"x-default": NAME},
        custom=[
            CustomValue("akeneo_color", "blue"),
            CustomValue("akeneo_size", "m"),
            CustomValue("akeneo_weight", "800 GRAM"),
        ],
    )
    assignment = CategoryAssignment("apollon", "master_men_blazers_deals", primary=True)
    return header, categories, [master, group, variant], [assignment]


def test_it_round_trips_the_mapping_example_catalog(tmp_path, shared_dir):
    header, categories, products, assignments = catalog_records()
    path = tmp_path / "catalog.xml"
    with CatalogWriter(path, header) as w:
        for product in products:  # products first: the writer still puts categories first
            w.product(product)
        for category in categories:
            w.category(category)
        for assignment in assignments:
            w.assignment(assignment)
    written = assert_valid(path, "catalog.xsd").getroot()
    assert canonical(written) == canonical(example(shared_dir, "catalog.xml"))


def test_it_round_trips_the_mapping_example_metadata(tmp_path, shared_dir):
    path = tmp_path / "system-objecttype-extensions.xml"
    with MetadataWriter(path) as w:
        w.attribute(
            AttributeDefinition(
                "akeneo_color",
                AttributeType.ENUM_OF_STRING,
                {"x-default": "Color", "fr-FR": "Couleur"},
                values=[ValueDefinition("blue", {"x-default": "Blue", "fr-FR": "Bleu"})],
            )
        )
        w.attribute(
            AttributeDefinition(
                "akeneo_collection",
                AttributeType.ENUM_OF_STRING,
                {"x-default": "Collection"},
                select_multiple=True,
                values=[ValueDefinition("winter_2016", {"x-default": "Winter 2016"})],
            )
        )
        w.attribute(
            AttributeDefinition(
                "akeneo_erp_name", AttributeType.STRING, {"x-default": "ERP name"}, localizable=True
            )
        )
        w.group(
            AttributeGroup(
                "akeneo_marketing", {"x-default": "Marketing"}, ["akeneo_collection", "akeneo_erp_name"]
            )
        )
    written = assert_valid(path, "metadata.xsd").getroot()
    assert canonical(written) == canonical(example(shared_dir, "system-objecttype-extensions.xml"))


def test_it_round_trips_the_mapping_example_pricebook(tmp_path, shared_dir):
    path = tmp_path / "akeneo-eur-list-prices.xml"
    header = PricebookHeader("akeneo-eur-list-prices", "EUR", {"x-default": "Akeneo list prices (EUR)"})
    with PricebookWriter(path, header) as w:
        w.price(PriceTable("1111111119", Decimal("899.00")))
    written = assert_valid(path, "pricebook.xsd").getroot()
    assert canonical(written) == canonical(example(shared_dir, "pricebook.xml"))
