"""A demo SFCC instance on 127.0.0.1 speaking the protocols our delivery uses:

- Account Manager: `POST /dwsso/oauth2/access_token` (client credentials in HTTP Basic,
  form-url-encoded first as RFC 6749 §2.3.1 says, or in the form body; expiring bearer tokens;
  401 on bad credentials);
- WebDAV `PUT/GET/DELETE/PROPFIND/MKCOL` under `/on/demandware.servlet/webdav/Sites/Impex/`
  and `/Sites/Logs/` (folder names case-insensitive: sfcc-ci writes `impex`, the B2C tooling
  reads `LOGS`), bodies with Content-Length or `Transfer-Encoding: chunked` (sfcc-ci, dwdav);
  a bearer token, or Business Manager user + WebDAV access key in HTTP Basic;
- OCAPI Data API `POST /s/-/dw/data/<v>/jobs/sfcc-site-archive-import/executions` and
  `GET …/executions/<id>`: executions move pending → running → finished in a worker thread,
  `JobAlreadyRunningException` while another import runs, a job log with `DATAERROR` lines;
  `exit_status.status` in OCAPI's lower case (`ok`, `error`), `exit_status.code` upper case.
- HTTPS when given a certificate (`tls=(certfile, keyfile)`), as every real instance is.

`/` shows what was imported (HTML, or JSON with `?format=json`). Fault knobs are plain
attributes, safe to set while the server runs:

    server = DemoSfccServer(schema_dir=XSD_DIR).start()
    server.webdav_failures = 2        # the next 2 WebDAV calls answer 503
    server.rate_limited = 3           # the next 3 WebDAV or OCAPI calls answer 429 Too Many Requests
    server.retry_after = "2"          # … with this Retry-After (seconds or an HTTP date; None: none)
    server.refuse_tokens = True       # the token endpoint answers 401
    server.fail_imports = True        # imports end with exit status ERROR
    server.already_running = 1        # the next job start answers JobAlreadyRunningException
    server.reject_file_name_body = True  # only the {"parameters": [...]} body form is accepted
    server.import_delay = 2.0         # slow imports (seconds spent "running")
    server.expire_tokens()            # every issued token is now expired
    server.stop()
"""

from __future__ import annotations

import base64
import json
import secrets
import shutil
import ssl
import tempfile
import threading
import time
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from demo.sfcc.site_import import ImportFailed, SiteImport, Store

JOB_ID = "sfcc-site-archive-import"
WEBDAV_PREFIX = "/on/demandware.servlet/webdav/Sites/"
TOKEN_PATH = "/dwsso/oauth2/access_token"
OCAPI_PREFIX = "/s/-/dw/data/"
WEBDAV_FOLDERS = {"impex": "Impex", "logs": "Logs"}  # SFCC's WebDAV folder names ignore case
IMPEX_IMPORT_DIR = ("Impex", "src", "instance")


class DemoSfccServer:
    def __init__(
        self,
        port: int = 0,
        *,
        schema_dir: Path | str | None = None,
        data_dir: Path | str | None = None,
        client_id: str = "demo-client",
        client_secret: str = "demo-secret",  # noqa: S107 - the demo instance's own
        token_lifetime: int = 1799,
        step_delay: float = 0.01,
        webdav_user: str = "demo-bm-user",
        webdav_access_key: str = "demo-access-key",  # noqa: S107 - the demo instance's own
        tls: tuple[str | Path, str | Path] | None = None,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.webdav_user = webdav_user
        self.webdav_access_key = webdav_access_key
        self.step_delay = step_delay
        self.schema_dir = Path(schema_dir) if schema_dir else None
        self._own_data_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else Path(_mkdtemp())
        self.webdav_root = self.data_dir / "webdav"
        (self.webdav_root / "Impex" / "src" / "instance").mkdir(parents=True, exist_ok=True)
        (self.webdav_root / "Logs" / "jobs" / JOB_ID).mkdir(parents=True, exist_ok=True)
        self.store = self._load_store()
        # Fault knobs.
        self.webdav_failures = 0
        self.rate_limited = 0
        self.retry_after: str | None = "1"
        self.refuse_tokens = False
        self.fail_imports = False
        self.already_running = 0
        self.reject_file_name_body = False
        self.import_delay = 0.0
        # State shared with request threads and import workers.
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.executions: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path), for tests and curious people
        self._running: str | None = None
        self._workers: list[threading.Thread] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.demo = self
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    @property
    def host(self) -> str:
        """`host:port`, as sfcc-ci and dwdav take an instance."""
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    def start(self) -> DemoSfccServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="demo-sfcc", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        for worker in self._workers:
            worker.join(timeout=10)
        if self._own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> DemoSfccServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, 0.0)

    def impex_files(self) -> list[str]:
        return sorted(p.name for p in (self.webdav_root / "Impex" / "src" / "instance").iterdir())

    # --- tokens and jobs, called by the handler -------------------------------------

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_lifetime
        return token

    def token_valid(self, token: str) -> bool:
        with self.lock:
            return self.tokens.get(token, 0.0) > time.monotonic()

    def start_import(self, file_name: str, mode: str) -> dict | None:
        """A new execution document, or None when an import is already running."""
        with self.lock:
            if self.already_running > 0 or self._running is not None:
                self.already_running = max(0, self.already_running - 1)
                return None
            execution_id = str(len(self.executions) + 1)
            stamp = datetime.now(UTC)
            log_name = f"Job-{JOB_ID}-{stamp:%Y%m%d%H%M%S}{stamp.microsecond // 1000:03d}.log"
            execution = {
                "_v": "24.5",
                "_type": "job_execution",
                "id": execution_id,
                "job_id": JOB_ID,
                "client_id": self.client_id,
                "execution_status": "pending",
                "status": "PENDING",
                "start_time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "is_log_file_existing": False,
                "log_file_name": log_name,
                "log_file_path": f"/Sites/LOGS/jobs/{JOB_ID}/{log_name}",
                "parameters": [
                    {"_type": "job_execution_parameter", "name": "ImportFile", "value": file_name},
                    {"_type": "job_execution_parameter", "name": "ImportMode", "value": mode},
                ],
            }
            self.executions[execution_id] = execution
            self._running = execution_id
            worker = threading.Thread(target=self._run_import, args=(execution_id, file_name), daemon=True)
            self._workers.append(worker)
            worker.start()
            return dict(execution)

    def execution(self, execution_id: str) -> dict | None:
        with self.lock:
            found = self.executions.get(execution_id)
            return dict(found) if found else None

    def _run_import(self, execution_id: str, file_name: str) -> None:
        time.sleep(self.step_delay)
        self._update(execution_id, execution_status="running", status="RUNNING")
        time.sleep(self.step_delay + self.import_delay)
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        log = [f"[{now} GMT] INFO ImportSiteArchive - Importing site archive {file_name}"]
        runner = SiteImport(self.store, self.schema_dir, log, now)
        try:
            if self.fail_imports:
                raise ImportFailed("import failed (demo fault: fail_imports)")
            folder = self.webdav_root.joinpath(*IMPEX_IMPORT_DIR).resolve()
            archive = (folder / file_name).resolve()
            if archive.parent != folder or not archive.is_file():
                raise ImportFailed(f"File '{file_name}' not found in Impex/src/instance")
            with self.lock:
                runner.run(archive)
                self._save_store()
            exit_status = {"_type": "status", "code": "OK", "status": "ok", "message": "OK"}
            log.append(
                f"[{now} GMT] INFO ImportSiteArchive - Import finished, {runner.data_errors} data errors"
            )
        except (ImportFailed, OSError) as exc:
            exit_status = {"_type": "status", "code": "ERROR", "status": "error", "message": str(exc)}
            log.append(f"[{now} GMT] ERROR ImportSiteArchive - {exc}")
        with self.lock:
            name = self.executions[execution_id]["log_file_name"]
        (self.webdav_root / "Logs" / "jobs" / JOB_ID / name).write_text(
            "\n".join(log) + "\n", encoding="utf-8"
        )
        end = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self._update(
            execution_id,
            execution_status="finished",
            status=exit_status["code"],
            exit_status=exit_status,
            end_time=end,
            is_log_file_existing=True,
        )
        with self.lock:
            self._running = None

    def _update(self, execution_id: str, **changes) -> None:
        with self.lock:
            self.executions[execution_id].update(changes)

    def _load_store(self) -> Store:
        path = self.data_dir / "store.json"
        return Store.from_json(json.loads(path.read_text())) if path.is_file() else Store()

    def _save_store(self) -> None:
        (self.data_dir / "store.json").write_text(json.dumps(self.store.to_json(), indent=1))


def _mkdtemp() -> str:
    return tempfile.mkdtemp(prefix="demo-sfcc-")


class _Handler(BaseHTTPRequestHandler):
    server_version = "DemoSFCC/1.0"
    protocol_version = "HTTP/1.1"

    @property
    def demo(self) -> DemoSfccServer:
        return self.server.demo

    def log_message(self, format, *args):  # noqa: A002 - quiet: tests and the console log enough
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PROPFIND(self):
        self._dispatch("PROPFIND")

    def do_MKCOL(self):
        self._dispatch("MKCOL")

    def _dispatch(self, method: str) -> None:
        path = unquote(urlsplit(self.path).path)
        with self.demo.lock:
            self.demo.requests.append((method, path))
        if path == TOKEN_PATH and method == "POST":
            return self._token()
        if path in ("/", "/index.json"):
            return self._index(path)
        if self._rate_limited():
            return None
        if not self._authorized(webdav=path.startswith(WEBDAV_PREFIX)):
            self._drain()
            return self._json(
                401, {"fault": {"type": "InvalidAccessTokenException", "message": "Unauthorized"}}
            )
        if path.startswith(WEBDAV_PREFIX):
            return self._webdav(method, path[len(WEBDAV_PREFIX) :])
        if path.startswith(OCAPI_PREFIX):
            return self._ocapi(method, path[len(OCAPI_PREFIX) :].split("/", 1)[-1])
        self._json(404, {"fault": {"type": "ResourcePathNotFoundException", "message": path}})

    def _rate_limited(self) -> bool:
        """An instance over its API quota answers 429 Too Many Requests with a `Retry-After`
        (RFC 6585 §4), before it looks at the request; the request is not acted upon."""
        with self.demo.lock:
            limited = self.demo.rate_limited > 0
            self.demo.rate_limited -= 1 if limited else 0
            retry_after = self.demo.retry_after
        if not limited:
            return False
        self._drain()
        payload = b"Too Many Requests (demo fault: rate_limited)"
        self.send_response(429)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        self.wfile.write(payload)
        return True

    # --- Account Manager ------------------------------------------------------------

    def _token(self) -> None:
        form = parse_qs(self._body().decode("utf-8", "replace"))
        client = _basic_credentials(self.headers.get("Authorization", ""), form_encoded=True)
        if client is None and "client_id" in form:  # RFC 6749 §2.3.1 also allows the body
            client = (form["client_id"][0], (form.get("client_secret") or [""])[0])
        if self.demo.refuse_tokens or client != (self.demo.client_id, self.demo.client_secret):
            return self._json(
                401, {"error": "invalid_client", "error_description": "Client authentication failed"}
            )
        if form.get("grant_type") != ["client_credentials"]:
            return self._json(400, {"error": "unsupported_grant_type"})
        token = self.demo.issue_token()
        self._json(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": self.demo.token_lifetime}
        )

    def _authorized(self, *, webdav: bool = False) -> bool:
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return self.demo.token_valid(header[7:])
        # WebDAV also takes a Business Manager user and their WebDAV access key (dwdav, dwupload).
        return webdav and _basic_credentials(header) == (self.demo.webdav_user, self.demo.webdav_access_key)

    # --- WebDAV -----------------------------------------------------------------------

    def _webdav(self, method: str, relative: str) -> None:
        with self.demo.lock:
            failing = self.demo.webdav_failures > 0
            self.demo.webdav_failures -= 1 if failing else 0
        root = self.demo.webdav_root.resolve()
        top, _, rest = relative.partition("/")
        folder = WEBDAV_FOLDERS.get(top.lower())
        target = (root / (folder or top) / rest).resolve()
        allowed = folder is not None and (root / folder).resolve() in (target, *target.parents)
        if method != "PUT" or failing or not allowed:
            self._drain()
        if failing:
            return self._plain(503, "Service Unavailable (demo fault: webdav_failures)")
        if not allowed:
            return self._plain(403, "Forbidden")
        if method == "PUT":
            existed = target.exists()
            self._receive(target)
            return self._plain(204 if existed else 201, "")
        if method == "GET" and target.is_file():
            return self._send(200, target.read_bytes(), "application/octet-stream")
        if method == "DELETE" and target.exists():
            target.unlink() if target.is_file() else shutil.rmtree(target)
            return self._plain(204, "")
        if method == "PROPFIND" and target.exists():
            return self._propfind(target, relative)
        if method == "MKCOL":
            if target.exists():
                return self._plain(405, "Method Not Allowed")  # RFC 4918 §9.3.1: it exists already
            if not target.parent.is_dir():
                return self._plain(409, "Conflict")
            target.mkdir()
            return self._plain(201, "")
        self._plain(404, "Not Found")

    def _propfind(self, target: Path, relative: str) -> None:
        entries = [target, *sorted(target.iterdir())] if target.is_dir() else [target]
        parts = []
        for p in entries:
            href = escape(WEBDAV_PREFIX + str(p.relative_to(self.demo.webdav_root)))
            size = p.stat().st_size if p.is_file() else 0
            parts.append(
                f"<d:response><d:href>{href}</d:href><d:propstat><d:prop>"
                f"<d:getcontentlength>{size}</d:getcontentlength></d:prop>"
                "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
            )
        responses = "".join(parts)
        xml = (
            f'<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:">{responses}</d:multistatus>'
        )
        self._send(207, xml.encode(), "application/xml; charset=utf-8")

    # --- OCAPI Data API ------------------------------------------------------------------

    def _ocapi(self, method: str, relative: str) -> None:
        parts = relative.strip("/").split("/")
        body = self._body()
        if len(parts) >= 3 and parts[0] == "jobs" and parts[2] == "executions" and parts[1] != JOB_ID:
            return self._fault(404, "JobNotFoundException", f"Job '{parts[1]}' not found")
        if parts == ["jobs", JOB_ID, "executions"] and method == "POST":
            return self._start_job(body)
        if len(parts) == 4 and parts[:3] == ["jobs", JOB_ID, "executions"] and method == "GET":
            execution = self.demo.execution(parts[3])
            if execution is None:
                return self._fault(404, "JobExecutionNotFoundException", f"Execution '{parts[3]}' not found")
            return self._json(200, execution)
        self._fault(404, "ResourcePathNotFoundException", f"/{relative}")

    def _start_job(self, raw: bytes) -> None:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._fault(400, "MalformedDocumentException", "request body is not JSON")
        if "file_name" in body and self.demo.reject_file_name_body:
            return self._fault(400, "UnknownPropertyException", "Unknown property 'file_name' (demo fault)")
        parameters = {p.get("name"): p.get("value") for p in body.get("parameters", [])}
        file_name = body.get("file_name") or parameters.get("ImportFile")
        if not file_name:
            return self._fault(
                400, "MissingParameterException", "file_name or parameter ImportFile is required"
            )
        execution = self.demo.start_import(
            file_name, body.get("mode") or parameters.get("ImportMode") or "merge"
        )
        if execution is None:
            return self._fault(400, "JobAlreadyRunningException", f"Job '{JOB_ID}' is already running.")
        self._json(202, execution)

    # --- index ---------------------------------------------------------------------------

    def _index(self, path: str) -> None:
        with self.demo.lock:
            data = self.demo.store.to_json()
            executions = list(self.demo.executions.values())
            catalogs = self.demo.store.catalogs()
        summary = {
            "attributes": len(data["attributes"]),
            "catalogs": catalogs,
            "pricebooks": {b: len(p) for b, p in data["pricebooks"].items()},
            "recommendations": {c: len(r) for c, r in data["recommendations"].items()},
            "libraries": {lib: len(c) for lib, c in data["libraries"].items()},
            "executions": executions,
        }
        wants_json = path.endswith(".json") or "format=json" in self.path
        if wants_json:
            return self._json(200, {"summary": summary, "store": data})
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
            for row in (
                (e["id"], e["execution_status"], e.get("exit_status", {}).get("code", ""), e["log_file_name"])
                for e in executions
            )
        )
        html = (
            "<!doctype html><title>Demo SFCC</title><h1>Demo SFCC instance</h1>"
            f"<p>{summary['attributes']:,} custom attribute definitions</p>"
            + _table(
                "Catalogs",
                ("catalog", "kind", "products", "offline", "categories", "assignments", "recommendations"),
                [(c, *v.values()) for c, v in catalogs.items()],
            )
            + _table("Content libraries", ("library", "content assets"), summary["libraries"].items())
            + _table("Pricebooks", ("pricebook", "prices"), summary["pricebooks"].items())
            + "<h2>Import executions</h2>"
            f"<table><tr><th>id</th><th>status</th><th>exit</th><th>log</th></tr>{rows}</table>"
            '<p><a href="/index.json">everything as JSON</a></p>'
        )
        self._send(200, html.encode(), "text/html; charset=utf-8")

    # --- plumbing ------------------------------------------------------------------------

    def _receive(self, target: Path) -> None:
        """Stream an upload to disk; the file appears complete or not at all."""
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        with open(partial, "wb") as out:
            for chunk in self._body_chunks():
                out.write(chunk)
        partial.replace(target)

    def _drain(self) -> None:
        for _ in self._body_chunks():
            pass

    def _body(self) -> bytes:
        return b"".join(self._body_chunks())

    def _body_chunks(self):
        """The request body, framed by Content-Length or by `Transfer-Encoding: chunked`
        (RFC 9112 §7.1), as Node's streaming uploads send it. Read to its end either way, so
        the next request on the connection starts where it should."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailer fields, unused
                    return
                remaining = size
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        return
                    remaining -= len(chunk)
                    yield chunk
                self.rfile.readline(8)  # the CRLF after each chunk
            return
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk

    def _fault(self, status: int, fault_type: str, message: str) -> None:
        self._json(status, {"_v": "24.5", "fault": {"type": fault_type, "message": message}})

    def _json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body).encode(), "application/json;charset=UTF-8")

    def _plain(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/plain; charset=utf-8")

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def _table(title: str, head: tuple[str, ...], rows) -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<h2>{escape(title)}</h2><table><tr>{header}</tr>{cells or '<tr><td>none yet</td></tr>'}</table>"


def _basic_credentials(header: str, *, form_encoded: bool = False) -> tuple[str, str] | None:
    """(user, password) of an HTTP Basic header. Account Manager form-url-decodes both first
    (RFC 6749 §2.3.1), so a secret with `+`, `%`, `/`, `:` or a space sent raw does not match."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    if not sep:
        return None
    if form_encoded:
        return unquote_plus(user), unquote_plus(password)
    return user, password
