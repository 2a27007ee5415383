"""Serve an Akeneo snapshot directory over Akeneo's REST API on 127.0.0.1 (`make run`, benchmarks)."""

from django.core.management.base import BaseCommand, CommandError

from demo.akeneo.server import (
    DEMO_CLIENT_ID,
    DEMO_PASSWORD,
    DEMO_SECRET,
    DEMO_USERNAME,
    DemoAkeneoServer,
)


def _rate(value: str) -> float:
    """`--rate-limit 20/s` or `20`."""
    return float(value.removesuffix("/s"))


def _seconds(value: str) -> float:
    """`--latency 150ms`, `0.15s` or `0.15`."""
    if value.endswith("ms"):
        return float(value[:-2]) / 1000
    return float(value.removesuffix("s"))


class Command(BaseCommand):
    help = "Serve a snapshot directory (one .jsonl per resource) as a demo Akeneo PIM on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="snapshot directory (e.g. ../shared/akeneo/...)")
        parser.add_argument("--port", type=int, default=8081)
        parser.add_argument("--rate-limit", type=_rate, default=0.0, help="requests a second, e.g. 50/s")
        parser.add_argument("--token-ttl", type=float, default=3600, help="access token lifetime (s)")
        parser.add_argument("--missing-media-404", action="store_true", help="404 for media not in media/")
        parser.add_argument("--no-uuid", action="store_true", help="no /products-uuid (an Akeneo 6 server)")
        parser.add_argument(
            "--latency", type=_seconds, default=0.0, help="seconds of every API call, e.g. 150ms"
        )
        parser.add_argument(
            "--latency-per-item", type=_seconds, default=0.0, help="seconds more per listed item"
        )
        parser.add_argument("--media-latency", type=_seconds, default=0.0, help="seconds before a download")
        parser.add_argument("--media-bandwidth", type=float, default=0.0, help="bytes a second of a download")
        parser.add_argument(
            "--concurrency", type=int, default=0, help="concurrent API calls allowed (Akeneo: 4)"
        )
        parser.add_argument(
            "--updated-spread-days", type=float, default=0.0, help="records last updated over this many days"
        )
        parser.add_argument("--client-id", default=DEMO_CLIENT_ID)
        parser.add_argument("--secret", default=DEMO_SECRET)
        parser.add_argument("--username", default=DEMO_USERNAME)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args, **opts):
        try:
            server = DemoAkeneoServer(
                opts["data"],
                port=opts["port"],
                client_id=opts["client_id"],
                secret=opts["secret"],
                username=opts["username"],
                password=opts["password"],
                token_ttl=opts["token_ttl"],
                rate_limit=opts["rate_limit"],
                missing_media_404=opts["missing_media_404"],
                uuid_products=not opts["no_uuid"],
                latency=opts["latency"],
                latency_per_item=opts["latency_per_item"],
                media_latency=opts["media_latency"],
                media_bandwidth=opts["media_bandwidth"],
                concurrency=opts["concurrency"],
                updated_spread=int(opts["updated_spread_days"] * 86400),
            )
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        snap = server.snapshot
        self.stdout.write(
            f"Demo Akeneo on {server.url} serving {len(snap.products)} products and "
            f"{len(snap.models)} product models from {snap.dir} (client id {opts['client_id']!r}, "
            f"user {opts['username']!r}). Ctrl-C stops it."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
