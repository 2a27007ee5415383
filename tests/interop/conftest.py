"""Salesforce's own CLIs (npm: sfcc-ci, dwdav; pinned in tools/npm) against the demo SFCC
served over HTTPS with a certificate made for this session. Node trusts it through
NODE_EXTRA_CA_CERTS; no check is switched off."""

from __future__ import annotations

import datetime
import ipaddress
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.sfcc.server import DemoSfccServer
from tests.conftest import XSD_DIR

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "npm" / "node_modules" / ".bin"
# Every character that RFC 6749 §2.3.1 makes a client encode before Basic.
SPECIAL_SECRET = "s3cr+t%2F/with:colon and space"
CLIENT_ID = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "demo-sfcc.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "demo-sfcc.pem", folder / "demo-sfcc.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@dataclass
class Cli:
    server: DemoSfccServer
    certificate: Path
    home: Path

    def env(self) -> dict[str, str]:
        return {
            "PATH": f"{TOOLS}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.home),  # sfcc-ci keeps its token under ~/.config
            "NODE_EXTRA_CA_CERTS": str(self.certificate),
            "SFCC_LOGIN_URL": self.server.host,  # sfcc-ci's documented Account Manager override
            "SFCC_IGNORE_WARNINGS": "true",
        }

    def run(self, tool: str, *args: str, cwd: Path | None = None, timeout: float = 120):
        command = ["node", *args] if tool == "node" else [str(TOOLS / tool), *args]
        return subprocess.run(
            command,
            env={**self.env(), "NODE_PATH": str(TOOLS.parent)},
            cwd=cwd or self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="session")
def tools() -> Path:
    if not (TOOLS / "sfcc-ci").exists() or not (TOOLS.parent / "dwdav").is_dir():
        pytest.fail(f"Salesforce's CLIs are not installed in {TOOLS.parent}: run `make npm` (make test does)")
    return TOOLS


@pytest.fixture(scope="session")
def tls_sfcc(tmp_path_factory, tools):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = make_certificate(folder)
    server = DemoSfccServer(
        schema_dir=XSD_DIR,
        client_id=CLIENT_ID,
        client_secret=SPECIAL_SECRET,
        tls=(cert, key),
        step_delay=0.05,
    ).start()
    yield server, cert
    server.stop()


@pytest.fixture(scope="session")
def cli(tls_sfcc, tmp_path_factory) -> Cli:
    server, cert = tls_sfcc
    return Cli(server, cert, tmp_path_factory.mktemp("cli-home"))
