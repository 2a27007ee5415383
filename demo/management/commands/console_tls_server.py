"""`python manage.py console_tls_server [--port 8443] [--dir var/tls]`: the console over HTTPS
with a self-signed certificate, for Salesforce's CLIs (`make run` starts it)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.tls import ConsoleTlsServer, certificate_for_make_run


class Command(BaseCommand):
    help = "Serve the console over HTTPS on 127.0.0.1 with a self-signed certificate."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.CONSOLE_TLS_PORT)
        parser.add_argument(
            "--dir", default=str(settings.VAR_DIR / "tls"), help="where the certificate is kept"
        )

    def handle(self, *args, port, dir, **options):  # noqa: A002 - the option's name
        certificate, key = certificate_for_make_run(Path(dir))
        server = ConsoleTlsServer(certificate, key, port=port, quiet=False)
        self.stdout.write(f"Console over HTTPS at {server.host} (certificate {certificate})", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
