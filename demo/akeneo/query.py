"""Akeneo's product and product-model `search` filters, inheritance and value trimming, over a
`Snapshot` — the query side of the demo server, without HTTP.

Filters work on the index columns (family, categories, parent, enabled, identifier, dates) and
need no record body; `completeness` is computed once per channel from the families'
`attribute_requirements` and kept as one byte per product and locale.
"""

from __future__ import annotations

import json
import re
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

from demo.akeneo.snapshot import NONE, RecordIndex, Snapshot, UpdatedOrder, product_uuid

Predicate = Callable[[int], bool]


class RowsIn:
    """The predicate `row in rows` of an `IN` filter (identifiers, codes, uuids), naming its
    rows so that a scan visits only those, as Akeneo's index answers such a search: a page of
    associated products named by uuid costs what it returns, not the whole catalog."""

    __slots__ = ("rows",)

    def __init__(self, rows: set[int]):
        self.rows = rows

    def __call__(self, row: int) -> bool:
        return row in self.rows


class UpdatedIn:
    """The predicate `updated` within a range, answered from the index sorted by `updated`
    (`UpdatedOrder`), as Akeneo's search index answers a date range: a count is two lookups and
    a page of a range costs what it returns, not a scan of the catalog."""

    __slots__ = ("order", "start", "stop")

    def __init__(self, order: UpdatedOrder, span: tuple[int, int]):
        self.order = order
        self.start, self.stop = span

    def __call__(self, row: int) -> bool:
        return self.start <= self.order.rank[row] < self.stop

    def rows(self) -> list[int]:
        return self.order.rows_between(self.start, self.stop)


def count_ranges(predicates: list) -> int | None:
    """The number of rows matching `predicates` when they are all `updated` ranges over one
    order (their intersection is one range); else None."""
    if not predicates or not all(isinstance(p, UpdatedIn) for p in predicates):
        return None
    if any(p.order is not predicates[0].order for p in predicates):
        return None
    return max(0, min(p.stop for p in predicates) - max(p.start for p in predicates))


DAY = 86400.0
NO_FAMILY = 255  # completeness byte of a product without family: matches no completeness filter
ALL_LOCALES_OPERATORS = {
    "GREATER THAN ON ALL LOCALES": lambda v, n: v > n,
    "GREATER OR EQUALS THAN ON ALL LOCALES": lambda v, n: v >= n,
    "LOWER THAN ON ALL LOCALES": lambda v, n: v < n,
    "LOWER OR EQUALS THAN ON ALL LOCALES": lambda v, n: v <= n,
}
COMPARISONS = {
    "<": lambda v, n: v < n,
    "<=": lambda v, n: v <= n,
    "=": lambda v, n: v == n,
    "!=": lambda v, n: v != n,
    ">": lambda v, n: v > n,
    ">=": lambda v, n: v >= n,
}


class QueryError(Exception):
    """A search Akeneo would answer with 422; the message is Akeneo's wording."""


def parse_search(raw: str | None) -> dict[str, list[dict]]:
    if not raw:
        return {}
    try:
        search = json.loads(raw)
    except ValueError:
        raise QueryError("Search query parameter should be valid JSON.") from None
    if not isinstance(search, dict):
        raise QueryError("Search query parameter has to be an array.")
    for field, conditions in search.items():
        if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
            shape = f'{{"{field}":[{{"operator": "my_operator", "value": "my_value"}}]}}'
            raise QueryError(f'Structure of filter "{field}" should respect this structure: {shape}')
        for condition in conditions:
            if "operator" not in condition:
                raise QueryError(f'Operator is missing for the property "{field}".')
    return search


def _prefix(uuid_text: str) -> int:
    return int(uuid_text.replace("-", "")[:16], 16)


def parse_date(value) -> float:
    if not isinstance(value, str):
        raise QueryError(f'Property "updated" expects a string with the format "yyyy-mm-dd H:i:s" as data, '
                         f'"{value}" given.')  # fmt: skip
    try:
        when = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise QueryError(f'Property "updated" expects a string with the format "yyyy-mm-dd H:i:s" as data, '
                         f'"{value}" given.') from None  # fmt: skip
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


class Catalog:
    """Queries over one snapshot: filters, inheritance (merged values) and completeness."""

    def __init__(self, snapshot: Snapshot):
        self.snap = snapshot
        self._completeness: dict[str, Completeness] = {}
        self._completeness_lock = threading.Lock()
        self._uuid_index: tuple[array, array] | None = None
        self.merged_model = lru_cache(maxsize=2048)(self._merged_model)

    # --- predicates -----------------------------------------------------------------------

    def predicates(self, index: RecordIndex, search: dict[str, list[dict]]) -> list[Predicate]:
        found = []
        for field, conditions in search.items():
            for condition in conditions:
                found.append(self._predicate(index, field, condition))
        return found

    def _predicate(self, index: RecordIndex, field: str, cond: dict) -> Predicate:
        op, value = str(cond["operator"]).upper(), cond.get("value")
        is_products = index is self.snap.products
        builders = {
            "updated": self._date_filter,
            "created": self._date_filter,
            "family": self._family_filter,
            "categories": self._category_filter,
            "parent": self._parent_filter,
            "completeness": self._completeness_filter if is_products else self._model_completeness_filter,
        }
        if is_products:
            builders |= {
                "enabled": self._enabled_filter,
                "identifier": self._key_filter,
                "uuid": self._uuid_filter,
            }
        else:
            builders |= {"identifier": self._key_filter, "code": self._key_filter}
        builder = builders.get(field)
        if builder is None:
            raise QueryError(
                f'Filter on property "{field}" is not supported or does not support operator "{op}"'
            )
        return builder(index, field, op, value, cond)

    def _unsupported(self, field: str, op: str) -> QueryError:
        return QueryError(
            f'Filter on property "{field}" is not supported or does not support operator "{op}"'
        )

    def _date_filter(self, index, field, op, value, cond) -> Predicate:
        snap = self.snap
        if field == "updated" and op in ("SINCE LAST N DAYS", "BETWEEN", "<", ">", "="):
            return self._updated_range(index, op, value)

        def stamp(row: int) -> float:
            return snap.updated_at(index, row) if field == "updated" else snap.created_time

        if op == "SINCE LAST N DAYS":
            if not isinstance(value, int) or value < 0:
                raise QueryError(f'Property "{field}" expects an integer as data, "{value}" given.')
            since = time.time() - value * DAY
            return lambda row: stamp(row) >= since
        if op in ("BETWEEN", "NOT BETWEEN"):
            if not isinstance(value, list) or len(value) != 2:
                raise QueryError(f'Property "{field}" expects an array with 2 dates as data.')
            low, high = parse_date(value[0]), parse_date(value[1])
            inside = op == "BETWEEN"
            return lambda row: (low <= stamp(row) <= high) is inside
        if op in ("<", ">", "=", "!="):
            moment, compare = parse_date(value), COMPARISONS[op]
            return lambda row: compare(stamp(row), moment)
        raise self._unsupported(field, op)

    def _updated_range(self, index, op, value) -> UpdatedIn:
        """`updated` `<`, `>`, `=`, `BETWEEN` (both ends included) or `SINCE LAST N DAYS`."""
        if op == "SINCE LAST N DAYS":
            if not isinstance(value, int) or value < 0:
                raise QueryError(f'Property "updated" expects an integer as data, "{value}" given.')
            low, high, bounds = time.time() - value * DAY, None, (True, True)
        elif op == "BETWEEN":
            if not isinstance(value, list) or len(value) != 2:
                raise QueryError('Property "updated" expects an array with 2 dates as data.')
            low, high, bounds = parse_date(value[0]), parse_date(value[1]), (True, True)
        else:
            moment = parse_date(value)
            low, high, bounds = {"<": (None, moment, (True, False)), ">": (moment, None, (False, True)),
                                 "=": (moment, moment, (True, True))}[op]  # fmt: skip
        order = self.snap.updated_order(index)
        return UpdatedIn(order, order.span(low, high, low_in=bounds[0], high_in=bounds[1]))

    def _enabled_filter(self, index, field, op, value, cond) -> Predicate:
        if op not in ("=", "!=") or not isinstance(value, bool):
            raise self._unsupported(field, op)
        wanted = value if op == "=" else not value
        return lambda row: bool(index.enabled[row]) is wanted

    def _family_filter(self, index, field, op, value, cond) -> Predicate:
        if op in ("EMPTY", "NOT EMPTY"):
            empty = op == "EMPTY"
            return lambda row: (index.family[row] == NONE) is empty
        if op not in ("IN", "NOT IN") or not isinstance(value, list):
            raise self._unsupported(field, op)
        ids = {self.snap.family_ids.ids[c] for c in value if c in self.snap.family_ids.ids}
        inside = op == "IN"
        return lambda row: (index.family[row] in ids) is inside

    def _category_filter(self, index, field, op, value, cond) -> Predicate:
        if op == "UNCLASSIFIED":
            return lambda row: not self.category_ids(index, row)
        if not isinstance(value, list):
            raise QueryError(f'Property "categories" expects an array as data, "{value}" given.')
        if op in ("IN CHILDREN", "NOT IN CHILDREN"):
            ids = set().union(*(self.snap.subtree(c) for c in value)) if value else set()
        elif op in ("IN", "NOT IN", "IN OR UNCLASSIFIED"):
            ids = {self.snap.category_ids.ids[c] for c in value if c in self.snap.category_ids.ids}
        else:
            raise self._unsupported(field, op)
        inside = not op.startswith("NOT")
        if op == "IN OR UNCLASSIFIED":
            return lambda row: (not (cats := self.category_ids(index, row))) or not ids.isdisjoint(cats)
        return lambda row: (not ids.isdisjoint(self.category_ids(index, row))) is inside

    def category_ids(self, index: RecordIndex, row: int) -> set[int]:
        """Own categories plus those inherited from the parent models (as Akeneo answers them)."""
        found = set(index.categories(row))
        parent = index.parent[row]
        models = self.snap.models
        while parent != NONE:
            found.update(models.categories(parent))
            parent = models.parent[parent]
        return found

    def _parent_filter(self, index, field, op, value, cond) -> Predicate:
        if op in ("EMPTY", "NOT EMPTY"):
            empty = op == "EMPTY"
            return lambda row: (index.parent[row] == NONE) is empty
        if op != "IN" or not isinstance(value, list):
            raise self._unsupported(field, op)
        models = self.snap.models
        wanted = {r for r in (models.find_code(str(c)) for c in value) if r != NONE}

        def under(row: int) -> bool:
            # A root model's code also selects the variants of its sub-models.
            parent = index.parent[row]
            while parent != NONE:
                if parent in wanted:
                    return True
                parent = models.parent[parent]
            return False

        return under

    def _key_filter(self, index, field, op, value, cond) -> Predicate:
        if op in ("=", "!=") and isinstance(value, str):
            value, op = [value], "IN" if op == "=" else "NOT IN"
        if op not in ("IN", "NOT IN") or not isinstance(value, list):
            raise self._unsupported(field, op)
        rows = {r for r in (index.find(str(v)) for v in value) if r != NONE}
        if op == "IN":
            return RowsIn(rows)
        return lambda row: row not in rows

    def _uuid_filter(self, index, field, op, value, cond) -> Predicate:
        if op not in ("IN", "NOT IN") or not isinstance(value, list):
            raise self._unsupported(field, op)
        rows = {self.uuid_row(str(v)) for v in value} - {NONE}
        if op == "IN":
            return RowsIn(rows)
        return lambda row: row not in rows

    def uuid_row(self, value: str) -> int:
        """Row of a product uuid, or NONE. The uuid index (sorted 64-bit prefixes, 12 bytes a
        product) is built on first use only: most runs never ask by uuid."""
        with self._completeness_lock:
            if self._uuid_index is None:
                pairs = sorted(
                    (_prefix(product_uuid(k)), row) for row, k in enumerate(self.snap.products.keys)
                )
                self._uuid_index = (array("Q", (p for p, _ in pairs)), array("i", (r for _, r in pairs)))
        prefixes, rows = self._uuid_index
        try:
            wanted = _prefix(value)
        except ValueError:
            return NONE
        pos = bisect_left(prefixes, wanted)
        while pos < len(prefixes) and prefixes[pos] == wanted:
            row = rows[pos]
            if product_uuid(self.snap.products.keys[row]) == value:
                return row
            pos += 1
        return NONE

    def _completeness_filter(self, index, field, op, value, cond) -> Predicate:
        scope, locales = self._completeness_scope(cond)
        table = self.completeness(scope)
        positions = [table.locales.index(loc) for loc in locales]
        if not isinstance(value, int | float):
            raise QueryError(f'Property "completeness" expects a numeric as data, "{value}" given.')
        if op in ALL_LOCALES_OPERATORS:
            compare = ALL_LOCALES_OPERATORS[op]
            return lambda row: table.has(row) and all(compare(table.ratio(row, p), value) for p in positions)
        if op in COMPARISONS:
            compare = COMPARISONS[op]
            return lambda row: table.has(row) and any(compare(table.ratio(row, p), value) for p in positions)
        raise self._unsupported(field, op)

    def _model_completeness_filter(self, index, field, op, value, cond) -> Predicate:
        scope, locales = self._completeness_scope(cond)
        table = self.completeness(scope)
        positions = [table.locales.index(loc) for loc in locales]
        tests = {
            "ALL COMPLETE": lambda flags: flags & 1 and not flags & 2,
            "AT LEAST COMPLETE": lambda flags: flags & 1,
            "ALL INCOMPLETE": lambda flags: flags & 2 and not flags & 1,
            "AT LEAST INCOMPLETE": lambda flags: flags & 2,
        }
        test = tests.get(op)
        if test is None:
            raise self._unsupported(field, op)
        return lambda row: all(test(table.model_flags(row, p)) for p in positions)

    def _completeness_scope(self, cond: dict) -> tuple[str, list[str]]:
        scope = cond.get("scope")
        channel = next((c for c in self.snap.channels if c["code"] == scope), None)
        if channel is None:
            raise QueryError(f'Property "completeness" expects a valid scope, "{scope}" given.')
        locales = cond.get("locales") or channel["locales"]
        unknown = [loc for loc in locales if loc not in channel["locales"]]
        if unknown:
            raise QueryError(
                f'Property "completeness" expects valid locales of "{scope}", "{unknown[0]}" given.'
            )
        return scope, list(locales)

    def completeness(self, scope: str) -> Completeness:
        with self._completeness_lock:
            if scope not in self._completeness:
                self._completeness[scope] = Completeness(self, scope)
            return self._completeness[scope]

    # --- records --------------------------------------------------------------------------

    def _merged_model(self, row: int) -> dict:
        """A product model with its root's values merged in (cached: variants share parents)."""
        models = self.snap.models
        record = models.record(row)
        parent = models.parent[row]
        if parent != NONE:
            record = inherit(record, self.merged_model(parent), models.keys[parent])
        return record

    def product(self, row: int) -> dict:
        products = self.snap.products
        record = products.record(row)
        parent = products.parent[row]
        if parent != NONE:
            record = inherit(record, self.merged_model(parent), self.snap.models.keys[parent])
        return record

    def model(self, row: int) -> dict:
        return dict(self.merged_model(row))


def inherit(own: dict, parent: dict, parent_code: str) -> dict:
    """Akeneo's answer for a variant: its values over its ancestors', categories and
    associations united, `parent` spelled as the model's code is."""
    merged = dict(own)
    merged["parent"] = parent_code
    merged["values"] = {**(parent.get("values") or {}), **(own.get("values") or {})}
    merged["categories"] = sorted(set(parent.get("categories") or ()) | set(own.get("categories") or ()))
    for kind in ("associations", "quantified_associations"):
        if parent.get(kind) or own.get(kind):
            merged[kind] = _merge_links(parent.get(kind) or {}, own.get(kind) or {})
    return merged


def _merge_links(parent: dict, own: dict) -> dict:
    merged = {}
    for type_code in {**parent, **own}:
        mine, theirs = own.get(type_code) or {}, parent.get(type_code) or {}
        merged[type_code] = {}
        for key in {**theirs, **mine}:
            items = list(theirs.get(key) or [])
            items += [i for i in mine.get(key) or [] if i not in items]
            merged[type_code][key] = items
    return merged


def trim_values(
    record: dict, scope: str | None, locales: set[str] | None, attributes: set[str] | None
) -> dict:
    """The `scope`, `locales` and `attributes` query parameters: keep only matching values."""
    values = {}
    for code, entries in (record.get("values") or {}).items():
        if attributes is not None and code not in attributes:
            continue
        kept = [
            e
            for e in entries
            if (scope is None or e.get("scope") in (None, scope))
            and (locales is None or e.get("locale") is None or e.get("locale") in locales)
        ]
        if kept:
            values[code] = kept
    return {**record, "values": values}


def media_links(record: dict, media_attributes: frozenset[str], media_base: str) -> dict:
    """Akeneo gives every image and file value a `_links.download` to the media file's
    download endpoint (`.../media-files/<code>/download`)."""
    values = record.get("values") or {}
    if not media_attributes.intersection(values):
        return record
    linked = dict(values)
    for code in media_attributes.intersection(values):
        linked[code] = [
            {**e, "_links": {"download": {"href": f"{media_base}{quote(e['data'], safe='/')}/download"}}}
            if isinstance(e.get("data"), str) and e["data"]
            else e
            for e in values[code]
        ]
    return {**record, "values": linked}


_MEDIA_DATA = re.compile(rb'"data":\s*"([^"\\]+)"')


def media_links_raw(raw: bytes, keys: list[bytes], media_base: str) -> bytes | None:
    """`media_links` on a record's JSON bytes (the fast path: no parse); None when the bytes
    are not the simple shape this handles (an escape in a code), so the caller parses."""
    for key in keys:
        start = raw.find(key + b":")
        if start < 0:
            continue
        end = raw.find(b"]", start)
        if end < 0 or b"\\" in raw[start:end]:
            return None
        entries = _MEDIA_DATA.sub(lambda m: _linked(m, media_base), raw[start:end])
        raw = raw[:start] + entries + raw[end:]
    return raw


def _linked(match: re.Match, media_base: str) -> bytes:
    href = f"{media_base}{quote(match.group(1).decode(), safe='/')}/download"
    return match.group(0) + b', "_links": {"download": {"href": ' + json.dumps(href).encode() + b"}}"


def uuid_associations(record: dict) -> dict:
    """products-uuid answers name associated products by uuid."""
    record = dict(record)
    for kind in ("associations", "quantified_associations"):
        links = record.get(kind)
        if not links:
            continue
        renamed = {}
        for type_code, targets in links.items():
            targets = dict(targets)
            if kind == "associations":
                targets["products"] = [product_uuid(i) for i in targets.get("products") or ()]
            else:
                targets["products"] = [
                    {"uuid": product_uuid(p["identifier"]), "quantity": p.get("quantity", 1)}
                    for p in targets.get("products") or ()
                ]
            renamed[type_code] = targets
        record[kind] = renamed
    return record


class Completeness:
    """Completeness of every product on one channel: one byte (0–100) per product and locale,
    and per product model two flags per locale (a complete variant, an incomplete variant)."""

    def __init__(self, catalog: Catalog, scope: str):
        snap = catalog.snap
        channel = next(c for c in snap.channels if c["code"] == scope)
        self.scope = scope
        self.locales: list[str] = list(channel["locales"])
        self.currencies = set(channel.get("currencies") or ())
        self.requirements = {
            f["code"]: list((f.get("attribute_requirements") or {}).get(scope) or ()) for f in snap.families
        }
        width = len(self.locales)
        self.ratios = bytearray(len(snap.products) * width)
        self.flags = bytearray(len(snap.models) * width)
        for row in range(len(snap.products)):
            product = catalog.product(row)
            if product.get("family") not in self.requirements:
                self.ratios[row * width : (row + 1) * width] = bytes([NO_FAMILY]) * width
                continue  # Akeneo computes no completeness for a product without family
            for pos, locale in enumerate(self.locales):
                ratio = self._ratio(snap, product, locale)
                self.ratios[row * width + pos] = ratio
                self._flag_ancestors(snap, row, pos, 1 if ratio == 100 else 2)

    def has(self, row: int) -> bool:
        return self.ratios[row * len(self.locales)] != NO_FAMILY

    def ratio(self, row: int, pos: int) -> int:
        return self.ratios[row * len(self.locales) + pos]

    def model_flags(self, row: int, pos: int) -> int:
        return self.flags[row * len(self.locales) + pos]

    def _flag_ancestors(self, snap: Snapshot, row: int, pos: int, flag: int) -> None:
        parent = snap.products.parent[row]
        while parent != NONE:
            self.flags[parent * len(self.locales) + pos] |= flag
            parent = snap.models.parent[parent]

    def _ratio(self, snap: Snapshot, product: dict, locale: str) -> int:
        required = self.requirements[product["family"]]
        if not required:
            return 100
        values = product.get("values") or {}
        filled = sum(1 for code in required if self._filled(snap.attribute_by_code.get(code), values, locale))
        return 100 * filled // len(required)

    def _filled(self, attribute: dict | None, values: dict, locale: str) -> bool:
        if attribute is None:
            return True  # a requirement on an attribute that no longer exists does not count
        want_locale = locale if attribute.get("localizable") else None
        want_scope = self.scope if attribute.get("scopable") else None
        for entry in values.get(attribute["code"]) or ():
            if entry.get("locale") == want_locale and entry.get("scope") == want_scope:
                return _has_data(attribute, entry.get("data"), self.currencies)
        return False


def _has_data(attribute: dict, data, currencies: set[str]) -> bool:
    kind = attribute.get("type")
    if kind == "pim_catalog_price_collection":
        priced = {p.get("currency") for p in data or () if p.get("amount") not in (None, "")}
        return bool(data) and currencies <= priced
    if kind == "pim_catalog_metric":
        return isinstance(data, dict) and data.get("amount") not in (None, "")
    if isinstance(data, bool):
        return True
    return data not in (None, "", [], {})
