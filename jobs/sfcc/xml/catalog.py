"""`catalogs/<catalog-id>/catalog.xml`: header, categories, products, category assignments,
recommendations (catalog.xsd). The schema fixes the top-level order (header, category*,
product*, category-assignment*, recommendation*); the writer accepts them in any order and
still writes that order. A product's recommendations are written with it, as top-level
`<recommendation source-type="product">` elements, or (with storefront catalogs) into each
storefront catalog the product is in (`recommend`)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from jobs.sfcc.records import (
    CatalogHeader,
    Category,
    CategoryAssignment,
    ImageGroup,
    Mode,
    Product,
    Recommendation,
    VariationAttribute,
)

from .stream import (
    XML_LANG,
    Document,
    InvalidRecordError,
    Spool,
    SubElement,
    add_localized,
    build,
    check_id,
    check_length,
    flag,
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
        element = build(_product_element, product)
        elements = _recommendation_elements(product.id, product.recommendations)
        self._products.write(element)
        self.product_count += 1
        if recommendations:
            self._write_recommendations(elements)

    def recommend(self, source_id: str, recommendations: list[Recommendation]) -> None:
        """Recommendations of a product of another catalog (the master): a storefront catalog
        holds its products' recommendations, as SFRA's demo data does."""
        self._write_recommendations(_recommendation_elements(source_id, recommendations))

    def _write_recommendations(self, elements: list[etree._Element]) -> None:
        for recommendation in elements:
            self._recommendations.write(recommendation)
        self.recommendation_count += len(elements)

    def assignment(self, assignment: CategoryAssignment) -> None:
        element = build(_assignment_element, assignment)
        self._assignments.write(element)
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


def _assignment_element(a: CategoryAssignment) -> etree._Element:
    check_id(a.product_id, PRODUCT_ID_MAX, "product id")
    check_id(a.category_id, ID_MAX, "category id", a.product_id)
    attrs = {"category-id": a.category_id, "product-id": a.product_id}
    if a.mode == Mode.DELETE:
        attrs["mode"] = "delete"
        return etree.Element("category-assignment", attrs)
    el = etree.Element("category-assignment", attrs)
    if a.primary is not None:
        SubElement(el, "primary-flag").text = flag(a.primary)
    return el


def _recommendation_elements(source: str, recommendations: list[Recommendation]) -> list[etree._Element]:
    """All or none: a recommendation the schema cannot hold raises before any is written."""
    return [build(lambda item: _recommendation_element(source, item), r) for r in recommendations]


def _recommendation_element(source: str, r: Recommendation) -> etree._Element:
    check_id(r.product_id, PRODUCT_ID_MAX, "recommended product id", source)
    if not r.type.isdigit():
        raise InvalidRecordError(source, f"recommendation type {r.type!r} is not a recommendationType value")
    attrs = {"source-id": source, "source-type": "product", "target-id": r.product_id, "type": r.type}
    return etree.Element("recommendation", attrs)


def _product_element(p: Product) -> etree._Element:
    """The hot path: children in complexType.Product's sequence order, no work per value
    beyond what the schema's limits require."""
    pid = check_id(p.id, PRODUCT_ID_MAX, "product id")
    if p.mode == Mode.DELETE:
        return etree.Element("product", {"product-id": pid, "mode": "delete"})
    el = etree.Element("product", {"product-id": pid})
    if p.ean is not None:
        SubElement(el, "ean").text = check_length(p.ean, SHORT_MAX, "ean", pid)
    if p.upc is not None:
        SubElement(el, "upc").text = check_length(p.upc, SHORT_MAX, "upc", pid)
    if p.display_name:
        add_localized(el, "display-name", p.display_name, pid, STRING_MAX)
    if p.short_description:
        add_localized(el, "short-description", p.short_description, pid)
    if p.long_description:
        add_localized(el, "long-description", p.long_description, pid)
    SubElement(el, "online-flag").text = "true" if p.online else "false"
    if p.images:
        _add_images(el, p.images, pid)
    if p.brand is not None:
        SubElement(el, "brand").text = check_length(p.brand, SHORT_MAX, "brand", pid)
    if p.manufacturer_name is not None:
        SubElement(el, "manufacturer-name").text = check_length(
            p.manufacturer_name, SHORT_MAX, "manufacturer", pid
        )
    if p.manufacturer_sku is not None:
        SubElement(el, "manufacturer-sku").text = check_length(
            p.manufacturer_sku, SHORT_MAX, "manufacturer sku", pid
        )
    if p.custom:
        _add_custom(el, p)
    if p.bundled:
        _add_bundled(el, p)
    if p.set_products:
        set_products = SubElement(el, "product-set-products")
        for product_id in p.set_products:
            check_id(product_id, PRODUCT_ID_MAX, "product set product id", p.id)
            SubElement(set_products, "product-set-product", {"product-id": product_id})
    if p.variation_attributes or p.variants or p.variation_groups:
        _add_variations(el, p)
    if p.links:
        _add_links(el, p)
    return el


def _add_images(el: etree._Element, groups: list[ImageGroup], pid: str) -> None:
    images = SubElement(el, "images")
    for group in groups:
        attrs = {"view-type": group.view_type}
        if group.variation_value is not None and group.variation_attribute is None:
            # Only the value is known: the deprecated attribute form, resolved by SFCC through
            # the header's variation attribute.
            attrs["variation-value"] = group.variation_value
        image_group = SubElement(images, "image-group", attrs)
        if group.variation_attribute is not None and group.variation_value is not None:
            SubElement(
                image_group,
                "variation",
                {"attribute-id": group.variation_attribute, "value": group.variation_value},
            )
        for path in group.paths:
            SubElement(image_group, "image", {"path": check_id(path, 1800, "image path", pid)})


def _add_custom(el: etree._Element, p: Product) -> None:
    custom = SubElement(el, "custom-attributes")
    for value in p.custom:
        attrs = {"attribute-id": value.attribute_id}
        if value.lang is not None:
            attrs[XML_LANG] = value.lang
        attribute = SubElement(custom, "custom-attribute", attrs)
        if isinstance(value.value, str):
            attribute.text = value.value
        else:
            for item in value.value:
                SubElement(attribute, "value").text = item


def _add_bundled(el: etree._Element, p: Product) -> None:
    bundled = SubElement(el, "bundled-products")
    for item in p.bundled:
        check_id(item.product_id, PRODUCT_ID_MAX, "bundled product id", p.id)
        if item.quantity <= 0:
            raise InvalidRecordError(p.id, f"bundled product {item.product_id} has quantity {item.quantity}")
        product = SubElement(bundled, "bundled-product", {"product-id": item.product_id})
        SubElement(product, "quantity").text = str(item.quantity)


def _add_variations(el: etree._Element, p: Product) -> None:
    variations = SubElement(el, "variations")
    if p.variation_attributes:
        attributes = SubElement(variations, "attributes")
        for attribute in p.variation_attributes:
            _add_variation_attribute(attributes, attribute, p.id)
    if p.variants:
        variants = SubElement(variations, "variants")
        for variant_id in p.variants:
            SubElement(
                variants, "variant", {"product-id": check_id(variant_id, PRODUCT_ID_MAX, "variant id", p.id)}
            )
    if p.variation_groups:
        groups = SubElement(variations, "variation-groups")
        for group_id in p.variation_groups:
            check_id(group_id, PRODUCT_ID_MAX, "variation group id", p.id)
            SubElement(groups, "variation-group", {"product-id": group_id})


def _add_variation_attribute(parent: etree._Element, a: VariationAttribute, pid: str) -> None:
    check_id(a.attribute_id, ID_MAX, "variation attribute id", pid)
    attribute = SubElement(
        parent,
        "variation-attribute",
        {"attribute-id": a.attribute_id, "variation-attribute-id": a.attribute_id},
    )
    add_localized(attribute, "display-name", a.display_name, pid, STRING_MAX)
    if a.values:
        values = SubElement(attribute, "variation-attribute-values")
        for value in a.values:
            check_id(value.value, ID_MAX, "variation value", pid)
            value_el = SubElement(values, "variation-attribute-value", {"value": value.value})
            add_localized(value_el, "display-value", value.display, pid, STRING_MAX)


def _add_links(el: etree._Element, p: Product) -> None:
    links = SubElement(el, "product-links")
    for link in p.links:
        if link.type not in LINK_TYPES:
            raise InvalidRecordError(p.id, f"unknown product link type {link.type!r}")
        check_id(link.product_id, PRODUCT_ID_MAX, "linked product id", p.id)
        SubElement(links, "product-link", {"product-id": link.product_id, "type": link.type})
