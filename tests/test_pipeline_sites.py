"""The product import on the generated demo catalog with two sites, run in-process through the
runner: products in the master catalog, each site's categories and assignments in its storefront
catalog (all valid against catalog.xsd); products removed in Akeneo go offline in the next import."""

import json
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import config as import_config
from jobs import runner, services
from jobs.joblog import log_path
from jobs.models import ExitStatus, ExportedProducts, JobExecution
from jobs.pipeline import removals
from jobs.pipeline.definitions import DIFFERENTIAL_PRODUCTS, FULL_PRODUCTS
from tests.conftest import XSD_DIR

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}
MASTER = "akeneo-master"
SITES = {"storefront-fashion": "site_fashion", "storefront-living": "site_living"}


@pytest.fixture(autouse=True)
def _in_process(no_enqueue):
    """Run in this process, as test_pipeline_data does; test_pipeline_e2e uses a worker."""


@pytest.fixture
def catalog(tmp_path):
    out = tmp_path / "akeneo"
    write_catalog(out, products=150, seed=5)
    return out


def read(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text().splitlines() if line.strip()]


def rewrite(out: Path, change) -> None:
    """Change the products file as Akeneo would after an edit (`change` returns None to delete)."""
    products = [changed for p in read(out, "products.jsonl") if (changed := change(p)) is not None]
    (out / "products.jsonl").write_text("".join(json.dumps(p) + "\n" for p in products))


def configure(url, sites=SITES, mapping=None, **catalogs):
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = url
    document["delivery"] = {"target": "local"}
    document["filters"]["products"]["enabled"] = True
    document["mapping"] |= mapping or {}
    document["catalogs"] |= {
        "storefronts": [{"catalog_id": c, "category": code} for c, code in sites.items()],
        **catalogs,
    }
    import_config.save(document)


def run(job_id):
    execution = services.execution_create(job_id=job_id)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def catalogs(execution) -> dict[str, etree._ElementTree]:
    """Each catalog.xml of the archive by catalog id, validated against catalog.xsd."""
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / "catalog.xsd")))
    [artifact] = execution.artifacts
    found = {}
    with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
        for name in archive.namelist():
            if name.endswith("/catalog.xml"):
                tree = etree.ElementTree(etree.fromstring(archive.read(name)))
                schema.assertValid(tree)
                found[name.split("/")[-2]] = tree
    return found


def sites_of(out: Path) -> dict[str, set[str]]:
    """Each site's categories below its sub-tree root, from the generated tree."""
    parent = {c["code"]: c["parent"] for c in read(out, "categories.jsonl")}

    def site(code):
        while parent.get(code) not in (None, "master"):
            code = parent[code]
        return code if parent.get(code) == "master" else None

    return {catalog: {c for c in parent if c != code and site(c) == code} for catalog, code in SITES.items()}


def expected_assignments(out: Path) -> dict[str, set[tuple[str, str]]]:
    """(product, category) per storefront: standard products and masters by their categories,
    variants by the categories they have beyond their root model's."""
    models = {m["code"]: m for m in read(out, "product-models.jsonl")}

    def root(code):
        while models[code]["parent"]:
            code = models[code]["parent"]
        return models[code]

    wanted = {}
    for catalog, codes in sites_of(out).items():
        pairs = {
            (m["code"], c) for m in models.values() if not m["parent"] for c in m["categories"] if c in codes
        }
        for p in read(out, "products.jsonl"):
            if not p["enabled"]:
                continue
            inherited = set(root(p["parent"])["categories"]) if p["parent"] else set()
            pairs |= {(p["identifier"], c) for c in p["categories"] if c in codes and c not in inherited}
        wanted[catalog] = pairs
    return wanted


def assignments(tree, mode=None) -> set[tuple[str, str]]:
    path = "//c:category-assignment[@mode='delete']" if mode else "//c:category-assignment[not(@mode)]"
    return {(a.get("product-id"), a.get("category-id")) for a in tree.xpath(path, namespaces=NS)}


def offline(tree) -> set[str]:
    return set(tree.xpath("//c:product[c:online-flag='false']/@product-id", namespaces=NS))


def test_it_imports_two_sites_then_takes_removed_products_offline(catalog):
    products = read(catalog, "products.jsonl")
    roots = [m["code"] for m in read(catalog, "product-models.jsonl") if not m["parent"]]
    enabled = [p["identifier"] for p in products if p["enabled"]]
    with DemoAkeneoServer(catalog) as server:
        configure(server.url)
        first = run(FULL_PRODUCTS)
    assert first.exit_status in (ExitStatus.OK, ExitStatus.WARN), first.message
    files = catalogs(first)
    assert set(files) == {MASTER, *SITES}
    master = files[MASTER]
    product_ids = master.xpath("/c:catalog/c:product/@product-id", namespaces=NS)
    assert len(product_ids) == len(set(product_ids))
    assert set(product_ids) == set(enabled) | set(roots)
    assert master.xpath("//c:category | //c:category-assignment", namespaces=NS) == []
    wanted = expected_assignments(catalog)
    for catalog_id, codes in sites_of(catalog).items():
        tree = files[catalog_id]
        assert tree.xpath("/c:catalog/c:product", namespaces=NS) == []
        categories = tree.xpath("//c:category/@category-id", namespaces=NS)
        assert set(categories) == codes | {"root"}
        assert assignments(tree) == wanted[catalog_id] and wanted[catalog_id]
    in_both = {p for p, _ in wanted["storefront-fashion"]} & {p for p, _ in wanted["storefront-living"]}
    assert in_both  # a product of both sites is assigned in each

    # In Akeneo: one product deleted, one disabled, one classified out of every site.
    standard = [p for p in products if p["enabled"] and not p["parent"] and p["categories"]]
    deleted, disabled, moved = (p["identifier"] for p in standard[:3])
    previous = {
        pid: {(c, cat) for c, pairs in wanted.items() for p, cat in pairs if p == pid}
        for pid in (deleted, disabled, moved)
    }
    rewrite(
        catalog,
        lambda p: None if p["identifier"] == deleted else
        {**p, "enabled": False} if p["identifier"] == disabled else
        {**p, "categories": []} if p["identifier"] == moved else p,
    )  # fmt: skip
    with DemoAkeneoServer(catalog) as server:
        configure(server.url)
        second = run(FULL_PRODUCTS)
    assert second.exit_status in (ExitStatus.OK, ExitStatus.WARN), second.message
    files = catalogs(second)
    assert offline(files[MASTER]) == {deleted, disabled}
    assert moved in files[MASTER].xpath("/c:catalog/c:product/@product-id", namespaces=NS)
    for pid in (deleted, disabled, moved):
        for catalog_id, category in previous[pid]:
            assert (pid, category) in assignments(files[catalog_id], mode="delete")
            assert (pid, category) not in assignments(files[catalog_id])
    log = log_path(second.log_file_name).read_text()
    assert (
        f"2 products exported to local/{MASTER} by execution #{first.pk} and not by this one are set offline"
        in log
    )
    assert ExportedProducts.objects.filter(target=f"local/{MASTER}").count() == 2

    # The differential run sees a product disabled since; the next full import removes nothing.
    later = next(p["identifier"] for p in standard[3:])
    rewrite(catalog, lambda p: {**p, "enabled": False} if p["identifier"] == later else p)
    with DemoAkeneoServer(catalog) as server:
        configure(server.url)
        server.touch_products([later])
        differential = run(DIFFERENTIAL_PRODUCTS)
        assert differential.exit_status in (ExitStatus.OK, ExitStatus.WARN), differential.message
        files = catalogs(differential)
        assert offline(files[MASTER]) == {later}
        full = run(FULL_PRODUCTS)
    assert offline(catalogs(full)[MASTER]) == set()
    # Only the row in force and the latest remain.
    assert ExportedProducts.objects.filter(target=f"local/{MASTER}").count() == 2


def test_it_deletes_removed_products_when_configured_and_can_leave_categories_alone(catalog):
    with DemoAkeneoServer(catalog) as server:
        configure(server.url, removed_products="delete", write_categories=False, primary_category=False)
        first = run(FULL_PRODUCTS)
    files = catalogs(first)
    for catalog_id in SITES:
        assert files[catalog_id].xpath("//c:category", namespaces=NS) == []
        assert files[catalog_id].xpath("//c:primary-flag", namespaces=NS) == []
        assert assignments(files[catalog_id])
    gone = next(p["identifier"] for p in read(catalog, "products.jsonl") if p["enabled"] and not p["parent"])
    rewrite(catalog, lambda p: None if p["identifier"] == gone else p)
    with DemoAkeneoServer(catalog) as server:
        configure(server.url, removed_products="delete")
        second = run(FULL_PRODUCTS)
    deleted = catalogs(second)[MASTER].xpath("//c:product[@mode='delete']/@product-id", namespaces=NS)
    assert deleted == [gone]


def tracked(previous: dict[str, list[str]] | None, *, differential: bool) -> removals.Tracker:
    snapshot = None if previous is None else removals.Snapshot(len(previous), removals.encode(previous))
    return removals.Tracker(snapshot, differential=differential)


def test_a_product_skipped_for_a_data_error_is_neither_removed_nor_forgotten():
    previous = {"A": ["s1\tshirts", "s2\thome"], "B": ["s1\tshoes"], "C": ["s2\thome"]}
    with tracked(previous, differential=False) as tracker:
        tracker.exported("A", [("s1", "shirts")])
        tracker.skipped("B")
        assert list(tracker.unassigned()) == [("A", [("s2", "home")])]
        removed = tracker.removed()
        assert removed == {"C": [("s2", "home")]}
        snapshot = tracker.snapshot(removed)
    assert removals.decode(snapshot.data) == {"A": ["s1\tshirts"], "B": ["s1\tshoes"]}
    assert snapshot.count == 2
    assert removals.decode(removals.encode(previous)) == previous


def test_a_product_skipped_with_an_id_no_xml_can_hold_leaves_the_snapshot_alone():
    previous = {"A": ["s1\tshirts"]}
    with tracked(previous, differential=False) as tracker:
        tracker.skipped("lone \udc80 surrogate")  # JSON can say it; SQLite's text cannot
        tracker.exported("A", [("s1", "shirts")])
        assert removals.decode(tracker.snapshot(tracker.removed()).data) == previous


def test_a_differential_removes_only_changed_products_and_keeps_the_rest():
    previous = {"A": [], "B": [], "C": []}
    with tracked(previous, differential=True) as tracker:
        tracker.exported("D", [("s1", "shirts")])
        removed = tracker.removed({"B", "D", "unknown"})
        assert removed == {"B": []}
        snapshot = tracker.snapshot(removed)
    assert removals.decode(snapshot.data) == {"A": [], "C": [], "D": ["s1\tshirts"]}
    assert snapshot.count == 3
    with tracked(None, differential=False) as tracker:
        assert tracker.removed() == {}


def test_a_differential_that_changed_nothing_stores_the_previous_snapshot_as_it_was():
    previous = removals.Snapshot(2, removals.encode({"A": ["s1\tshirts"], "B": []}))
    with removals.Tracker(previous, differential=True) as tracker:
        removed = tracker.removed(set())
        assert removed == {}
        assert tracker.snapshot(removed) is previous


def test_a_product_exported_twice_is_stored_once_as_last_exported():
    with tracked({}, differential=False) as tracker:
        tracker.exported("A", [("s1", "shirts")])
        tracker.exported("A", [("s2", "home")])
        assert list(tracker.unassigned()) == []
        snapshot = tracker.snapshot(tracker.removed())
    assert removals.decode(snapshot.data) == {"A": ["s2\thome"]}
    assert snapshot.count == 1


def test_snapshots_keep_any_product_id_and_read_many_products_as_a_stream():
    odd = ["tab\tin", "line\nbreak", "cr\rin", "[bracketed]", '"quoted"', "ünï©ødé", "x" * 100]
    products = {pid: ["s1\tshirts", "s2\thome"] if i % 2 else [] for i, pid in enumerate(odd)}
    # Enough products for the compressed bytes to span several reads.
    products |= {f"P{i:07d}-{i * 7919 % 100_003}": [f"s{i % 3}\tc{i % 977}"] for i in range(150_000)}
    data = removals.encode(products)
    assert len(data) > 2 * removals._READ_CHUNK
    assert removals.decode(data) == products


def test_snapshots_of_earlier_versions_are_read():
    products = {"A": ["s1\tshirts"], "B": []}
    old = zlib.compress(json.dumps({"format": 1, "products": products}).encode())
    assert removals.decode(old) == products
    with removals.Tracker(removals.Snapshot(2, old), differential=False) as tracker:
        tracker.exported("A", [])
        assert list(tracker.unassigned()) == [("A", [("s1", "shirts")])]
        assert tracker.removed() == {"B": []}
    with pytest.raises(ValueError, match="format"):
        removals.decode(zlib.compress(json.dumps({"format": 9, "products": {}}).encode()))


def recommendations(tree) -> set[tuple[str, str]]:
    return {
        (r.get("source-id"), r.get("target-id"))
        for r in tree.xpath("/c:catalog/c:recommendation[@type='1']", namespaces=NS)
    }


def test_recommendations_go_to_each_storefront_its_product_is_in(catalog):
    with DemoAkeneoServer(catalog) as server:
        configure(server.url, mapping={"recommendation_types": {"X_SELL": "1"}})
        execution = run(FULL_PRODUCTS)
    assert execution.exit_status in (ExitStatus.OK, ExitStatus.WARN), execution.message
    files = catalogs(execution)
    assert files[MASTER].xpath("//c:recommendation", namespaces=NS) == []
    sites = sites_of(catalog)
    for catalog_id, codes in sites.items():
        wanted = {
            (p["identifier"], target)
            for p in read(catalog, "products.jsonl")
            if p["enabled"] and not p["parent"] and codes & set(p["categories"])
            for target in p["associations"].get("X_SELL", {}).get("products", ())
            if target != p["identifier"]
        }
        assert wanted and recommendations(files[catalog_id]) == wanted, catalog_id
    log = log_path(execution.log_file_name).read_text()
    count = len(recommendations(files["storefront-fashion"]))
    assert f"storefront-fashion/catalog.xml: {len(sites['storefront-fashion']) + 1:,} categories" in log
    assert f"category assignments, {count:,} recommendations" in log


def test_a_storefront_removed_from_the_configuration_loses_its_assignments(catalog):
    with DemoAkeneoServer(catalog) as server:
        configure(server.url)
        first = run(FULL_PRODUCTS)
        living = assignments(catalogs(first)["storefront-living"])
        assert living
        configure(server.url, sites={"storefront-fashion": "site_fashion"})
        second = run(FULL_PRODUCTS)
        third = run(FULL_PRODUCTS)
    assert second.exit_status in (ExitStatus.OK, ExitStatus.WARN), second.message
    files = catalogs(second)
    dropped = files["storefront-living"]
    assert assignments(dropped, mode="delete") == living
    assert assignments(dropped) == set() and dropped.xpath("//c:category", namespaces=NS) == []
    assert assignments(files["storefront-fashion"], mode="delete") == set()
    log = log_path(second.log_file_name).read_text()
    assert (
        f"{len(living):,} category assignments deleted in catalog 'storefront-living', which is no "
        "longer a configured storefront" in log
    )
    # Deleted once: the next import no longer knows of them.
    assert set(catalogs(third)) == {MASTER, "storefront-fashion"}


@pytest.mark.django_db
def test_a_stored_snapshot_is_read_back_byte_for_byte():
    """Stored and read in binary on PostgreSQL (bound by psycopg on the server), through the
    ORM elsewhere: every byte value survives, and a second save for the execution replaces it."""
    execution, later = (JobExecution.objects.create(job_id=FULL_PRODUCTS) for _ in range(2))
    data = bytes(range(256)) * 1000 + b"\x00\\x'\""
    removals.save("target", execution, removals.Snapshot(7, b"first"), None)
    removals.save("target", execution, removals.Snapshot(7, data), None)
    execution.exit_status = ExitStatus.OK
    execution.save()
    row, snapshot = removals.previous_products("target", later)
    assert row.execution_id == execution.pk and ExportedProducts.objects.count() == 1
    assert snapshot == removals.Snapshot(7, data)
