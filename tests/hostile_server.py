"""A hostile HTTP server on 127.0.0.1: it records every request (method, path, headers) and
answers each with an internal-looking HTML page whose title must never reach an execution
message. The tests point Akeneo's next links and redirects at it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TITLE = "Intranet payroll admin - CONFIDENTIAL"
PAGE = f"<html><head><title>{TITLE}</title></head><body>internal</body></html>".encode()


class HostileServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                with owner._lock:
                    owner.requests.append((self.command, self.path, dict(self.headers.items())))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=UTF-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format, *args):
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def host(self) -> str:
        return self.url.split("//", 1)[1]

    def authorizations(self) -> list[str]:
        """Every Authorization header it was sent (Bearer tokens, Basic client credentials)."""
        with self._lock:
            return [h[k] for _, _, h in self.requests for k in h if k.lower() == "authorization"]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)
