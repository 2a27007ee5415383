"""A deterministic demo catalog in the snapshot layout the demo server reads.

    write_catalog(out_dir, products=250_000, seed=1)

Structure first (channels, locales, currencies, ~40 attributes of every type the pipeline maps,
groups, families with requirements per channel, one- and two-level family variants, a 4-level
category tree, association types, asset families and assets, a pool of small real images in
`media/`), then products and product models streamed to their `.jsonl` files in key order: the
generator holds one product model's group at a time, so 1,000,000 products cost the memory of
1,000. About 20% of products are variants. `bad_records=True` adds a few deliberately broken
products (unknown attribute, unknown option, missing image, bad price, unknown family).
"""

from __future__ import annotations

import json
import random
from collections import deque
from dataclasses import dataclass
from hashlib import sha1
from pathlib import Path

from demo.akeneo.images import image_for

LOCALES = ["en_US", "fr_FR", "de_DE"]
CHANNELS = {"ecommerce": LOCALES, "mobile": ["en_US", "fr_FR"]}
CURRENCIES = ["USD", "EUR"]
BASE_TIME = "2024-01-01T00:00:00+00:00"  # every record's created/updated (see snapshot.py)
IMAGE_POOL = 400
ASSETS_PER_FAMILY = 60
VARIANT_GROUP_CHANCE = 0.058  # with ~4 variants a group on average: about 20% of products are variants
BAD_RECORD_EVERY = 997

COLORS = ["black", "white", "red", "blue", "green", "grey", "navy", "yellow"]
SIZES = ["xs", "s", "m", "l", "xl", "xxl"]
OPTIONS = {
    "brand": ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"],
    "color": COLORS,
    "size": SIZES,
    "material": ["cotton", "wool", "leather", "polyester", "steel", "oak", "glass"],
    "season": ["spring", "summer", "autumn", "winter"],
    "country_of_origin": ["fr", "de", "us", "it", "pt", "vn", "cn"],
    "features": ["wireless", "waterproof", "recycled", "handmade", "organic", "smart", "foldable"],
    "certifications": ["ce", "fsc", "oeko_tex", "energy_star", "fair_trade"],
    "collection": ["summer_2024", "winter_2024", "summer_2025", "classics"],
}

# code, type, group, localizable, scopable, extra properties
ATTRIBUTES: list[tuple[str, str, str, bool, bool, dict]] = [
    ("sku", "pim_catalog_identifier", "erp", False, False, {"unique": True}),
    ("name", "pim_catalog_text", "marketing", True, False, {}),
    ("variation_name", "pim_catalog_text", "marketing", True, False, {}),
    ("erp_name", "pim_catalog_text", "erp", False, False, {}),
    ("ean", "pim_catalog_text", "erp", False, False, {"unique": True}),
    ("model_number", "pim_catalog_text", "technical", False, False, {}),
    ("supplier_ref", "pim_catalog_text", "erp", False, False, {}),
    ("keywords", "pim_catalog_text", "marketing", True, False, {}),
    ("meta_title", "pim_catalog_text", "marketing", True, True, {}),
    ("description", "pim_catalog_textarea", "marketing", True, True, {"wysiwyg_enabled": True}),
    ("short_description", "pim_catalog_textarea", "marketing", True, False, {"wysiwyg_enabled": False}),
    ("care_instructions", "pim_catalog_textarea", "technical", True, False, {"wysiwyg_enabled": False}),
    ("warranty_years", "pim_catalog_number", "technical", False, False, {"decimals_allowed": False}),
    ("stock_threshold", "pim_catalog_number", "erp", False, False, {"decimals_allowed": False}),
    ("rating", "pim_catalog_number", "marketing", False, False, {"decimals_allowed": True}),
    (
        "weight",
        "pim_catalog_metric",
        "technical",
        False,
        False,
        {"metric_family": "Weight", "default_metric_unit": "GRAM", "decimals_allowed": True},
    ),
    (
        "length",
        "pim_catalog_metric",
        "technical",
        False,
        False,
        {"metric_family": "Length", "default_metric_unit": "CENTIMETER", "decimals_allowed": True},
    ),
    (
        "power",
        "pim_catalog_metric",
        "technical",
        False,
        False,
        {"metric_family": "Power", "default_metric_unit": "WATT", "decimals_allowed": False},
    ),
    ("waterproof", "pim_catalog_boolean", "technical", False, False, {}),
    ("eco_friendly", "pim_catalog_boolean", "marketing", False, False, {}),
    ("featured", "pim_catalog_boolean", "marketing", False, True, {}),
    ("release_date", "pim_catalog_date", "marketing", False, True, {}),
    ("end_of_life", "pim_catalog_date", "erp", False, False, {}),
    ("brand", "pim_catalog_simpleselect", "marketing", False, False, {}),
    ("color", "pim_catalog_simpleselect", "marketing", False, False, {}),
    ("size", "pim_catalog_simpleselect", "marketing", False, False, {}),
    ("material", "pim_catalog_simpleselect", "technical", False, False, {}),
    ("season", "pim_catalog_simpleselect", "marketing", False, False, {}),
    ("country_of_origin", "pim_catalog_simpleselect", "erp", False, False, {}),
    ("features", "pim_catalog_multiselect", "technical", False, False, {}),
    ("certifications", "pim_catalog_multiselect", "technical", False, False, {}),
    ("collection", "pim_catalog_multiselect", "marketing", False, False, {}),
    ("price", "pim_catalog_price_collection", "pricing", False, False, {"decimals_allowed": True}),
    ("msrp", "pim_catalog_price_collection", "pricing", False, True, {"decimals_allowed": True}),
    ("main_image", "pim_catalog_image", "media", False, False, {"allowed_extensions": ["jpg", "png"]}),
    ("image_2", "pim_catalog_image", "media", False, False, {"allowed_extensions": ["jpg", "png"]}),
    ("variation_image", "pim_catalog_image", "media", False, False, {"allowed_extensions": ["jpg"]}),
    ("user_manual", "pim_catalog_file", "media", False, False, {"allowed_extensions": ["pdf"]}),
    ("gallery", "pim_catalog_asset_collection", "media", False, False, {"reference_data_name": "packshots"}),
    ("notices", "pim_catalog_asset_collection", "media", False, False, {"reference_data_name": "notices"}),
    # Enterprise / SaaS types, last so the values above keep their random stream.
    ("designer", "akeneo_reference_entity", "marketing", False, False, {"reference_data_name": "designers"}),
    ("fabrics", "akeneo_reference_entity_collection", "technical", False, False, {"reference_data_name": "fabrics"}),
    ("size_chart", "pim_catalog_table", "technical", False, False, {"table_configuration": [
        {"code": "size", "data_type": "select", "labels": {"en_US": "Size"}, "is_required_for_completeness": True,
         "options": [{"code": size, "labels": {"en_US": size.upper()}} for size in ["xs", "s", "m", "l", "xl", "xxl"]]},
        {"code": "chest_cm", "data_type": "number", "labels": {"en_US": "Chest (cm)"}, "validations": {}},
        {"code": "length_cm", "data_type": "number", "labels": {"en_US": "Length (cm)"}, "validations": {}},
    ]}),
]  # fmt: skip
ATTRIBUTE_BY_CODE = {a[0]: a for a in ATTRIBUTES}
GROUPS = ["marketing", "technical", "erp", "pricing", "media"]
COMMON = [
    "sku",
    "name",
    "erp_name",
    "ean",
    "description",
    "short_description",
    "brand",
    "price",
    "msrp",
    "main_image",
    "image_2",
    "gallery",
    "release_date",
    "eco_friendly",
    "featured",
    "keywords",
    "meta_title",
    "supplier_ref",
    "country_of_origin",
    "collection",
    "rating",
    "stock_threshold",
]
FAMILIES = {
    "shirts": COMMON
    + [
        "color",
        "size",
        "material",
        "season",
        "care_instructions",
        "weight",
        "variation_name",
        "variation_image",
    ],
    "shoes": COMMON
    + ["color", "size", "material", "waterproof", "weight", "variation_name", "variation_image"],
    "electronics": COMMON
    + [
        "model_number",
        "power",
        "weight",
        "length",
        "warranty_years",
        "features",
        "certifications",
        "user_manual",
        "notices",
        "end_of_life",
        "color",
    ],
    "furniture": COMMON + ["material", "length", "weight", "color", "certifications", "care_instructions"],
    "accessories": COMMON + ["color", "material", "waterproof", "variation_name", "variation_image"],
}
# The Enterprise attributes of each family, valued from a hash of the identifier rather than the
# random stream, so a seed's other values stay what they were before these were added.
ENTERPRISE_ATTRIBUTES = {
    "shirts": ["designer", "fabrics", "size_chart"],
    "shoes": ["designer", "size_chart"],
    "furniture": ["designer", "fabrics"],
    "accessories": ["designer"],
}
# Reference entity → (label, record codes); each record has a label per locale, a description
# and, for fabrics, a country (a single option) and a weight (a number).
REFERENCE_ENTITIES = {
    "designers": ("Designers", [f"designer_{i:02d}" for i in range(1, 31)]),
    "fabrics": (
        "Fabrics",
        ["cotton", "linen", "wool", "silk", "denim", "velvet", "tweed", "canvas", "jersey"],
    ),
}
# Quantified association types; PACK makes bundles, OUTFIT product sets (see demo/config.py).
QUANTIFIED_TYPES = ("PACK", "OUTFIT")
REQUIRED = {
    "ecommerce": ["sku", "name", "description", "price", "main_image", "brand"],
    "mobile": ["sku", "name", "price"],
}
# family → [(variant code, [(axes, attributes of that level)…])]
VARIANTS = {
    "shirts": [
        (
            "shirts_color_size",
            [
                (["color"], ["color", "variation_name", "variation_image", "material"]),
                (["size"], ["size", "sku", "ean", "weight"]),
            ],
        ),
        ("shirts_size", [(["size"], ["size", "sku", "ean", "weight"])]),
    ],
    "shoes": [("shoes_size", [(["size"], ["size", "sku", "ean", "weight"])])],
    "accessories": [("accessories_color", [(["color"], ["color", "sku", "ean", "variation_image"])])],
}
VARIANT_LEVEL_ATTRIBUTES = {
    "sku",
    "ean",
    "weight",
    "size",
    "color",
    "variation_name",
    "variation_image",
    "material",
}


def labels(text: str) -> dict[str, str]:
    return {"en_US": text, "fr_FR": f"{text} (fr)", "de_DE": f"{text} (de)"}


def media_code(name: str) -> str:
    """Akeneo's media codes: `a/b/c/d/<sha1>_<original name>`."""
    digest = sha1(name.encode()).hexdigest()  # noqa: S324 (a file name, not security)
    return f"{digest[0]}/{digest[1]}/{digest[2]}/{digest[3]}/{digest}_{name}"


@dataclass
class Counts:
    products: int = 0
    variants: int = 0
    product_models: int = 0
    bad_records: int = 0


class _Writer:
    """One `.jsonl` file, one compact JSON document a line."""

    def __init__(self, path: Path):
        self.handle = path.open("w", encoding="utf-8")

    def write(self, record: dict) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False, separators=(", ", ": ")))
        self.handle.write("\n")

    def close(self) -> None:
        self.handle.close()


def write_jsonl(path: Path, records) -> None:
    writer = _Writer(path)
    try:
        for record in records:
            writer.write(record)
    finally:
        writer.close()


# --- structure ---------------------------------------------------------------------------


def write_structure(out: Path) -> None:
    write_jsonl(
        out / "channels.jsonl",
        (
            {
                "code": code,
                "labels": labels(code.title()),
                "locales": locales,
                "currencies": CURRENCIES,
                "category_tree": "master",
                "conversion_units": {},
            }
            for code, locales in CHANNELS.items()
        ),
    )
    disabled = ["es_ES", "it_IT", "nl_NL"]
    write_jsonl(
        out / "_locales.jsonl", ({"code": c, "enabled": c in LOCALES} for c in sorted(LOCALES + disabled))
    )
    write_jsonl(
        out / "_currencies.jsonl", ({"code": c, "enabled": c in CURRENCIES} for c in ["EUR", "GBP", "USD"])
    )
    write_jsonl(
        out / "attribute-groups.jsonl",
        (
            {
                "code": g,
                "sort_order": i,
                "attributes": [a[0] for a in ATTRIBUTES if a[2] == g],
                "labels": labels(g.title()),
            }
            for i, g in enumerate(GROUPS)
        ),
    )
    write_jsonl(out / "attributes.jsonl", (_attribute(i, a) for i, a in enumerate(ATTRIBUTES)))
    for code, options in OPTIONS.items():
        write_jsonl(
            out / f"attributes__{code}__options.jsonl",
            (
                {"code": o, "attribute": code, "sort_order": i, "labels": labels(o.replace("_", " ").title())}
                for i, o in enumerate(options)
            ),
        )
    write_jsonl(out / "families.jsonl", (_family(code, attrs) for code, attrs in FAMILIES.items()))
    for family, variants in VARIANTS.items():
        write_jsonl(
            out / f"families__{family}__variants.jsonl",
            (
                {
                    "code": code,
                    "labels": labels(code.replace("_", " ").title()),
                    "variant_attribute_sets": [
                        {"level": level, "axes": axes, "attributes": attrs}
                        for level, (axes, attrs) in enumerate(levels, start=1)
                    ],
                }
                for code, levels in variants
            ),
        )
    write_jsonl(
        out / "association-types.jsonl",
        [
            {"code": "X_SELL", "labels": labels("Cross sell"), "is_quantified": False, "is_two_way": False},
            {"code": "UPSELL", "labels": labels("Upsell"), "is_quantified": False, "is_two_way": False},
            {
                "code": "SUBSTITUTION",
                "labels": labels("Substitution"),
                "is_quantified": False,
                "is_two_way": True,
            },
            {"code": "PACK", "labels": labels("Pack"), "is_quantified": True, "is_two_way": False},
            {"code": "OUTFIT", "labels": labels("Outfit"), "is_quantified": True, "is_two_way": False},
        ],
    )
    write_reference_entities(out)


def write_reference_entities(out: Path) -> None:
    """Akeneo Enterprise's reference entities: their attributes and records."""
    write_jsonl(
        out / "reference-entities.jsonl",
        (
            {"code": code, "labels": labels(label), "image": None}
            for code, (label, _) in REFERENCE_ENTITIES.items()
        ),
    )
    countries = OPTIONS["country_of_origin"]
    for code, (_, records) in REFERENCE_ENTITIES.items():
        attributes = [
            {"code": "label", "labels": labels("Label"), "type": "text", "value_per_locale": True,
             "value_per_channel": False, "is_required_for_completeness": False, "max_characters": None,
             "is_textarea": False, "is_rich_text_editor": False, "validation_rule": "none", "validation_regexp": None},
            {"code": "description", "labels": labels("Description"), "type": "text", "value_per_locale": True,
             "value_per_channel": False, "is_required_for_completeness": False, "max_characters": None,
             "is_textarea": True, "is_rich_text_editor": True, "validation_rule": "none", "validation_regexp": None},
        ]  # fmt: skip
        if code == "fabrics":
            attributes += [
                {"code": "country", "labels": labels("Country"), "type": "single_option", "value_per_locale": False,
                 "value_per_channel": False, "is_required_for_completeness": False},
                {"code": "weight_gsm", "labels": labels("Weight (g/m²)"), "type": "number",
                 "value_per_locale": False, "value_per_channel": False, "is_required_for_completeness": False,
                 "decimals_allowed": False, "min_value": "1", "max_value": "1000"},
            ]  # fmt: skip
        write_jsonl(out / f"reference-entities__{code}__attributes.jsonl", attributes)
        rows = []
        for position, record in enumerate(records):
            name = record.replace("_", " ").title()
            values = {
                "label": [
                    {"locale": loc, "channel": None, "data": text} for loc, text in labels(name).items()
                ],
                "description": [
                    {"locale": "en_US", "channel": None, "data": f"<p>{name}, one of our {code}.</p>"},
                    {"locale": "fr_FR", "channel": None, "data": f"<p>{name}, l'un de nos {code}.</p>"},
                ],
            }
            if code == "fabrics":
                values["country"] = [
                    {"locale": None, "channel": None, "data": countries[position % len(countries)]}
                ]
                values["weight_gsm"] = [{"locale": None, "channel": None, "data": str(120 + 15 * position)}]
            rows.append({"code": record, "values": values, "created": BASE_TIME, "updated": BASE_TIME})
        write_jsonl(out / f"reference-entities__{code}__records.jsonl", rows)


def _attribute(position: int, spec: tuple) -> dict:
    code, kind, group, localizable, scopable, extra = spec
    record = {
        "code": code,
        "type": kind,
        "group": group,
        "labels": labels(code.replace("_", " ").title()),
        "localizable": localizable,
        "scopable": scopable,
        "unique": bool(extra.get("unique")),
        "useable_as_grid_filter": True,
        "sort_order": position,
    }
    record.update({k: v for k, v in extra.items() if k != "unique"})
    return record


def _family(code: str, attributes: list[str]) -> dict:
    return {
        "code": code,
        "labels": labels(code.title()),
        "attributes": sorted(set(attributes) | set(ENTERPRISE_ATTRIBUTES.get(code, ()))),
        "attribute_as_label": "name",
        "attribute_as_image": "main_image",
        "attribute_requirements": {ch: [a for a in req if a in attributes] for ch, req in REQUIRED.items()},
    }


# One tree for the business unit, one sub-tree per site (as Akeneo's SFCC cartridge expects for
# several storefronts): `make run` imports each into its own storefront catalog.
SITES = {
    "site_fashion": ("Fashion store", ["clothing", "footwear", "gifts"]),
    "site_living": ("Living store", ["electronics", "home", "outdoor"]),
}


def category_tree(rng: random.Random) -> list[dict]:
    """master → 2 sites → 3 departments each → 4 sections → 3 aisles → (half of them) 2 shelves."""
    tree = [{"code": "master", "parent": None, "labels": labels("Master catalog")}]
    parents = {}
    for site, (label, site_departments) in SITES.items():
        tree.append({"code": site, "parent": "master", "labels": labels(label)})
        parents |= dict.fromkeys(site_departments, site)
    departments = ["clothing", "footwear", "electronics", "home", "outdoor", "gifts"]
    for d in departments:
        tree.append({"code": d, "parent": parents[d], "labels": labels(d.title())})
        for s in range(1, 5):
            section = f"{d}_s{s}"
            tree.append({"code": section, "parent": d, "labels": labels(f"{d.title()} section {s}")})
            for a in range(1, 4):
                aisle = f"{section}_a{a}"
                tree.append({"code": aisle, "parent": section, "labels": labels(f"{d.title()} {s}.{a}")})
                if rng.random() < 0.5:
                    for shelf in (1, 2):
                        tree.append(
                            {
                                "code": f"{aisle}_{shelf}",
                                "parent": aisle,
                                "labels": labels(f"{d.title()} {s}.{a}.{shelf}"),
                            }
                        )
    return tree


def leaves(tree: list[dict]) -> list[str]:
    parents = {c["parent"] for c in tree}
    return [c["code"] for c in tree if c["code"] not in parents]


def write_media(out: Path) -> tuple[list[str], dict[str, list[str]]]:
    """The image pool and the assets; returns image codes and asset codes by family."""
    images = [media_code(f"image_{i:04d}.jpg") for i in range(IMAGE_POOL)]
    for code in images + [media_code("manual_0000.pdf")]:
        _write_media_file(out, code)
    families = {"packshots": "Packshots", "notices": "Notices"}
    write_jsonl(
        out / "asset-families.jsonl",
        (
            {
                "code": code,
                "labels": labels(label),
                "attribute_as_main_media": "media",
                "naming_convention": {},
                "product_link_rules": [],
            }
            for code, label in families.items()
        ),
    )
    assets: dict[str, list[str]] = {}
    for family in families:
        records = []
        for i in range(ASSETS_PER_FAMILY):
            code = f"{family}_{i:04d}"
            media = media_code(f"{code}.jpg" if family == "packshots" else f"{code}.png")
            _write_media_file(out, media)
            records.append(
                {
                    "code": code,
                    "values": {
                        "media": [{"locale": None, "channel": None, "data": media}],
                        "label": [{"locale": "en_US", "channel": None, "data": f"{family.title()} {i}"}],
                    },
                }
            )
        write_jsonl(out / f"asset-families__{family}__assets.jsonl", records)
        assets[family] = [r["code"] for r in records]
    return images, assets


def _write_media_file(out: Path, code: str) -> None:
    path = out / "media" / code
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (
        image_for(code)[0]
        if not code.endswith(".pdf")
        else b"%PDF-1.4\n% demo manual " + code.encode() + b"\n%%EOF\n"
    )
    path.write_bytes(data)


# --- products and product models ---------------------------------------------------------


class CatalogStream:
    """Writes products and product models in key order, one model group in memory at a time."""

    def __init__(
        self,
        rng: random.Random,
        categories: list[str],
        images: list[str],
        assets: dict[str, list[str]],
        width: int,
        bad_records: bool,
    ):
        self.rng = rng
        self.categories = categories
        self.images = images
        self.assets = assets
        self.width = width
        self.bad_every = BAD_RECORD_EVERY if bad_records else 0
        self.recent_products: deque[str] = deque(maxlen=64)  # association targets: bounded memory
        self.recent_models: deque[str] = deque(maxlen=16)
        self.counts = Counts()

    def run(self, total: int, products: _Writer, models: _Writer) -> Counts:
        if self.bad_every:
            self.bad_every = max(1, min(self.bad_every, total // 10))
        slot = 0
        while self.counts.products < total:
            family = self.rng.choice(list(FAMILIES))
            remaining = total - self.counts.products
            group_chance = VARIANT_GROUP_CHANCE * len(FAMILIES) / len(VARIANTS)
            if family in VARIANTS and remaining >= 2 and self.rng.random() < group_chance:
                self._group(slot, family, remaining, products, models)
            else:
                products.write(self._simple(slot, family))
                self.counts.products += 1
            slot += 1
        return self.counts

    def _simple(self, slot: int, family: str) -> dict:
        identifier = f"sku_{slot:0{self.width}d}"
        attributes = [a for a in FAMILIES[family] if a not in ("variation_name", "variation_image")]
        product = {
            "identifier": identifier,
            "enabled": self.rng.random() < 0.9,
            "family": family,
            "categories": self.rng.sample(self.categories, self.rng.choice((1, 1, 2))),
            "groups": [],
            "parent": None,
            "values": self._values(identifier, attributes, drop=0.15)
            | _enterprise_values(identifier, family),
            "associations": self._associations(),
            "quantified_associations": self._quantified(),
        }
        if (
            not product["quantified_associations"]
            and _hashed(identifier) % 40 == 0
            and len(self.recent_products) > 3
        ):
            outfit = sorted(list(self.recent_products)[-3:])
            product["quantified_associations"] = {
                "OUTFIT": {
                    "products": [{"identifier": p, "quantity": 1} for p in outfit],
                    "product_models": [],
                }
            }
        if self.bad_every and (self.counts.products + 1) % self.bad_every == 0:
            self._spoil(product)
        self.recent_products.append(identifier)
        return product

    def _group(self, slot: int, family: str, remaining: int, products: _Writer, models: _Writer) -> None:
        variant_code, levels = self.rng.choice(VARIANTS[family])
        root = f"model_{slot:0{self.width}d}"
        level_attrs = {a for _, attrs in levels for a in attrs}
        common = [a for a in FAMILIES[family] if a not in level_attrs]
        models.write(
            self._model(root, None, family, variant_code, common, [self.rng.choice(self.categories)])
        )
        colors = sorted(self.rng.sample(COLORS, self.rng.choice((2, 3))))
        sizes = sorted(self.rng.sample(SIZES, self.rng.choice((3, 4))))
        axes = [axis for axis_list, _ in levels for axis in axis_list]
        combos = (
            [(c, s) for c in colors for s in sizes]
            if axes == ["color", "size"]
            else ([(c, None) for c in colors] if axes == ["color"] else [(None, s) for s in sizes])
        )
        combos = combos[: max(1, remaining)]
        parents = {None: root}
        if len(levels) == 2:  # sub-models carry the first level's attributes (one per colour)
            for color in sorted({c for c, _ in combos}):
                code = f"{root}_{color}"
                models.write(
                    self._model(code, root, family, variant_code, levels[0][1], [], axis={"color": color})
                )
                parents[color] = code
        for color, size in sorted(combos, key=lambda cs: _variant_id(slot, self.width, *cs)):
            identifier = _variant_id(slot, self.width, color, size)
            parent = parents.get(color, root) if len(levels) == 2 else root
            values = self._values(identifier, levels[-1][1], drop=0.05)
            for axis, value in (("color", color), ("size", size)):
                if value and axis in levels[-1][1]:
                    values[axis] = [_value(value)]
            products.write(
                {
                    "identifier": identifier,
                    "enabled": True,
                    "family": family,
                    "categories": [self.rng.choice(self.categories)] if self.rng.random() < 0.1 else [],
                    "groups": [],
                    "parent": parent,
                    "values": values,
                    "associations": {},
                    "quantified_associations": {},
                }
            )
            self.counts.products += 1
            self.counts.variants += 1
        self.recent_models.append(root)

    def _model(self, code, parent, family, variant, attributes, categories, axis=None) -> dict:
        values = self._values(code, [a for a in attributes if a not in ("sku", "ean")], drop=0.05)
        if parent is None:
            values |= _enterprise_values(code, family)
        for name, value in (axis or {}).items():
            values[name] = [_value(value)]
        self.counts.product_models += 1
        return {
            "code": code,
            "family_variant": variant,
            "family": family,
            "parent": parent,
            "categories": categories,
            "values": values,
            "associations": {},
            "quantified_associations": {},
        }

    def _values(self, key: str, attributes: list[str], drop: float) -> dict:
        values = {}
        for code in attributes:
            if code != "sku" and self.rng.random() < drop:
                continue  # missing values make completeness vary
            entries = self._entries(key, ATTRIBUTE_BY_CODE[code])
            if entries:
                values[code] = entries
        return values

    def _entries(self, key: str, spec: tuple) -> list[dict]:
        code, kind, _, localizable, scopable, extra = spec
        scopes = list(CHANNELS) if scopable else [None]
        entries = []
        for scope in scopes:
            locales = (CHANNELS[scope] if scope else LOCALES) if localizable else [None]
            for locale in locales:
                entries.append(_value(self._data(key, code, kind, extra, locale), locale, scope))
        return entries

    def _data(self, key: str, code: str, kind: str, extra: dict, locale: str | None):
        rng = self.rng
        suffix = f" ({locale})" if locale else ""
        match kind:
            case "pim_catalog_identifier":
                return key
            case "pim_catalog_text" if code == "ean":
                return str(int(sha1(key.encode()).hexdigest()[:12], 16) % 10**13).zfill(13)  # noqa: S324
            case "pim_catalog_text":
                return f"{code.replace('_', ' ').title()} {key}{suffix}"
            case "pim_catalog_textarea":
                return f"<p>{code.replace('_', ' ').title()} of {key}{suffix}: sturdy, light and tested.</p>"
            case "pim_catalog_number":
                return f"{rng.uniform(0, 5):.1f}" if extra.get("decimals_allowed") else rng.randint(0, 100)
            case "pim_catalog_metric":
                return {"amount": f"{rng.uniform(1, 5000):.2f}", "unit": extra["default_metric_unit"]}
            case "pim_catalog_boolean":
                return rng.random() < 0.5
            case "pim_catalog_date":
                year, month, day = rng.randint(2018, 2025), rng.randint(1, 12), rng.randint(1, 28)
                return f"{year}-{month:02d}-{day:02d}T00:00:00+00:00"
            case "pim_catalog_simpleselect":
                return rng.choice(OPTIONS[code])
            case "pim_catalog_multiselect":
                return sorted(rng.sample(OPTIONS[code], rng.randint(1, 3)))
            case "pim_catalog_price_collection":
                amount = rng.uniform(5, 500)
                return [
                    {"amount": f"{amount * rate:.2f}", "currency": cur}
                    for cur, rate in (("EUR", 1), ("USD", 1.1))
                ]
            case "pim_catalog_image":
                return rng.choice(self.images)
            case "pim_catalog_file":
                return media_code("manual_0000.pdf")
            case "pim_catalog_asset_collection":
                return sorted(rng.sample(self.assets[extra["reference_data_name"]], rng.randint(1, 3)))
        raise ValueError(f"no generator for attribute type {kind}")

    def _associations(self) -> dict:
        links = {}
        if self.recent_products and self.rng.random() < 0.08:
            picks = self.rng.sample(
                list(self.recent_products), min(len(self.recent_products), self.rng.randint(1, 3))
            )
            links["X_SELL"] = {"products": sorted(picks), "product_models": [], "groups": []}
        if self.recent_models and self.rng.random() < 0.03:
            links["UPSELL"] = {
                "products": [],
                "product_models": [self.rng.choice(self.recent_models)],
                "groups": [],
            }
        return links

    def _quantified(self) -> dict:
        if not self.recent_products or self.rng.random() >= 0.02:
            return {}
        picks = self.rng.sample(list(self.recent_products), min(len(self.recent_products), 2))
        return {
            "PACK": {
                "products": [{"identifier": p, "quantity": self.rng.randint(1, 4)} for p in sorted(picks)],
                "product_models": [],
            }
        }

    def _spoil(self, product: dict) -> None:
        """The deliberately bad records the pipeline must report as data errors."""
        kind = self.counts.bad_records % 5
        self.counts.bad_records += 1
        values = product["values"]
        if kind == 0:
            values["legacy_code"] = [_value("L-" + product["identifier"])]
        elif kind == 1:
            values["brand"] = [_value("no_such_brand")]
        elif kind == 2:
            values["main_image"] = [_value(media_code(f"missing_{product['identifier']}.jpg"))]
        elif kind == 3:
            values["price"] = [_value([{"amount": "abc", "currency": "EUR"}])]
        else:
            product["family"] = "discontinued_family"


def _hashed(key: str) -> int:
    return int(sha1(key.encode()).hexdigest()[:8], 16)  # noqa: S324 (a spread, not security)


def _enterprise_values(key: str, family: str) -> dict:
    """Values of the reference entity and table attributes, chosen by a hash of the key."""
    values = {}
    spread = _hashed(key)
    for code in ENTERPRISE_ATTRIBUTES.get(family, ()):
        if code == "designer":
            records = REFERENCE_ENTITIES["designers"][1]
            values[code] = [_value(records[spread % len(records)])]
        elif code == "fabrics":
            records = REFERENCE_ENTITIES["fabrics"][1]
            start = spread % len(records)
            values[code] = [_value(sorted({records[start], records[(start + spread // 7) % len(records)]}))]
        elif code == "size_chart":
            base = 80 + spread % 20
            rows = [
                {"size": size, "chest_cm": base + 4 * i, "length_cm": 60 + 2 * i}
                for i, size in enumerate(SIZES[: 3 + spread % 4])
            ]
            values[code] = [_value(rows)]
    return values


def _value(data, locale: str | None = None, scope: str | None = None) -> dict:
    return {"locale": locale, "scope": scope, "data": data}


def _variant_id(slot: int, width: int, color: str | None, size: str | None) -> str:
    return "_".join(p for p in (f"sku_{slot:0{width}d}", color, size) if p)


def write_catalog(out_dir: str | Path, *, products: int, seed: int = 1, bad_records: bool = False) -> Counts:
    """Writes the whole snapshot into `out_dir` (created; existing resource files replaced)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    write_structure(out)
    tree = category_tree(rng)
    write_jsonl(out / "categories.jsonl", tree)
    images, assets = write_media(out)
    stream = CatalogStream(rng, leaves(tree), images, assets, max(7, len(str(products))), bad_records)
    product_writer, model_writer = _Writer(out / "products.jsonl"), _Writer(out / "product-models.jsonl")
    try:
        counts = stream.run(products, product_writer, model_writer)
    finally:
        product_writer.close()
        model_writer.close()
    meta = {
        "base_time": BASE_TIME,
        "seed": seed,
        "with_bad_records": bad_records,
        **counts.__dict__,
        "generated_by": "demo.akeneo.generator",
    }
    (out / "_meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return counts
