"""A snapshot directory of Akeneo resources, read the way the demo server needs it.

Layout (as `../shared/akeneo/icecat_demo_dev_api/`): one `.jsonl` per resource (`channels.jsonl`,
`products.jsonl`, `product-models.jsonl`, `attributes__<code>__options.jsonl`,
`families__<code>__variants.jsonl`, `asset-families__<code>__assets.jsonl`, `_locales.jsonl`,
`_currencies.jsonl`, …), an optional `media/` folder of files by media code, and an optional
`_meta.json` whose `base_time` is every record's `created`/`updated`. With `updated_spread` (seconds)
the records were created that long before `base_time` and last updated at a stable moment of that
span (a crc32 of the key), as a catalog edited over months is: listings split by `updated` ranges
then have something to split.

Small resources are held parsed. Products and product models are not: `RecordIndex` keeps, per
record, its offset and length in the `.jsonl` plus the few fields the filters need, in arrays
(about 100 bytes a product), and bodies are read back with `os.pread` when a page is served.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
import zlib
from array import array
from bisect import bisect_left, bisect_right
from datetime import UTC, datetime
from pathlib import Path

UUID_NAMESPACE = uuid.UUID("6f1e3b1c-1f52-4c55-9a53-3b8a4ad3c7a5")  # demo products' uuid3 namespace
NONE = -1


def product_uuid(identifier: str) -> str:
    """A stable uuid per identifier, so products-uuid answers are the same on every start."""
    return str(uuid.uuid3(UUID_NAMESPACE, identifier))


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open("rb") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Interner:
    """Codes (families, categories, models) as small ints, so the index holds arrays of ints."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.ids: dict[str, int] = {}

    def id(self, code: str) -> int:
        found = self.ids.get(code)
        if found is None:
            found = self.ids[code] = len(self.codes)
            self.codes.append(code)
        return found


class RecordIndex:
    """Products (`key` = identifier) or product models (`key` = code), sorted by key; rows are
    positions in that order. The search_after cursor is the last key served."""

    def __init__(self, path: Path, key_field: str, families: Interner, categories: Interner):
        self.path = path
        self.keys: list[str] = []
        self.offsets = array("q")
        self.lengths = array("i")
        self.family = array("i")
        self.family_variant = array("i")
        self.enabled = bytearray()
        self.has_links = bytearray()  # associations present: bodies that need rewriting for uuids
        self.cat_start = array("i", [0])
        self.cats = array("i")
        self.parent = array("i")  # row in the product-model index, NONE without parent
        self.parent_codes: list[str | None] = []  # freed once parents are resolved
        self.updated: dict[int, float] = {}  # overlay of records touched since the start
        self._folded: dict[str, int] | None = None
        self._fd = os.open(path, os.O_RDONLY) if path.exists() else None
        if self._fd is not None:
            self._load(key_field, families, categories)

    def __len__(self) -> int:
        return len(self.keys)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _load(self, key_field: str, families: Interner, categories: Interner) -> None:
        """Reads the file once, in file order, straight into the arrays, then sorts the rows by
        key: no per-record Python object outlives the scan of its line."""
        variants = Interner()
        self._variants = variants
        with self.path.open("rb") as handle:
            offset = 0
            for line in handle:
                length = len(line.rstrip(b"\r\n"))
                if length:
                    self._append(json.loads(line), key_field, offset, length, families, categories, variants)
                offset += len(line)
        self._sort()

    def _append(self, record, key_field, offset, length, families, categories, variants) -> None:
        self.keys.append(str(record[key_field]))
        self.offsets.append(offset)
        self.lengths.append(length)
        self.family.append(families.id(record["family"]) if record.get("family") else NONE)
        variant = record.get("family_variant")
        self.family_variant.append(variants.id(variant) if variant else NONE)
        self.enabled.append(bool(record.get("enabled", True)))
        self.has_links.append(_has_links(record))
        self.cats.extend(categories.id(c) for c in record.get("categories") or ())
        self.cat_start.append(len(self.cats))
        self.parent_codes.append(record.get("parent"))

    def _sort(self) -> None:
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        if all(a < b for a, b in zip(order, order[1:], strict=False)):
            return  # already in key order (the generator writes sorted files)
        self.keys = [self.keys[i] for i in order]
        self.parent_codes = [self.parent_codes[i] for i in order]
        for name in ("offsets", "lengths", "family", "family_variant"):
            column = getattr(self, name)
            setattr(self, name, array(column.typecode, (column[i] for i in order)))
        self.enabled = bytearray(self.enabled[i] for i in order)
        self.has_links = bytearray(self.has_links[i] for i in order)
        cats, starts = array("i"), array("i", [0])
        for i in order:
            cats.extend(self.cats[self.cat_start[i] : self.cat_start[i + 1]])
            starts.append(len(cats))
        self.cats, self.cat_start = cats, starts

    def resolve_parents(self, models: RecordIndex) -> None:
        for code in self.parent_codes:
            self.parent.append(NONE if code is None else models.find_code(code))
        self.parent_codes = []

    def find(self, key: str) -> int:
        """Row of a key, or NONE."""
        pos = bisect_left(self.keys, key)
        return pos if pos < len(self.keys) and self.keys[pos] == key else NONE

    def find_code(self, code: str) -> int:
        """Row of a code compared as Akeneo's database does, case-insensitively (the icecat
        catalog names `Model-tshirt-divided-blue` as the parent of `model-tshirt-divided-blue`'s
        variants). The folded map is built on the first miss, for product models only."""
        row = self.find(code)
        if row != NONE:
            return row
        if self._folded is None:
            self._folded = {key.casefold(): pos for pos, key in enumerate(self.keys)}
        return self._folded.get(code.casefold(), NONE)

    def after(self, key: str) -> int:
        """First row strictly after a search_after cursor."""
        pos = bisect_left(self.keys, key)
        return pos + 1 if pos < len(self.keys) and self.keys[pos] == key else pos

    def raw(self, row: int) -> bytes:
        assert self._fd is not None
        return os.pread(self._fd, self.lengths[row], self.offsets[row])

    def record(self, row: int) -> dict:
        return json.loads(self.raw(row))

    def categories(self, row: int) -> array:
        return self.cats[self.cat_start[row] : self.cat_start[row + 1]]

    def variant_code(self, row: int) -> str | None:
        code = self.family_variant[row]
        return None if code == NONE else self._variants.codes[code]


def _has_links(record: dict) -> bool:
    for kind in ("associations", "quantified_associations"):
        for links in (record.get(kind) or {}).values():
            if any(links.get(k) for k in ("products", "product_models", "groups")):
                return True
    return False


class UpdatedOrder:
    """One index's rows sorted by `updated`, as a search index keeps a date field: a range of
    dates is a slice (`span`), so counting it costs two lookups and listing it what it returns.
    `rank[row]` is the row's position in that order."""

    def __init__(self, snap: Snapshot, index: RecordIndex):
        stamps = [snap.updated_at(index, row) for row in range(len(index))]
        rows = sorted(range(len(index)), key=stamps.__getitem__)
        self.stamps = array("d", (stamps[row] for row in rows))
        self.rows = array("i", rows)
        self.rank = array("i", bytes(4 * len(rows)))
        for position, row in enumerate(rows):
            self.rank[row] = position
        self._sorted: dict[tuple[int, int], list[int]] = {}
        self._lock = threading.Lock()

    def span(self, low: float | None, high: float | None, *, low_in: bool = True, high_in: bool = True):
        """The positions `[start, stop)` of the stamps between `low` and `high` (None: open),
        each bound included or not."""
        start = 0 if low is None else (bisect_left if low_in else bisect_right)(self.stamps, low)
        stop = (
            len(self.stamps)
            if high is None
            else (bisect_right if high_in else bisect_left)(self.stamps, high)
        )
        return start, max(start, stop)

    def rows_between(self, start: int, stop: int) -> list[int]:
        """The rows at positions `[start, stop)`, in row (key) order; the last few asked are kept."""
        with self._lock:
            found = self._sorted.get((start, stop))
        if found is None:
            found = sorted(self.rows[start:stop])
            with self._lock:
                if len(self._sorted) >= 16:
                    self._sorted.pop(next(iter(self._sorted)))
                self._sorted[(start, stop)] = found
        return found


class Snapshot:
    """Everything the demo server serves from one directory."""

    def __init__(self, data_dir: str | os.PathLike, *, updated_spread: int = 0):
        self.dir = Path(data_dir)
        self.updated_spread = max(0, int(updated_spread))
        if not (self.dir / "products.jsonl").exists():
            raise FileNotFoundError(f"{self.dir} holds no products.jsonl: not an Akeneo snapshot")
        self.base_time = self._base_time()
        self.created_time = self.base_time - self.updated_spread
        self.lock = threading.Lock()  # guards the `updated` overlays and their orders
        self._orders: dict[int, UpdatedOrder] = {}  # by id(index), dropped by `touch`
        self.channels = read_jsonl(self.dir / "channels.jsonl")
        self.locales = read_jsonl(self.dir / "_locales.jsonl")
        self.currencies = read_jsonl(self.dir / "_currencies.jsonl")
        self.attributes = read_jsonl(self.dir / "attributes.jsonl")
        self.attribute_groups = read_jsonl(self.dir / "attribute-groups.jsonl")
        self.families = read_jsonl(self.dir / "families.jsonl")
        self.categories = read_jsonl(self.dir / "categories.jsonl")
        self.association_types = read_jsonl(self.dir / "association-types.jsonl")
        self.asset_families = read_jsonl(self.dir / "asset-families.jsonl")
        # Enterprise / SaaS only: a snapshot without them answers an empty list.
        self.reference_entities = _optional_jsonl(self.dir / "reference-entities.jsonl") or []
        self.attribute_by_code = {a["code"]: a for a in self.attributes}
        self.family_by_code = {f["code"]: f for f in self.families}
        self.family_ids, self.category_ids = Interner(), Interner()
        for category in self.categories:
            self.category_ids.id(category["code"])
        self.models = RecordIndex(
            self.dir / "product-models.jsonl", "code", self.family_ids, self.category_ids
        )
        self.products = RecordIndex(
            self.dir / "products.jsonl", "identifier", self.family_ids, self.category_ids
        )
        self.models.resolve_parents(self.models)
        self.products.resolve_parents(self.models)
        self.category_children = self._category_children()

    def _base_time(self) -> float:
        meta = self.dir / "_meta.json"
        if meta.exists():
            stamp = json.loads(meta.read_text()).get("base_time")
            if stamp:
                return datetime.fromisoformat(stamp).timestamp()
        return float(int((self.dir / "products.jsonl").stat().st_mtime))

    def _category_children(self) -> dict[int, list[int]]:
        children: dict[int, list[int]] = {}
        for category in self.categories:
            if category.get("parent"):
                parent = self.category_ids.id(category["parent"])
                children.setdefault(parent, []).append(self.category_ids.id(category["code"]))
        return children

    def subtree(self, code: str) -> set[int]:
        """A category and all its descendants, as interned ids."""
        start = self.category_ids.ids.get(code)
        if start is None:
            return set()
        found, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node not in found:
                found.add(node)
                stack.extend(self.category_children.get(node, ()))
        return found

    def options(self, attribute_code: str) -> list[dict] | None:
        return _optional_jsonl(self.dir / f"attributes__{attribute_code}__options.jsonl")

    def variants(self, family_code: str) -> list[dict] | None:
        if family_code not in self.family_by_code:
            return None
        return _optional_jsonl(self.dir / f"families__{family_code}__variants.jsonl") or []

    def assets(self, family_code: str) -> list[dict] | None:
        if not any(f.get("code") == family_code for f in self.asset_families):
            return None
        return _optional_jsonl(self.dir / f"asset-families__{family_code}__assets.jsonl") or []

    def asset_attributes(self, family_code: str) -> list[dict] | None:
        """`asset-families__<code>__attributes.jsonl`, else the family's main media attribute
        alone, an image `media_file` (what a packshot family has)."""
        family = next((f for f in self.asset_families if f.get("code") == family_code), None)
        if family is None:
            return None
        stored = _optional_jsonl(self.dir / f"asset-families__{family_code}__attributes.jsonl")
        if stored is not None:
            return stored
        main = family.get("attribute_as_main_media") or "media"
        return [{"code": main, "labels": {}, "type": "media_file", "media_type": "image",
                 "value_per_locale": False, "value_per_channel": False, "is_required_for_completeness": False,
                 "allowed_extensions": [], "max_file_size": None}]  # fmt: skip

    def entity_attributes(self, entity_code: str) -> list[dict]:
        return _optional_jsonl(self.dir / f"reference-entities__{entity_code}__attributes.jsonl") or []

    def entity_records(self, entity_code: str) -> list[dict]:
        return _optional_jsonl(self.dir / f"reference-entities__{entity_code}__records.jsonl") or []

    def updated_at(self, index: RecordIndex, row: int) -> float:
        touched = index.updated.get(row)
        if touched is not None:
            return touched
        if not self.updated_spread:
            return self.base_time
        return self.created_time + zlib.crc32(index.keys[row].encode()) % (self.updated_spread + 1)

    def updated_order(self, index: RecordIndex) -> UpdatedOrder:
        """`index`'s rows sorted by `updated`, made on first use and after each `touch`."""
        with self.lock:
            order = self._orders.get(id(index))
            if order is None:
                order = self._orders[id(index)] = UpdatedOrder(self, index)
            return order

    def touch(self, index: RecordIndex, keys: list[str], when: float) -> list[str]:
        """Marks records as updated at `when`; returns the keys that were unknown."""
        unknown = []
        with self.lock:
            for key in keys:
                row = index.find(key)
                if row == NONE:
                    unknown.append(key)
                else:
                    index.updated[row] = when
            self._orders.pop(id(index), None)
        return unknown

    def close(self) -> None:
        self.products.close()
        self.models.close()


def _optional_jsonl(path: Path) -> list[dict] | None:
    return read_jsonl(path) if path.exists() else None


def iso(timestamp: float) -> str:
    """Akeneo's date format in answers: `2024-05-01T10:00:00+00:00`."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
