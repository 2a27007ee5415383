"""Akeneo reference entities and their records → content assets of an SFCC content library.

As the cartridge does: each reference entity becomes a library folder `akeneo_entity_<entity>`
(the prefix is the configured attribute prefix) and each of its records a content asset
`akeneo_entity_<entity>_<record>`, classified in that folder, named by the record's labels.
The record's values travel as JSON in custom attributes of the `Content` system object, which
the same job defines in `meta/system-objecttype-extensions.xml`:

- `<prefix>entity` (string): the reference entity's code;
- `<prefix>record` (string): the record's code (what a product's record link holds);
- `<prefix>record_values` (text, localizable): `{"attribute": data, …}`, the record's values
  for the configured channel, one JSON object per locale with that locale's values and the
  ones that are not localizable (x-default from the default locale).

One localizable JSON object rather than one attribute per entity attribute: SFCC's `Content`
type is shared by every entity, so per-attribute definitions would pile up on it; a storefront
reads `content.custom.<prefix>record_values` and parses it in the request's locale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jobs.sfcc.records import AttributeDefinition, AttributeType, ContentAsset, CustomValue, LibraryFolder
from jobs.transform.config import MappingConfig
from jobs.transform.locales import X_DEFAULT, localize_or_code
from jobs.transform.problems import Problem
from jobs.transform.shapes import describe
from jobs.transform.values import clean_text

CONTENT_ID_MAX = 256
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(slots=True)
class EntitiesResult:
    folders: list[LibraryFolder] = field(default_factory=list)
    assets: list[ContentAsset] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def content_definitions(config: MappingConfig) -> list[AttributeDefinition]:
    """The custom attributes of `Content` the content assets carry."""
    prefix = config.attribute_prefix
    return [
        AttributeDefinition(f"{prefix}entity", AttributeType.STRING, {X_DEFAULT: "Akeneo reference entity"}),
        AttributeDefinition(f"{prefix}record", AttributeType.STRING, {X_DEFAULT: "Akeneo record code"}),
        AttributeDefinition(
            f"{prefix}record_values",
            AttributeType.TEXT,
            {X_DEFAULT: "Akeneo record values (JSON)"},
            localizable=True,
        ),
    ]


def folder_id(entity_code: str, config: MappingConfig) -> str:
    return f"{config.attribute_prefix}entity_{entity_code}"


def transform_entity(entity: Mapping, records: Iterable, config: MappingConfig) -> EntitiesResult:
    """One reference entity's folder and one content asset per record."""
    result = EntitiesResult()
    code = entity["code"]
    folder = folder_id(code, config)
    result.folders.append(
        LibraryFolder(
            folder, localize_or_code(entity.get("labels"), code, config.locales, config.default_locale)
        )
    )
    seen: set[str] = set()
    for record in records:
        asset = _asset(record, code, folder, config, result.problems)
        if asset is None:
            continue
        if asset.id.lower() in seen:
            result.problems.append(
                Problem(asset.id, "two records have this content id; the second is left out")
            )
            continue
        seen.add(asset.id.lower())
        result.assets.append(asset)
    return result


def _asset(
    record, entity: str, folder: str, config: MappingConfig, problems: list[Problem]
) -> ContentAsset | None:
    if not isinstance(record, dict) or not isinstance(record.get("code"), str) or not record["code"]:
        problems.append(Problem(f"{entity} record", f"malformed record {describe(record)}; skipped"))
        return None
    code = record["code"]
    content_id = f"{folder}_{_UNSAFE.sub('_', code)}"
    if len(content_id) > CONTENT_ID_MAX:
        problems.append(
            Problem(code, f"content id {content_id[:40]}… is longer than {CONTENT_ID_MAX}; skipped")
        )
        return None
    values = record.get("values") or {}
    if not isinstance(values, dict):
        values = {}
        problems.append(Problem(content_id, "record values are not an object; written without them"))
    labels = _labels(values.get("label"))
    prefix = config.attribute_prefix
    custom = [CustomValue(f"{prefix}entity", entity), CustomValue(f"{prefix}record", code)]
    notes: list[str] = []
    for lang, locale in [
        (X_DEFAULT, config.default_locale),
        *((g, loc) for loc, g in config.locales.items()),
    ]:
        data = _values_in(values, locale, config.channel)
        if data:
            text = clean_text(
                json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True), notes
            )
            custom.append(CustomValue(f"{prefix}record_values", text, lang))
    problems.extend(Problem(content_id, note) for note in dict.fromkeys(notes))
    return ContentAsset(
        id=content_id,
        display_name=localize_or_code(labels, code, config.locales, config.default_locale),
        folder_id=folder,
        custom=custom,
    )


def _labels(entries) -> dict[str, str]:
    return {
        e["locale"]: e["data"]
        for e in entries or ()
        if isinstance(e, dict) and isinstance(e.get("locale"), str) and isinstance(e.get("data"), str)
    }


def _values_in(values: Mapping, locale: str, channel: str) -> dict:
    """The record's values in one locale: the localizable ones of that locale and the others,
    for the configured channel or none."""
    found = {}
    for attribute, entries in values.items():
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, dict) or entry.get("data") in (None, "", []):
                continue
            if entry.get("channel") not in (None, channel) or entry.get("locale") not in (None, locale):
                continue
            found[attribute] = entry["data"]
    return found
