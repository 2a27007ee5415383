"""`python manage.py sfcc_demo_server [--port 8082] [--schemas DIR] [--data DIR]`: a demo SFCC
instance on 127.0.0.1 (Account Manager token, WebDAV, OCAPI import job) until Ctrl-C."""

import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.sfcc.server import DemoSfccServer

# ../shared/sfcc/xsd beside the project, derived from this file's location.
DEFAULT_SCHEMAS = Path(__file__).resolve().parents[4] / "shared" / "sfcc" / "xsd"


class Command(BaseCommand):
    help = "Run the demo SFCC server on 127.0.0.1 (token endpoint, WebDAV, OCAPI site archive import)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8082)
        parser.add_argument(
            "--schemas", type=Path, default=None, help="XSD directory (default ../shared/sfcc/xsd)"
        )
        parser.add_argument(
            "--data", type=Path, default=None, help="where imports are kept (default STORAGE_ROOT)"
        )
        parser.add_argument("--client-id", default="demo-client")
        parser.add_argument("--client-secret", default="demo-secret")

    def handle(self, *args, port, schemas, data, client_id, client_secret, **options):
        schemas = schemas or (DEFAULT_SCHEMAS if DEFAULT_SCHEMAS.is_dir() else None)
        data = data or Path(settings.STORAGE_ROOT) / "demo-sfcc"
        data.mkdir(parents=True, exist_ok=True)
        server = DemoSfccServer(
            port, schema_dir=schemas, data_dir=data, client_id=client_id, client_secret=client_secret
        ).start()
        self.stdout.write(
            f"Demo SFCC at {server.url} (token URL {server.token_url}, client id {client_id!r}); "
            f"schemas: {schemas or 'not validating'}; data: {data}. Ctrl-C stops it."
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
