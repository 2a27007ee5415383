"""Media downloads have a size limit, enforced while the file streams: a file announcing a
larger Content-Length is refused before its body is read, one streamed without a length is cut
at the chunk that passes the limit; no half file is left either way."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from demo.akeneo.generator import write_catalog
from jobs.akeneo.client import AkeneoClient
from jobs.akeneo.errors import AkeneoMediaRefused
from tests.akeneo.conftest import make_client, start_server

MB = 1024 * 1024
CHUNK = 64 * 1024
ENDLESS = 512 * MB  # what the streaming server would send if nobody stopped reading


class StreamingAkeneo:
    """Tokens, and one media download streamed in chunks without a Content-Length."""

    def __init__(self) -> None:
        self.sent = 0
        self.done = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps({"access_token": "t", "refresh_token": "r", "expires_in": 3600}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"\xff\xd8\xff" + b"\0" * (CHUNK - 3)
                try:
                    while owner.sent < ENDLESS:  # bounded: at most ENDLESS bytes
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        owner.sent += len(chunk)
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass  # the client hung up: what we want
                finally:
                    self.close_connection = True
                    owner.done.set()

            def log_message(self, format, *args):
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_it_stops_reading_a_stream_at_the_limit(tmp_path):
    server = StreamingAkeneo()
    try:
        client = AkeneoClient(server.url, client_id="c", secret="s3cret", username="u", password="p4ss")
        with client, pytest.raises(AkeneoMediaRefused, match=r"over the 0\.2 MB limit \(stopped reading at"):
            client.download_media("a/b/huge.jpg", tmp_path / "huge.jpg", max_bytes=256 * 1024)
        assert server.done.wait(30)
    finally:
        server.stop()
    # Socket buffers let the server push a few MB more before it notices; never the whole file.
    assert server.sent < 64 * MB
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def catalog_with_big_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("akeneo-big-media")
    write_catalog(out, products=20, seed=3)
    big = out / "media" / "b/i/g/big_poster.jpg"
    big.parent.mkdir(parents=True, exist_ok=True)
    big.write_bytes(b"\xff\xd8\xff" + b"\0" * (2 * MB))
    return out


def test_it_refuses_a_file_announced_over_the_limit_before_its_body(catalog_with_big_file, tmp_path):
    server = start_server(catalog_with_big_file)
    try:
        with make_client(server) as client:
            with pytest.raises(
                AkeneoMediaRefused, match=r"'b/i/g/big_poster.jpg' is 2\.0 MB, over the 1\.0 MB limit"
            ):
                client.download_media("b/i/g/big_poster.jpg", tmp_path / "big.jpg", max_bytes=MB)
            small = client.download_media("b/i/g/big_poster.jpg", tmp_path / "ok.jpg", max_bytes=3 * MB)
    finally:
        server.stop()
    assert small.size == 2 * MB + 3
    assert [p.name for p in tmp_path.iterdir()] == ["ok.jpg"]
