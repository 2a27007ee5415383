"""`meta/system-objecttype-extensions.xml`: custom attribute definitions and attribute groups
on the `Product` system object type (metadata.xsd)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from jobs.sfcc.records import AttributeDefinition, AttributeGroup, AttributeType, Mode

from .stream import (
    XML_LANG,
    Document,
    InvalidRecordError,
    Spool,
    SubElement,
    add_localized,
    build,
    check_id,
    flag,
)

NAMESPACE = "http://www.demandware.com/xml/impex/metadata/2006-10-31"
LOCALIZED_STRING_MAX = 4000
# Types whose values are typed in free text; SFCC's own exports give them a min-length.
_TEXT_TYPES = {AttributeType.STRING, AttributeType.TEXT, AttributeType.HTML}


class MetadataWriter:
    """Streams attribute definitions straight into the file and spools attribute groups, so
    the caller may write both in any order. The schema wants at least one child in each
    wrapper, so a wrapper is only opened once it has something to hold.

        with MetadataWriter(path) as w:
            w.attribute(definition)
            w.group(group)
    """

    def __init__(self, path: Path | str, type_id: str = "Product"):
        self.path = Path(path)
        self._type_id = type_id
        self._doc: Document | None = None
        self._groups: Spool | None = None
        self._attributes_open = False
        self.attribute_count = 0
        self.group_count = 0

    def __enter__(self) -> MetadataWriter:
        self._doc = Document(self.path, NAMESPACE, "metadata")
        self._doc.open("type-extension", {"type-id": self._type_id})
        self._groups = Spool(self.path.parent)
        return self

    def attribute(self, definition: AttributeDefinition) -> None:
        element = build(_attribute_element, definition)
        if not self._attributes_open:
            self._doc.open("custom-attribute-definitions")
            self._attributes_open = True
        self._doc.write(element)
        self.attribute_count += 1

    def group(self, group: AttributeGroup) -> None:
        element = build(_group_element, group)
        self._groups.write(element)
        self.group_count += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._finish()
            else:
                self._doc.abort()
        finally:
            self._groups.close()

    def _finish(self) -> None:
        if self._attributes_open:
            self._doc.close_element()
        if self._groups.count:
            self._doc.open("group-definitions")
            self._doc.write_spool(self._groups)
            self._doc.close_element()
        self._doc.close()


def _attribute_element(d: AttributeDefinition) -> etree._Element:
    check_id(d.id, 256, "attribute id")
    if "|" in d.id:
        raise InvalidRecordError(d.id, "attribute id must not contain '|'")
    if d.mode == Mode.DELETE:
        # metadata.xsd has no per-record mode: definitions are removed by importing the file
        # in SFCC's "delete" import mode, which is a job parameter, not part of the file.
        raise InvalidRecordError(d.id, "attribute definitions cannot be deleted record by record")
    el = etree.Element("attribute-definition", {"attribute-id": d.id})
    add_localized(el, "display-name", d.display_name, d.id, LOCALIZED_STRING_MAX)
    SubElement(el, "type").text = d.type.value
    SubElement(el, "localizable-flag").text = flag(d.localizable)
    SubElement(el, "mandatory-flag").text = "false"
    # Akeneo is the master of these attributes: Business Manager shows them read-only.
    SubElement(el, "externally-managed-flag").text = "true"
    if d.type in _TEXT_TYPES:
        SubElement(el, "min-length").text = "0"
    if d.unit:
        SubElement(el, "unit", {XML_LANG: "x-default"}).text = d.unit
    if d.type == AttributeType.ENUM_OF_STRING:
        SubElement(el, "select-multiple-flag").text = flag(d.select_multiple)
        if d.values:
            values = SubElement(el, "value-definitions")
            for option in d.values:
                check_id(option.value, 4000, "option value", d.id)
                value_el = SubElement(values, "value-definition")
                add_localized(value_el, "display", option.display, d.id, LOCALIZED_STRING_MAX)
                SubElement(value_el, "value").text = option.value
    return el


def _group_element(g: AttributeGroup) -> etree._Element:
    check_id(g.id, 256, "attribute group id")
    el = etree.Element("attribute-group", {"group-id": g.id})
    add_localized(el, "display-name", g.display_name, g.id, LOCALIZED_STRING_MAX)
    for attribute_id in g.attribute_ids:
        check_id(attribute_id, 256, "attribute id", g.id)
        SubElement(el, "attribute", {"attribute-id": attribute_id})
    return el
