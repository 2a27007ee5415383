"""Benchmark: products/second and peak RSS writing a catalog of realistic products.

    .venv/bin/python -m tests.sfcc.bench_catalog_writer [--products 100000] [--out DIR]

Not collected by pytest (no test_ prefix): speed is measured here, never asserted.
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from jobs.sfcc.records import CategoryAssignment
from jobs.sfcc.xml import CatalogWriter

from . import factories


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument(
        "--out", type=Path, default=None, help="directory for catalog.xml (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.out or Path(tmp)) / "catalog.xml"
        # Build the records up front, out of the timed section, one at a time would do too;
        # a cycle of 1,000 keeps the benchmark about the writer and its memory flat.
        products = [factories.standard_product(i) for i in range(1000)]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with CatalogWriter(path, factories.header()) as w:
            for category in factories.categories():
                w.category(category)
            for i in range(args.products):
                product = products[i % 1000]
                w.product(product)
                w.assignment(CategoryAssignment(product.id, "men_blazers", primary=True))
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = path.stat().st_size
    print(
        f"{args.products} products in {elapsed:.2f}s = {args.products / elapsed:,.0f} products/s; "
        f"catalog.xml {size / 1e6:,.0f} MB; peak RSS {peak / 1024:,.0f} MB "
        f"(before writing {rss_before / 1024:,.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
