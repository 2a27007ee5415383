"""Demo catalogs for the benchmark, generated once per size and kept under var/bench."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from demo.akeneo.generator import write_catalog

SEED = 1


def ensure_catalog(root: Path, products: int) -> Path:
    """`root/catalog-<products>`, generated (fixed seed) unless a complete one is there.
    Written beside and renamed, so an interrupted generation is never taken for a catalog."""
    path = root / f"catalog-{products}"
    if _complete(path, products):
        return path
    partial = root / f".catalog-{products}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    write_catalog(partial, products=products, seed=SEED)
    shutil.rmtree(path, ignore_errors=True)
    partial.rename(path)
    return path


def _complete(path: Path, products: int) -> bool:
    meta = path / "_meta.json"
    if not meta.exists():
        return False
    written = json.loads(meta.read_text())
    return written.get("products") == products and written.get("seed") == SEED
