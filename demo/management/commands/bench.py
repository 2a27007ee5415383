"""`make bench` / `make bench-quick`: see `bench`."""

from pathlib import Path

from django.core.management.base import BaseCommand

from bench import report, suite


class Command(BaseCommand):
    help = (
        "Benchmark the import (raw paging, full and differential runs through a real worker, "
        "peak RSS) and the console pages, in a database of its own; writes var/bench/results.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick", action="store_true", help="20,000 products, 10,000 executions, 400 images"
        )
        parser.add_argument("--products", type=int, help="products of the full catalog")
        parser.add_argument("--small-products", type=int, help="products of the memory-growth catalog")
        parser.add_argument("--executions", type=int, help="executions behind the console pages")
        parser.add_argument("--requests", type=int, help="timed requests per page (default 50)")
        parser.add_argument("--images", type=int, help="media files of job 2's downloads (default 5,000)")
        parser.add_argument("--database", default="bench_jobs", help="name of the benchmark's database")
        parser.add_argument("--out", type=Path, default=suite.var_dir() / "results.json")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the benchmark's database and its storage (the executions' logs)",
        )

    def handle(self, *args, quick, out, database, keep, **options):
        sizes = suite.QUICK if quick else suite.FULL
        chosen = {
            name: options[name]
            for name in ("products", "small_products", "executions", "requests", "images")
            if options[name] is not None
        }
        sizes = suite.Sizes(**{**sizes.__dict__, **chosen})
        results = suite.run(sizes, out=out, database=database, keep=keep, say=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(report.table(results))
        self.stdout.write(f"\nWritten to {out}")
