"""The History page's field diffs: what changed between two stored configuration documents,
field by field, a mapping key by key and a list item by item. A secret is only ever "changed"."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from jobs.config.schema import kind_of, leaf_paths
from jobs.config.services import Change, changes


@dataclass
class FieldDiff:
    path: str
    label: str
    secret: bool = False
    old: str = ""  # a scalar's values, as short JSON
    new: str = ""
    # A mapping's or a list's changes: (what: "added" | "removed" | "changed" | "order", key, old, new)
    items: list[tuple[str, str, str, str]] = field(default_factory=list)


@cache
def labels() -> dict[str, str]:
    """Document path → its field's label, the one the Configuration page shows."""
    return {path: kind_of(path).label or path for path in leaf_paths()}


def diff(old: dict, new: dict) -> list[FieldDiff]:
    return [_field(change) for change in changes(old, new)]


def _field(change: Change) -> FieldDiff:
    found = FieldDiff(change.path, labels().get(change.path, change.path))
    if change.secret:
        found.secret = True
        return found
    old, new = change.old, change.new
    if isinstance(old, dict) and isinstance(new, dict):
        found.items = _mapping(old, new)
    elif isinstance(old, list) and isinstance(new, list) and all(_scalar(v) for v in old + new):
        found.items = _list(old, new)
    else:
        found.old, found.new = short(old), short(new)
    return found


def _mapping(old: dict, new: dict) -> list[tuple[str, str, str, str]]:
    items = []
    for key in list(old) + [k for k in new if k not in old]:
        if key not in new:
            items.append(("removed", key, short(old[key]), ""))
        elif key not in old:
            items.append(("added", key, "", short(new[key])))
        elif old[key] != new[key]:
            items.append(("changed", key, short(old[key]), short(new[key])))
    if not items and list(old) != list(new):
        items.append(("order", "", ", ".join(old), ", ".join(new)))
    return items


def _list(old: list, new: list) -> list[tuple[str, str, str, str]]:
    items = [("removed", short(v), "", "") for v in old if v not in new]
    items += [("added", short(v), "", "") for v in new if v not in old]
    if not items:
        items.append(("order", "", ", ".join(map(short, old)), ", ".join(map(short, new))))
    return items


def _scalar(value) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def short(value, limit: int = 200) -> str:
    if value in ("", None):
        return "(empty)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
