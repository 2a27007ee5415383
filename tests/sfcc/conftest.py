"""Fixtures for the SFCC side: Salesforce's schemas loaded once from ../shared/sfcc/xsd."""

from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import XSD_DIR

_SCHEMAS: dict[str, etree.XMLSchema] = {}


def schema(name: str) -> etree.XMLSchema:
    if name not in _SCHEMAS:
        _SCHEMAS[name] = etree.XMLSchema(etree.parse(str(XSD_DIR / name)))
    return _SCHEMAS[name]


def assert_valid(path: Path, xsd: str) -> etree._ElementTree:
    """Parse a written file and fail with the schema's own messages when it is invalid."""
    tree = etree.parse(str(path), etree.XMLParser(huge_tree=True))
    checker = schema(xsd)
    if not checker.validate(tree):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in list(checker.error_log)[:20])
        pytest.fail(f"{path.name} is not valid against {xsd}:\n{errors}")
    return tree


@pytest.fixture(scope="session")
def xsd_dir() -> Path:
    if not (XSD_DIR / "catalog.xsd").is_file():
        pytest.fail(f"Salesforce's schemas are missing (looked in {XSD_DIR})")
    return XSD_DIR
