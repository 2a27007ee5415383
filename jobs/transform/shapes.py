"""The shapes of the Akeneo records the transforms read, checked where a record enters them.

Akeneo's REST API reference fixes each record's shape: a product is an object whose
`identifier`, `uuid`, `family` and `parent` are strings or null, `enabled` a boolean,
`categories` a list of codes, `values` an object of attribute code → list of
`{locale, scope, data}`, `associations` an object of type → `{products, product_models,
groups}` lists of codes, `quantified_associations` type → `{products, product_models}` lists of
`{identifier or uuid, quantity}`; product models and categories likewise. A record in any other
shape (a proxy's garbage, a buggy extension, a half-migrated PIM) is not guessed at: the
`*_problem` functions name the first field that is wrong, and the transform skips the record
with that message as a data error. Each check reads only the fields the transforms use.

The values of one attribute are checked as they are applied (`ProductTransformer._apply`): a
malformed value list or entry drops that value, not the product. What `data` holds depends on the
attribute's type; its converter checks it (see `values`).
"""

from __future__ import annotations

from collections.abc import Callable

Check = Callable[[object], str | None]


def describe(value: object) -> str:
    """`7 (a number)`: what was found, short enough for a log line."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    kind = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    return text if kind == "null" else f"{text} ({kind})"


def record_name(record: object, key: str, kind: str) -> str:
    """How messages name a record: its identifier or code, else its uuid, never an empty name."""
    if isinstance(record, dict):
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
        uuid = record.get("uuid")
        if isinstance(uuid, str) and uuid:
            return f"uuid {uuid}"
    return f"unnamed {kind}"


def _string(value: object) -> str | None:
    return None if value is None or isinstance(value, str) else "is not a string"


def _boolean(value: object) -> str | None:
    return None if value is None or isinstance(value, bool) else "is not a boolean"


def _codes(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        return "is not a list of codes"
    return None


def _object(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        return "is not an object"
    return None


def _labels(value: object) -> str | None:
    if _object(value) is not None or not all(v is None or isinstance(v, str) for v in (value or {}).values()):
        return "is not an object of locale → label"
    return None


def _associations(value: object) -> str | None:
    if _object(value) is not None:
        return "is not an object of association types"
    for type_code, targets in (value or {}).items():
        if targets is None:
            continue
        if _object(targets) is not None:
            return f"{type_code!r} is not an object of products, product models and groups"
        for kind in ("products", "product_models", "groups"):
            if _codes(targets.get(kind)) is not None:
                return f"{type_code}.{kind} is not a list of codes"
    return None


def _quantified(value: object) -> str | None:
    if _object(value) is not None:
        return "is not an object of association types"
    for type_code, targets in (value or {}).items():
        if targets is None:
            continue
        if _object(targets) is not None:
            return f"{type_code!r} is not an object of products and product models"
        for kind in ("products", "product_models"):
            items = targets.get(kind)
            if items is None:
                continue
            if not isinstance(items, list) or not all(_quantified_item(item) for item in items):
                return f"{type_code}.{kind} is not a list of {{identifier, quantity}}"
    return None


def _quantified_item(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    name = item.get("identifier") if item.get("identifier") is not None else item.get("uuid")
    return isinstance(name, str) and bool(name)


_COMMON: dict[str, Check] = {
    "family": _string,
    "parent": _string,
    "categories": _codes,
    "values": _object,
    "associations": _associations,
    "quantified_associations": _quantified,
}
_PRODUCT: dict[str, Check] = {
    "identifier": _string,
    "uuid": _string,
    "enabled": _boolean,
    "created": _string,
    **_COMMON,
}
_MODEL: dict[str, Check] = {"code": _string, "family_variant": _string, **_COMMON}
_CATEGORY: dict[str, Check] = {"code": _string, "parent": _string, "labels": _labels}


def _problem(record: object, checks: dict[str, Check]) -> str | None:
    if not isinstance(record, dict):
        return f"malformed record: {describe(record)} is not an object"
    for name, check in checks.items():
        value = record.get(name)
        found = check(value)
        if found is not None:
            if found.startswith("is "):
                return f"malformed record: {name}: {describe(value)} {found}"
            return f"malformed record: {name}: {found}"
    return None


def product_problem(record: object) -> str | None:
    """None when the product has the published shape, else what is wrong, naming the field."""
    return _problem(record, _PRODUCT)


def model_problem(record: object) -> str | None:
    return _problem(record, _MODEL)


def category_problem(record: object) -> str | None:
    return _problem(record, _CATEGORY)
