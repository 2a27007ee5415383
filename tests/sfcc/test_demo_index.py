"""The demo SFCC's index tells master catalogs from storefront catalogs and shows what each holds
(products, offline ones, categories, assignments, recommendations) and the content libraries."""

import zipfile

import requests

from demo.sfcc.server import DemoSfccServer
from demo.sfcc.site_import import SiteImport, Store
from tests.conftest import XSD_DIR

CATALOG = '<catalog xmlns="http://www.demandware.com/xml/impex/catalog/2006-10-31" catalog-id="{id}">{body}</catalog>'
HEADER = '<header><image-settings><internal-location base-path="/images"/></image-settings></header>'
LIBRARY = (
    '<library xmlns="http://www.demandware.com/xml/impex/library/2006-10-31" library-id="SharedLibrary">'
    '<folder folder-id="akeneo_entity_brands"><display-name xml:lang="x-default">Brands</display-name>'
    "<parent>root</parent></folder>"
    '<content content-id="akeneo_entity_brands_kartell"><display-name xml:lang="x-default">Kartell'
    "</display-name><online-flag>true</online-flag><folder-links>"
    '<classification-link folder-id="akeneo_entity_brands"/></folder-links></content></library>'
)


def product(pid, online=True):
    return f'<product product-id="{pid}"><online-flag>{"true" if online else "false"}</online-flag></product>'


def archive(path, files: dict[str, str]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"x/{name}", text)
    return path


def storefront(assignments: str, recommendations: str = "") -> str:
    body = (
        HEADER + '<category category-id="root"><online-flag>true</online-flag></category>'
        '<category category-id="shirts"><online-flag>true</online-flag><parent>root</parent></category>'
        + assignments
        + recommendations
    )
    return CATALOG.format(id="store-a", body=body)


def test_it_counts_each_catalog_by_its_kind_and_follows_deletions_and_offline_flags(tmp_path):
    store, log = Store(), []
    first = {
        "catalogs/master/catalog.xml": CATALOG.format(
            id="master", body=HEADER + product("P1") + product("P2")
        ),
        "catalogs/store-a/catalog.xml": storefront(
            '<category-assignment category-id="shirts" product-id="P1"/>'
            '<category-assignment category-id="shirts" product-id="P2"/>',
            '<recommendation source-id="P1" source-type="product" target-id="P2" type="1"/>'
            '<recommendation source-id="P1" source-type="product" target-id="P9" type="1"/>',
        ),
        "libraries/SharedLibrary/library.xml": LIBRARY,
    }
    SiteImport(store, XSD_DIR, log, "now").run(archive(tmp_path / "one.zip", first))
    assert store.catalogs() == {
        "master": {"kind": "master", "products": 2, "offline": 0, "categories": 0, "assignments": 0,
                   "recommendations": 0},
        "store-a": {"kind": "storefront", "products": 0, "offline": 0, "categories": 2, "assignments": 2,
                    "recommendations": 1},
    }  # fmt: skip
    assert any("product 'P9' not found" in line for line in log)  # a recommendation of no product

    second = {
        "catalogs/master/catalog.xml": CATALOG.format(id="master", body=HEADER + product("P2", online=False)),
        "catalogs/store-a/catalog.xml": storefront(
            '<category-assignment category-id="shirts" product-id="P2" mode="delete"/>'
        ),
    }
    SiteImport(store, XSD_DIR, log, "now").run(archive(tmp_path / "two.zip", second))
    counts = store.catalogs()
    assert (counts["master"]["offline"], counts["store-a"]["assignments"]) == (1, 1)
    assert Store.from_json(store.to_json()).catalogs() == counts

    with DemoSfccServer(schema_dir=XSD_DIR, data_dir=tmp_path / "sfcc") as server:
        server.store = store
        summary = requests.get(server.url + "/index.json", timeout=10).json()["summary"]
        page = requests.get(server.url + "/", timeout=10).text
    assert summary["catalogs"]["store-a"]["kind"] == "storefront"
    assert summary["libraries"] == {"SharedLibrary": 1}
    assert "<td>store-a</td><td>storefront</td>" in page and "<td>SharedLibrary</td><td>1</td>" in page
