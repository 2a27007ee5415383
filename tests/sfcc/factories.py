"""Realistic records for the SFCC writer tests and the writer benchmark."""

from decimal import Decimal

from jobs.sfcc.records import (
    AttributeDefinition,
    AttributeGroup,
    AttributeType,
    BundledProduct,
    CatalogHeader,
    Category,
    CategoryAssignment,
    CustomValue,
    ImageGroup,
    PricebookHeader,
    PriceTable,
    Product,
    ProductKind,
    ProductLink,
    ValueDefinition,
    VariationAttribute,
    VariationValue,
)

LOCALES = ("x-default", "en-US", "fr-FR")


def localized(text: str) -> dict[str, str]:
    return {lang: f"{text} ({lang})" for lang in LOCALES}


def header() -> CatalogHeader:
    return CatalogHeader("akeneo-master", ["large", "small"], "/images", "${productname}", "${productname}")


def categories() -> list[Category]:
    return [
        Category("root", localized("Master catalog")),
        Category("men", localized("Men"), parent="root"),
        Category("men_blazers", localized("Blazers"), parent="men", online=False),
    ]


def standard_product(i: int) -> Product:
    """The shape of an icecat product: three locales, a dozen custom attributes, two image groups."""
    pid = f"1{i:012d}"
    return Product(
        id=pid,
        ean=f"{i:013d}",
        brand="Zaro",
        manufacturer_name="Zaro Ltd",
        manufacturer_sku=f"Z-{i}",
        display_name=localized(f"Long gray suit jacket {i}"),
        short_description=localized("Unstructured jacket, matching pants."),
        long_description=localized("Long gray suit jacket and matching pants. 61% wool, 30% polyester. " * 4),
        images=[
            ImageGroup(
                "large", [f"akeneo/{i % 256:02x}/{pid}-front.jpg", f"akeneo/{i % 256:02x}/{pid}-back.jpg"]
            ),
            ImageGroup("small", [f"akeneo/{i % 256:02x}/{pid}-front.jpg"]),
        ],
        custom=[
            CustomValue("akeneo_collection", ["winter_2016", "summer_2017"]),
            CustomValue("akeneo_erp_name", f"Jacket {i}", lang="en-US"),
            CustomValue("akeneo_erp_name", f"Veste {i}", lang="fr-FR"),
            CustomValue("akeneo_supplier", "zaro"),
            CustomValue("akeneo_wash_temperature", "600"),
            CustomValue("akeneo_weight", "800 GRAM"),
            CustomValue("akeneo_material", "wool"),
            CustomValue("akeneo_care", "Dry clean only"),
            CustomValue("akeneo_season", "winter"),
            CustomValue("akeneo_size_chart", "EU"),
            CustomValue("akeneo_fit", "regular"),
            CustomValue("akeneo_release_date", "2016-09-01"),
        ],
        links=[ProductLink(f"1{i + 1:012d}", "cross-sell")],
    )


def master_family() -> list[Product]:
    """A master with two colours (variation groups) and four variants."""
    colors = VariationAttribute(
        "akeneo_color",
        localized("Color"),
        [
            VariationValue("blue", {"x-default": "Blue", "fr-FR": "Bleu"}),
            VariationValue("red", {"x-default": "Red", "fr-FR": "Rouge"}),
        ],
    )
    sizes = VariationAttribute(
        "akeneo_size", {"x-default": "Size"}, [VariationValue("m"), VariationValue("l")]
    )
    variants = [f"apollon_{c}_{s}" for c in ("blue", "red") for s in ("m", "l")]
    master = Product(
        id="apollon",
        kind=ProductKind.MASTER,
        display_name=localized("Apollon suit"),
        images=[
            ImageGroup("large", ["akeneo/3f/apollon.jpg"]),
            ImageGroup("large", ["akeneo/91/apollon-blue.jpg"], "akeneo_color", "blue"),
            ImageGroup("small", ["akeneo/91/apollon-red.jpg"], variation_value="red"),
        ],
        variation_attributes=[colors, sizes],
        variants=variants,
        variation_groups=["apollon_blue", "apollon_red"],
    )
    groups = [
        Product(id=f"apollon_{c}", kind=ProductKind.VARIATION_GROUP, custom=[CustomValue("akeneo_color", c)])
        for c in ("blue", "red")
    ]
    children = [
        Product(
            id=v,
            kind=ProductKind.VARIANT,
            ean="1234567890316",
            custom=[
                CustomValue("akeneo_color", v.split("_")[1]),
                CustomValue("akeneo_size", v.split("_")[2]),
            ],
        )
        for v in variants
    ]
    return [master, *groups, *children]


def bundle() -> Product:
    return Product(
        id="apollon_bundle",
        kind=ProductKind.BUNDLE,
        display_name={"x-default": "Suit and tie"},
        bundled=[BundledProduct("apollon_blue_m", 1), BundledProduct("tie", 2)],
        links=[ProductLink("apollon", "accessory"), ProductLink("tie", "up-sell")],
    )


def attributes() -> list[AttributeDefinition]:
    return [
        AttributeDefinition(
            "akeneo_color",
            AttributeType.ENUM_OF_STRING,
            {"x-default": "Color", "fr-FR": "Couleur"},
            values=[ValueDefinition("blue", {"x-default": "Blue", "fr-FR": "Bleu"}), ValueDefinition("red")],
        ),
        AttributeDefinition(
            "akeneo_collection",
            AttributeType.ENUM_OF_STRING,
            {"x-default": "Collection"},
            select_multiple=True,
            values=[ValueDefinition("winter_2016", {"x-default": "Winter 2016"})],
        ),
        AttributeDefinition(
            "akeneo_erp_name", AttributeType.STRING, {"x-default": "ERP name"}, localizable=True
        ),
        AttributeDefinition(
            "akeneo_description", AttributeType.HTML, {"x-default": "Description"}, localizable=True
        ),
        AttributeDefinition("akeneo_weight", AttributeType.DOUBLE, {"x-default": "Weight"}, unit="GRAM"),
        AttributeDefinition("akeneo_count", AttributeType.INT),
        AttributeDefinition("akeneo_new", AttributeType.BOOLEAN),
        AttributeDefinition("akeneo_release", AttributeType.DATE),
        AttributeDefinition("akeneo_pictures", AttributeType.SET_OF_STRING),
    ]


def groups() -> list[AttributeGroup]:
    return [
        AttributeGroup(
            "akeneo_marketing", {"x-default": "Marketing"}, ["akeneo_collection", "akeneo_erp_name"]
        )
    ]


def pricebook_header() -> PricebookHeader:
    return PricebookHeader("akeneo-eur-list-prices", "EUR", {"x-default": "Akeneo list prices (EUR)"})


def prices() -> list[PriceTable]:
    return [PriceTable("1111111119", Decimal("899.00")), PriceTable("apollon_blue_m", Decimal("1E+2"), 2)]


def assignments() -> list[CategoryAssignment]:
    return [CategoryAssignment("apollon", "men_blazers", primary=True), CategoryAssignment("apollon", "men")]
