"""Salesforce's `sfcc-ci` and `dwdav` against the demo SFCC: what works with them works with
a real instance's Account Manager, WebDAV and OCAPI as these tools use them."""

import base64
import json
import re
import zipfile
from pathlib import Path

import pytest

from jobs.sfcc.http import SfccSession
from tests.conftest import SHARED
from tests.interop.conftest import CLIENT_ID, SPECIAL_SECRET

pytestmark = pytest.mark.integration
SFRA = SHARED / "sfcc" / "examples" / "sfra_demo_data_sfra"


def sfra_archive(folder: Path, name: str = "sfra-electronics") -> Path:
    """The SFRA demo data's electronics master catalog and its storefront catalog, which
    assigns the master's products to its own categories."""
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for catalog in ("electronics-m-catalog", "storefront-catalog-m-en"):
            zf.write(SFRA / "catalogs" / catalog / "catalog.xml", f"{name}/catalogs/{catalog}/catalog.xml")
    return archive


def invalid_archive(folder: Path) -> Path:
    archive = folder / "invalid.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(
            "invalid/catalogs/broken/catalog.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<catalog xmlns="http://www.demandware.com/xml/impex/catalog/2006-10-31" catalog-id="broken">'
            "<not-an-element/></catalog>",
        )
    return archive


@pytest.fixture(scope="module")
def authed(cli):
    result = cli.run("sfcc-ci", "client:auth", CLIENT_ID, SPECIAL_SECRET)
    assert result.returncode == 0, result.stdout + result.stderr
    return cli


def test_it_authenticates_sfcc_ci_with_a_secret_that_needs_encoding(authed):
    assert (
        "Authentication succeeded" in authed.run("sfcc-ci", "client:auth", CLIENT_ID, SPECIAL_SECRET).stdout
    )


def test_it_refuses_sfcc_ci_a_wrong_secret(cli):
    result = cli.run("sfcc-ci", "client:auth", CLIENT_ID, SPECIAL_SECRET + "x")
    assert "Authentication succeeded" not in result.stdout
    assert "Authentication failed" in result.stdout + result.stderr


def test_it_stores_an_sfcc_ci_upload_byte_for_byte(authed, tmp_path):
    archive = sfra_archive(tmp_path)
    result = authed.run("sfcc-ci", "instance:upload", str(archive), "-i", authed.server.host)
    assert result.returncode == 0, result.stdout + result.stderr
    stored = authed.server.webdav_root / "Impex" / "src" / "instance" / archive.name
    assert stored.read_bytes() == archive.read_bytes()


def test_it_imports_a_valid_archive_and_sfcc_ci_exits_0(authed, tmp_path):
    archive = sfra_archive(tmp_path, "sfra-import")
    assert authed.run("sfcc-ci", "instance:upload", str(archive), "-i", authed.server.host).returncode == 0
    result = authed.run(
        "sfcc-ci", "instance:import", archive.name, "-i", authed.server.host, "-s", "-f", "-j"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    execution = json.loads(result.stdout)
    assert (execution["exit_status"]["code"], execution["exit_status"]["status"]) == ("OK", "ok")
    # The storefront catalog's assignments of master-catalog products are accepted; only those
    # of the apparel catalog, left out of this archive, are refused.
    log = (
        authed.server.webdav_root / "Logs" / "jobs" / "sfcc-site-archive-import" / execution["log_file_name"]
    )
    refused = [line for line in log.read_text().splitlines() if "product not found" in line]
    masters = authed.server.store.products["electronics-m-catalog"]
    assert len(masters) == 159 and refused
    assert not [line for line in refused if any(f"'{product}'" in line for product in masters)]

    status = authed.run(
        "sfcc-ci", "job:status", "sfcc-site-archive-import", execution["id"], "-i", authed.server.host
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert re.search(r"finished|OK", status.stdout)


def test_it_fails_sfcc_ci_on_a_schema_invalid_archive(authed, tmp_path):
    archive = invalid_archive(tmp_path)
    assert authed.run("sfcc-ci", "instance:upload", str(archive), "-i", authed.server.host).returncode == 0
    result = authed.run("sfcc-ci", "instance:import", archive.name, "-i", authed.server.host, "-s", "-f")
    assert result.returncode != 0, result.stdout + result.stderr


def test_it_puts_and_gets_with_dwdav_and_a_business_manager_access_key(cli, tmp_path):
    content = b"hello \x00 from dwdav\n" * 5000
    (tmp_path / "src" / "instance").mkdir(parents=True)
    (tmp_path / "src" / "instance" / "hello.bin").write_bytes(content)
    server = cli.server
    script = str(Path(__file__).with_name("dwdav_put_get.js"))
    result = cli.run(
        "node", script, server.host, server.webdav_user, server.webdav_access_key, "src/instance/hello.bin",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (server.webdav_root / "Impex" / "src" / "instance" / "hello.bin").read_bytes() == content
    assert base64.b64decode(result.stdout) == content


def test_it_refuses_dwdav_a_wrong_access_key(cli, tmp_path):
    (tmp_path / "x.txt").write_text("x")
    script = str(Path(__file__).with_name("dwdav_put_get.js"))
    result = cli.run("node", script, cli.server.host, cli.server.webdav_user, "wrong", "x.txt", cwd=tmp_path)
    assert result.returncode != 0
    assert not (cli.server.webdav_root / "Impex" / "x.txt").exists()


def test_it_gets_a_token_from_the_demo_with_our_client_and_the_special_secret(tls_sfcc, monkeypatch):
    server, cert = tls_sfcc
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # how a worker trusts a private CA
    session = SfccSession(client_id=CLIENT_ID, client_secret=SPECIAL_SECRET, token_url=server.token_url)
    try:
        assert session.token()
    finally:
        session.close()
