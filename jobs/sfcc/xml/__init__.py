"""Streaming writers for the XML files of an SFCC site import archive.

Each writer is a context manager over one output file; records from `jobs.sfcc.records` go in
through one method per record type, in any order, and come out in the order the schemas in
../shared/sfcc/xsd require. A record the schemas cannot hold raises `InvalidRecordError`
(nothing of it written); characters XML cannot carry are dropped.
"""

from .catalog import CatalogWriter
from .library import LibraryWriter
from .metadata import MetadataWriter
from .pricebook import PricebookWriter
from .stream import InvalidRecordError, clean_text

__all__ = [
    "CatalogWriter",
    "InvalidRecordError",
    "LibraryWriter",
    "MetadataWriter",
    "PricebookWriter",
    "clean_text",
]
