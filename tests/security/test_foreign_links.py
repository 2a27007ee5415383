"""A hostile or compromised Akeneo points the client elsewhere: a `_links.next.href` or a 30x
redirect to another server (here a second HTTP server on 127.0.0.1, another port). Nothing is
sent there, the Bearer token and the Basic client credentials least of all; the error names
the other host and none of its content. Redirects on the configured server are followed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs.akeneo.client import AkeneoClient
from jobs.akeneo.errors import AkeneoForeignLink
from tests.hostile_server import TITLE, HostileServer

SECRET, PASSWORD = "foreign-links-Secret-77", "foreign-links-Password-77"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    out = tmp_path_factory.mktemp("akeneo-foreign")
    write_catalog(out, products=60, seed=7)
    return out


@pytest.fixture
def akeneo(catalog):
    server = DemoAkeneoServer(catalog, secret=SECRET, password=PASSWORD).start()
    yield server
    server.stop()


@pytest.fixture
def hostile():
    with HostileServer() as server:
        yield server


def client_for(url: str) -> AkeneoClient:
    return AkeneoClient(
        url, client_id="demo_client", secret=SECRET, username="admin", password=PASSWORD,
        page_size=2, max_attempts=2, sleep=lambda seconds: None,
    )  # fmt: skip


# what is read → (the call, the path its requests contain)
LISTINGS = {
    "products": (lambda c: list(c.products()), "/products"),
    "product models": (lambda c: list(c.product_models()), "/product-models"),
    "categories": (lambda c: list(c.categories()), "/categories"),
}
DOWNLOADS = {
    "media": (lambda c, dest: c.download_media("a/b/c/abc_shoe.jpg", dest), "/media-files/"),
    "asset media": (lambda c, dest: c.download_asset_media("a/b/packshot.jpg", dest), "/asset-media-files/"),
}


def assert_refused(excinfo, hostile) -> None:
    message = str(excinfo.value)
    assert hostile.host in message and excinfo.value.host == hostile.host
    assert TITLE not in message and "payroll" not in message
    assert SECRET not in message and PASSWORD not in message
    assert hostile.requests == []  # not one request: no token, no Basic credentials, no page read


@pytest.mark.parametrize("listing", list(LISTINGS))
def test_it_never_follows_a_next_link_to_another_server(akeneo, hostile, listing):
    read, _ = LISTINGS[listing]
    akeneo.faults.set(foreign_links=hostile.url)
    with client_for(akeneo.url) as client, pytest.raises(AkeneoForeignLink) as excinfo:
        read(client)
    assert "next link of GET /api/rest/v1/" in str(excinfo.value)
    assert_refused(excinfo, hostile)


@pytest.mark.parametrize("listing", list(LISTINGS))
def test_it_never_follows_a_redirect_of_a_listing_to_another_server(akeneo, hostile, listing):
    read, path = LISTINGS[listing]
    akeneo.faults.set(redirect_to=hostile.url, redirect_path=path)
    with client_for(akeneo.url) as client, pytest.raises(AkeneoForeignLink) as excinfo:
        read(client)
    assert "redirect (HTTP 302)" in str(excinfo.value)
    assert_refused(excinfo, hostile)


@pytest.mark.parametrize("download", list(DOWNLOADS))
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_it_never_follows_a_redirect_of_a_download_to_another_server(
    akeneo, hostile, tmp_path, download, status
):
    fetch, path = DOWNLOADS[download]
    akeneo.faults.set(redirect_to=hostile.url, redirect_path=path, redirect_status=status)
    with client_for(akeneo.url) as client, pytest.raises(AkeneoForeignLink) as excinfo:
        fetch(client, tmp_path / "file.jpg")
    assert f"redirect (HTTP {status})" in str(excinfo.value)
    assert_refused(excinfo, hostile)
    assert list(tmp_path.iterdir()) == []  # no half file, no foreign page kept


def test_it_never_sends_the_client_credentials_to_a_redirect_of_the_token_call(akeneo, hostile):
    akeneo.faults.set(redirect_to=hostile.url, redirect_path="/api/oauth/v1/token", redirect_status=307)
    with client_for(akeneo.url) as client, pytest.raises(AkeneoForeignLink) as excinfo:
        client.test_connection()
    assert "POST /api/oauth/v1/token" in str(excinfo.value)
    assert_refused(excinfo, hostile)


def test_it_treats_another_port_or_scheme_of_the_same_host_as_another_server(akeneo):
    port = akeneo.url.rsplit(":", 1)[1]
    for base in (
        f"http://127.0.0.1:{int(port) + 1}",
        f"https://127.0.0.1:{port}",
        f"http://localhost:{port}",
    ):
        akeneo.faults.set(foreign_links=base)
        with client_for(akeneo.url) as client, pytest.raises(AkeneoForeignLink, match="another server"):
            list(client.categories())


def test_it_names_a_hostile_host_without_the_text_it_smuggles(akeneo):
    akeneo.faults.set(foreign_links="http://evil<b>bold</b>.example")
    with client_for(akeneo.url) as client, pytest.raises(AkeneoForeignLink) as excinfo:
        list(client.categories())
    assert "<" not in excinfo.value.host and ">" not in str(excinfo.value)


class MovedAkeneo:
    """An Akeneo behind a proxy that moves its routes on the same host and port: the token
    call answers 308 (keep the POST), the channel list 301. Both must be followed."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.seen.append((self.command, self.path, self.headers.get("Authorization", "")))
                path = self.path.split("?")[0]
                if path == "/api/oauth/v1/token":
                    return self._send(308, headers=[("Location", "/moved/token")])
                if path == "/moved/token" and self.command == "POST":
                    token = {"access_token": "tok-1", "refresh_token": "ref-1", "expires_in": 3600}
                    return self._send(200, json.dumps(token).encode(), [("Content-Type", "application/json")])
                if path == "/api/rest/v1/channels":
                    return self._send(301, headers=[("Location", "/moved/channels?limit=100")])
                if path == "/moved/channels" and self.headers.get("Authorization") == "Bearer tok-1":
                    body = {"_links": {}, "_embedded": {"items": [{"code": "ecommerce"}]}}
                    return self._send(200, json.dumps(body).encode(), [("Content-Type", "application/json")])
                return self._send(
                    404, b'{"code":404,"message":"no route"}', [("Content-Type", "application/json")]
                )

            do_GET = do_POST = _handle

            def log_message(self, format, *args):
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)


def test_it_follows_redirects_on_the_configured_server():
    moved = MovedAkeneo()
    moved.thread.start()
    try:
        with client_for(moved.url) as client:
            channels = list(client.channels())
    finally:
        moved.httpd.shutdown()
        moved.httpd.server_close()
    assert [c["code"] for c in channels] == ["ecommerce"]
    methods = [(method, path.split("?")[0]) for method, path, _ in moved.seen]
    assert methods[:2] == [("POST", "/api/oauth/v1/token"), ("POST", "/moved/token")]  # 308 keeps POST
    assert ("GET", "/moved/channels") in methods
    assert moved.seen[1][2].startswith("Basic ")  # the client credentials went to the same server
