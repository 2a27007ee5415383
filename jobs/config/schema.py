"""The import configuration as one JSON document: its schema, its default, its validation.

Pure: no Django, no database, no HTTP. `normalize()` fills what a document leaves out with
defaults and lists *every* problem as `dotted.path: message`, so the console can show each
beside its field and `importconfig` can print them all at once.

Each field is described once, in `SCHEMA`: its kind, default and bounds (what `normalize()`
checks) and its words (label, help, the choices' labels), from which the Configuration page's
form (console/config/forms.py) and the History's labels are built. `plain_config()` turns a
section into the dataclass of the same fields (`MappingConfig`, `CatalogLayout`, `AkeneoConnection`).

Sections: `akeneo` (connection), `mapping` (every `MappingConfig` field, including the image
and asset view types and the pricebook naming), `filters` (products, product models),
`delivery` (local, or an SFCC instance as `SfccConfig` knows it), `import` (thresholds),
`catalogs` (storefront catalogs, category options, what happens to removed products).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
import typing
from dataclasses import MISSING, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jobs.sfcc.delivery import SfccConfig
from jobs.transform.config import MappingConfig, ModelImportMode
from jobs.transform.sites import CatalogLayout, RemovedProducts, Storefront

ENV_PREFIX = "env:"

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_AKENEO_CODE = re.compile(r"^[A-Za-z0-9_]+$")
_AKENEO_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)+$")
_API_VERSION = re.compile(r"^v\d+_\d+$")
# The defaults of the values that become a `MappingConfig` and an `SfccConfig` are theirs.
_M = MappingConfig()
_SFCC = {f.name: f.default for f in dataclasses.fields(SfccConfig) if f.default is not MISSING}

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
# the checks that look across fields still run and report their own problems). Each also
# carries its human side, what the Configuration page and the History show: `label`, `help`.


def _shown(value, limit: int = 60) -> str:
    """A value quoted in a message, cut: a problem names what was typed, never repeats a megabyte."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def too_long(value: str, maximum: int) -> str | None:
    if len(value) <= maximum:
        return None
    return f"must be at most {maximum:,} characters (this one has {len(value):,})"


@dataclass(frozen=True, kw_only=True)
class Described:
    """What a person reads about a field: its label and a line of help (empty for none)."""

    label: str = ""
    help: str = ""


@dataclass(frozen=True)
class Text(Described):
    default: str = ""
    nullable: bool = False
    max_length: int = TEXT_MAX
    # An empty value is refused: the page asks for it (a secret excepted, which empty keeps
    # as stored). The Akeneo connection says "required"; the other sections' checks say why.
    required: bool = field(default=False, kw_only=True)

    def clean(self, value, path: str, problems: Problems):
        if value is None and self.nullable:
            return None
        if not isinstance(value, str):
            problems.add(path, f"must be a string, not {_type_name(value)}")
            return self.default
        value = value.strip()
        if problem := too_long(value, self.max_length):
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
class Choice(Described):
    choices: tuple[str, ...]
    default: str
    # What the page shows for a choice (value → words); a choice not named shows its value.
    labels: tuple[tuple[str, str], ...] = field(default=(), kw_only=True)
    radio: bool = field(default=False, kw_only=True)  # radio buttons, not a drop-down

    def __post_init__(self):
        if unknown := {value for value, _ in self.labels} - set(self.choices):
            raise ValueError(f"labels for no choice: {', '.join(sorted(unknown))}")

    def options(self) -> list[tuple[str, str]]:
        """(value, label) of each choice, in order."""
        words = dict(self.labels)
        return [(value, words.get(value, value)) for value in self.choices]

    def clean(self, value, path: str, problems: Problems):
        if value not in self.choices:
            problems.add(path, f"must be one of {', '.join(self.choices)} (not {_shown(value)})")
            return self.default
        return value


@dataclass(frozen=True)
class Flag(Described):
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
class Number(Described):
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
class StrMap(Described):
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
            elif problem := too_long(key.strip(), self.key_max):
                problems.add(where, f"the code {problem}")
            elif problem := too_long(item.strip(), self.value_max):
                problems.add(where, problem)
            else:
                cleaned[key.strip()] = item.strip()
        return cleaned


@dataclass(frozen=True)
class StrList(Described):
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
            elif problem := too_long(item, self.item_max):
                problems.add(f"{path}[{index}]", problem)
            elif self.pattern and not self.pattern.match(item):
                problems.add(f"{path}[{index}]", f"{_shown(item)} is not an {self.what}")
            else:
                cleaned.append(item)
        return cleaned


@dataclass(frozen=True)
class Search(Described):
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
class Storefronts(Described):
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
        "enabled": Flag(default=None, nullable=True, label="Enabled"),
        "completeness": {
            "percent": Number(
                None, 0, completeness_max, integer=True, nullable=True, label="Completeness at least (%)"
            ),
            "locales": StrList(
                pattern=_AKENEO_LOCALE, what="Akeneo locale code (like en_US)", label="Completeness locales"
            ),
        },
        "families": StrList(label="Families"),
        "categories": StrList(label="Categories (with their subcategories)"),
        "search": Search(label="Advanced Akeneo search (JSON)"),
    }


SCHEMA: Schema = {
    "akeneo": {
        "url": Url(label="URL", help="e.g. https://pim.example.com", required=True),
        "client_id": Text(label="Client id", required=True),
        "secret": Secret(label="Secret", required=True),
        "username": Text(label="Username", required=True),
        "password": Secret(label="Password", required=True),
        # The read timeout of one request, in seconds; connecting is given 5 s.
        "timeout": Number(60.0, 1, 3600, label="Request timeout (s)"),
        # Calls made at once to this PIM: Akeneo allows 4 concurrent calls per connection and 10
        # per instance (API limits). A full product import fetches over as many streams; job 2
        # downloads as many media files at once.
        "concurrency": Number(
            4, 1, 10, integer=True, label="Calls at once",
            help="Akeneo allows 4 concurrent calls per connection (10 per instance); a full product "
            "import fetches over as many streams, and job 2 downloads as many media files at once.",
        ),
    },
    "mapping": {
        "channel": Text(
            _M.channel, max_length=AKENEO_CODE_MAX, required=True,
            label="Channel", help="Its category tree becomes the catalog's tree.",
        ),
        "locales": StrMap(
            _M.locales, label="Locales", help="One per line: Akeneo locale = xml:lang, e.g. en_US = en-US"
        ),
        "default_locale": Text(
            _M.default_locale, max_length=AKENEO_CODE_MAX, required=True,
            label="Default locale", help="Also written as x-default.",
        ),
        # The catalog id is also the archive's catalogs/<catalog-id>/ folder.
        "catalog_id": Text(
            _M.catalog_id, max_length=min(SFCC_ID_MAX, FILE_NAME_MAX), required=True,
            label="Master catalog id", help="Products go here; categories too when no storefront is listed.",
        ),
        # prefix + Akeneo code is an SFCC attribute-id (≤ 256).
        "attribute_prefix": Text(
            _M.attribute_prefix, max_length=SFCC_ID_MAX - AKENEO_CODE_MAX, label="Custom attribute prefix"
        ),
        "system_attributes": StrMap(
            _M.system_attributes, label="Attributes → system attributes", help="e.g. name = display-name"
        ),
        "link_types": StrMap(
            _M.link_types, label="Association types → product link types", help="e.g. X_SELL = cross-sell"
        ),
        "recommendation_types": StrMap(
            _M.recommendation_types, label="Association types → recommendation types",
            help="SFCC's recommendationType values, e.g. X_SELL = 1 (wins over a link type)",
        ),
        "quantified_types": StrMap(
            _M.quantified_types, label="Quantified association types → bundle or set",
            help="Unlisted types make bundles, e.g. OUTFIT = set",
        ),
        "custom_attributes": StrMap(
            _M.custom_attributes, label="Attributes → the storefront's custom attributes",
            help="No definition is exported for these, e.g. color = color",
        ),
        "custom_attribute_types": StrMap(
            _M.custom_attribute_types, label="Their types in SFCC",
            help="Checked against the Akeneo type, e.g. color = string",
        ),
        # Each names a folder of the archive: libraries/<id>/, sites/<id>/library/.
        "content_library": Text(
            _M.content_library, max_length=min(SFCC_ID_MAX, FILE_NAME_MAX),
            label="Shared content library", help="Its id, e.g. RefArchSharedLibrary",
        ),
        "content_site": Text(
            _M.content_site, max_length=32,  # simpleType.Generic.NonEmptyString.32 (site-id)
            label="Or the site whose private library", help="A site id, e.g. RefArch",
        ),
        "image_view_types": StrMap(
            _M.image_view_types, label="Image attributes → view types", help="e.g. picture = large"
        ),
        "asset_view_types": StrMap(
            _M.asset_view_types, label="Asset collection attributes → view types", help="e.g. gallery = large"
        ),
        "model_mode": Choice(
            tuple(m.value for m in ModelImportMode), _M.model_mode.value, label="Product model import"
        ),
        "price_attribute": Text(
            _M.price_attribute, max_length=AKENEO_CODE_MAX, required=True, label="Price attribute"
        ),
        # The pricebook id names pricebooks/<id>.xml: the id with ".xml" stays a file name.
        "pricebook_id_pattern": Text(
            _M.pricebook_id_pattern, max_length=FILE_NAME_MAX - 4, required=True,
            label="Pricebook id", help="{currency} is the lower-case code.",
        ),
        # A pricebook's display-name is a LocalizedString of at most 4,000 characters.
        "pricebook_name_pattern": Text(
            _M.pricebook_name_pattern, max_length=4000, required=True,
            label="Pricebook name", help="{currency} is the upper-case code.",
        ),
        "currencies": StrList(
            _M.currencies, pattern=None, item_max=3,
            label="Currencies", help="Empty: every currency of the channel.",
        ),
        "excluded_attributes": StrList(tuple(sorted(_M.excluded_attributes)), label="Attributes not imported"),
    },
    "filters": {
        "products": _filters(100),
        # Akeneo knows only complete / incomplete for product models (see `Filters`).
        "product_models": _filters(100),
    },
    "delivery": {
        "target": Choice(
            ("local", "sfcc"), "local", label="Deliver archives", radio=True,
            labels=(("local", "Keep locally"), ("sfcc", "Import into an SFCC instance")),
        ),
        "instance_url": Url(label="Instance URL", help="https://<instance>.dx.commercecloud.salesforce.com"),
        "client_id": Text(label="API client id"),
        "client_secret": Secret(label="API client secret"),
        "token_url": Url(_SFCC["token_url"], label="Token URL"),
        "api_version": Text(_SFCC["api_version"], required=True, label="OCAPI version"),
        "import_mode": Choice(
            ("merge", "replace", "update", "delete"), _SFCC["import_mode"], label="Import mode"
        ),
        "keep_archive": Flag(
            _SFCC["keep_archive"], label="Keep the archive on the instance after the import"
        ),
        # Set by a configuration file only: the page leaves these as they are.
        "request_timeout": Number(_SFCC["request_timeout"], 1, 600, label="Request timeout (s)"),
        "upload_timeout": Number(_SFCC["upload_timeout"], 10, 7200, label="Upload timeout (s)"),
        "poll_interval": Number(_SFCC["poll_interval"], 0.1, 300, label="Poll the import every (s)"),
        "job_timeout": Number(_SFCC["job_timeout"], 10, 86400, label="Wait for the import at most (s)"),
    },
    "import": {
        # More data errors than this fail the execution; null means no limit.
        "error_threshold": Number(
            None, 0, 10**9, integer=True, nullable=True, label="Data error threshold",
            help="More data errors fail the execution. Empty: no limit.",
        ),
        # A product import fails when none of the products and product models it read could be
        # imported, or when more than this percentage could not and at least `failed_minimum`
        # could not (a few bad records of a small catalog are a WARN); null: never on this count.
        "failed_percent": Number(
            10, 0, 100, nullable=True, label="Fail when more than this % of products fail",
            help="Products and product models not imported for a data error. A product import in which "
            "none could be imported also fails. Empty: never.",
        ),
        "failed_minimum": Number(
            10, 1, 10**9, integer=True, label="…and at least this many",
            help="A few bad products of a small catalog end WARN, not ERROR.",
        ),
        # Archives larger than this are split (SFCC refuses site imports over 200 MB).
        "archive_max_mb": Number(190, 1, 10_240, integer=True, label="Split archives above (MB)"),
        # A media file (image or asset) larger than this is a data error, refused while it
        # streams: a 300 MB "image" is never archived nor shipped.
        "media_max_mb": Number(
            50, 1, 10_240, integer=True, label="Largest media file (MB)",
            help="A larger image or asset file is a data error; the others are still imported.",
        ),
    },
    # Where categories and assignments go (jobs.transform.sites): products always go to
    # mapping.catalog_id, the master catalog; with no storefront, categories go there too.
    "catalogs": {
        "storefronts": Storefronts(
            label="Storefront catalogs",
            help="One per line: storefront catalog id = Akeneo category code, e.g. "
            "storefront-catalog-en = site_en. The category's children become the catalog's top-level "
            "categories. Empty: one site, categories in the master catalog.",
        ),
        "write_categories": Flag(
            True, label="Write categories", help="Off: only assignments, to existing categories."
        ),
        "categories_online": Flag(True, label="Categories online"),
        "primary_category": Flag(
            True, label="First category is primary", help="Per catalog, in Akeneo's order."
        ),
        "category_positions": Flag(True, label="Category position from Akeneo's order"),
        "removed_products": Choice(
            tuple(m.value for m in RemovedProducts), RemovedProducts.OFFLINE.value,
            label="Products no longer exported",
            help="Disabled, deleted or moved out of scope in Akeneo since the last import to this target.",
            labels=(
                ("offline", "Set offline, remove their assignments (merge)"),
                ("delete", "Delete from the master catalog (replace)"),
                ("keep", "Leave them as they are"),
            ),
        ),
    },
}  # fmt: skip


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


def kind_of(path: str) -> Kind:
    """The kind (and the words) of the field at a dotted path."""
    return get_path(SCHEMA, path)


# Dotted paths of the values that are encrypted at rest and never shown back.
SECRET_PATHS = tuple(path for path in leaf_paths() if isinstance(kind_of(path), Secret))


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
    for name, kind in SCHEMA["akeneo"].items():
        path = f"akeneo.{name}"
        if getattr(kind, "required", False) and not document["akeneo"][name] and not problems.about(path):
            problems.add(path, "required")
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


_type_hints = functools.cache(typing.get_type_hints)


def plain_config(cls, section: dict, **given):
    """The dataclass `cls` from a normalized section that has one value per field of it (the
    schema's tests check that they match), each made what the field's type says: a tuple, a
    frozenset, an enum member, a float… `given` are fields built otherwise."""
    hints = _type_hints(cls)
    values = {}
    for item in dataclasses.fields(cls):
        if item.name in given:
            values[item.name] = given[item.name]
            continue
        value, kind = section[item.name], typing.get_origin(hints[item.name]) or hints[item.name]
        values[item.name] = kind(value) if isinstance(kind, type) and value is not None else value
    return cls(**values)


def mapping_config(mapping: dict) -> MappingConfig:
    """The transforms' `MappingConfig` from a normalized `mapping` section."""
    return plain_config(MappingConfig, mapping)


def catalog_layout(catalogs: dict) -> CatalogLayout:
    """The `CatalogLayout` from a normalized `catalogs` section."""
    storefronts = tuple(Storefront(s["catalog_id"], s["category"]) for s in catalogs["storefronts"])
    return plain_config(CatalogLayout, catalogs, storefronts=storefronts)
