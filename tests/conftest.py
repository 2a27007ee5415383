"""Shared fixtures. Real services when DATABASE_URL / REDIS_URL are set (CI), embedded
SQLite and an embedded Redis otherwise (a laptop)."""

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
XSD_DIR = SHARED / "sfcc" / "xsd"
ICECAT_API = SHARED / "akeneo" / "icecat_demo_dev_api"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing beside the project (looked in {SHARED})")
    return SHARED


@pytest.fixture(autouse=True)
def _storage_root(settings, tmp_path):
    """Each test writes log files and archives under its own temporary storage root."""
    settings.STORAGE_ROOT = tmp_path / "storage"
    os.environ["STORAGE_ROOT"] = str(settings.STORAGE_ROOT)
    yield
