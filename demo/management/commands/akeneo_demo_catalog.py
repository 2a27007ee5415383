"""Write a deterministic demo Akeneo catalog (the snapshot layout `akeneo_demo_server` serves)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.akeneo.generator import write_catalog


class Command(BaseCommand):
    help = "Generate a deterministic Akeneo snapshot directory of N products for the demo server."

    def add_arguments(self, parser):
        parser.add_argument(
            "--products", type=int, required=True, help="number of products (variants included)"
        )
        parser.add_argument("--out", required=True, help="output directory")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same catalog")
        parser.add_argument(
            "--bad-records", action="store_true", help="add a few deliberately broken products"
        )

    def handle(self, *args, **opts):
        if opts["products"] < 1:
            raise CommandError("--products must be at least 1")
        started = time.monotonic()
        counts = write_catalog(
            opts["out"], products=opts["products"], seed=opts["seed"], bad_records=opts["bad_records"]
        )
        self.stdout.write(
            f"Wrote {counts.products} products ({counts.variants} variants), {counts.product_models} product "
            f"models, {counts.bad_records} bad records to {opts['out']} in {time.monotonic() - started:.1f} s"
        )
