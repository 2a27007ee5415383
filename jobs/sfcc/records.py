"""The records the transforms produce and the SFCC writers consume.

Plain data, no I/O: `jobs.transform` builds these from Akeneo JSON, `jobs.sfcc.xml` writes
them in the element order the schemas in ../shared/sfcc/xsd require. Localized texts are
dicts keyed by `xml:lang` ("x-default", "en-US", "fr-FR"), in the order they are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

Localized = dict[str, str]


class Mode(StrEnum):
    """Import mode of one record; `None` on a record means the archive's own (merge)."""

    DELETE = "delete"


class AttributeType(StrEnum):
    """SFCC attribute value types used for custom attribute definitions (metadata.xsd)."""

    STRING = "string"
    TEXT = "text"
    HTML = "html"
    INT = "int"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM_OF_STRING = "enum-of-string"
    SET_OF_STRING = "set-of-string"


# --- meta/system-objecttype-extensions.xml ---------------------------------------------


@dataclass(slots=True)
class ValueDefinition:
    value: str
    display: Localized = field(default_factory=dict)


@dataclass(slots=True)
class AttributeDefinition:
    """A custom attribute definition on the `Product` system object type."""

    id: str
    type: AttributeType
    display_name: Localized = field(default_factory=dict)
    localizable: bool = False
    select_multiple: bool = False  # only for enum-of-string
    values: list[ValueDefinition] = field(default_factory=list)  # only for enum-of-string
    unit: str | None = None
    mode: Mode | None = None


@dataclass(slots=True)
class AttributeGroup:
    id: str
    display_name: Localized = field(default_factory=dict)
    attribute_ids: list[str] = field(default_factory=list)


# --- catalogs/<catalog-id>/catalog.xml --------------------------------------------------


@dataclass(slots=True)
class CatalogHeader:
    catalog_id: str
    view_types: list[str] = field(default_factory=list)  # image view types, e.g. ["large", "small"]
    image_base_path: str = "/images"
    # Business Manager's default alt/title text patterns, e.g. "${productname}"; None writes none.
    alt_pattern: str | None = None
    title_pattern: str | None = None


@dataclass(slots=True)
class Category:
    id: str
    display_name: Localized = field(default_factory=dict)
    parent: str | None = None  # None only for "root"
    online: bool = True
    position: float | None = None  # among its siblings; None writes none
    mode: Mode | None = None


class ProductKind(StrEnum):
    STANDARD = "standard"
    MASTER = "master"
    VARIATION_GROUP = "variation-group"
    VARIANT = "variant"
    BUNDLE = "bundle"
    SET = "set"


@dataclass(slots=True)
class CustomValue:
    """One `<custom-attribute>`: a single text, or several `<value>`s for multi-valued types.
    `lang` is set for a localizable attribute's value in one locale."""

    attribute_id: str
    value: str | list[str]
    lang: str | None = None


@dataclass(slots=True)
class ImageGroup:
    view_type: str
    paths: list[str]  # relative to the catalog's static folder, e.g. "akeneo/3f/3f2a….jpg"
    variation_attribute: str | None = None  # with variation_value: images of one colour on a master
    variation_value: str | None = None


@dataclass(slots=True)
class VariationValue:
    value: str
    display: Localized = field(default_factory=dict)


@dataclass(slots=True)
class VariationAttribute:
    attribute_id: str
    display_name: Localized = field(default_factory=dict)
    values: list[VariationValue] = field(default_factory=list)


@dataclass(slots=True)
class ProductLink:
    product_id: str
    # SFCC link type: cross-sell, replacement, up-sell, accessory, newer-version, alt-orderunit,
    # spare-part, other
    type: str


@dataclass(slots=True)
class Recommendation:
    """A product recommendation (catalog.xsd `<recommendation>`) from the product that carries it
    to `product_id`; `type` is a value of SFCC's `recommendationType` enumeration ("1", "2", …)."""

    product_id: str
    type: str


@dataclass(slots=True)
class BundledProduct:
    product_id: str
    quantity: int = 1


@dataclass(slots=True)
class Product:
    id: str
    kind: ProductKind = ProductKind.STANDARD
    online: bool = True
    ean: str | None = None
    upc: str | None = None
    brand: str | None = None
    manufacturer_name: str | None = None
    manufacturer_sku: str | None = None
    display_name: Localized = field(default_factory=dict)
    short_description: Localized = field(default_factory=dict)
    long_description: Localized = field(default_factory=dict)
    images: list[ImageGroup] = field(default_factory=list)
    custom: list[CustomValue] = field(default_factory=list)
    # A master's variation attributes, its variants and (master-group-variation) its groups.
    variation_attributes: list[VariationAttribute] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    variation_groups: list[str] = field(default_factory=list)
    links: list[ProductLink] = field(default_factory=list)
    bundled: list[BundledProduct] = field(default_factory=list)
    set_products: list[str] = field(default_factory=list)  # a product set's products
    # Written as top-level `<recommendation>` elements of the catalog, after the assignments.
    recommendations: list[Recommendation] = field(default_factory=list)
    mode: Mode | None = None


@dataclass(slots=True)
class CategoryAssignment:
    product_id: str
    category_id: str
    primary: bool | None = False  # None writes no primary-flag
    mode: Mode | None = None
    # The catalog the assignment belongs in; None: the catalog of the product.
    catalog_id: str | None = None


# --- pricebooks/<pricebook-id>.xml -----------------------------------------------------


@dataclass(slots=True)
class PricebookHeader:
    id: str
    currency: str
    display_name: Localized = field(default_factory=dict)
    online: bool = True


@dataclass(slots=True)
class PriceTable:
    product_id: str
    amount: Decimal
    quantity: int = 1
    mode: Mode | None = None


# --- libraries/<library-id>/library.xml, sites/<site-id>/library/library.xml -------------


@dataclass(slots=True)
class LibraryFolder:
    id: str
    display_name: Localized = field(default_factory=dict)
    parent: str = "root"  # every library has its root folder
    online: bool = True


@dataclass(slots=True)
class ContentAsset:
    """A content asset (library.xsd `<content>`), classified in `folder_id`."""

    id: str
    display_name: Localized = field(default_factory=dict)
    folder_id: str | None = None
    online: bool = True
    custom: list[CustomValue] = field(default_factory=list)
    mode: Mode | None = None
