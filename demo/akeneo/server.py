"""A demo Akeneo PIM: the published REST API over a snapshot directory, on 127.0.0.1.

    server = DemoAkeneoServer(data_dir, port=0, token_ttl=3600)
    server.start()            # a background thread; server.url is http://127.0.0.1:<port>
    server.faults.set(fail_503=3, storm_429=2, retry_after=1)
    server.faults.set(latency=0.15, latency_per_item=0.001, concurrency=4)  # a PIM over a network
    server.expire_tokens(); server.touch_products(["sku-1"])
    server.stop()

Or `python manage.py akeneo_demo_server --data DIR --port 8081`. Faithful where the pipeline
depends on it: OAuth2 password and refresh grants with expiry, `limit` ≤ 100 (else 422),
page and search_after pagination with absolute `_links`, `with_count`, the product filters,
`scope`/`locales`/`attributes` trimming, values inherited from parent models, media downloads.
Admin routes under `/_demo/` (not Akeneo's) set faults and mark records as updated.
Speed as a real PIM's (see `Faults`): latency per call and per item, media latency and bandwidth,
and Akeneo's limit of concurrent calls per connection, answered 429 with `Retry-After` beyond it.
Stdlib only: `ThreadingHTTPServer` is enough when pages are spliced from raw bytes.
"""

from __future__ import annotations

import base64
import io
import json
import mimetypes
import os
import re
import socket
import struct
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from demo.akeneo.faults import FaultBoard, TokenStore
from demo.akeneo.images import image_for
from demo.akeneo.query import (
    Catalog,
    QueryError,
    RowsIn,
    UpdatedIn,
    count_ranges,
    media_links,
    media_links_raw,
    parse_date,
    parse_search,
    trim_values,
    uuid_associations,
)
from demo.akeneo.snapshot import NONE, RecordIndex, Snapshot, iso, product_uuid

API = "/api/rest/v1"
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
# Reference entities and their records come in pages of Akeneo's own size: no `limit` parameter.
ENTITY_PAGE_SIZE = 100
MEDIA_TYPES = ("pim_catalog_image", "pim_catalog_file")
_IDENTIFIER_PROPERTY = re.compile(rb'^\{\s*"identifier"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*')
# Well-known credentials of a local demo that holds no real data (override them to test auth).
DEMO_CLIENT_ID, DEMO_SECRET = "demo_client", "demo_secret"
DEMO_USERNAME, DEMO_PASSWORD = "admin", "admin"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    base: str  # scheme://host[:port] for absolute links

    def json(self) -> dict:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise ApiError(400, "Invalid json message received") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Invalid json message received")
        return data

    def path_with_query(self) -> str:
        query = urlencode(self.query)
        return f"{self.path}?{query}" if query else self.path


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | None = None  # streamed instead of `body`
    reset: bool = False  # drop the connection with a TCP reset
    items: int = 0  # items of a list page (the per-item latency)
    media: bool = False  # a download: media latency and bandwidth instead of the API's latency


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def json_response(data, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, headers=headers or {})


class DemoAkeneoServer:
    def __init__(
        self,
        data_dir: str | os.PathLike,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str = DEMO_CLIENT_ID,
        secret: str = DEMO_SECRET,
        username: str = DEMO_USERNAME,
        password: str = DEMO_PASSWORD,
        token_ttl: float = 3600,
        rate_limit: float = 0.0,
        missing_media_404: bool = False,
        uuid_products: bool = True,
        latency: float = 0.0,
        latency_per_item: float = 0.0,
        media_latency: float = 0.0,
        media_bandwidth: float = 0.0,
        concurrency: int = 0,
        updated_spread: int = 0,
        entity_page_size: int = ENTITY_PAGE_SIZE,
    ):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("The demo Akeneo server binds the loopback interface only")
        self.snapshot = Snapshot(data_dir, updated_spread=updated_spread)
        self.catalog = Catalog(self.snapshot)
        self.media_dir = self.snapshot.dir / "media"
        self.credentials = (client_id, secret, username, password)
        self.tokens = TokenStore(token_ttl)
        self.faults = FaultBoard(
            rate_limit, latency=latency, latency_per_item=latency_per_item, media_latency=media_latency,
            media_bandwidth=media_bandwidth, concurrency=concurrency,
        )  # fmt: skip
        self.missing_media_404 = missing_media_404
        self.uuid_products = uuid_products
        self.entity_page_size = max(1, entity_page_size)
        self.stats: Counter[str] = Counter()
        self.downloads: Counter[str] = Counter()  # media code → downloads answered
        self._downloads_lock = threading.Lock()  # answered on many threads at once
        self.sleep: Callable[[float], None] = time.sleep  # every latency goes through it (tests record it)
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.app = self
        self._thread: threading.Thread | None = None
        self._routes = self._route_table()
        # Akeneo keeps a product's identifier as the identifier attribute's value; a snapshot
        # record written /products-style may lack that value, and products-uuid answers add it.
        self.identifier_attribute = next(
            (a["code"] for a in self.snapshot.attributes if a.get("type") == "pim_catalog_identifier"), None
        )
        self.media_attributes = frozenset(
            a["code"] for a in self.snapshot.attributes if a.get("type") in MEDIA_TYPES
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DemoAkeneoServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="demo-akeneo", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=10)
        self.snapshot.close()

    def __enter__(self) -> DemoAkeneoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- knobs for tests (the same as the /_demo/ routes) ---------------------------------

    def expire_tokens(self) -> None:
        self.tokens.expire_all()

    def touch_products(self, identifiers: list[str], when: float | None = None) -> list[str]:
        return self.snapshot.touch(self.snapshot.products, identifiers, when or time.time())

    def touch_product_models(self, codes: list[str], when: float | None = None) -> list[str]:
        return self.snapshot.touch(self.snapshot.models, codes, when or time.time())

    # --- dispatch -------------------------------------------------------------------------

    def _route_table(self) -> list[tuple[str, re.Pattern, object]]:
        r = [
            ("POST", r"/api/oauth/v1/token", self.token),
            ("GET", rf"{API}/?", self.endpoints),
            ("GET", rf"{API}/products", lambda req: self.list_records(req, "products")),
            ("GET", rf"{API}/products/(?P<code>[^/]+)",
             lambda req, code: self.one_record(req, "products", code)),
            ("GET", rf"{API}/product-models", lambda req: self.list_records(req, "product-models")),
            ("GET", rf"{API}/product-models/(?P<code>[^/]+)",
             lambda req, code: self.one_record(req, "product-models", code)),
            ("GET", rf"{API}/media-files", self.list_media),
            ("GET", rf"{API}/media-files/(?P<code>.+)/download", lambda req, code: self.media(code, True)),
            ("GET", rf"{API}/media-files/(?P<code>.+)", lambda req, code: self.media(code, False)),
            ("GET", rf"{API}/asset-media-files/(?P<code>.+)", lambda req, code: self.media(code, True)),
            ("GET", rf"{API}/asset-families", self.list_asset_families),
            ("GET", rf"{API}/asset-families/(?P<code>[^/]+)", self.asset_family),
            ("GET", rf"{API}/asset-families/(?P<family>[^/]+)/attributes", self.list_asset_attributes),
            ("GET", rf"{API}/asset-families/(?P<family>[^/]+)/attributes/(?P<code>[^/]+)",
             self.asset_attribute),
            ("GET", rf"{API}/asset-families/(?P<family>[^/]+)/assets", self.list_assets),
            ("GET", rf"{API}/asset-families/(?P<family>[^/]+)/assets/(?P<code>[^/]+)", self.asset),
            ("GET", rf"{API}/reference-entities", self.list_reference_entities),
            ("GET", rf"{API}/reference-entities/(?P<code>[^/]+)", self.reference_entity),
            ("GET", rf"{API}/reference-entities/(?P<entity>[^/]+)/attributes",
             self.list_reference_entity_attributes),
            ("GET", rf"{API}/reference-entities/(?P<entity>[^/]+)/attributes/(?P<code>[^/]+)",
             self.reference_entity_attribute),
            ("GET", rf"{API}/reference-entities/(?P<entity>[^/]+)/records", self.list_records_of_entity),
            ("GET", rf"{API}/reference-entities/(?P<entity>[^/]+)/records/(?P<code>[^/]+)",
             self.record_of_entity),
            ("GET", rf"{API}/attributes/(?P<code>[^/]+)/options", self.list_options),
            ("GET", rf"{API}/attributes/(?P<attr>[^/]+)/options/(?P<code>[^/]+)", self.option),
            ("GET", rf"{API}/families/(?P<code>[^/]+)/variants", self.list_variants),
            ("GET", rf"{API}/families/(?P<family>[^/]+)/variants/(?P<code>[^/]+)", self.variant),
            ("GET", rf"{API}/(?P<resource>[a-z-]+)", self.list_small),
            ("GET", rf"{API}/(?P<resource>[a-z-]+)/(?P<code>[^/]+)", self.one_small),
            ("GET", r"/_demo/faults", lambda req: json_response(asdict(self.faults.snapshot()))),
            ("POST", r"/_demo/faults", self.admin_set_faults),
            ("DELETE", r"/_demo/faults", lambda req: json_response(asdict(self.faults.clear()))),
            ("POST", r"/_demo/tokens/expire", self.admin_expire),
            ("POST", r"/_demo/touch", self.admin_touch),
            ("GET", r"/_demo/stats", lambda req: json_response(self.statistics())),
        ]  # fmt: skip
        if self.uuid_products:
            r[2:2] = [
                ("GET", rf"{API}/products-uuid", lambda req: self.list_records(req, "products-uuid")),
                ("GET", rf"{API}/products-uuid/(?P<code>[^/]+)",
                 lambda req, code: self.one_record(req, "products-uuid", code)),
            ]  # fmt: skip
        return [(method, re.compile(pattern + "$"), handler) for method, pattern, handler in r]

    def statistics(self) -> dict:
        """Requests, faults served (`fault_<name>`, `fault_concurrency` for calls over the
        limit), token grants and the most API calls ever in flight at once."""
        return {"grants": self.tokens.grants, "peak_in_flight": self.faults.peak_in_flight, **self.stats}

    def admit(self, req: Request) -> bool:
        """Whether an API call may start now (Akeneo's concurrency limit); pair with `leave`."""
        if not req.path.startswith("/api/"):
            return True
        if self.faults.enter():
            return True
        self.stats["requests"] += 1
        self.stats["fault_concurrency"] += 1
        return False

    def refusal(self) -> Response:
        """What Akeneo answers a call over the concurrency limit."""
        headers = {"Retry-After": f"{self.faults.faults.retry_after:g}"}
        return json_response({"code": 429, "message": "Too many requests"}, 429, headers)

    def delay(self, req: Request, response: Response, began: float) -> None:
        """The latency of a PIM over a network, slept in the request's thread: the answer
        leaves `latency` after the request came in (`began`, time.monotonic()), the demo's own
        work included, as a PIM's answer time includes its own work."""
        if not req.path.startswith("/api/") or response.reset:
            return
        f = self.faults.faults
        wait = f.media_latency if response.media else f.latency + f.latency_per_item * response.items
        wait -= time.monotonic() - began
        if wait > 0:
            self.sleep(wait)

    def dispatch(self, req: Request) -> Response:
        self.stats["requests"] += 1
        try:
            if req.path.startswith("/api/"):
                redirect = self.faults.redirect_for(req.path)
                if redirect:
                    status, base = redirect
                    self.stats["fault_redirect"] += 1
                    location = {"Location": base + req.path_with_query()}
                    return Response(status, b"", "text/html; charset=UTF-8", location)
                fault = self.faults.take()
                wanted = self.faults.faults.fail_search
                if not fault and wanted and wanted in req.query.get("search", ""):
                    fault = "fail_search"
                if fault:
                    self.stats[f"fault_{fault}"] += 1
                    return self._fault_response(fault)
            for method, pattern, handler in self._routes:
                match = pattern.match(req.path)
                if match and method == req.method:
                    if req.path.startswith(API) and req.path.rstrip("/") != API:
                        self._authenticate(req)
                    args = {k: unquote(v) for k, v in match.groupdict().items()}
                    return handler(req, **args)
            raise ApiError(404, f'No route found for "{req.method} {req.path}"')
        except QueryError as exc:
            return json_response({"code": 422, "message": str(exc)}, 422)
        except ApiError as exc:
            return json_response({"code": exc.status, "message": exc.message}, exc.status, exc.headers)

    def _fault_response(self, fault: str) -> Response:
        faults = self.faults.faults
        if fault == "reset":
            return Response(reset=True)
        if fault == "fail_503":
            return json_response({"code": 503, "message": "Service Unavailable"}, 503)
        if fault in ("storm_429", "rate_limited"):
            wait = faults.retry_after if fault == "storm_429" else 1
            headers = {"Retry-After": f"{wait:g}"}
            return json_response({"code": 429, "message": "Too many requests"}, 429, headers)
        if fault == "fail_search":
            status = faults.fail_search_status
            return json_response({"code": status, "message": "Search failed (demo fault)"}, status)
        if fault == "invalid_json":
            return Response(200, b'{"_links":{"self":{"href":"http://')
        page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        return Response(faults.html_status, page, "text/html; charset=UTF-8")

    # --- auth -----------------------------------------------------------------------------

    def _authenticate(self, req: Request) -> None:
        header = req.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise ApiError(401, "Authentication is required")
        problem = self.tokens.check(header[7:].strip())
        if problem:
            raise ApiError(401, problem)

    def token(self, req: Request) -> Response:
        client_id, secret, username, password = self.credentials
        if _basic_auth(req.headers.get("authorization", "")) != (client_id, secret):
            raise ApiError(
                422, 'Parameter "client_id" is missing or does not match any client, or secret is invalid'
            )
        body = _token_body(req)
        grant = body.get("grant_type")
        if grant == "password":
            if (body.get("username"), body.get("password")) != (username, password):
                raise ApiError(422, "No user found for the given username and password")
        elif grant == "refresh_token":
            if self.faults.take_refresh_failure() or not self.tokens.use_refresh(
                str(body.get("refresh_token"))
            ):
                raise ApiError(422, "Refresh token is invalid or has expired")
        else:
            raise ApiError(422, 'Parameter "grant_type" should be "password" or "refresh_token"')
        return json_response(self.tokens.issue(grant))

    def endpoints(self, req: Request) -> Response:
        """`GET /api/rest/v1`: the route listing clients use to discover features."""
        routes = {}
        for method, pattern, _ in self._routes:
            path = pattern.pattern.rstrip("$")
            if path.startswith(API + "/") and "(?P" not in path:
                name = "pim_api_" + path[len(API) + 1 :].replace("-", "_") + "_list"
                routes[name] = {"route": path, "methods": [method]}
        return json_response(
            {
                "host": req.base,
                "authentication": {
                    "fos_oauth_server_token": {"route": "/api/oauth/v1/token", "methods": ["POST"]}
                },
                "routes": routes,
            }
        )

    # --- products and product models -------------------------------------------------------

    def list_records(self, req: Request, resource: str) -> Response:
        index = self.snapshot.models if resource == "product-models" else self.snapshot.products
        limit = _limit(req)
        predicates = self.catalog.predicates(index, parse_search(req.query.get("search")))
        render = self._renderer(req, resource)
        search_after = _pagination(req, supports_search_after=True)
        if search_after:
            cursor = req.query.get("search_after")
            start, skip = (index.after(cursor) if cursor else 0), 0
        else:
            start, skip = 0, (_positive(req.query.get("page", "1"), "page") - 1) * limit
        rows, more = _scan(index, predicates, start, skip, limit)
        links = {"self": req.path_with_query(), "first": _first_query(req, search_after)}
        if more:
            next_query = {"search_after": index.keys[rows[-1]]} if search_after else {"page": _page(req) + 1}
            links["next"] = _replace_query(req, next_query)
        if not search_after and _page(req) > 1:
            links["previous"] = _replace_query(req, {"page": _page(req) - 1})
        count = None
        if not search_after and req.query.get("with_count") == "true":  # ignored under search_after
            count = count_ranges(predicates)
            if count is None:
                count = len(_scan(index, predicates, 0, 0, None)[0])
        extra = {} if search_after else {"current_page": _page(req)}
        items = [render(row) for row in rows]
        if not req.query.get("search_after") and _page(req) == 1:
            items += self._extra_items("product-models" if resource == "product-models" else "products")
        return self._page(req, links, items, count, extra)

    def _extra_items(self, resource: str) -> list[bytes]:
        """The `extra_items` fault: raw items for the first page of a listing."""
        items = self.faults.snapshot().extra_items.get(resource) or []
        return [json.dumps(item, ensure_ascii=False).encode() for item in items]

    def _page(
        self, req: Request, links: dict, items: list[bytes], count: int | None, extra: dict
    ) -> Response:
        prefix = self._link_base(req)
        head = {"_links": {name: {"href": prefix + query} for name, query in links.items()}, **extra}
        if count is not None:
            head["items_count"] = count
        head_bytes = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()
        body = head_bytes[:-1] + b',"_embedded":{"items":[' + b",".join(items) + b"]}}"
        return Response(200, body, items=len(items))

    def _link_base(self, req: Request) -> str:
        faults = self.faults.faults
        if faults.foreign_links:
            return faults.foreign_links.rstrip("/")
        return "" if faults.relative_links else req.base

    def _renderer(self, req: Request, resource: str):
        """A function row → item bytes. Raw `.jsonl` bytes are spliced in when the record needs
        no inheritance, trimming or uuid rewriting: no parse, no dump, on the hot path."""
        snap, catalog = self.snapshot, self.catalog
        is_model = resource == "product-models"
        index = snap.models if is_model else snap.products
        uuids = resource == "products-uuid"
        scope = req.query.get("scope") or None
        locales = set(req.query["locales"].split(",")) if req.query.get("locales") else None
        attributes = set(req.query["attributes"].split(",")) if req.query.get("attributes") else None
        trimming = scope is not None or locales is not None or attributes is not None
        base, created = f"{req.base}{API}/{resource}/", iso(snap.created_time)
        media_base = f"{req.base}{API}/media-files/"
        media_keys = [b'"' + code.encode() + b'"' for code in self.media_attributes]
        identifier_key = b'"' + (self.identifier_attribute or "").encode() + b'"'

        def render(row: int) -> bytes:
            key = index.keys[row]
            head = {"_links": {"self": {"href": base + quote(product_uuid(key) if uuids else key, safe="")}}}
            if uuids:
                head["uuid"] = product_uuid(key)
            stamps = {"created": created, "updated": iso(snap.updated_at(index, row))}
            raw = index.raw(row)
            if uuids:  # Akeneo 7 / SaaS answer no `identifier` property: cut it from the bytes
                raw = _IDENTIFIER_PROPERTY.sub(b"{", raw, count=1)
            # Raw bytes are spliced only when nothing in them changes: no inherited values, no
            # trimming, no uuid rewriting, no media value to give a download link.
            spliced = not trimming and index.parent[row] == NONE
            if uuids:
                spliced = spliced and not index.has_links[row] and identifier_key in raw
            if spliced and any(k in raw for k in media_keys):
                raw = media_links_raw(raw, media_keys, media_base)
                spliced = raw is not None
            if spliced:
                head_bytes = json.dumps(
                    {**head, **stamps}, ensure_ascii=False, separators=(",", ":")
                ).encode()
                return head_bytes[:-1] + b"," + raw[1:]
            record = catalog.model(row) if is_model else catalog.product(row)
            if uuids:
                record = with_identifier_value(record, self.identifier_attribute)
            if trimming:
                record = trim_values(record, scope, locales, attributes)
            if uuids:
                # Akeneo 7 / SaaS: no `identifier` property; the identifier attribute's value
                # (values.sku here) is the only identifier ("Product (UUID)" reference).
                record = uuid_associations({k: v for k, v in record.items() if k != "identifier"})
            record = media_links(record, self.media_attributes, media_base)
            return json.dumps(
                {**head, **record, **stamps}, ensure_ascii=False, separators=(",", ":")
            ).encode()

        return render

    def one_record(self, req: Request, resource: str, code: str) -> Response:
        index = self.snapshot.models if resource == "product-models" else self.snapshot.products
        if resource == "products-uuid":
            row = self.catalog.uuid_row(code)
        else:
            row = index.find_code(code) if index is self.snapshot.models else index.find(code)
        if row == NONE:
            noun = "Product model" if resource == "product-models" else "Product"
            raise ApiError(404, f'{noun} "{code}" does not exist or you do not have permission to access it.')
        return Response(200, self._renderer(req, resource)(row))

    # --- small resources ------------------------------------------------------------------

    def _small(self, resource: str) -> list[dict] | None:
        snap = self.snapshot
        return {
            "channels": snap.channels,
            "locales": snap.locales,
            "currencies": snap.currencies,
            "attributes": snap.attributes,
            "attribute-groups": snap.attribute_groups,
            "families": snap.families,
            "categories": snap.categories,
            "association-types": snap.association_types,
        }.get(resource)

    def list_small(self, req: Request, resource: str) -> Response:
        records = self._small(resource)
        if records is None:
            raise ApiError(404, f'No route found for "GET {req.path}"')
        return self._paged_list(req, _filter_small(records, parse_search(req.query.get("search"))), resource)

    def one_small(self, req: Request, resource: str, code: str) -> Response:
        records = self._small(resource)
        if records is None:
            raise ApiError(404, f'No route found for "GET {req.path}"')
        return self._one(req, records, code, resource)

    def _one(self, req: Request, records: list[dict] | None, code: str, what: str) -> Response:
        found = next((r for r in records or () if r.get("code") == code), None)
        if found is None:
            raise ApiError(404, f'Resource "{code}" of {what} does not exist.')
        return json_response({"_links": {"self": {"href": f"{req.base}{req.path}"}}, **found})

    def _paged_list(self, req: Request, records: list[dict], resource_path: str) -> Response:
        _pagination(req, supports_search_after=False)
        limit, page = _limit(req), _page(req)
        chunk = records[(page - 1) * limit : page * limit]
        links = {"self": req.path_with_query(), "first": _first_query(req, False)}
        if page * limit < len(records):
            links["next"] = _replace_query(req, {"page": page + 1})
        if page > 1:
            links["previous"] = _replace_query(req, {"page": page - 1})
        base = f"{req.base}{API}/{resource_path}/"
        items = [
            json.dumps(
                {"_links": {"self": {"href": base + quote(str(r.get("code", "")), safe="")}}, **r},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            for r in chunk
        ]
        count = len(records) if req.query.get("with_count") == "true" else None
        if page == 1:
            items += self._extra_items(resource_path)
        return self._page(req, links, items, count, {"current_page": page})

    def list_options(self, req: Request, code: str) -> Response:
        options = self.snapshot.options(code)
        if options is None:
            if code not in self.snapshot.attribute_by_code:
                raise ApiError(404, f'Attribute "{code}" does not exist.')
            options = []
        return self._paged_list(req, options, f"attributes/{quote(code)}/options")

    def option(self, req: Request, attr: str, code: str) -> Response:
        return self._one(req, self.snapshot.options(attr), code, f"attribute {attr} options")

    def list_variants(self, req: Request, code: str) -> Response:
        variants = self.snapshot.variants(code)
        if variants is None:
            raise ApiError(404, f'Family "{code}" does not exist.')
        return self._paged_list(req, variants, f"families/{quote(code)}/variants")

    def variant(self, req: Request, family: str, code: str) -> Response:
        return self._one(req, self.snapshot.variants(family), code, f"family {family} variants")

    # --- asset manager --------------------------------------------------------------------

    def list_asset_families(self, req: Request) -> Response:
        return self._search_after_list(req, self.snapshot.asset_families)

    def asset_family(self, req: Request, code: str) -> Response:
        return self._one(req, self.snapshot.asset_families, code, "asset families")

    def list_assets(self, req: Request, family: str) -> Response:
        assets = self.snapshot.assets(family)
        if assets is None:
            raise ApiError(404, f'Asset family "{family}" does not exist.')
        return self._search_after_list(req, assets)

    def asset(self, req: Request, family: str, code: str) -> Response:
        return self._one(req, self.snapshot.assets(family), code, f"asset family {family}")

    def list_asset_attributes(self, req: Request, family: str) -> Response:
        """Not paginated in Akeneo's reference: one list of every attribute of the family."""
        attributes = self.snapshot.asset_attributes(family)
        if attributes is None:
            raise ApiError(404, f'Asset family "{family}" does not exist.')
        return json_response(attributes)

    def asset_attribute(self, req: Request, family: str, code: str) -> Response:
        return self._one(
            req, self.snapshot.asset_attributes(family), code, f"asset family {family} attributes"
        )

    def _search_after_list(self, req: Request, records: list[dict]) -> Response:
        """Asset Manager lists: no limit above 100 either, cursor pagination only."""
        limit = _limit(req)
        cursor = req.query.get("search_after")
        ordered = sorted(records, key=lambda r: r["code"])
        if cursor:
            ordered = [r for r in ordered if r["code"] > cursor]
        chunk = ordered[:limit]
        links = {"self": req.path_with_query(), "first": _first_query(req, True)}
        if len(ordered) > limit:
            links["next"] = _replace_query(req, {"search_after": chunk[-1]["code"]})
        items = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() for r in chunk]
        return self._page(req, links, items, None, {})

    # --- reference entities (Enterprise / SaaS) ------------------------------------------

    def list_reference_entities(self, req: Request) -> Response:
        return self._entity_pages(req, self.snapshot.reference_entities, f"{API}/reference-entities")

    def reference_entity(self, req: Request, code: str) -> Response:
        return self._one(req, self.snapshot.reference_entities, code, "reference entities")

    def _entity(self, code: str) -> dict:
        found = next((e for e in self.snapshot.reference_entities if e.get("code") == code), None)
        if found is None:
            raise ApiError(404, f'Reference entity "{code}" does not exist.')
        return found

    def list_reference_entity_attributes(self, req: Request, entity: str) -> Response:
        """Not paginated in Akeneo's reference: one list of every attribute of the entity."""
        self._entity(entity)
        return json_response(self.snapshot.entity_attributes(entity))

    def reference_entity_attribute(self, req: Request, entity: str, code: str) -> Response:
        self._entity(entity)
        attributes = self.snapshot.entity_attributes(entity)
        return self._one(req, attributes, code, f"reference entity {entity} attributes")

    def list_records_of_entity(self, req: Request, entity: str) -> Response:
        self._entity(entity)
        channel, locales = req.query.get("channel"), req.query.get("locales")
        wanted = set(locales.split(",")) if locales else None
        if channel is not None and not any(c["code"] == channel for c in self.snapshot.channels):
            raise ApiError(422, f'Channel "{channel}" does not exist.')
        records = [_trim_record(r, channel, wanted) for r in self.snapshot.entity_records(entity)]
        return self._entity_pages(req, records, f"{API}/reference-entities/{quote(entity)}/records")

    def record_of_entity(self, req: Request, entity: str, code: str) -> Response:
        self._entity(entity)
        return self._one(
            req, self.snapshot.entity_records(entity), code, f"reference entity {entity} records"
        )

    def _entity_pages(self, req: Request, records: list[dict], path: str) -> Response:
        """Search-after pages of `entity_page_size`, sorted by code, with an opaque cursor;
        Akeneo offers neither `limit` nor another pagination type on these lists."""
        ordered = sorted(records, key=lambda r: r["code"])
        cursor = req.query.get("search_after")
        if cursor:
            try:
                after = base64.urlsafe_b64decode(cursor.encode()).decode()
            except (ValueError, UnicodeDecodeError):
                raise ApiError(422, "The search_after cursor is not valid.") from None
            ordered = [r for r in ordered if r["code"] > after]
        chunk = ordered[: self.entity_page_size]
        links = {"self": req.path_with_query(), "first": _first_query(req, True)}
        if len(ordered) > self.entity_page_size:
            token = base64.urlsafe_b64encode(chunk[-1]["code"].encode()).decode()
            links["next"] = _replace_query(req, {"search_after": token})
        base = f"{req.base}{path}/"
        items = [
            json.dumps(
                {"_links": {"self": {"href": base + quote(r["code"], safe="")}}, **r},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            for r in chunk
        ]
        return self._page(req, links, items, None, {})

    # --- media ----------------------------------------------------------------------------

    def media(self, code: str, download: bool) -> Response:
        path = self._media_path(code)
        if path is not None and path.is_file():
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            size, data = path.stat().st_size, None
        elif self.missing_media_404:
            raise ApiError(404, f'Media file "{code}" does not exist.')
        else:
            data, content_type = image_for(code)
            size = len(data)
        if download:
            with self._downloads_lock:
                self.downloads[code] += 1
            slow = self.faults.snapshot().slow_media.get(code)
            if slow:
                self.sleep(float(slow))
            disposition = {"Content-Disposition": f'attachment; filename="{Path(code).name}"'}
            if data is not None:
                return Response(200, data, content_type, disposition, media=True)
            return Response(200, b"", content_type, disposition, file=path, media=True)
        return json_response(self._media_metadata(code, size, content_type))

    def _media_metadata(self, code: str, size: int, content_type: str) -> dict:
        href = f"{self.url}{API}/media-files/{quote(code)}/download"
        return {
            "_links": {"download": {"href": href}},
            "code": code,
            "original_filename": re.sub(r"^[0-9a-f]{40}_", "", Path(code).name),
            "mime_type": content_type,
            "size": size,
            "extension": Path(code).suffix.lstrip("."),
        }

    def _media_path(self, code: str) -> Path | None:
        if not code or code.startswith("/") or ".." in code.split("/"):
            raise ApiError(404, f'Media file "{code}" does not exist.')
        return self.media_dir / code if self.media_dir.is_dir() else None

    def list_media(self, req: Request) -> Response:
        files = sorted(p for p in self.media_dir.rglob("*") if p.is_file()) if self.media_dir.is_dir() else []
        records = []
        for path in files:
            code = path.relative_to(self.media_dir).as_posix()
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            records.append(self._media_metadata(code, path.stat().st_size, content_type))
        return self._paged_list(req, records, "media-files")

    # --- admin ----------------------------------------------------------------------------

    def admin_set_faults(self, req: Request) -> Response:
        try:
            return json_response(asdict(self.faults.set(**req.json())))
        except (TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None

    def admin_expire(self, req: Request) -> Response:
        self.expire_tokens()
        return json_response({"expired": True})

    def admin_touch(self, req: Request) -> Response:
        body = req.json()
        when = parse_date(body["at"]) if body.get("at") else time.time()
        unknown = self.touch_products(list(body.get("products") or []), when)
        unknown += self.touch_product_models(list(body.get("product_models") or []), when)
        return json_response({"updated": iso(when), "unknown": unknown})


# --- request helpers ------------------------------------------------------------------------


def with_identifier_value(record: dict, attribute: str | None) -> dict:
    values = record.get("values") or {}
    if not attribute or attribute in values or not record.get("identifier"):
        return record
    value = {"locale": None, "scope": None, "data": record["identifier"]}
    return {**record, "values": {**values, attribute: [value]}}


def _trim_record(record: dict, channel: str | None, locales: set[str] | None) -> dict:
    """A record's values for one channel and some locales, as Akeneo filters them."""
    if channel is None and locales is None:
        return record
    values = {}
    for code, entries in (record.get("values") or {}).items():
        kept = [
            e
            for e in entries
            if (channel is None or e.get("channel") in (None, channel))
            and (locales is None or e.get("locale") is None or e.get("locale") in locales)
        ]
        if kept:
            values[code] = kept
    return {**record, "values": values}


def _pagination(req: Request, *, supports_search_after: bool) -> bool:
    """Akeneo's pagination parameter checks (PaginationParametersValidator): True for
    search_after. `with_count` is checked under page pagination only, as Akeneo does."""
    kind = req.query.get("pagination_type", "page")
    if kind == "search_after":
        if not supports_search_after:
            raise ApiError(422, "Pagination type is not supported.")
        return True
    if kind != "page":
        raise ApiError(422, "Pagination type does not exist.")
    with_count = req.query.get("with_count")
    if with_count is not None and with_count not in ("true", "false"):
        raise ApiError(
            422,
            f'Parameter "with_count" has to be a boolean. Only "true" or "false" allowed, "{with_count}" given.',
        )
    return False


def _limit(req: Request) -> int:
    limit = _positive(req.query.get("limit", str(DEFAULT_LIMIT)), "limit")
    if limit > MAX_LIMIT:
        raise ApiError(422, f"You cannot request more than {MAX_LIMIT} items.")
    return limit


def _page(req: Request) -> int:
    return _positive(req.query.get("page", "1"), "page")


def _positive(value: str, name: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ApiError(422, f'"{value}" is not a valid {name} number.')
    return int(value)


def _scan(index: RecordIndex, predicates, start: int, skip: int, limit: int | None) -> tuple[list[int], bool]:
    """Rows matching every predicate from `start`, after skipping `skip` matches; and whether
    one more match exists (so the last page has no `next` link). An `IN` filter's rows, or an
    `updated` range's, are the only ones visited."""
    rows: list[int] = []
    named = [p.rows for p in predicates if isinstance(p, RowsIn)]
    ranged = [p.rows() for p in predicates if isinstance(p, UpdatedIn)]
    if named:
        candidates = sorted(set.intersection(*named))
    elif ranged:
        candidates = min(ranged, key=len)
    else:
        candidates = range(len(index))
    for row in candidates[bisect_left(candidates, start) :]:
        if all(p(row) for p in predicates):
            if skip:
                skip -= 1
                continue
            if limit is not None and len(rows) == limit:
                return rows, True
            rows.append(row)
    return rows, False


def _replace_query(req: Request, changes: dict) -> str:
    query = {k: v for k, v in req.query.items() if k not in ("page", "search_after")}
    query.update({k: str(v) for k, v in changes.items()})
    return f"{req.path}?{urlencode(query)}"


def _first_query(req: Request, search_after: bool) -> str:
    return _replace_query(req, {} if search_after else {"page": 1})


def _filter_small(records: list[dict], search: dict[str, list[dict]]) -> list[dict]:
    """The few filters Akeneo offers on small lists: `code IN`, `enabled =`, `parent =`,
    `is_root =`, `type IN` (attributes)."""
    for field_name, conditions in search.items():
        for cond in conditions:
            op, value = str(cond["operator"]).upper(), cond.get("value")
            if field_name == "is_root" and op == "=":
                records = [r for r in records if (r.get("parent") is None) is bool(value)]
            elif op == "IN" and isinstance(value, list):
                records = [r for r in records if r.get(field_name) in value]
            elif op == "NOT IN" and isinstance(value, list):
                records = [r for r in records if r.get(field_name) not in value]
            elif op == "=":
                records = [r for r in records if r.get(field_name) == value]
            else:
                raise QueryError(f'Filter on property "{field_name}" is not supported or does not support '
                                 f'operator "{op}"')  # fmt: skip
    return records


def _basic_auth(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
    except ValueError:
        return None
    return user, secret


def _token_body(req: Request) -> dict:
    if "json" in req.headers.get("content-type", ""):
        return req.json()
    return dict(parse_qsl(req.body.decode(errors="replace")))


# --- HTTP plumbing ---------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    app: DemoAkeneoServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client's pooled connections are reused
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms delayed-ACK stall
    server: _HTTPServer

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or self.server.app.url.split("//", 1)[1]
        req = Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base=f"http://{host}",
        )
        app = self.server.app
        if not app.admit(req):
            self._write(app.refusal(), lambda: None, 0)
            return
        released = False

        def leave() -> None:
            # The slot is given back before the last bytes go out: a client that has read the
            # whole answer may start its next call at once and find the slot free.
            nonlocal released
            if not released and req.path.startswith("/api/"):
                released = True
                app.faults.leave()

        began = time.monotonic()
        try:
            try:
                response = app.dispatch(req)
            except Exception as exc:  # a bug must answer 500, not hang the client
                response = json_response(
                    {"code": 500, "message": f"Internal error: {type(exc).__name__}"}, 500
                )
            app.delay(req, response, began)
            if response.reset:
                leave()
                self._reset()
                return
            self._write(response, leave, app.faults.faults.media_bandwidth if response.media else 0)
        finally:
            leave()

    do_GET = do_POST = do_DELETE = do_PATCH = _handle

    def _write(self, response: Response, before_last: Callable[[], None], bandwidth: float) -> None:
        """Headers, then the body (at `bandwidth` bytes a second when set); `before_last` is
        called before the body's last chunk is sent."""
        size = response.file.stat().st_size if response.file else len(response.body)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(size))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            before_last()
            return
        # At a set bandwidth, chunks of a twentieth of a second's worth (at least 64 bytes).
        step = max(64, int(bandwidth / 20)) if bandwidth else 256 * 1024
        with response.file.open("rb") if response.file else io.BytesIO(response.body) as handle:
            chunk = handle.read(step)
            while chunk:
                if bandwidth:  # each chunk's time before it goes: the last byte lands on time
                    self.server.app.sleep(len(chunk) / bandwidth)
                following = handle.read(step)
                if not following:
                    before_last()
                self.wfile.write(chunk)
                chunk = following
        before_last()

    def _reset(self) -> None:
        """A TCP reset: linger 0, then close every reference to the socket."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.wfile.close()
        self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args) -> None:
        return None  # quiet: a benchmark makes thousands of requests
