"""A small synthetic Akeneo catalog for unit tests: one attribute of every supported type."""

from jobs.transform import MappingConfig, ProductTransformer


def attribute(code, kind, **extra):
    return {
        "code": code,
        "type": f"pim_catalog_{kind}",
        "group": "marketing",
        "labels": {"en_US": code.title(), "fr_FR": f"{code} (fr)"},
        "localizable": False,
        "scopable": False,
        **extra,
    }


ATTRIBUTES = [
    attribute("sku", "identifier"),
    attribute("name", "text", localizable=True),
    attribute("description", "textarea", localizable=True, scopable=True),
    attribute("notes", "textarea", wysiwyg_enabled=True),
    attribute("ean", "text"),
    attribute("brand", "simpleselect"),
    attribute("color", "simpleselect"),
    attribute("size", "simpleselect"),
    attribute("collection", "multiselect"),
    attribute("weight", "metric"),
    attribute("pieces", "number", decimals_allowed=False),
    attribute("ratio", "number", decimals_allowed=True),
    attribute("waterproof", "boolean"),
    attribute("release_date", "date", scopable=True),
    attribute("picture", "image"),
    attribute("manual", "file"),
    attribute("gallery", "asset_collection", reference_data_name="packshots"),
    attribute("price", "price_collection"),
]


def option(attribute_code, code, en, fr=None, order=0):
    labels = {"en_US": en, **({"fr_FR": fr} if fr else {})}
    return {"code": code, "attribute": attribute_code, "sort_order": order, "labels": labels}


OPTIONS = {
    "brand": [option("brand", "acme", "ACME Corp")],
    "color": [option("color", "red", "Red", "Rouge", 1), option("color", "blue", "Blue", "Bleu", 0)],
    "size": [
        option("size", "s", "S", order=0),
        option("size", "m", "M", order=1),
        option("size", "l", "L", order=2),
    ],
    "collection": [option("collection", "summer", "Summer"), option("collection", "winter", "Winter")],
}

FAMILY_VARIANTS = [
    {
        "code": "by_color_size",
        "variant_attribute_sets": [
            {"level": 1, "axes": ["color"], "attributes": ["color", "picture"]},
            {"level": 2, "axes": ["size"], "attributes": ["size", "ean", "sku"]},
        ],
    },
    {"code": "by_size", "variant_attribute_sets": [{"level": 1, "axes": ["size"], "attributes": ["size"]}]},
]

CATEGORY_IDS = {"shirts": "shirts", "summer_deals": "summer_deals"}


def value(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


def config(**changes) -> MappingConfig:
    settings = {
        "locales": {"en_US": "en-US", "fr_FR": "fr-FR"},
        "image_view_types": {"picture": "large"},
        "asset_view_types": {},
    }
    return MappingConfig(**{**settings, **changes})


def transformer(**changes) -> ProductTransformer:
    return ProductTransformer(
        config(**changes),
        ATTRIBUTES,
        OPTIONS,
        FAMILY_VARIANTS,
        CATEGORY_IDS,
        known_locales=["en_US", "fr_FR", "de_DE"],
    )


def product(identifier="P1", parent=None, **values):
    return {
        "identifier": identifier,
        "enabled": True,
        "family": "shirts",
        "parent": parent,
        "categories": [],
        "values": values,
        "associations": {},
    }


def model(code, parent=None, family_variant="by_color_size", **values):
    return {
        "code": code,
        "family": "shirts",
        "family_variant": family_variant,
        "parent": parent,
        "categories": [],
        "values": values,
        "associations": {},
    }
