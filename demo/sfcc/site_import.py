"""The import half of the demo SFCC server: unzip a site archive, validate each XML file
against Salesforce's schemas, check references and keep what was accepted.

Like SFCC: a broken archive or a schema-invalid file fails the job (ERROR); a record that
points at something unknown (a master's missing variant, an assignment to an unknown
category, a price for an unknown product) is rejected with a `DATAERROR` log line and the
job still ends OK. Files are parsed with `iterparse` and cleared record by record.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from jobs.sfcc.impexlog import data_error_line

NS = {
    "http://www.demandware.com/xml/impex/catalog/2006-10-31": "catalog.xsd",
    "http://www.demandware.com/xml/impex/metadata/2006-10-31": "metadata.xsd",
    "http://www.demandware.com/xml/impex/pricebook/2006-10-31": "pricebook.xsd",
    "http://www.demandware.com/xml/impex/library/2006-10-31": "library.xsd",
}
_ORDER = ("meta", "libraries", "sites", "catalogs", "pricebooks")


class ImportFailed(Exception):
    """The whole import fails: SFCC's exit status ERROR."""


@dataclass
class Store:
    """What the demo instance holds, by id; saved as JSON in the data directory."""

    attributes: set[str] = field(default_factory=set)
    categories: dict[str, set[str]] = field(default_factory=dict)  # catalog id -> category ids
    products: dict[str, set[str]] = field(default_factory=dict)  # catalog id -> product ids
    pricebooks: dict[str, set[str]] = field(default_factory=dict)  # pricebook id -> product ids
    # catalog id -> "source>target>type" of its product recommendations
    recommendations: dict[str, set[str]] = field(default_factory=dict)
    # library id (a private one: "site:<site-id>") -> content asset ids
    libraries: dict[str, set[str]] = field(default_factory=dict)
    # catalog id -> "product>category" of its category assignments
    assignments: dict[str, set[str]] = field(default_factory=dict)
    # catalog id -> its products whose online flag is false
    offline: dict[str, set[str]] = field(default_factory=dict)

    def all_products(self) -> set[str]:
        return set().union(*self.products.values()) if self.products else set()

    def to_json(self) -> dict:
        def listed(mapping):
            return {key: sorted(values) for key, values in mapping.items()}

        return {
            "attributes": sorted(self.attributes),
            "categories": listed(self.categories),
            "products": listed(self.products),
            "pricebooks": listed(self.pricebooks),
            "recommendations": listed(self.recommendations),
            "libraries": listed(self.libraries),
            "assignments": listed(self.assignments),
            "offline": listed(self.offline),
        }

    def catalogs(self) -> dict[str, dict]:
        """Each catalog's role and counts: a master catalog owns products; a storefront catalog
        has categories, assignments (of other catalogs' products) and recommendations; one
        catalog with both is a single site's."""
        ids = sorted({*self.products, *self.categories, *self.assignments, *self.recommendations})
        summary = {}
        for catalog_id in ids:
            products = self.products.get(catalog_id, set())
            categories = self.categories.get(catalog_id, set())
            kind = (
                "master"
                if products and not categories
                else "storefront"
                if not products
                else "master+storefront"
            )
            summary[catalog_id] = {
                "kind": kind,
                "products": len(products),
                "offline": len(self.offline.get(catalog_id, set())),
                "categories": len(categories),
                "assignments": len(self.assignments.get(catalog_id, set())),
                "recommendations": len(self.recommendations.get(catalog_id, set())),
            }
        return summary

    @classmethod
    def from_json(cls, data: dict) -> Store:
        def sets(mapping):
            return {key: set(values) for key, values in mapping.items()}

        return cls(
            set(data.get("attributes", [])),
            sets(data.get("categories", {})),
            sets(data.get("products", {})),
            sets(data.get("pricebooks", {})),
            sets(data.get("recommendations", {})),
            sets(data.get("libraries", {})),
            sets(data.get("assignments", {})),
            sets(data.get("offline", {})),
        )


class SiteImport:
    def __init__(self, store: Store, schema_dir: Path | None, log: list[str], now: str):
        self.store = store
        self._schema_dir = schema_dir
        self._schemas: dict[str, etree.XMLSchema] = {}
        self.log = log
        self._now = now
        self.data_errors = 0

    def run(self, archive: Path) -> None:
        try:
            with zipfile.ZipFile(archive) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/")]
                tops = {m.split("/", 1)[0] for m in members}
                if len(tops) != 1 or any("/" not in m for m in members):
                    raise ImportFailed(
                        f"{archive.name} must hold exactly one top folder, found {sorted(tops)}"
                    )
                for member in sorted(members, key=_import_order):
                    if member.endswith(".xml") and "/static/" not in member:
                        with zf.open(member) as stream:
                            self._import_file(member.split("/", 1)[1], stream)
        except zipfile.BadZipFile as exc:
            raise ImportFailed(f"{archive.name} is not a valid zip archive: {exc}") from exc

    def _import_file(self, name: str, stream: IO[bytes]) -> None:
        self.log.append(f"[{self._now} GMT] INFO ImportSiteArchive - Importing {name}")
        head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            # SFCC's import refuses document type declarations; expanding their entities would
            # let an archive read local files or blow up in memory.
            raise ImportFailed(f"{name} is invalid: a DOCTYPE or ENTITY declaration is not allowed")
        try:
            events = etree.iterparse(
                stream,
                events=("end",),
                schema=self._schema_for(stream),
                huge_tree=True,
                resolve_entities=False,
                load_dtd=False,
                no_network=True,
            )
            kind = _kind(name)
            if kind == "catalog":
                self._catalog(name, events)
            elif kind == "pricebook":
                self._pricebooks(name, events)
            elif kind == "meta":
                self._metadata(events)
            elif kind == "library":
                self._library(name, events)
            else:
                for _ in events:
                    pass
        except etree.XMLSyntaxError as exc:
            raise ImportFailed(f"{name} is invalid: {exc}") from exc

    def _schema_for(self, stream: IO[bytes]) -> etree.XMLSchema | None:
        # The root's namespace picks the schema; peek it, then rewind the zip member.
        if self._schema_dir is None:
            return None
        head = stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""
        for namespace, xsd in NS.items():
            if namespace.encode() in head:
                if xsd not in self._schemas:
                    self._schemas[xsd] = etree.XMLSchema(etree.parse(str(self._schema_dir / xsd)))
                return self._schemas[xsd]
        return None

    def _reject(self, source: str, kind: str, identifier: str, reason: str) -> None:
        self.data_errors += 1
        self.log.append(data_error_line(self._now, source, kind, identifier, reason))

    def _catalog(self, name: str, events) -> None:
        catalog_id = None
        categories: dict[str, str | None] = {}
        products: dict[str, list[str]] = {}
        deleted: set[str] = set()
        assignments: list[tuple[str, str, bool]] = []  # (product, category, deleted)
        online: dict[str, bool] = {}
        recommendations: list[tuple[str, str, str]] = []
        for _, el in events:
            tag = etree.QName(el).localname
            parent = el.getparent()
            if parent is None:
                catalog_id = el.get("catalog-id")
                continue
            if parent.getparent() is not None:
                continue
            if tag == "category":
                categories[el.get("category-id")] = el.findtext("{*}parent")
            elif tag == "product" and el.get("mode") == "delete":
                deleted.add(el.get("product-id"))
            elif tag == "product":
                products[el.get("product-id")] = [
                    v.get("product-id") for v in el.iterfind("{*}variations/{*}variants/{*}variant")
                ]
                flag = el.findtext("{*}online-flag")
                if flag is not None:
                    online[el.get("product-id")] = flag == "true"
            elif tag == "category-assignment":
                assignments.append((el.get("product-id"), el.get("category-id"), el.get("mode") == "delete"))
            elif tag == "recommendation":
                recommendations.append((el.get("source-id"), el.get("target-id"), el.get("type") or ""))
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
        self._apply_catalog(name, catalog_id, categories, products, deleted, assignments)
        offline = self.store.offline.setdefault(catalog_id, set())
        for product_id, is_online in online.items():
            if product_id in self.store.products.get(catalog_id, ()):
                (offline.discard if is_online else offline.add)(product_id)
        offline -= deleted
        known = self.store.all_products()
        kept = self.store.recommendations.setdefault(catalog_id, set())
        for source, target, kind in recommendations:
            missing = next((p for p in (source, target) if p not in known), None)
            if missing is not None:
                self._reject(name, "recommendation of product", source, f"product '{missing}' not found")
            else:
                kept.add(f"{source}>{target}>{kind}")

    def _apply_catalog(self, name, catalog_id, categories, products, deleted, assignments) -> None:
        known_categories = self.store.categories.setdefault(catalog_id, set())
        known_products = self.store.products.setdefault(catalog_id, set())
        all_categories = known_categories | set(categories)
        for category_id, parent in categories.items():
            if parent is not None and parent not in all_categories:
                self._reject(name, "category", category_id, f"parent category '{parent}' not found")
                all_categories.discard(category_id)
        all_products = (known_products | set(products)) - deleted
        accepted = set()
        for product_id, variants in products.items():
            missing = [v for v in variants if v not in all_products]
            if missing:
                self._reject(name, "product", product_id, f"variant '{missing[0]}' of the master not found")
            else:
                accepted.add(product_id)
        kept = self.store.assignments.setdefault(catalog_id, set())
        for product_id, category_id, removed in assignments:
            if removed:
                kept.discard(f"{product_id}>{category_id}")
            elif category_id not in all_categories:
                self._reject(
                    name, "category-assignment of product", product_id, f"category '{category_id}' not found"
                )
            elif (
                product_id
                not in (self._products_of_other_catalogs(catalog_id) | known_products | accepted) - deleted
            ):
                self._reject(name, "category-assignment of product", product_id, "product not found")
            else:
                kept.add(f"{product_id}>{category_id}")
        if deleted:  # a deleted product's assignments go with it, in every catalog
            for pairs in self.store.assignments.values():
                pairs -= {pair for pair in pairs if pair.split(">", 1)[0] in deleted}
        known_categories |= all_categories & (set(categories) | known_categories)
        known_products |= accepted
        known_products -= deleted

    def _products_of_other_catalogs(self, catalog_id: str) -> set[str]:
        """A storefront catalog assigns products its master catalog owns (as SFRA's demo data
        does): an assignment may name a product of any catalog on the instance."""
        return {p for c, products in self.store.products.items() if c != catalog_id for p in products}

    def _pricebooks(self, name: str, events) -> None:
        products = self.store.all_products()
        for _, el in events:
            if etree.QName(el).localname != "pricebook":
                continue
            pricebook_id = el.find("{*}header").get("pricebook-id")
            prices = self.store.pricebooks.setdefault(pricebook_id, set())
            for table in el.iterfind("{*}price-tables/{*}price-table"):
                product_id = table.get("product-id")
                if table.get("mode") in ("delete", "delete-all"):
                    prices.discard(product_id)
                elif product_id not in products:
                    self._reject(
                        name, "price-table of product", product_id, f"product not found ({pricebook_id})"
                    )
                else:
                    prices.add(product_id)
            el.clear()

    def _metadata(self, events) -> None:
        for _, el in events:
            if etree.QName(el).localname == "attribute-definition":
                self.store.attributes.add(el.get("attribute-id"))

    def _library(self, name: str, events) -> None:
        key = None
        contents = set()
        for _, el in events:
            tag = etree.QName(el).localname
            if tag == "library":
                key = el.get("library-id")
            elif tag == "content" and el.getparent() is not None and el.getparent().getparent() is None:
                contents.add(el.get("content-id"))
                el.clear()
        if key is None:  # a site's private library: sites/<site-id>/library/library.xml
            key = "site:" + name.split("/")[1]
        self.store.libraries.setdefault(key, set()).update(contents)


def _kind(name: str) -> str:
    if name.startswith("catalogs/") and name.endswith("/catalog.xml"):
        return "catalog"
    if name.startswith("pricebooks/"):
        return "pricebook"
    if name.startswith("meta/"):
        return "meta"
    if name.endswith("/library.xml") and name.startswith(("libraries/", "sites/")):
        return "library"
    return "other"


def _import_order(member: str) -> tuple:
    parts = member.split("/")
    top = parts[1] if len(parts) > 1 else ""
    return (_ORDER.index(top) if top in _ORDER else len(_ORDER), member)
