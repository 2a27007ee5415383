"""Salesforce's own CLIs (npm: sfcc-ci, dwdav; pinned in tools/npm) against the demo SFCC
served over HTTPS with a certificate made for this session. Node trusts it through
NODE_EXTRA_CA_CERTS; no check is switched off."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo import tls
from demo.sfcc.server import DemoSfccServer
from tests.conftest import XSD_DIR

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "npm" / "node_modules" / ".bin"
# Every character that RFC 6749 §2.3.1 makes a client encode before Basic.
SPECIAL_SECRET = "s3cr+t%2F/with:colon and space"
CLIENT_ID = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    return tls.make_certificate(folder, name="demo-sfcc")


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
