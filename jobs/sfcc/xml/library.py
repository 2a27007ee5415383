"""`libraries/<library-id>/library.xml` (a shared library) or `sites/<site-id>/library/library.xml`
(a site's private one, whose root names no library-id): folders, then content assets
(library.xsd). Folders are written as they come; content assets are spooled and appended."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from jobs.sfcc.records import ContentAsset, LibraryFolder, Mode

from .stream import XML_LANG, Document, Spool, SubElement, add_localized, build, check_id, flag

NAMESPACE = "http://www.demandware.com/xml/impex/library/2006-10-31"
ID_MAX = 256
STRING_MAX = 4000


class LibraryWriter:
    """Leaving the block with an exception deletes the half-written file.

    with LibraryWriter(path, library_id="RefArchSharedLibrary") as w:  # None: a private one
        w.folder(folder)
        w.content(asset)
    """

    def __init__(self, path: Path | str, library_id: str | None = None):
        self.path = Path(path)
        self.library_id = library_id
        self.folder_count = 0
        self.content_count = 0

    def __enter__(self) -> LibraryWriter:
        attrs = {}
        if self.library_id is not None:
            attrs["library-id"] = check_id(self.library_id, ID_MAX, "library id")
        self._doc = Document(self.path, NAMESPACE, "library", attrs)
        self._contents = Spool(self.path.parent)
        return self

    def folder(self, folder: LibraryFolder) -> None:
        self._doc.write(build(_folder_element, folder))
        self.folder_count += 1

    def content(self, asset: ContentAsset) -> None:
        self._contents.write(build(_content_element, asset))
        self.content_count += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._doc.write_spool(self._contents)
                self._doc.close()
            else:
                self._doc.abort()
        finally:
            self._contents.close()


def _folder_element(f: LibraryFolder) -> etree._Element:
    check_id(f.id, ID_MAX, "folder id")
    el = etree.Element("folder", {"folder-id": f.id})
    add_localized(el, "display-name", f.display_name, f.id, STRING_MAX)
    SubElement(el, "online-flag").text = flag(f.online)
    SubElement(el, "parent").text = check_id(f.parent, ID_MAX, "parent folder id", f.id)
    return el


def _content_element(c: ContentAsset) -> etree._Element:
    check_id(c.id, ID_MAX, "content id")
    if c.mode == Mode.DELETE:
        return etree.Element("content", {"content-id": c.id, "mode": "delete"})
    el = etree.Element("content", {"content-id": c.id})
    add_localized(el, "display-name", c.display_name, c.id, STRING_MAX)
    SubElement(el, "online-flag").text = flag(c.online)
    if c.custom:
        custom = SubElement(el, "custom-attributes")
        for value in c.custom:
            attrs = {"attribute-id": check_id(value.attribute_id, ID_MAX, "attribute id", c.id)}
            if value.lang is not None:
                attrs[XML_LANG] = value.lang
            attribute = SubElement(custom, "custom-attribute", attrs)
            if isinstance(value.value, str):
                attribute.text = value.value
            else:
                for item in value.value:
                    SubElement(attribute, "value").text = item
    if c.folder_id is not None:
        links = SubElement(el, "folder-links")
        SubElement(
            links, "classification-link", {"folder-id": check_id(c.folder_id, ID_MAX, "folder id", c.id)}
        )
    return el
