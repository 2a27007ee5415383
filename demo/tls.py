"""HTTPS on 127.0.0.1 for what only speaks HTTPS: Salesforce's `sfcc-ci` and B2C CLI, which
build every URL as `https://<instance>`. A self-signed certificate for localhost and
127.0.0.1, and the console's own WSGI app served with it (`make run` on CONSOLE_TLS_PORT, the
interop tests on an ephemeral port). Clients trust it by NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE;
no check is switched off anywhere."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from pathlib import Path

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


def make_certificate(folder: Path, name: str = "localhost", days: int = 1) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) for localhost and 127.0.0.1: (cert, key) files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    return cert_file, key_file


def certificate_for_make_run(folder: Path) -> tuple[Path, Path]:
    """`make run`'s certificate, made once and again when it has less than a day left."""
    from cryptography import x509

    cert_file, key_file = folder / "console.pem", folder / "console.key"
    if cert_file.exists() and key_file.exists():
        expires = x509.load_pem_x509_certificate(cert_file.read_bytes()).not_valid_after_utc
        if expires - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=1):
            return cert_file, key_file
    return make_certificate(folder, name="console", days=365)


class _Handler(WSGIRequestHandler):
    quiet = False

    def get_environ(self):
        environ = super().get_environ()
        environ["HTTPS"] = "on"  # the app sees https://, as behind a TLS proxy
        return environ

    def log_message(self, format, *args):  # noqa: A002 - the name is the base class's
        if not self.quiet:
            super().log_message(format, *args)


class ConsoleTlsServer:
    """The console's WSGI app on 127.0.0.1:`port` (0: any free one) over TLS, in a thread."""

    def __init__(self, certificate: Path, key: Path, port: int = 0, quiet: bool = True):
        handler = type("Handler", (_Handler,), {"quiet": quiet})
        self._httpd = ThreadedWSGIServer(("127.0.0.1", port), handler, allow_reuse_address=True)
        self._httpd.set_app(WSGIHandler())
        self._httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(certificate), str(key))
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def host(self) -> str:
        """`host:port`, as sfcc-ci takes an instance and an Account Manager."""
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> ConsoleTlsServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(0.2)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
