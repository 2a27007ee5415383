"""Everything the Akeneo → SFCC mapping needs, in one immutable value.

The DB-stored import configuration builds a `MappingConfig`; the transforms read nothing else.
`validate()` lists problems by field name so the console form can show them beside the fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from jobs.transform.locales import X_DEFAULT

# The system attributes of SFCC's Product, as catalog.xsd's complexType.Product (and its
# complexType.PageAttributes) has them: the elements holding one attribute's value, not the
# structures (images, variations, links, options, custom attributes …).
SFCC_PRODUCT_SYSTEM_ATTRIBUTES = frozenset(
    {
        "ean", "upc", "unit", "unit-quantity", "unit-measure", "min-order-quantity", "step-quantity",
        "display-name", "short-description", "long-description", "store-receipt-name", "store-tax-class",
        "store-force-price-flag", "store-non-inventory-flag", "store-non-revenue-flag",
        "store-non-discountable-flag", "online-flag", "online-from", "online-to", "available-flag",
        "searchable-flag", "searchable-if-unavailable-flag", "template", "tax-class-id", "brand",
        "manufacturer-name", "manufacturer-sku", "search-placement", "search-rank", "sitemap-included-flag",
        "sitemap-changefrequency", "sitemap-priority", "page-title", "page-description", "page-keywords",
        "page-url",
    }
)  # fmt: skip
# The types of SFCC custom attributes (metadata.xsd simpleType.AttributeDefinition.Type) a
# mapping onto an existing custom attribute may name.
SFCC_ATTRIBUTE_TYPES = frozenset(
    {
        "string",
        "text",
        "html",
        "int",
        "double",
        "boolean",
        "date",
        "datetime",
        "enum-of-string",
        "set-of-string",
    }
)
# What a quantified association type becomes.
QUANTIFIED_TARGETS = ("bundle", "set")
# The Product fields a PIM attribute can be sent to instead of becoming a custom attribute.
SYSTEM_ATTRIBUTES = frozenset(
    {
        "display-name",
        "long-description",
        "short-description",
        "ean",
        "upc",
        "brand",
        "manufacturer-name",
        "manufacturer-sku",
    }
)
# The product link types catalog.xsd allows.
LINK_TYPES = frozenset(
    {
        "cross-sell",
        "replacement",
        "up-sell",
        "accessory",
        "newer-version",
        "alt-orderunit",
        "spare-part",
        "other",
    }
)


class ModelImportMode(StrEnum):
    # Both model levels flattened: the root model's master lists every variant.
    MASTER_VARIATION = "master-variation"
    # Sub-models become variation groups of the root model's master.
    MASTER_GROUP_VARIATION = "master-group-variation"


def _default_system_attributes() -> dict[str, str]:
    return {
        "name": "display-name",
        "description": "long-description",
        "short_description": "short-description",
        "ean": "ean",
        "upc": "upc",
        "brand": "brand",
        "manufacturer": "manufacturer-name",
    }


def _default_link_types() -> dict[str, str]:
    return {"X_SELL": "cross-sell", "UPSELL": "up-sell", "SUBSTITUTION": "replacement", "PACK": "accessory"}


_AKENEO_CODE = re.compile(r"^[A-Za-z0-9_]+$")
_AKENEO_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)+$")
_XML_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
_SFCC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ATTRIBUTE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,255}$")
_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)?$")


@dataclass(frozen=True)
class MappingConfig:
    channel: str = "ecommerce"
    # Akeneo locale → xml:lang; only these locales are exported.
    locales: dict[str, str] = field(default_factory=lambda: {"en_US": "en-US"})
    # Its values are also written as x-default.
    default_locale: str = "en_US"
    catalog_id: str = "akeneo-master"
    attribute_prefix: str = "akeneo_"
    system_attributes: dict[str, str] = field(default_factory=_default_system_attributes)
    # Akeneo association type → SFCC product link type; unmapped types are not exported.
    link_types: dict[str, str] = field(default_factory=_default_link_types)
    # Akeneo association type → SFCC recommendationType value ("1", "2", …): these types become
    # product recommendations instead of links (this map wins over `link_types`), as the
    # cartridge does by default.
    recommendation_types: dict[str, str] = field(default_factory=dict)
    # Akeneo quantified association type → "bundle" or "set"; an unlisted type makes a bundle.
    quantified_types: dict[str, str] = field(default_factory=dict)
    # Akeneo attribute → an SFCC custom attribute the storefront already has (SFRA's `color`,
    # `size`): its values are written there and no definition is exported for it.
    custom_attributes: dict[str, str] = field(default_factory=dict)
    # SFCC custom attribute id → its type in the storefront, checked against the Akeneo type;
    # an attribute not listed is taken to have the type the Akeneo attribute implies.
    custom_attribute_types: dict[str, str] = field(default_factory=dict)
    # Where reference entities go: a shared content library (its id), or else the private
    # library of the site `content_site`.
    content_library: str = ""
    content_site: str = ""
    # Image attribute / asset collection attribute → SFCC image view type. Attributes listed here
    # become image groups; image attributes not listed become custom string attributes.
    image_view_types: dict[str, str] = field(default_factory=dict)
    asset_view_types: dict[str, str] = field(default_factory=dict)
    model_mode: ModelImportMode = ModelImportMode.MASTER_VARIATION
    price_attribute: str = "price"
    # Formatted with the lower-cased currency code.
    pricebook_id_pattern: str = "akeneo-{currency}-list-prices"
    # Formatted with the currency code as Akeneo writes it (upper case).
    pricebook_name_pattern: str = "Akeneo list prices ({currency})"
    # Only these currencies get pricebooks; empty means every currency found.
    currencies: tuple[str, ...] = ()
    excluded_attributes: frozenset[str] = frozenset()

    def pricebook_id(self, currency: str) -> str:
        return self.pricebook_id_pattern.format(currency=currency.lower())

    def pricebook_name(self, currency: str) -> str:
        return self.pricebook_name_pattern.format(currency=currency.upper())

    def library_path(self) -> tuple[str, str | None] | None:
        """(archive path of library.xml, library-id or None for a private library); None when
        neither a library nor a site is configured."""
        if self.content_library:
            return f"libraries/{self.content_library}/library.xml", self.content_library
        if self.content_site:
            return f"sites/{self.content_site}/library/library.xml", None
        return None

    @property
    def default_lang(self) -> str:
        return self.locales.get(self.default_locale, X_DEFAULT)

    def validate(self) -> dict[str, list[str]]:
        """Problems by field name; empty when the configuration is usable."""
        errors: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        if not _AKENEO_CODE.match(self.channel or ""):
            add("channel", "Enter the code of an Akeneo channel.")
        self._validate_locales(add)
        if not _SFCC_ID.match(self.catalog_id or ""):
            add("catalog_id", "Enter a catalog id (letters, digits, '.', '_', '-').")
        if not _PREFIX.match(self.attribute_prefix):
            add("attribute_prefix", "A prefix starts with a letter and has only letters, digits and '_'.")
        self._validate_targets(add)
        try:
            ModelImportMode(self.model_mode)
        except ValueError:
            add("model_mode", f"Choose {' or '.join(m.value for m in ModelImportMode)}.")
        if not self.price_attribute:
            add("price_attribute", "Enter the code of the price collection attribute.")
        self._validate_pricebook(add)
        return errors

    def _validate_locales(self, add) -> None:
        if not self.locales:
            add("locales", "Map at least one Akeneo locale.")
        for locale, lang in self.locales.items():
            if not _AKENEO_LOCALE.match(locale):
                add("locales", f"{locale!r} is not an Akeneo locale code (like en_US).")
            if not _XML_LANG.match(lang or "") or lang == X_DEFAULT:
                add("locales", f"{lang!r} is not an xml:lang value (like en-US).")
        langs = list(self.locales.values())
        if len(set(langs)) != len(langs):
            add("locales", "Two Akeneo locales are mapped to the same xml:lang.")
        if self.default_locale not in self.locales:
            add("default_locale", "The default locale must be one of the mapped locales.")

    def _validate_targets(self, add) -> None:
        for code, target in self.system_attributes.items():
            if target not in SFCC_PRODUCT_SYSTEM_ATTRIBUTES:
                add(
                    "system_attributes",
                    f"{code!r} → {target!r}: SFCC's Product has no system attribute {target!r} "
                    "(map a custom attribute under custom_attributes).",
                )
            elif target not in SYSTEM_ATTRIBUTES:
                add(
                    "system_attributes",
                    f"{code!r} → {target!r}: a system attribute this import does not write "
                    f"(it writes {', '.join(sorted(SYSTEM_ATTRIBUTES))}).",
                )
        for code, link_type in self.link_types.items():
            if link_type not in LINK_TYPES:
                add("link_types", f"{code!r} → {link_type!r}: not an SFCC product link type.")
        self._validate_associations(add)
        self._validate_custom(add)
        for name in ("content_library", "content_site"):
            if getattr(self, name) and not _SFCC_ID.match(getattr(self, name)):
                add(name, f"{getattr(self, name)!r} is not an SFCC id (letters, digits, '.', '_', '-').")
        if self.content_library and self.content_site:
            add("content_site", "Give a shared library or a site whose private library it is, not both.")
        for name in ("image_view_types", "asset_view_types"):
            for code, view_type in getattr(self, name).items():
                if not _SFCC_ID.match(view_type or ""):
                    add(name, f"{code!r}: {view_type!r} is not a view type name.")
        for code in self.image_view_types.keys() & self.asset_view_types.keys():
            add("asset_view_types", f"{code!r} is mapped both as an image and as an asset collection.")
        for code in self.system_attributes.keys() & (
            self.image_view_types.keys() | self.asset_view_types.keys()
        ):
            add("system_attributes", f"{code!r} is mapped both to a system attribute and to images.")
        if self.price_attribute in self.system_attributes:
            add(
                "system_attributes",
                f"{self.price_attribute!r} is the price attribute; it goes to pricebooks.",
            )

    def _validate_associations(self, add) -> None:
        for code, number in self.recommendation_types.items():
            if not re.fullmatch(r"[1-9][0-9]{0,8}", number or ""):
                add(
                    "recommendation_types",
                    f"{code!r} → {number!r}: a recommendation type is a whole number (SFCC's "
                    "recommendationType values, like 1 for cross-sell in SFRA).",
                )
        for code, target in self.quantified_types.items():
            if target not in QUANTIFIED_TARGETS:
                add("quantified_types", f"{code!r} → {target!r}: choose bundle or set.")

    def _validate_custom(self, add) -> None:
        for code, attribute_id in self.custom_attributes.items():
            if not _ATTRIBUTE_ID.match(attribute_id or ""):
                add("custom_attributes", f"{code!r} → {attribute_id!r}: not an SFCC attribute id.")
            if code in self.system_attributes:
                add("custom_attributes", f"{code!r} is mapped both to a system and to a custom attribute.")
        targets = list(self.custom_attributes.values())
        for attribute_id in sorted({t for t in targets if targets.count(t) > 1}):
            add("custom_attributes", f"Two Akeneo attributes are mapped to {attribute_id!r}.")
        for attribute_id, kind in self.custom_attribute_types.items():
            if kind not in SFCC_ATTRIBUTE_TYPES:
                add(
                    "custom_attribute_types",
                    f"{attribute_id!r}: {kind!r} is not an SFCC attribute type "
                    f"({', '.join(sorted(SFCC_ATTRIBUTE_TYPES))}).",
                )

    def _validate_pricebook(self, add) -> None:
        for name in ("pricebook_id_pattern", "pricebook_name_pattern"):
            pattern = getattr(self, name)
            try:
                sample = pattern.format(currency="eur")
            except (KeyError, IndexError, ValueError):
                add(name, "Use {currency} as the only placeholder.")
                continue
            if "{currency}" not in pattern:
                add(name, "Include {currency}: one pricebook is written per currency.")
            elif name == "pricebook_id_pattern" and not _SFCC_ID.match(sample):
                add(name, "A pricebook id has only letters, digits, '.', '_' and '-'.")
        for currency in self.currencies:
            if not re.fullmatch(r"[A-Z]{3}", currency):
                add("currencies", f"{currency!r} is not an ISO 4217 currency code.")
