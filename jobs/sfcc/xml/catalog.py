"""`catalogs/<catalog-id>/catalog.xml`: header, categories, products, category assignments,
recommendations (catalog.xsd). The schema fixes the top-level order (header, category*,
product*, category-assignment*, recommendation*); the writer accepts them in any order and
still writes that order. A product's recommendations are written with it, as top-level
`<recommendation source-type="product">` elements, or (with storefront catalogs) into each
storefront catalog the product is in (`recommend`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from jobs.sfcc.records import (
    CatalogHeader,
    Category,
    CategoryAssignment,
    CustomValue,
    ImageGroup,
    Mode,
    Product,
    Recommendation,
    VariationAttribute,
)

from .stream import (
    Document,
    InvalidRecordError,
    Spool,
    SubElement,
    add_localized,
    attr_xml,
    build,
    check_id,
    check_length,
    flag,
    localized_xml,
    text_xml,
    xml_bytes,
)

NAMESPACE = "http://www.demandware.com/xml/impex/catalog/2006-10-31"
LINK_TYPES = frozenset(
    {
        "cross-sell",
        "replacement",
        "up-sell",
        "accessory",
        "spare-part",
        "newer-version",
        "alt-orderunit",
        "other",
    }
)
PRODUCT_ID_MAX = 100
ID_MAX = 256
STRING_MAX = 4000  # sharedType.LocalizedString (display names)
SHORT_MAX = 256  # simpleType.Generic.String.256 (ean, upc, brand, manufacturer)
DELETE = {"mode": "delete"}


class CatalogWriter:
    """Categories go straight into the file after the header; products and assignments are
    spooled to temporary files beside it and appended when the writer closes. Memory stays
    constant; the only extra cost is one sequential copy of the spooled bytes.

        with CatalogWriter(path, CatalogHeader("akeneo-master", ["large", "small"])) as w:
            w.category(category)
            w.product(product)
            w.assignment(assignment)

    A record the schema cannot hold raises `InvalidRecordError` before anything of it is written.
    Leaving the block with an exception deletes the half-written file.
    """

    def __init__(self, path: Path | str, header: CatalogHeader):
        self.path = Path(path)
        self.header = header
        self.category_count = 0
        self.product_count = 0
        self.assignment_count = 0
        self.recommendation_count = 0

    def __enter__(self) -> CatalogWriter:
        check_id(self.header.catalog_id, ID_MAX, "catalog id")
        self._doc = Document(self.path, NAMESPACE, "catalog", {"catalog-id": self.header.catalog_id})
        self._doc.write(_header_element(self.header))
        self._products = Spool(self.path.parent)
        self._assignments = Spool(self.path.parent)
        self._recommendations = Spool(self.path.parent)
        return self

    def category(self, category: Category) -> None:
        element = build(_category_element, category)
        self._doc.write(element)
        self.category_count += 1

    def product(self, product: Product, *, recommendations: bool = True) -> None:
        """`recommendations=False`: the product's recommendations are checked but not written
        here (they go to the storefront catalogs it is in: `recommend`)."""
        xml = build(_product_xml, product)
        written = _recommendations_xml(product.id, product.recommendations)
        self._products.write_bytes(xml)
        self.product_count += 1
        if recommendations:
            self._write_recommendations(written)

    def recommend(self, source_id: str, recommendations: list[Recommendation]) -> None:
        """Recommendations of a product of another catalog (the master): a storefront catalog
        holds its products' recommendations, as SFRA's demo data does."""
        self._write_recommendations(_recommendations_xml(source_id, recommendations))

    def _write_recommendations(self, written: list[bytes]) -> None:
        for recommendation in written:
            self._recommendations.write_bytes(recommendation)
        self.recommendation_count += len(written)

    def assignment(self, assignment: CategoryAssignment) -> None:
        self._assignments.write_bytes(build(_assignment_xml, assignment))
        self.assignment_count += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._doc.write_spool(self._products)
                self._doc.write_spool(self._assignments)
                self._doc.write_spool(self._recommendations)
                self._doc.close()
            else:
                self._doc.abort()
        finally:
            self._products.close()
            self._assignments.close()
            self._recommendations.close()


def _header_element(h: CatalogHeader) -> etree._Element:
    header = etree.Element("header")
    settings = SubElement(header, "image-settings")
    SubElement(settings, "internal-location", {"base-path": h.image_base_path})
    if h.view_types:
        view_types = SubElement(settings, "view-types")
        for view_type in h.view_types:
            SubElement(view_types, "view-type").text = view_type
    if h.alt_pattern is not None:
        SubElement(settings, "alt-pattern").text = h.alt_pattern
    if h.title_pattern is not None:
        SubElement(settings, "title-pattern").text = h.title_pattern
    return header


def _category_element(c: Category) -> etree._Element:
    check_id(c.id, ID_MAX, "category id")
    if c.mode == Mode.DELETE:
        return etree.Element("category", {"category-id": c.id, "mode": "delete"})
    el = etree.Element("category", {"category-id": c.id})
    add_localized(el, "display-name", c.display_name, c.id, STRING_MAX)
    SubElement(el, "online-flag").text = flag(c.online)
    if c.parent is not None:
        SubElement(el, "parent").text = check_id(c.parent, ID_MAX, "parent category id", c.id)
    if c.position is not None:
        SubElement(el, "position").text = repr(float(c.position))
    return el


def _assignment_xml(a: CategoryAssignment) -> bytes:
    check_id(a.product_id, PRODUCT_ID_MAX, "product id")
    check_id(a.category_id, ID_MAX, "category id", a.product_id)
    head = (
        f'<category-assignment category-id="{attr_xml(a.category_id)}" product-id="{attr_xml(a.product_id)}"'
    )
    if a.mode == Mode.DELETE:
        return xml_bytes(f'{head} mode="delete"/>')
    if a.primary is None:
        return xml_bytes(f"{head}/>")
    return xml_bytes(f"{head}><primary-flag>{flag(a.primary)}</primary-flag></category-assignment>")


def _recommendations_xml(source: str, recommendations: list[Recommendation]) -> list[bytes]:
    """All or none: a recommendation the schema cannot hold raises before any is written."""
    return [build(lambda item: _recommendation_xml(source, item), r) for r in recommendations]


def _recommendation_xml(source: str, r: Recommendation) -> bytes:
    """Serialized by hand, as products are: the bytes lxml writes for the same element."""
    check_id(r.product_id, PRODUCT_ID_MAX, "recommended product id", source)
    if not r.type.isdigit():
        raise InvalidRecordError(source, f"recommendation type {r.type!r} is not a recommendationType value")
    return xml_bytes(
        f'<recommendation source-id="{attr_xml(source)}" source-type="product" '
        f'target-id="{attr_xml(r.product_id)}" type="{r.type}"/>'
    )


def _product_xml(p: Product) -> bytes:
    """The hot path, serialized by hand: children in complexType.Product's sequence order, the
    bytes lxml writes for the same elements, no work per value beyond the schema's limits."""
    pid = check_id(p.id, PRODUCT_ID_MAX, "product id")
    head = f'<product product-id="{attr_xml(pid)}"'
    if p.mode == Mode.DELETE:
        return xml_bytes(f'{head} mode="delete"/>')
    xml_bytes(head)  # an id XML cannot hold is cleaned (by build) before any error names it
    out = [head, ">"]
    if p.ean is not None:
        out.append(f"<ean>{text_xml(check_length(p.ean, SHORT_MAX, 'ean', pid))}</ean>")
    if p.upc is not None:
        out.append(f"<upc>{text_xml(check_length(p.upc, SHORT_MAX, 'upc', pid))}</upc>")
    if p.display_name:
        localized_xml(out, "display-name", p.display_name, pid, STRING_MAX)
    if p.short_description:
        localized_xml(out, "short-description", p.short_description, pid)
    if p.long_description:
        localized_xml(out, "long-description", p.long_description, pid)
    out.append("<online-flag>true</online-flag>" if p.online else "<online-flag>false</online-flag>")
    if p.images:
        _images_xml(out, p.images, pid)
    if p.brand is not None:
        out.append(f"<brand>{text_xml(check_length(p.brand, SHORT_MAX, 'brand', pid))}</brand>")
    if p.manufacturer_name is not None:
        name = check_length(p.manufacturer_name, SHORT_MAX, "manufacturer", pid)
        out.append(f"<manufacturer-name>{text_xml(name)}</manufacturer-name>")
    if p.manufacturer_sku is not None:
        sku = check_length(p.manufacturer_sku, SHORT_MAX, "manufacturer sku", pid)
        out.append(f"<manufacturer-sku>{text_xml(sku)}</manufacturer-sku>")
    if p.custom:
        _custom_xml(out, p.custom)
    if p.bundled:
        _bundled_xml(out, p)
    if p.set_products:
        out.append("<product-set-products>")
        for product_id in p.set_products:
            check_id(product_id, PRODUCT_ID_MAX, "product set product id", p.id)
            out.append(f'<product-set-product product-id="{attr_xml(product_id)}"/>')
        out.append("</product-set-products>")
    if p.variation_attributes or p.variants or p.variation_groups:
        _variations_xml(out, p)
    if p.links:
        _links_xml(out, p)
    out.append("</product>")
    return xml_bytes("".join(out))


def _images_xml(out: list[str], groups: list[ImageGroup], pid: str) -> None:
    out.append("<images>")
    for group in groups:
        head = f'<image-group view-type="{attr_xml(group.view_type)}"'
        if group.variation_value is not None and group.variation_attribute is None:
            # Only the value is known: the deprecated attribute form, resolved by SFCC through
            # the header's variation attribute.
            head += f' variation-value="{attr_xml(group.variation_value)}"'
        variation = group.variation_attribute is not None and group.variation_value is not None
        if not variation and not group.paths:
            out.append(head + "/>")
            continue
        out.append(head + ">")
        if variation:
            out.append(
                f'<variation attribute-id="{attr_xml(group.variation_attribute)}" '
                f'value="{attr_xml(group.variation_value)}"/>'
            )
        for path in group.paths:
            out.append(f'<image path="{attr_xml(check_id(path, 1800, "image path", pid))}"/>')
        out.append("</image-group>")
    out.append("</images>")


@lru_cache(maxsize=4096)
def _custom_head(attribute_id: str, lang: str | None) -> str:
    """The opening tag without its `>`: a catalog has few attribute and locale pairs."""
    head = f'<custom-attribute attribute-id="{attr_xml(attribute_id)}"'
    return head if lang is None else f'{head} xml:lang="{attr_xml(lang)}"'


def _custom_xml(out: list[str], values: list[CustomValue]) -> None:
    out.append("<custom-attributes>")
    for value in values:
        head = _custom_head(value.attribute_id, value.lang)
        data = value.value
        if data.__class__ is str:
            out.append(f"{head}>{text_xml(data)}</custom-attribute>")
        elif data:
            items = "".join(f"<value>{text_xml(item)}</value>" for item in data)
            out.append(f"{head}>{items}</custom-attribute>")
        else:
            out.append(head + "/>")
    out.append("</custom-attributes>")


def _bundled_xml(out: list[str], p: Product) -> None:
    out.append("<bundled-products>")
    for item in p.bundled:
        check_id(item.product_id, PRODUCT_ID_MAX, "bundled product id", p.id)
        if item.quantity <= 0:
            raise InvalidRecordError(p.id, f"bundled product {item.product_id} has quantity {item.quantity}")
        out.append(
            f'<bundled-product product-id="{attr_xml(item.product_id)}">'
            f"<quantity>{item.quantity}</quantity></bundled-product>"
        )
    out.append("</bundled-products>")


def _variations_xml(out: list[str], p: Product) -> None:
    out.append("<variations>")
    if p.variation_attributes:
        out.append("<attributes>")
        for attribute in p.variation_attributes:
            _variation_attribute_xml(out, attribute, p.id)
        out.append("</attributes>")
    if p.variants:
        out.append("<variants>")
        for variant_id in p.variants:
            variant_id = check_id(variant_id, PRODUCT_ID_MAX, "variant id", p.id)
            out.append(f'<variant product-id="{attr_xml(variant_id)}"/>')
        out.append("</variants>")
    if p.variation_groups:
        out.append("<variation-groups>")
        for group_id in p.variation_groups:
            check_id(group_id, PRODUCT_ID_MAX, "variation group id", p.id)
            out.append(f'<variation-group product-id="{attr_xml(group_id)}"/>')
        out.append("</variation-groups>")
    out.append("</variations>")


def _variation_attribute_xml(out: list[str], a: VariationAttribute, pid: str) -> None:
    check_id(a.attribute_id, ID_MAX, "variation attribute id", pid)
    head = f'<variation-attribute attribute-id="{attr_xml(a.attribute_id)}" variation-attribute-id="{attr_xml(a.attribute_id)}"'
    if not a.display_name and not a.values:
        out.append(head + "/>")
        return
    out.append(head + ">")
    localized_xml(out, "display-name", a.display_name, pid, STRING_MAX)
    if a.values:
        out.append("<variation-attribute-values>")
        for value in a.values:
            check_id(value.value, ID_MAX, "variation value", pid)
            value_head = f'<variation-attribute-value value="{attr_xml(value.value)}"'
            if not value.display:
                out.append(value_head + "/>")
                continue
            out.append(value_head + ">")
            localized_xml(out, "display-value", value.display, pid, STRING_MAX)
            out.append("</variation-attribute-value>")
        out.append("</variation-attribute-values>")
    out.append("</variation-attribute>")


def _links_xml(out: list[str], p: Product) -> None:
    out.append("<product-links>")
    for link in p.links:
        if link.type not in LINK_TYPES:
            raise InvalidRecordError(p.id, f"unknown product link type {link.type!r}")
        check_id(link.product_id, PRODUCT_ID_MAX, "linked product id", p.id)
        out.append(f'<product-link product-id="{attr_xml(link.product_id)}" type="{attr_xml(link.type)}"/>')
    out.append("</product-links>")
