"""Akeneo product values → SFCC value text, compiled once per attribute.

`compile_rules` turns the attribute list and the configuration into one `ValueRule` per
attribute: where its values go (a custom attribute, a Product field, an image group, the
pricebooks, or nowhere) and a converter for its data. The product transform then only looks the
rule up and calls it, so the per-value cost is a dict lookup, a scope/locale check and one call.

A converter takes the Akeneo `data` and a list to which it appends a message when it drops or
repairs the value; it returns the SFCC value (a string, a list of strings, or price pairs) or
`None` to drop it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

import orjson

from jobs.transform.config import MappingConfig
from jobs.transform.locales import X_DEFAULT
from jobs.transform.media import asset_media_path, media_path
from jobs.transform.shapes import describe

# Akeneo attribute type → the kind of value it holds. Anything else is unsupported.
AKENEO_KINDS = {
    "pim_catalog_identifier": "identifier",
    "pim_catalog_text": "text",
    "pim_catalog_textarea": "textarea",
    "pim_catalog_number": "number",
    "pim_catalog_boolean": "boolean",
    "pim_catalog_date": "date",
    "pim_catalog_simpleselect": "simpleselect",
    "pim_catalog_multiselect": "multiselect",
    "pim_catalog_metric": "metric",
    "pim_catalog_image": "image",
    "pim_catalog_file": "file",
    "pim_catalog_asset_collection": "assets",
    "pim_catalog_price_collection": "prices",
    "pim_catalog_table": "table",
    # Akeneo Enterprise / SaaS: a link to one record, or several, of a reference entity.
    "akeneo_reference_entity": "record",
    "akeneo_reference_entity_collection": "records",
}
# Record code → the record's labels by Akeneo locale, per reference entity code.
RecordLabels = Mapping[str, Mapping[str, Mapping[str, str]]]
# The suffix of the localizable custom attribute that carries a record link's labels.
LABEL_SUFFIX = "_label"

# Control characters XML 1.0 cannot carry (tab, newline and carriage return are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_PLAIN_INT = re.compile(r"^-?\d+$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")  # an ISO 4217 code, as Akeneo writes it
# SFCC keeps at most 4,000 bytes in a String attribute; text and html values have no such limit.
STRING_MAX_BYTES = 4000

Notes = list[str]
Converter = Callable[[object, Notes], object]
AssetPath = Callable[[str, str], str]


class Target(StrEnum):
    CUSTOM = "custom"  # CustomValue(prefix + code)
    LOCALIZED = "localized"  # a Localized Product field: display_name, long_description, ...
    SCALAR = "scalar"  # a plain Product field: ean, brand, ...
    IMAGES = "images"  # ImageGroup paths of one view type
    PRICES = "prices"  # price tables
    SKIP = "skip"  # identifier, excluded or unsupported: not exported


@dataclass(slots=True)
class ValueRule:
    code: str
    kind: str
    target: Target
    name: str  # custom attribute id, Product field name or view type, by target
    localizable: bool
    scopable: bool
    convert: Converter
    # For record links: (lang, value) pairs of the linked records' labels, from their codes.
    labels: Callable[[object], list[tuple[str, object]]] | None = None


def clean_text(text: str, notes: Notes) -> str:
    if _CONTROL.search(text):
        notes.append("control characters removed")
        return _CONTROL.sub("", text)
    return text


def _text(data, notes):
    if not isinstance(data, str):
        if data.__class__ not in (int, float):
            notes.append(f"{describe(data)} is not a text; value ignored")
            return None
        data = str(data)
    return clean_text(data, notes) or None


def _string(data, notes):
    text = _text(data, notes)
    if text is None:
        return None
    encoded = text.encode()
    if len(encoded) <= STRING_MAX_BYTES:
        return text
    notes.append(f"{len(encoded):,} bytes, more than the {STRING_MAX_BYTES:,} SFCC keeps in a string; cut")
    return encoded[:STRING_MAX_BYTES].decode(errors="ignore")


def number_text(data, integer: bool) -> str:
    """`"12.5000"` → `"12.5"`, `"600"` → `"600"`; raises ValueError when it is not a number
    (or, for an integer attribute, has a fraction)."""
    text = str(data).strip()
    if _PLAIN_INT.match(text):
        return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if number == number.to_integral_value():
        return str(int(number))
    if integer:
        raise ValueError(f"{text!r} is not a whole number")
    return format(number.normalize(), "f")


def _number(integer: bool) -> Converter:
    def convert(data, notes):
        try:
            return number_text(data, integer)
        except ValueError as error:
            notes.append(f"{error}; value ignored")
            return None

    return convert


def _boolean(data, notes):
    if isinstance(data, bool):
        return "true" if data else "false"
    text = str(data).strip().lower()
    if text in ("1", "true"):
        return "true"
    if text in ("0", "false"):
        return "false"
    notes.append(f"{data!r} is not a boolean; value ignored")
    return None


def _date(data, notes):
    text = str(data)
    if _DATE.match(text):
        return text[:10]
    notes.append(f"{data!r} is not a date; value ignored")
    return None


def _metric(data, notes):
    if not isinstance(data, dict) or data.get("amount") in (None, ""):
        notes.append("metric without an amount; value ignored")
        return None
    try:
        amount = number_text(data["amount"], integer=False)
    except ValueError as error:
        notes.append(f"{error}; value ignored")
        return None
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, str):
        notes.append(f"metric unit {describe(unit)} is not a unit code; value ignored")
        return None
    return f"{amount} {unit}" if unit else amount


def _prices(data, notes):
    """→ [(currency, amount)], amounts with two decimals as pricebooks want them."""
    if not isinstance(data, list):
        notes.append("price collection is not a list; value ignored")
        return None
    prices = []
    for price in data:
        if not isinstance(price, dict):
            notes.append(f"price {describe(price)} is not an object of amount and currency; ignored")
            continue
        amount, currency = price.get("amount"), price.get("currency")
        if amount in (None, "") or not currency:
            continue
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            notes.append(f"price currency {describe(currency)} is not a currency code; ignored")
            continue
        if amount.__class__ not in (str, int, float):
            notes.append(f"price {describe(amount)} {currency} is not a number; ignored")
            continue
        try:
            value = Decimal(str(amount).strip()).quantize(Decimal("0.01"))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            notes.append(f"price {amount!r} {currency} is not a number; ignored")
        else:
            prices.append((currency, value))
    return prices or None


def _media(data, notes):
    if not isinstance(data, str) or not data:
        notes.append("media value is not a file code; value ignored")
        return None
    return media_path(data)


def _file_path(data, notes):
    """A file attribute's value is its path in Akeneo (`f/2/e/6/…_notice.pdf`), as the
    cartridge writes it: the file itself is not downloaded nor shipped."""
    if not isinstance(data, str) or not data:
        notes.append("file value is not a file path; value ignored")
        return None
    return _string(data, notes)


def compact_json(data) -> str:
    """JSON text without spaces, other than ASCII written as is: orjson (3% of a full import's
    CPU was the standard encoder's), or the standard encoder for what orjson refuses (a lone
    surrogate, an integer beyond 64 bits, a key that is not a string)."""
    try:
        return orjson.dumps(data).decode()
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _table(data, notes):
    """A table attribute's rows (`[{"ingredient": "sugar", "quantity": 10}, …]`) as JSON text."""
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        notes.append(f"table {describe(data)} is not a list of rows; value ignored")
        return None
    if not data:
        return None
    return clean_text(compact_json(data), notes)


def _record(data, notes):
    if not isinstance(data, str) or not data.strip():
        notes.append(f"record link {describe(data)} is not a record code; value ignored")
        return None
    return data


def _records(data, notes):
    if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
        notes.append(f"record links {describe(data)} are not a list of record codes; value ignored")
        return None
    return [code for code in data if code.strip()] or None


def _record_labels(entity: Mapping[str, Mapping[str, str]], config: MappingConfig):
    """(lang, labels) of linked records in every mapped locale and x-default; a record without a
    label in a locale is named by its code there, one Akeneo no longer has is left out."""
    langs = [(X_DEFAULT, config.default_locale), *((lang, loc) for loc, lang in config.locales.items())]
    index = {code.lower(): labels for code, labels in entity.items()}

    def labels(value) -> list[tuple[str, object]]:
        codes = value if isinstance(value, list) else [value]
        known = [(code, index[code.lower()]) for code in codes if code.lower() in index]
        if not known:
            return []
        pairs = []
        for lang, locale in langs:
            texts = [labels.get(locale) or code for code, labels in known]
            pairs.append((lang, texts if isinstance(value, list) else texts[0]))
        return pairs

    return labels


def _assets(family: str, asset_path: AssetPath) -> Converter:
    def convert(data, notes):
        if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
            notes.append("asset collection is not a list of asset codes; value ignored")
            return None
        return [asset_path(family, code) for code in data if code] or None

    return convert


def _select(options: Mapping[str, str]) -> Converter:
    """Option code → the option's code as Akeneo spells it (codes are case-insensitive)."""

    def convert(data, notes):
        code = options.get(str(data).lower())
        if code is None:
            notes.append(f"no option {data!r}; value ignored")
        return code

    return convert


def _multiselect(options: Mapping[str, str]) -> Converter:
    def convert(data, notes):
        if not isinstance(data, list):
            data = [data]
        codes = []
        for item in data:
            code = options.get(str(item).lower())
            if code is None:
                notes.append(f"no option {item!r}; value ignored")
            else:
                codes.append(code)
        return codes or None

    return convert


def _label(select: Converter, labels: Mapping[str, str]) -> Converter:
    """For a select sent to a system attribute (e.g. brand): the option's label, not its code."""

    def convert(data, notes):
        value = select(data, notes)
        if isinstance(value, list):
            return ", ".join(labels.get(code, code) for code in value) or None
        return labels.get(value, value) if value is not None else None

    return convert


def _skip(data, notes):
    return None


_SYSTEM_FIELDS = {
    "display-name": (Target.LOCALIZED, "display_name"),
    "long-description": (Target.LOCALIZED, "long_description"),
    "short-description": (Target.LOCALIZED, "short_description"),
    "ean": (Target.SCALAR, "ean"),
    "upc": (Target.SCALAR, "upc"),
    "brand": (Target.SCALAR, "brand"),
    "manufacturer-name": (Target.SCALAR, "manufacturer_name"),
    "manufacturer-sku": (Target.SCALAR, "manufacturer_sku"),
}


# The SFCC types that can hold each kind of Akeneo value; the first is the one it implies.
ACCEPTING_TYPES = {
    "text": ("string", "text", "html", "enum-of-string"),
    "textarea": ("text", "html", "string"),
    "number": ("double", "int", "string", "text"),
    "boolean": ("boolean", "string"),
    "date": ("date", "datetime", "string"),
    "simpleselect": ("enum-of-string", "string"),
    "multiselect": ("enum-of-string", "set-of-string"),
    "metric": ("string", "text"),
    "image": ("string", "text"),
    "file": ("string", "text"),
    "assets": ("set-of-string",),
    "table": ("text", "html"),
    "record": ("string", "enum-of-string"),
    "records": ("set-of-string", "enum-of-string"),
}
# The kinds each system attribute written by this import can hold.
_SYSTEM_KINDS = {
    "display-name": ("text", "textarea", "simpleselect", "record"),
    "long-description": ("text", "textarea"),
    "short-description": ("text", "textarea"),
    "ean": ("text", "number"),
    "upc": ("text", "number"),
    "brand": ("text", "simpleselect", "record"),
    "manufacturer-name": ("text", "simpleselect", "record"),
    "manufacturer-sku": ("text", "number"),
}


def mapping_problem(attribute: dict, config: MappingConfig) -> str | None:
    """Why the configured target of an attribute cannot hold its values (None when it can),
    naming the configuration field. Such an attribute is not imported."""
    code = attribute["code"]
    kind = AKENEO_KINDS.get(attribute.get("type"))
    if kind in (None, "identifier", "prices") or code in config.excluded_attributes:
        return None
    if code in config.system_attributes:
        target = config.system_attributes[code]
        allowed = _SYSTEM_KINDS.get(target)
        if allowed is not None and kind not in allowed:
            return (
                f"mapping.system_attributes.{code}: SFCC's {target!r} cannot hold the values of an "
                f"Akeneo {attribute.get('type')} attribute; not imported"
            )
    elif code in config.custom_attributes:
        attribute_id = config.custom_attributes[code]
        declared = config.custom_attribute_types.get(attribute_id)
        accepted = ACCEPTING_TYPES.get(kind, ())
        if declared is not None and declared not in accepted:
            return (
                f"mapping.custom_attributes.{code}: SFCC's {attribute_id!r} is {declared!r}, which cannot "
                f"hold the values of an Akeneo {attribute.get('type')} attribute "
                f"(it needs {' or '.join(accepted)}); not imported"
            )
    return None


def option_index(options: Iterable[dict]) -> dict[str, str]:
    """Lower-cased option code → option code."""
    return {option["code"].lower(): option["code"] for option in options}


def compile_rules(
    attributes: Iterable[dict],
    options: Mapping[str, Iterable[dict]],
    config: MappingConfig,
    asset_path: AssetPath = asset_media_path,
    records: RecordLabels | None = None,
) -> dict[str, ValueRule]:
    """One rule per attribute code. Unsupported types get a SKIP rule: the attribute transform
    reports them once, products do not repeat it for every value. `records`: the labels of
    the records of each reference entity the attributes link to; without them a record link
    carries its codes only."""
    rules = {}
    for attribute in attributes:
        code = attribute["code"]
        target, name, convert = _route(attribute, options.get(code, ()), config, asset_path)
        kind = AKENEO_KINDS.get(attribute.get("type"), "unsupported")
        entity = (records or {}).get(attribute.get("reference_data_name") or "")
        labels = None
        own = code not in config.custom_attributes  # a storefront's attribute has no `_label` companion
        if kind in ("record", "records") and target is Target.CUSTOM and own and entity is not None:
            labels = _record_labels(entity, config)
        rules[code] = ValueRule(
            code=code,
            kind=AKENEO_KINDS.get(attribute.get("type"), "unsupported"),
            target=target,
            name=name,
            localizable=bool(attribute.get("localizable")),
            scopable=bool(attribute.get("scopable")),
            convert=convert,
            labels=labels,
        )
    return rules


def _route(attribute: dict, options: Iterable[dict], config: MappingConfig, asset_path: AssetPath):
    code = attribute["code"]
    kind = AKENEO_KINDS.get(attribute.get("type"))
    if kind in (None, "identifier") or code in config.excluded_attributes:
        return Target.SKIP, "", _skip
    if code == config.price_attribute or kind == "prices":
        return (Target.PRICES, "", _prices) if code == config.price_attribute else (Target.SKIP, "", _skip)
    if mapping_problem(attribute, config) is not None:
        return Target.SKIP, "", _skip  # reported once by the caller (`mapping_problem`)
    convert = _converter(attribute, kind, options, asset_path, config)
    if code in config.custom_attributes:
        return Target.CUSTOM, config.custom_attributes[code], convert
    if kind == "image" and code in config.image_view_types:
        return Target.IMAGES, config.image_view_types[code], convert
    if kind == "assets" and code in config.asset_view_types:
        return Target.IMAGES, config.asset_view_types[code], convert
    system = config.system_attributes.get(code)
    if system in _SYSTEM_FIELDS:
        target, field_name = _SYSTEM_FIELDS[system]
        if kind in ("simpleselect", "multiselect"):
            labels = {
                option["code"]: (option.get("labels") or {}).get(config.default_locale) or option["code"]
                for option in options
            }
            convert = _label(convert, labels)
        return target, field_name, convert
    return Target.CUSTOM, config.attribute_prefix + code, convert


def _converter(attribute, kind, options, asset_path, config) -> Converter:
    if kind == "text":
        return _string
    if kind == "textarea":
        return _text
    if kind == "number":
        return _number(integer=not attribute.get("decimals_allowed", True))
    if kind == "simpleselect":
        return _select(option_index(options))
    if kind == "multiselect":
        return _multiselect(option_index(options))
    if kind == "assets":
        return _assets(attribute.get("reference_data_name") or attribute["code"], asset_path)
    converters = {"boolean": _boolean, "date": _date, "metric": _metric, "image": _media, "file": _file_path}
    converters |= {"table": _table, "record": _record, "records": _records}
    return converters[kind]
