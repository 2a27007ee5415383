"""The import configuration as one JSON document: its schema, its default, its validation.

Pure: no Django, no database, no HTTP. `normalize()` fills what a document leaves out with
defaults and lists *every* problem as `dotted.path: message`, so the console can show each
beside its field and `importconfig` can print them all at once.

Sections: `akeneo` (connection), `mapping` (every `MappingConfig` field, including the image
and asset view types and the pricebook naming), `filters` (products, product models),
`delivery` (local, or an SFCC instance as `SfccConfig` knows it), `import` (thresholds),
`catalogs` (storefront catalogs, category options, what happens to removed products).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jobs.sfcc.http import DEFAULT_TOKEN_URL
from jobs.transform.config import MappingConfig, ModelImportMode
from jobs.transform.sites import CatalogLayout, RemovedProducts, Storefront

# Dotted paths of the values that are encrypted at rest and never shown back.
SECRET_PATHS = ("akeneo.secret", "akeneo.password", "delivery.client_secret")
ENV_PREFIX = "env:"

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_AKENEO_CODE = re.compile(r"^[A-Za-z0-9_]+$")
_AKENEO_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)+$")
_API_VERSION = re.compile(r"^v\d+_\d+$")
_MAPPING_DEFAULTS = MappingConfig()

# Bounds, from the systems that read the values:
# - Akeneo codes (channels, attributes, families, categories, locales): letters, digits and
#   underscores, at most 100 characters, as Akeneo's code validation allows.
# - SFCC ids: the XSDs' simpleType.Generic.NonEmptyString.256 (catalog-id, pricebook-id,
#   view-type) and simpleType.Definition.ID (attribute-id), at most 256 characters. Ids that
#   name a file or a folder of the archive stay within a file name's 255 bytes.
# - URLs: 2,048 characters, what browsers, proxies and HTTP servers reliably accept.
AKENEO_CODE_MAX = 100
SFCC_ID_MAX = 256
FILE_NAME_MAX = 255
URL_MAX = 2048
TEXT_MAX = 256  # any other short setting: a client id, a user name
SECRET_MAX = 1024
LIST_MAX_ITEMS = 1000
# Akeneo's `search` travels in the query string of every listing request.
SEARCH_MAX_CHARS = 4096


def _type_name(value: Any) -> str:
    names = {str: "a string", bool: "true/false", int: "an integer", float: "a number"}
    names |= {list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


class Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}")

    def about(self, path: str) -> bool:
        return any(problem.startswith(f"{path}: ") for problem in self)


# --- field kinds ----------------------------------------------------------------------------
# Each kind checks one value and returns it cleaned (or its default when it is unusable, so
# the checks that look across fields still run and report their own problems).


def _shown(value, limit: int = 60) -> str:
    """A value quoted in a message, cut: a problem names what was typed, never repeats a megabyte."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _too_long(value: str, maximum: int) -> str | None:
    if len(value) <= maximum:
        return None
    return f"must be at most {maximum:,} characters (this one has {len(value):,})"


@dataclass(frozen=True)
class Text:
    default: str = ""
    nullable: bool = False
    max_length: int = TEXT_MAX

    def clean(self, value, path: str, problems: Problems):
        if value is None and self.nullable:
            return None
        if not isinstance(value, str):
            problems.add(path, f"must be a string, not {_type_name(value)}")
            return self.default
        value = value.strip()
        if problem := _too_long(value, self.max_length):
            problems.add(path, problem)
            return self.default
        return value


@dataclass(frozen=True)
class Secret(Text):
    """A password or client secret, or `env:NAME` to read it from the environment at load time."""

    max_length: int = SECRET_MAX

    def clean(self, value, path: str, problems: Problems):
        value = super().clean(value, path, problems)
        if value.startswith(ENV_PREFIX) and not _ENV_NAME.match(value[len(ENV_PREFIX) :]):
            problems.add(path, "write env:NAME with the name of an environment variable")
        return value


@dataclass(frozen=True)
class Url(Text):
    max_length: int = URL_MAX

    def clean(self, value, path: str, problems: Problems):
        value = super().clean(value, path, problems)
        if value and not is_http_url(value):
            problems.add(path, "must be an http(s) URL")
        return value


@dataclass(frozen=True)
class Choice:
    choices: tuple[str, ...]
    default: str

    def clean(self, value, path: str, problems: Problems):
        if value not in self.choices:
            problems.add(path, f"must be one of {', '.join(self.choices)} (not {_shown(value)})")
            return self.default
        return value


@dataclass(frozen=True)
class Flag:
    default: bool | None = False
    nullable: bool = False

    def clean(self, value, path: str, problems: Problems):
        if value is None and self.nullable:
            return None
        if not isinstance(value, bool):
            problems.add(path, f"must be true or false, not {_type_name(value)}")
            return self.default
        return value


@dataclass(frozen=True)
class Number:
    default: float | int | None
    minimum: float
    maximum: float
    integer: bool = False
    nullable: bool = False

    def clean(self, value, path: str, problems: Problems):
        if value is None and self.nullable:
            return None
        wanted = (int,) if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, wanted):
            kind = "an integer" if self.integer else "a number"
            problems.add(
                path, f"must be {kind}{' or null' if self.nullable else ''}, not {_type_name(value)}"
            )
            return self.default
        if not self.minimum <= value <= self.maximum:
            problems.add(path, f"must be between {self.minimum:g} and {self.maximum:g}")
            return self.default
        return value


@dataclass(frozen=True)
class StrMap:
    """Akeneo code → SFCC name (an xml:lang, a view type, an attribute or link type)."""

    default: dict[str, str] = field(default_factory=dict)
    key_max: int = AKENEO_CODE_MAX
    value_max: int = SFCC_ID_MAX

    def clean(self, value, path: str, problems: Problems):
        if not isinstance(value, dict):
            problems.add(path, f"must be an object of code → value, not {_type_name(value)}")
            return dict(self.default)
        if len(value) > LIST_MAX_ITEMS:
            problems.add(path, f"must have at most {LIST_MAX_ITEMS:,} entries (this one has {len(value):,})")
            return dict(self.default)
        cleaned = {}
        for key, item in value.items():
            where = f"{path}.{key[:AKENEO_CODE_MAX]}"
            if not isinstance(item, str):
                problems.add(where, f"must be a string, not {_type_name(item)}")
            elif not key.strip():
                problems.add(path, "a key is empty")
            elif problem := _too_long(key.strip(), self.key_max):
                problems.add(where, f"the code {problem}")
            elif problem := _too_long(item.strip(), self.value_max):
                problems.add(where, problem)
            else:
                cleaned[key.strip()] = item.strip()
        return cleaned


@dataclass(frozen=True)
class StrList:
    default: tuple[str, ...] = ()
    pattern: re.Pattern | None = _AKENEO_CODE
    what: str = "Akeneo code"
    item_max: int = AKENEO_CODE_MAX

    def clean(self, value, path: str, problems: Problems):
        if not isinstance(value, list):
            problems.add(path, f"must be a list of strings, not {_type_name(value)}")
            return list(self.default)
        if len(value) > LIST_MAX_ITEMS:
            problems.add(path, f"must have at most {LIST_MAX_ITEMS:,} entries (this one has {len(value):,})")
            return list(self.default)
        cleaned = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                problems.add(f"{path}[{index}]", f"must be a string, not {_type_name(item)}")
            elif problem := _too_long(item, self.item_max):
                problems.add(f"{path}[{index}]", problem)
            elif self.pattern and not self.pattern.match(item):
                problems.add(f"{path}[{index}]", f"{_shown(item)} is not an {self.what}")
            else:
                cleaned.append(item)
        return cleaned


@dataclass(frozen=True)
class Search:
    """Akeneo's raw `search` filter: `{"property": [{"operator": "…", "value": …}, …], …}`."""

    default: None = None

    def clean(self, value, path: str, problems: Problems):
        if value is None or value == {}:
            return None
        if isinstance(value, dict) and len(json.dumps(value)) > SEARCH_MAX_CHARS:
            problems.add(path, f"must be at most {SEARCH_MAX_CHARS:,} characters of JSON "
                               "(it is sent in the URL of every Akeneo request)")  # fmt: skip
            return None
        if not isinstance(value, dict):
            problems.add(path, f"must be a JSON object like {{\"family\": [{{\"operator\": \"IN\", …}}]}}, "
                               f"not {_type_name(value)}")  # fmt: skip
            return None
        ok = True
        for prop, conditions in value.items():
            if not isinstance(conditions, list) or not conditions:
                problems.add(f"{path}.{prop}", "must be a non-empty list of conditions")
                ok = False
                continue
            for index, condition in enumerate(conditions):
                where = f"{path}.{prop}[{index}]"
                if not isinstance(condition, dict):
                    problems.add(where, f"must be an object, not {_type_name(condition)}")
                    ok = False
                elif not isinstance(condition.get("operator"), str) or not condition["operator"].strip():
                    problems.add(where, "needs an operator")
                    ok = False
        return copy.deepcopy(value) if ok else None


@dataclass(frozen=True)
class Storefronts:
    """`[{"catalog_id": "…", "category": "…"}, …]`: each site's storefront catalog and the
    Akeneo category whose children are its top-level categories."""

    default: tuple = ()

    def clean(self, value, path: str, problems: Problems):
        if not isinstance(value, list):
            problems.add(path, f"must be a list of {{catalog_id, category}} objects, not {_type_name(value)}")
            return []
        if len(value) > LIST_MAX_ITEMS:
            problems.add(path, f"must have at most {LIST_MAX_ITEMS:,} entries (this one has {len(value):,})")
            return []
        cleaned = []
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            if not isinstance(item, dict):
                problems.add(where, f"must be an object with catalog_id and category, not {_type_name(item)}")
                continue
            for key in sorted(item.keys() - {"catalog_id", "category"}):
                problems.add(f"{where}.{str(key)[:AKENEO_CODE_MAX]}", "unknown field")
            entry = {
                "catalog_id": Text(max_length=min(SFCC_ID_MAX, FILE_NAME_MAX)).clean(
                    item.get("catalog_id", ""), f"{where}.catalog_id", problems
                ),
                "category": Text(max_length=AKENEO_CODE_MAX).clean(
                    item.get("category", ""), f"{where}.category", problems
                ),
            }
            for key, text in entry.items():
                if not text and not problems.about(f"{where}.{key}"):
                    problems.add(f"{where}.{key}", "required")
            cleaned.append(entry)
        return cleaned


Kind = Text | Choice | Flag | Number | StrMap | StrList | Search | Storefronts
Schema = dict[str, "Kind | Schema"]


def _filters(completeness_max: int) -> Schema:
    return {
        "enabled": Flag(default=None, nullable=True),
        "completeness": {
            "percent": Number(None, 0, completeness_max, integer=True, nullable=True),
            "locales": StrList(pattern=_AKENEO_LOCALE, what="Akeneo locale code (like en_US)"),
        },
        "families": StrList(),
        "categories": StrList(),
        "search": Search(),
    }


SCHEMA: Schema = {
    "akeneo": {
        "url": Url(),
        "client_id": Text(),
        "secret": Secret(),
        "username": Text(),
        "password": Secret(),
        # The read timeout of one request, in seconds; connecting is given 5 s.
        "timeout": Number(60.0, 1, 3600),
        # Calls made at once to this PIM: Akeneo allows 4 concurrent calls per connection and 10
        # per instance (API limits). A full product import fetches over as many streams; job 2
        # downloads as many media files at once.
        "concurrency": Number(4, 1, 10, integer=True),
    },
    "mapping": {
        "channel": Text(_MAPPING_DEFAULTS.channel, max_length=AKENEO_CODE_MAX),
        "locales": StrMap(_MAPPING_DEFAULTS.locales),
        "default_locale": Text(_MAPPING_DEFAULTS.default_locale, max_length=AKENEO_CODE_MAX),
        # The catalog id is also the archive's catalogs/<catalog-id>/ folder.
        "catalog_id": Text(_MAPPING_DEFAULTS.catalog_id, max_length=min(SFCC_ID_MAX, FILE_NAME_MAX)),
        # prefix + Akeneo code is an SFCC attribute-id (≤ 256).
        "attribute_prefix": Text(
            _MAPPING_DEFAULTS.attribute_prefix, max_length=SFCC_ID_MAX - AKENEO_CODE_MAX
        ),
        "system_attributes": StrMap(_MAPPING_DEFAULTS.system_attributes),
        "link_types": StrMap(_MAPPING_DEFAULTS.link_types),
        "recommendation_types": StrMap(_MAPPING_DEFAULTS.recommendation_types),
        "quantified_types": StrMap(_MAPPING_DEFAULTS.quantified_types),
        "custom_attributes": StrMap(_MAPPING_DEFAULTS.custom_attributes),
        "custom_attribute_types": StrMap(_MAPPING_DEFAULTS.custom_attribute_types),
        # Each names a folder of the archive: libraries/<id>/, sites/<id>/library/.
        "content_library": Text(max_length=min(SFCC_ID_MAX, FILE_NAME_MAX)),
        "content_site": Text(max_length=32),  # simpleType.Generic.NonEmptyString.32 (site-id)
        "image_view_types": StrMap(),
        "asset_view_types": StrMap(),
        "model_mode": Choice(tuple(m.value for m in ModelImportMode), _MAPPING_DEFAULTS.model_mode.value),
        "price_attribute": Text(_MAPPING_DEFAULTS.price_attribute, max_length=AKENEO_CODE_MAX),
        # The pricebook id names pricebooks/<id>.xml: the id with ".xml" stays a file name.
        "pricebook_id_pattern": Text(_MAPPING_DEFAULTS.pricebook_id_pattern, max_length=FILE_NAME_MAX - 4),
        # A pricebook's display-name is a LocalizedString of at most 4,000 characters.
        "pricebook_name_pattern": Text(_MAPPING_DEFAULTS.pricebook_name_pattern, max_length=4000),
        "currencies": StrList(pattern=None, item_max=3),
        "excluded_attributes": StrList(),
    },
    "filters": {
        "products": _filters(100),
        # Akeneo knows only complete / incomplete for product models (see `Filters`).
        "product_models": _filters(100),
    },
    "delivery": {
        "target": Choice(("local", "sfcc"), "local"),
        "instance_url": Url(),
        "client_id": Text(),
        "client_secret": Secret(),
        "token_url": Url(DEFAULT_TOKEN_URL),
        "api_version": Text("v24_5"),
        "import_mode": Choice(("merge", "replace", "update", "delete"), "merge"),
        "keep_archive": Flag(False),
        "request_timeout": Number(60.0, 1, 600),
        "upload_timeout": Number(900.0, 10, 7200),
        "poll_interval": Number(5.0, 0.1, 300),
        "job_timeout": Number(3600.0, 10, 86400),
    },
    "import": {
        # More data errors than this fail the execution; null means no limit.
        "error_threshold": Number(None, 0, 10**9, integer=True, nullable=True),
        # A product import fails when none of the products and product models it read could be
        # imported, or when more than this percentage could not and at least `failed_minimum`
        # could not (a few bad records of a small catalog are a WARN); null: never on this count.
        "failed_percent": Number(10, 0, 100, nullable=True),
        "failed_minimum": Number(10, 1, 10**9, integer=True),
        # Archives larger than this are split (SFCC refuses site imports over 200 MB).
        "archive_max_mb": Number(190, 1, 10_240, integer=True),
        # A media file (image or asset) larger than this is a data error, refused while it
        # streams: a 300 MB "image" is never archived nor shipped.
        "media_max_mb": Number(50, 1, 10_240, integer=True),
    },
    # Where categories and assignments go (jobs.transform.sites): products always go to
    # mapping.catalog_id, the master catalog; with no storefront, categories go there too.
    "catalogs": {
        "storefronts": Storefronts(),
        "write_categories": Flag(True),
        "categories_online": Flag(True),
        "primary_category": Flag(True),
        "category_positions": Flag(True),
        "removed_products": Choice(tuple(m.value for m in RemovedProducts), RemovedProducts.OFFLINE.value),
    },
}


def _defaults(schema: Schema) -> dict:
    """Every field's default, as JSON has it (lists, not tuples)."""

    def plain(value):
        return list(value) if isinstance(value, tuple) else copy.deepcopy(value)

    return {
        key: _defaults(kind) if isinstance(kind, dict) else plain(kind.default)
        for key, kind in schema.items()
    }


# What `load()` answers while nothing has been saved: every field's default, which leaves the
# Akeneo and SFCC fields to fill in (`load()` says which). `make run` saves the demo's own.
DEFAULT_DOCUMENT: dict = _defaults(SCHEMA)


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not re.search(r"\s", value)


def default_document() -> dict:
    return copy.deepcopy(DEFAULT_DOCUMENT)


def get_path(document: dict, path: str):
    value = document
    for key in path.split("."):
        value = value[key]
    return value


def set_path(document: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        document = document[key]
    document[last] = value


def leaf_paths(schema: Schema = SCHEMA, prefix: str = "") -> list[str]:
    """Every field's dotted path, in schema order (the diff and the form go by these)."""
    paths = []
    for key, kind in schema.items():
        if isinstance(kind, dict):
            paths += leaf_paths(kind, f"{prefix}{key}.")
        else:
            paths.append(f"{prefix}{key}")
    return paths


def normalize(document) -> tuple[dict, list[str]]:
    """The document with defaults filled in, and every problem found (empty when valid)."""
    problems = Problems()
    if not isinstance(document, dict):
        problems.add("document", f"must be a JSON object, not {_type_name(document)}")
        return default_document(), problems
    cleaned = _clean_section(SCHEMA, document, "", problems)
    _check_across(cleaned, problems)
    return cleaned, list(problems)


def _clean_section(schema: Schema, values, prefix: str, problems: Problems) -> dict:
    if not isinstance(values, dict):
        problems.add(prefix.rstrip("."), f"must be an object, not {_type_name(values)}")
        values = {}
    for key in sorted(values.keys() - schema.keys()):
        problems.add(f"{prefix}{key[:AKENEO_CODE_MAX]}", "unknown field")
    cleaned = {}
    for key, kind in schema.items():
        path = f"{prefix}{key}"
        if isinstance(kind, dict):
            cleaned[key] = _clean_section(kind, values.get(key, {}), f"{path}.", problems)
        elif key in values:
            cleaned[key] = kind.clean(values[key], path, problems)
        else:
            cleaned[key] = copy.deepcopy(kind.default)
    return cleaned


def _check_across(document: dict, problems: Problems) -> None:
    """The checks one field cannot make alone."""
    for name in ("url", "client_id", "secret", "username", "password"):
        if not document["akeneo"][name] and not problems.about(f"akeneo.{name}"):
            problems.add(f"akeneo.{name}", "required")
    for name, messages in mapping_config(document["mapping"]).validate().items():
        for message in messages:
            problems.add(f"mapping.{name}", message)
    _check_filters(document, problems)
    layout = catalog_layout(document["catalogs"])
    for name, messages in layout.validate(document["mapping"]["catalog_id"]).items():
        for message in messages:
            problems.add(f"catalogs.{name}", message)
    delivery = document["delivery"]
    if delivery["target"] == "sfcc":
        for name in ("instance_url", "client_id", "client_secret", "token_url"):
            if not delivery[name] and not problems.about(f"delivery.{name}"):
                problems.add(f"delivery.{name}", "required to deliver to an SFCC instance")
    if not _API_VERSION.match(delivery["api_version"]):
        problems.add("delivery.api_version", "must be an OCAPI version like v24_5")


def _check_filters(document: dict, problems: Problems) -> None:
    imported = document["mapping"]["locales"]
    for kind in ("products", "product_models"):
        filters = document["filters"][kind]
        for index, locale in enumerate(filters["completeness"]["locales"]):
            if locale not in imported:
                problems.add(
                    f"filters.{kind}.completeness.locales[{index}]", f"{locale!r} is not an imported locale"
                )
    models = document["filters"]["product_models"]
    if models["enabled"] is not None:
        problems.add(
            "filters.product_models.enabled", "Akeneo product models have no enabled flag; leave empty"
        )
    if models["completeness"]["percent"] not in (None, 100):
        problems.add(
            "filters.product_models.completeness.percent",
            "Akeneo only knows complete or incomplete product models: use 100 or leave empty",
        )


def mapping_config(mapping: dict) -> MappingConfig:
    """The transforms' `MappingConfig` from a normalized `mapping` section."""
    return MappingConfig(
        channel=mapping["channel"],
        locales=dict(mapping["locales"]),
        default_locale=mapping["default_locale"],
        catalog_id=mapping["catalog_id"],
        attribute_prefix=mapping["attribute_prefix"],
        system_attributes=dict(mapping["system_attributes"]),
        link_types=dict(mapping["link_types"]),
        recommendation_types=dict(mapping["recommendation_types"]),
        quantified_types=dict(mapping["quantified_types"]),
        custom_attributes=dict(mapping["custom_attributes"]),
        custom_attribute_types=dict(mapping["custom_attribute_types"]),
        content_library=mapping["content_library"],
        content_site=mapping["content_site"],
        image_view_types=dict(mapping["image_view_types"]),
        asset_view_types=dict(mapping["asset_view_types"]),
        model_mode=ModelImportMode(mapping["model_mode"]),
        price_attribute=mapping["price_attribute"],
        pricebook_id_pattern=mapping["pricebook_id_pattern"],
        pricebook_name_pattern=mapping["pricebook_name_pattern"],
        currencies=tuple(mapping["currencies"]),
        excluded_attributes=frozenset(mapping["excluded_attributes"]),
    )


def catalog_layout(catalogs: dict) -> CatalogLayout:
    """The `CatalogLayout` from a normalized `catalogs` section."""
    return CatalogLayout(
        storefronts=tuple(Storefront(s["catalog_id"], s["category"]) for s in catalogs["storefronts"]),
        write_categories=catalogs["write_categories"],
        categories_online=catalogs["categories_online"],
        primary_category=catalogs["primary_category"],
        category_positions=catalogs["category_positions"],
        removed_products=RemovedProducts(catalogs["removed_products"]),
    )
