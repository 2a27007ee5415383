"""What every SFCC XML writer shares: one output document written with `lxml.etree.xmlfile`,
temporary spools for sections the caller may write out of schema order, text cleaning and
the cheap checks that keep a file valid against Salesforce's schemas.

Records are serialized as small lxml elements with *local* names; the root element carries
the schema's namespace as the default namespace, so every child lands in it without lxml
having to resolve a namespace per element (the fastest way to produce these files).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import IO, Any

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SubElement = etree.SubElement

# Everything XML 1.0 cannot carry: C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XSD_SPACE = " \t\n\r"
_COPY_CHUNK = 1 << 20


class InvalidRecordError(Exception):
    """A record the schemas cannot hold (an empty or over-long id, an unknown link type, …).
    Nothing of it was written; the caller counts it as a data error and carries on."""

    def __init__(self, record_id: str, message: str):
        super().__init__(f"{record_id}: {message}")
        self.record_id = record_id
        self.message = message


def clean_text(value: str) -> str:
    """Drop the characters XML cannot hold; returns `value` itself when it is already clean."""
    return _NOT_XML.sub("", value)


def build(make: Callable[[Any], Any], record: Any) -> Any:
    """`make(record)`, or, when lxml refuses a character XML cannot hold, the same from a
    cleaned copy: the hot path pays nothing for text that is already valid."""
    try:
        return make(record)
    except ValueError:
        return make(clean_record(record))


def clean_record(obj: Any) -> Any:
    """A copy of a record with every string cleaned. Only called after lxml refused a value,
    so the hot path pays nothing for text that is already valid (nearly all of it)."""
    if isinstance(obj, Enum):
        return obj
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, list):
        return [clean_record(item) for item in obj]
    if isinstance(obj, dict):
        return {clean_record(key): clean_record(value) for key, value in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: clean_record(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return dataclasses.replace(obj, **changes)
    return obj


def check_id(value: Any, max_length: int, what: str, record_id: str | None = None) -> str:
    """Enforce the schemas' NonEmptyString pattern `\\S|(\\S(.*)\\S)` and length for an id."""
    if (
        not isinstance(value, str)
        or not value
        or len(value) > max_length
        or value[0] in _XSD_SPACE
        or value[-1] in _XSD_SPACE
        or "\n" in value
        or "\r" in value
    ):
        raise InvalidRecordError(
            record_id or str(value),
            f"{what} {value!r} must be 1-{max_length} characters without leading/trailing "
            "whitespace or line breaks",
        )
    return value


def check_length(value: str, max_length: int, what: str, record_id: str) -> str:
    if len(value) > max_length:
        raise InvalidRecordError(record_id, f"{what} is longer than {max_length} characters")
    return value


def add_localized(parent: etree._Element, tag: str, texts: dict[str, str], record_id: str, limit: int = 0):
    """One `<tag xml:lang="…">` per locale, in the dict's order; `limit` 0 means unbounded."""
    for lang, text in texts.items():
        if limit and len(text) > limit:
            raise InvalidRecordError(record_id, f"{tag} ({lang}) is longer than {limit} characters")
        SubElement(parent, tag, {XML_LANG: lang}).text = text


def flag(value: bool) -> str:
    return "true" if value else "false"


class Spool:
    """An anonymous temporary file collecting serialized elements of one document section,
    copied into the document when it is closed. Lives beside the output (same file system)."""

    def __init__(self, directory: Path):
        self._file: IO[bytes] = tempfile.TemporaryFile(dir=directory, prefix=".spool-")  # noqa: SIM115
        self.count = 0

    def write(self, element: etree._Element) -> None:
        element.tail = "\n"  # one record per line: readable, and diffs stay small
        self._file.write(etree.tostring(element, encoding="utf-8"))
        self.count += 1

    def copy_into(self, target: IO[bytes]) -> None:
        self._file.seek(0)
        shutil.copyfileobj(self._file, target, _COPY_CHUNK)

    def close(self) -> None:
        self._file.close()


class Document:
    """One XML file: declaration, the root element in `namespace`, nested wrapper elements
    opened and closed by the writer, elements and spools written in between."""

    def __init__(self, path: Path | str, namespace: str, root: str, attrs: dict[str, str] | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "wb")  # noqa: SIM115 - closed in close()/abort()
        self._xmlfile = etree.xmlfile(self._file, encoding="utf-8")
        self._xf = self._xmlfile.__enter__()
        self._xf.write_declaration()
        self._open: list[Any] = []
        self._namespace = namespace
        self.open(f"{{{namespace}}}{root}", attrs, nsmap={None: namespace})

    def open(self, tag: str, attrs: dict[str, str] | None = None, nsmap: dict | None = None) -> None:
        if not tag.startswith("{"):
            tag = f"{{{self._namespace}}}{tag}"
        context = self._xf.element(tag, attrs or {}, nsmap=nsmap)
        context.__enter__()
        self._open.append(context)

    def close_element(self) -> None:
        self._open.pop().__exit__(None, None, None)

    def write(self, element: etree._Element) -> None:
        element.tail = "\n"
        self._xf.write(element)

    def write_spool(self, spool: Spool) -> None:
        # lxml buffers its output; flush it so the raw copy lands after what it wrote so far.
        self._xf.flush()
        spool.copy_into(self._file)

    def close(self) -> None:
        while self._open:
            self.close_element()
        self._xmlfile.__exit__(None, None, None)
        self._file.close()

    def abort(self) -> None:
        """Give up on the file: a half-written document must never be shipped."""
        self._file.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
