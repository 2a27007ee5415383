"""Akeneo attributes, their options and attribute groups → SFCC custom attribute definitions.

Attributes sent to a system attribute, images and assets sent to image groups, the identifier and
the price collection get no definition: their values live elsewhere in the catalog or pricebooks.
An attribute of a type SFCC has no counterpart for (reference data, made-up types) is reported
as a problem and left out; the import continues with the others. A table attribute becomes a
text attribute holding its rows as JSON; a reference entity link a string (a collection a
set-of-string) of record codes, with a localizable `<id>_label` attribute beside it for the
records' labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jobs.sfcc.records import AttributeDefinition, AttributeGroup, AttributeType, ValueDefinition
from jobs.transform.config import MappingConfig
from jobs.transform.locales import localize_or_code
from jobs.transform.problems import Problem
from jobs.transform.values import AKENEO_KINDS, LABEL_SUFFIX, mapping_problem

_TYPES = {
    "text": AttributeType.STRING,
    "textarea": AttributeType.TEXT,
    "number": AttributeType.DOUBLE,
    "boolean": AttributeType.BOOLEAN,
    "date": AttributeType.DATE,
    "simpleselect": AttributeType.ENUM_OF_STRING,
    "multiselect": AttributeType.ENUM_OF_STRING,
    "metric": AttributeType.STRING,  # "amount unit": SFCC has no quantity-with-unit type
    "image": AttributeType.STRING,
    "file": AttributeType.STRING,
    "assets": AttributeType.SET_OF_STRING,
    "table": AttributeType.TEXT,  # the rows as JSON: SFCC has no table type
    "record": AttributeType.STRING,  # the record code; its labels in `<id>_label`
    "records": AttributeType.SET_OF_STRING,
}


@dataclass(slots=True)
class AttributesResult:
    definitions: list[AttributeDefinition] = field(default_factory=list)
    groups: list[AttributeGroup] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def transform_attributes(
    attributes: Iterable[dict],
    options: Mapping[str, Iterable[dict]],
    groups: Iterable[dict],
    config: MappingConfig,
) -> AttributesResult:
    """`options` maps an attribute code to its options (Akeneo's attributes/<code>/options)."""
    result = AttributesResult()
    members: dict[str, list[str]] = {}
    for attribute in attributes:
        definition = attribute_definition(
            attribute, options.get(attribute["code"], ()), config, result.problems
        )
        if definition is not None:
            group = members.setdefault(attribute.get("group") or "", [])
            for item in (definition, label_definition(attribute, definition, config)):
                if item is not None:
                    result.definitions.append(item)
                    group.append(item.id)
    for group in sorted(groups, key=lambda g: (g.get("sort_order", 0), g["code"])):
        attribute_ids = members.get(group["code"])
        if attribute_ids:  # a group with nothing custom in it would be an empty box in BM
            result.groups.append(
                AttributeGroup(
                    id=config.attribute_prefix + group["code"],
                    display_name=localize_or_code(
                        group.get("labels"), group["code"], config.locales, config.default_locale
                    ),
                    attribute_ids=attribute_ids,
                )
            )
    return result


def attribute_definition(
    attribute: dict, options: Iterable[dict], config: MappingConfig, problems: list[Problem]
) -> AttributeDefinition | None:
    code = attribute["code"]
    akeneo_type = attribute.get("type")
    kind = AKENEO_KINDS.get(akeneo_type)
    if kind is None:
        problems.append(
            Problem(code, f"attribute type {akeneo_type!r} has no SFCC counterpart; not imported")
        )
        return None
    problem = mapping_problem(attribute, config)
    if problem is not None:
        problems.append(Problem(code, problem))
        return None
    if not _is_custom(code, kind, config):
        return None
    definition = AttributeDefinition(
        id=config.attribute_prefix + code,
        type=_attribute_type(attribute, kind),
        display_name=localize_or_code(attribute.get("labels"), code, config.locales, config.default_locale),
        localizable=bool(attribute.get("localizable")),
        select_multiple=kind == "multiselect",
    )
    if kind in ("simpleselect", "multiselect"):
        definition.values = value_definitions(options, config)
    return definition


def label_definition(
    attribute: dict, definition: AttributeDefinition, config: MappingConfig
) -> AttributeDefinition | None:
    """The localizable companion of a record link: the linked records' labels."""
    kind = AKENEO_KINDS.get(attribute.get("type"))
    if kind not in ("record", "records"):
        return None
    labels = attribute.get("labels") or {}
    return AttributeDefinition(
        id=definition.id + LABEL_SUFFIX,
        type=definition.type,
        display_name={
            lang: f"{text} (label)" for lang, text in
            localize_or_code(labels, attribute["code"], config.locales, config.default_locale).items()
        },
        localizable=True,
    )  # fmt: skip


def _is_custom(code: str, kind: str, config: MappingConfig) -> bool:
    if kind in ("identifier", "prices") or code == config.price_attribute:
        return False
    if code in config.excluded_attributes or code in config.system_attributes:
        return False
    if code in config.custom_attributes:
        return False  # the storefront's own attribute: its definition is the storefront's
    if kind == "image" and code in config.image_view_types:
        return False
    return not (kind == "assets" and code in config.asset_view_types)


def _attribute_type(attribute: dict, kind: str) -> AttributeType:
    if kind == "textarea" and attribute.get("wysiwyg_enabled"):
        return AttributeType.HTML
    if kind == "number" and not attribute.get("decimals_allowed", True):
        return AttributeType.INT
    return _TYPES[kind]


def value_definitions(options: Iterable[dict], config: MappingConfig) -> list[ValueDefinition]:
    """Options in Akeneo's sort order, each with its localized labels (x-default falls back to the code)."""
    ordered = sorted(options, key=lambda o: (o.get("sort_order") or 0, o["code"]))
    return [
        ValueDefinition(
            value=option["code"],
            display=localize_or_code(
                option.get("labels"), option["code"], config.locales, config.default_locale
            ),
        )
        for option in ordered
    ]
