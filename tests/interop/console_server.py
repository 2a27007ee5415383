"""The console itself served over HTTPS on 127.0.0.1 (an ephemeral port), in a thread of the
test process: Django's threaded WSGI server with its listening socket wrapped in TLS, the
certificate made for the session. Salesforce's tools then talk to it as to an instance."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the tests read the CLI's output instead
        pass


class ConsoleTlsServer:
    def __init__(self, certificate: Path, key: Path):
        self._httpd = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
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

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)
