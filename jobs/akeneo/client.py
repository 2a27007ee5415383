"""A client for Akeneo PIM's REST API, as the import pipeline needs it.

    client = AkeneoClient(url, client_id=..., secret=..., username=..., password=..., log=step_log)
    for page in client.product_pages(search={"updated": [{"operator": ">", "value": "2024-05-01 00:00:00"}]}):
        ...  # page.items, page.number, page.items_count (with_count=True)
    client.download_media(code, "/tmp/x.jpg", max_bytes=50 * 2**20)  # MediaDownload(size, sha256, …)

Lists are generators over `_links.next.href`, one page (at most 100 items) in memory at a time.
Products and product models use `search_after` pagination, everything else page pagination.
HTTP, tokens and retries live in `jobs.akeneo.transport`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from jobs.akeneo.errors import (
    AkeneoConnectionError,
    AkeneoError,
    AkeneoInvalidResponse,
    AkeneoMediaRefused,
    AkeneoNotFound,
)
from jobs.akeneo.names import UuidNames
from jobs.akeneo.transport import AkeneoTransport, Credentials
from jobs.http import RETRYABLE_EXCEPTIONS, LogFn, RetryPolicy

API = "/api/rest/v1"
PAGE_SIZE = 100  # Akeneo's maximum; more answers 422
CHUNK = 1024 * 1024
IDENTIFIER_TYPE = "pim_catalog_identifier"
K = TypeVar("K")
R = TypeVar("R")


@dataclass(slots=True)
class Page:
    items: list[dict]
    number: int  # 1-based position of the page in this listing
    items_count: int | None = None  # on the first page only, when asked with with_count=True
    next_url: str | None = None


@dataclass(frozen=True, slots=True)
class MediaDownload:
    code: str
    size: int
    sha256: str
    content_type: str = ""


@dataclass(slots=True)
class ListQuery:
    """The filter parameters shared by products and product models."""

    search: dict | None = None
    scope: str | None = None
    locales: Iterable[str] | None = None
    attributes: Iterable[str] | None = None
    extra: dict = field(default_factory=dict)

    def params(self) -> dict:
        params = dict(self.extra)
        if self.search:
            params["search"] = json.dumps(self.search, separators=(",", ":"))
        if self.scope:
            params["scope"] = self.scope
        if self.locales:
            params["locales"] = ",".join(self.locales)
        if self.attributes:
            params["attributes"] = ",".join(self.attributes)
        return params


class AkeneoClient:
    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        secret: str,
        username: str,
        password: str,
        timeout: tuple[float, float] = (5.0, 60.0),
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        max_sleep: float = 30.0,
        page_size: int = PAGE_SIZE,
        log: LogFn | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        concurrency: int = 4,
    ):
        retry = RetryPolicy(max_attempts=max(1, max_attempts), backoff_base=backoff_base, max_sleep=max_sleep)
        optional = {k: v for k, v in (("sleep", sleep), ("clock", clock)) if v is not None}
        self.transport = AkeneoTransport(
            base_url, Credentials(client_id, secret, username, password),
            timeout=timeout, retry=retry, log=log, concurrency=concurrency, **optional,
        )  # fmt: skip
        self.page_size = min(PAGE_SIZE, max(1, page_size))
        self._products_path: str | None = None
        self._identifier_attribute: str | None = None
        self._names = UuidNames(self._search_uuids)

    def __repr__(self) -> str:
        return f"AkeneoClient({self.transport.base_url!r})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> AkeneoClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- generic listing ------------------------------------------------------------------

    def gather(self, calls: Mapping[K, Callable[[], R]]) -> dict[K, R]:
        """Each call's result by key, the calls made at once up to this client's limit of
        calls in flight (small lists: options of each attribute, variants of each family). The
        first call that raised raises here, once the others have ended."""
        if len(calls) <= 1 or self.transport.slots.limit <= 1:
            return {key: call() for key, call in calls.items()}
        workers = min(len(calls), self.transport.slots.limit)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="akeneo-gather") as pool:
            futures = {key: pool.submit(call) for key, call in calls.items()}
        return {key: future.result() for key, future in futures.items()}

    def get(self, path: str, params: dict | None = None) -> dict:
        return self.transport.get_json(path, params)

    def pages(
        self,
        path: str,
        params: dict | None = None,
        *,
        search_after: bool = False,
        with_count: bool = False,
        server_paged: bool = False,
    ) -> Iterator[Page]:
        """Every page of a list, following `_links.next.href` (absolute or relative).
        `server_paged`: a list whose page size and cursor are Akeneo's alone (reference
        entities and their records): neither `limit` nor a pagination type is sent."""
        query = {**(params or {})} if server_paged else {"limit": self.page_size, **(params or {})}
        count = None
        if server_paged:
            with_count = False  # Akeneo counts none of these lists
        elif search_after:
            query["pagination_type"] = "search_after"
            # Akeneo ignores `with_count` under search_after ("the with_count parameter is
            # unavailable", Pagination doc): the count is asked apart, page pagination, limit 1.
            if with_count:
                count = self.count(path, params)
        elif with_count:
            query["with_count"] = "true"
        url: str | None = self.transport.url(path)
        recent: deque[str] = deque(maxlen=8)  # bounded: a listing of a million products stays small
        number = 0
        while url:
            body = self.transport.get_json(url, query if number == 0 else None)
            number += 1
            items = _embedded_items(body, url)
            next_url = _next_href(body)
            next_url = self.transport.url(next_url) if next_url else None
            if next_url:
                # A next link elsewhere would carry the token there (and read its pages as ours).
                self.transport.check_origin(next_url, f"next link of GET {_path(url)}")
            if next_url and with_count:
                # The count is the listing's, known from page 1. Akeneo repeats `with_count` in
                # its next links, and counting again costs it a full query on every page.
                next_url = _without_param(next_url, "with_count")
            if next_url and (next_url == url or next_url in recent):
                # A server that links back to a page just read would loop for ever.
                raise AkeneoInvalidResponse(f"Akeneo's next link repeats a page ({_path(next_url)})")
            recent.append(url)
            items_count = count if number == 1 and count is not None else body.get("items_count")
            yield Page(items, number, items_count, next_url)
            url = next_url

    def items(self, path: str, params: dict | None = None, *, search_after: bool = False) -> Iterator[dict]:
        for page in self.pages(path, params, search_after=search_after):
            yield from page.items

    def count(self, path: str, params: dict | None = None) -> int:
        """`items_count` of a list (one request of one item, page pagination)."""
        body = self.transport.get_json(path, {**(params or {}), "limit": 1, "with_count": "true"})
        if "items_count" not in body:
            raise AkeneoInvalidResponse(f"Akeneo answered no items_count on GET {_path(path)}")
        return int(body["items_count"])

    # --- structure ------------------------------------------------------------------------

    def channels(self) -> Iterator[dict]:
        return self.items(f"{API}/channels")

    def locales(self, *, enabled_only: bool = True) -> Iterator[dict]:
        search = {"enabled": [{"operator": "=", "value": True}]} if enabled_only else None
        return self.items(f"{API}/locales", ListQuery(search=search).params())

    def currencies(self) -> Iterator[dict]:
        return self.items(f"{API}/currencies")

    def attributes(self, search: dict | None = None) -> Iterator[dict]:
        return self.items(f"{API}/attributes", ListQuery(search=search).params())

    def attribute(self, code: str) -> dict:
        return self.get(f"{API}/attributes/{_seg(code)}")

    def attribute_options(self, attribute_code: str) -> Iterator[dict]:
        return self.items(f"{API}/attributes/{_seg(attribute_code)}/options")

    def attribute_groups(self) -> Iterator[dict]:
        return self.items(f"{API}/attribute-groups")

    def families(self, search: dict | None = None) -> Iterator[dict]:
        return self.items(f"{API}/families", ListQuery(search=search).params())

    def family(self, code: str) -> dict:
        return self.get(f"{API}/families/{_seg(code)}")

    def family_variants(self, family_code: str) -> Iterator[dict]:
        return self.items(f"{API}/families/{_seg(family_code)}/variants")

    def family_variant(self, family_code: str, code: str) -> dict:
        return self.get(f"{API}/families/{_seg(family_code)}/variants/{_seg(code)}")

    def categories(self, search: dict | None = None) -> Iterator[dict]:
        return self.items(f"{API}/categories", ListQuery(search=search).params())

    def association_types(self) -> Iterator[dict]:
        return self.items(f"{API}/association-types")

    # --- products and product models ------------------------------------------------------

    @property
    def products_path(self) -> str:
        """`/products-uuid` when the server has it (Akeneo 7+, SaaS), else `/products`; asked once."""
        if self._products_path is None:
            self._products_path = f"{API}/products-uuid" if self._has_uuid_products() else f"{API}/products"
        return self._products_path

    @property
    def uses_uuids(self) -> bool:
        return self.products_path.endswith("-uuid")

    @property
    def identifier_attribute(self) -> str:
        """The code of the attribute whose value is a product's identifier, asked once.

        Akeneo 7 has one attribute of type `pim_catalog_identifier`; SaaS may have several,
        one of them flagged `is_main_identifier` ("Attribute" reference): that one is the
        identifier the products endpoint and the UI use."""
        if self._identifier_attribute is None:
            search = {"type": [{"operator": "IN", "value": [IDENTIFIER_TYPE]}]}
            found = [a for a in self.attributes(search) if a.get("type") == IDENTIFIER_TYPE]
            if not found:
                raise AkeneoInvalidResponse(f"Akeneo has no attribute of type {IDENTIFIER_TYPE}")
            main = [a for a in found if a.get("is_main_identifier")]
            self._identifier_attribute = (main or found)[0]["code"]
        return self._identifier_attribute

    def _has_uuid_products(self) -> bool:
        try:
            listing = self.get(API)
            routes = listing.get("routes") if isinstance(listing, dict) else None
            if isinstance(routes, dict) and routes:
                return any(
                    isinstance(r, dict) and r.get("route") == f"{API}/products-uuid" for r in routes.values()
                )
        except (AkeneoNotFound, AkeneoInvalidResponse):
            pass  # an older server or a proxy hiding the listing: probe the endpoint itself
        try:
            self.get(f"{API}/products-uuid", {"limit": 1})
        except AkeneoNotFound:
            return False
        return True

    def product_pages(
        self,
        search: dict | None = None,
        *,
        scope: str | None = None,
        locales: Iterable[str] | None = None,
        attributes: Iterable[str] | None = None,
        with_count: bool = False,
    ) -> Iterator[Page]:
        """Pages of products; each product carries `identifier` (and `uuid` on Akeneo 7+), and
        its associations name products by identifier whichever endpoint served them. On
        products-uuid the identifier is the main identifier attribute's value, None when the
        product has none (SaaS allows it): the caller reports such a product by its uuid."""
        if attributes is not None and self.uses_uuids:
            attributes = sorted({*attributes, self.identifier_attribute})  # else trimmed away
        params = ListQuery(search, scope, locales, attributes).params()
        pages = self.pages(self.products_path, params, search_after=True, with_count=with_count)
        yield from self._named(pages, products=True)

    def products(self, search: dict | None = None, **kwargs) -> Iterator[dict]:
        for page in self.product_pages(search, **kwargs):
            yield from page.items

    def count_products(self, search: dict | None = None) -> int:
        return self.count(self.products_path, ListQuery(search=search).params())

    def product(self, identifier: str) -> dict:
        if self.uses_uuids:
            search = {"identifier": [{"operator": "IN", "value": [identifier]}]}
            found = next(self.products(search), None)
            if found is None:
                raise AkeneoNotFound(
                    f"Akeneo has no product {identifier!r}", status=404, path=self.products_path
                )
            return found
        product = self.get(f"{API}/products/{_seg(identifier)}")
        self._normalise_products([product])
        return product

    def product_model_pages(
        self,
        search: dict | None = None,
        *,
        scope: str | None = None,
        locales: Iterable[str] | None = None,
        attributes: Iterable[str] | None = None,
        with_count: bool = False,
    ) -> Iterator[Page]:
        params = ListQuery(search, scope, locales, attributes).params()
        pages = self.pages(f"{API}/product-models", params, search_after=True, with_count=with_count)
        yield from self._named(pages, products=False)

    def product_models(self, search: dict | None = None, **kwargs) -> Iterator[dict]:
        for page in self.product_model_pages(search, **kwargs):
            yield from page.items

    def count_product_models(self, search: dict | None = None) -> int:
        return self.count(f"{API}/product-models", ListQuery(search=search).params())

    def product_model(self, code: str) -> dict:
        model = self.get(f"{API}/product-models/{_seg(code)}")
        self._normalise_associations([model])
        return model

    def _named(self, pages: Iterable[Page], *, products: bool) -> Iterator[Page]:
        """`pages` with products named by identifier (`_identify`) and, on products-uuid
        servers, their associated products too (`jobs.akeneo.names`: the uuids no page read
        has named are searched a hundred at a time, pooled over every stream of this client)."""
        identified = (self._identified(page) for page in pages) if products else pages
        if self.uses_uuids:
            yield from self._names.named(identified)
            return
        for page in identified:
            self._names.rename(item for item in page.items if isinstance(item, dict))
            yield page

    def _identified(self, page: Page) -> Page:
        self._identify(page.items)
        return page

    def _normalise_products(self, products: list[dict]) -> None:
        """One answer's products, named as `_named` names a page's."""
        self._identify(products)
        self._normalise_associations(products)

    def _normalise_associations(self, records: list[dict]) -> None:
        records = [r for r in records if isinstance(r, dict)]
        if self.uses_uuids:
            self._names.settle(self._names.unknown(records))
        self._names.rename(records)

    def _identify(self, products: list[dict]) -> None:
        """products-uuid answers carry no `identifier`: it is read from the identifier
        attribute's value, and each uuid is remembered as naming it. A record not in the
        published shape is left as it is, for the transform to report."""
        products = [p for p in products if isinstance(p, dict)]
        if any("identifier" not in p for p in products):
            code = self.identifier_attribute
            for product in products:
                if "identifier" not in product:
                    product["identifier"] = identifier_value(product, code)
        for product in products:
            if isinstance(product.get("uuid"), str) and isinstance(product.get("identifier"), str):
                self._names.remember(product["uuid"], product["identifier"])

    def _search_uuids(self, uuids: list[str]) -> Iterator[tuple[str, str]]:
        """(uuid, identifier) of the products among `uuids` (at most a page of them)."""
        code = self.identifier_attribute
        search = {"uuid": [{"operator": "IN", "value": uuids}]}
        params = ListQuery(search=search, attributes=[code]).params()
        for product in self.items(self.products_path, params, search_after=True):
            if not isinstance(product, dict):
                continue
            identifier = product.get("identifier") or identifier_value(product, code)
            if isinstance(product.get("uuid"), str) and isinstance(identifier, str):
                yield product["uuid"], identifier

    # --- media and assets -----------------------------------------------------------------

    def media_file(self, code: str) -> dict:
        """Metadata of a media file; codes contain slashes (`a/b/c/abc_name.jpg`), kept as such."""
        return self.get(f"{API}/media-files/{_code_path(code)}")

    def download_media(
        self, code: str, dest: str | os.PathLike | BinaryIO, *, max_bytes: int | None = None
    ) -> MediaDownload:
        return self._download(f"{API}/media-files/{_code_path(code)}/download", code, dest, max_bytes)

    def asset_families(self) -> Iterator[dict]:
        return self.items(f"{API}/asset-families", search_after=True)

    def asset_attribute(self, family_code: str, code: str) -> dict:
        """An attribute of an asset family: its `type` (`media_file`, `media_link`, `text`, …)
        and, for media, its `media_type` (`image`, `pdf`, `other`, …)."""
        return self.get(f"{API}/asset-families/{_seg(family_code)}/attributes/{_seg(code)}")

    def assets(self, family_code: str, search: dict | None = None) -> Iterator[dict]:
        params = ListQuery(search=search).params()
        return self.items(f"{API}/asset-families/{_seg(family_code)}/assets", params, search_after=True)

    # --- reference entities (Enterprise / SaaS) -------------------------------------------

    def reference_entities(self) -> Iterator[dict]:
        """Every reference entity: `code`, `labels`, `image`. Akeneo pages them search-after
        only, at its own page size. A PIM without the feature answers 404 (`AkeneoNotFound`)."""
        return self.items_server_paged(f"{API}/reference-entities")

    def reference_entity_attributes(self, entity_code: str) -> list[dict]:
        """The attributes of a reference entity: one list, not paginated."""
        body = self.get(f"{API}/reference-entities/{_seg(entity_code)}/attributes")
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise AkeneoInvalidResponse(
                f"Akeneo answered no list of attributes for reference entity {entity_code!r}"
            )
        return body

    def reference_entity_records(
        self, entity_code: str, *, channel: str | None = None, locales: Iterable[str] | None = None
    ) -> Iterator[dict]:
        """The records of a reference entity (`code`, `values`, `created`, `updated`); `channel`
        and `locales` trim their values as for products."""
        params = {}
        if channel:
            params["channel"] = channel
        if locales:
            params["locales"] = ",".join(locales)
        return self.items_server_paged(f"{API}/reference-entities/{_seg(entity_code)}/records", params)

    def items_server_paged(self, path: str, params: dict | None = None) -> Iterator[dict]:
        for page in self.pages(path, params, server_paged=True):
            yield from page.items

    def download_asset_media(
        self, code: str, dest: str | os.PathLike | BinaryIO, *, max_bytes: int | None = None
    ) -> MediaDownload:
        return self._download(f"{API}/asset-media-files/{_code_path(code)}", code, dest, max_bytes)

    def _download(
        self, path: str, code: str, dest: str | os.PathLike | BinaryIO, max_bytes: int | None
    ) -> MediaDownload:
        """Streams in 1 MB chunks; a connection cut mid-body restarts the download (bounded).
        A file over `max_bytes` is refused (`AkeneoMediaRefused`) as soon as that is known: from
        its Content-Length before the body, else at the chunk that passes the limit."""
        attempts = self.transport.retry.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                if isinstance(dest, str | os.PathLike):
                    return self._download_to_path(path, code, Path(dest), max_bytes)
                return self._download_to_file(path, code, dest, max_bytes)
            except RETRYABLE_EXCEPTIONS as exc:
                if attempt == attempts:
                    raise AkeneoConnectionError(
                        f"Download of {code!r} was cut {attempts} times ({type(exc).__name__})"
                    ) from exc
                self.transport.log("warning", f"Akeneo: download of {code!r} was cut; starting it again")
        raise AssertionError("unreachable")

    def _download_to_path(self, path: str, code: str, dest: Path, max_bytes: int | None) -> MediaDownload:
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a cut download never leaves a half file.
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as out:
                result = self._download_to_file(path, code, out, max_bytes)
            os.replace(tmp, dest)
            return result
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _download_to_file(self, path: str, code: str, out: BinaryIO, max_bytes: int | None) -> MediaDownload:
        start = out.tell() if out.seekable() else None
        response = self.transport.send("GET", path, stream=True)
        digest, size = hashlib.sha256(), 0
        with response:
            announced = _content_length(response)
            if max_bytes is not None and announced is not None and announced > max_bytes:
                raise AkeneoMediaRefused(f"{code!r} is {_mb(announced)}, over the {_mb(max_bytes)} limit")
            if start is not None:
                out.seek(start)
                out.truncate()
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    # Stop reading: the rest of a 300 MB "image" is never fetched.
                    raise AkeneoMediaRefused(
                        f"{code!r} is over the {_mb(max_bytes)} limit (stopped reading at {_mb(size)})"
                    )
                digest.update(chunk)
                out.write(chunk)
        return MediaDownload(code, size, digest.hexdigest(), response.headers.get("Content-Type", ""))

    # --- health ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Log in and read one small resource; a one-line summary, or the `AkeneoError`."""
        self.transport.login()
        channels = self.get(f"{API}/channels", {"limit": 10})
        codes = [c.get("code", "?") for c in _embedded_items(channels, f"{API}/channels")]
        kind = "products-uuid" if self.uses_uuids else "products"
        return (
            f"Connected to {self.transport.base_url.rstrip('/')} as {self.transport.credentials.username}: "
            f"{len(codes)} channel(s) ({', '.join(codes) or 'none'}), product endpoint /{kind}"
        )


def _content_length(response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def _embedded_items(body, url: str) -> list[dict]:
    try:
        items = body["_embedded"]["items"]
    except (KeyError, TypeError):
        message = f"Akeneo answered a list without _embedded.items on GET {_path(url)}"
        raise AkeneoInvalidResponse(message) from None
    if not isinstance(items, list):
        raise AkeneoInvalidResponse(f"Akeneo's _embedded.items is not a list on GET {_path(url)}")
    return items


def _next_href(body: dict) -> str | None:
    link = (body.get("_links") or {}).get("next")
    return link.get("href") if isinstance(link, dict) else None


def identifier_value(product: dict, attribute: str) -> str | None:
    """The identifier attribute's value (never localisable nor scopable), None when empty."""
    values = product.get("values")
    entries = values.get(attribute) if isinstance(values, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        data = entry.get("data") if isinstance(entry, dict) else None
        if isinstance(data, str) and data.strip():
            return data
    return None


def _seg(code: str) -> str:
    """One path segment: a code with a slash in it must not become two segments."""
    return quote(str(code), safe="")


def _code_path(code: str) -> str:
    """Media codes look like `8/b/5/c/8b5cf…_shoe.jpg`: Akeneo expects the slashes as they are."""
    if not code or code.startswith("/") or ".." in code.split("/"):
        raise AkeneoError(f"Not a media file code: {code!r}")
    return quote(code, safe="/")


def _path(url: str) -> str:
    return urlsplit(url).path


def _without_param(url: str, name: str) -> str:
    parts = urlsplit(url)
    if name not in parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return urlunsplit(parts._replace(query=urlencode(query)))
