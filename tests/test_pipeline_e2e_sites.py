"""The cartridge's data model end to end through a real worker: `Akeneo-Full-Pipeline` (jobs 1,
2, 3-2 and 4) from the demo Akeneo into the demo SFCC, with the demo configuration (demo/config.py)
— the generated catalog with two sites, and Akeneo's icecat catalog with one. Counts of master
products, assignments per storefront, recommendations, content assets and, after a removal in
Akeneo, offline products; every XML file of every archive valid against Salesforce's schemas."""

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from demo.akeneo.generator import REFERENCE_ENTITIES, write_catalog
from demo.akeneo.server import DemoAkeneoServer
from demo.config import demo_document
from demo.sfcc.server import DemoSfccServer
from jobs import config as import_config
from jobs import services
from jobs.models import ExitStatus, JobExecution
from jobs.operations.definitions import FULL_PIPELINE
from jobs.pipeline.definitions import FULL_PRODUCTS
from jobs.pipeline.definitions import REFERENCE_ENTITIES as ENTITIES_JOB
from tests.conftest import ICECAT_API, XSD_DIR
from tests.integration import running, wait_finished

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}
LIB = "{http://www.demandware.com/xml/impex/library/2006-10-31}"
SCHEMAS = {
    "http://www.demandware.com/xml/impex/catalog/2006-10-31": "catalog.xsd",
    "http://www.demandware.com/xml/impex/metadata/2006-10-31": "metadata.xsd",
    "http://www.demandware.com/xml/impex/pricebook/2006-10-31": "pricebook.xsd",
    "http://www.demandware.com/xml/impex/library/2006-10-31": "library.xsd",
}
MASTER = "akeneo-master"
SITES = {"storefront-fashion": "site_fashion", "storefront-living": "site_living"}


@pytest.fixture(scope="module")
def worker(django_db_setup, redis_url, storage_root):
    with running(STORAGE_ROOT=str(storage_root)) as stack:
        yield stack


@pytest.fixture
def sfcc(tmp_path):
    with DemoSfccServer(schema_dir=XSD_DIR, data_dir=tmp_path / "sfcc") as server:
        yield server


def read(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text().splitlines() if line.strip()]


def configure(akeneo, sfcc, *, two_sites: bool) -> None:
    document = demo_document(two_sites=two_sites)
    document["akeneo"]["url"] = akeneo.url
    document["delivery"] |= {"instance_url": sfcc.url, "token_url": sfcc.token_url}
    document["filters"]["products"]["enabled"] = True
    import_config.save(document, comment="test")


def run(job_id: str) -> JobExecution:
    execution = wait_finished(services.execution_create(job_id=job_id), timeout=300)
    assert execution.exit_status in (ExitStatus.OK, ExitStatus.WARN), (job_id, execution.message)
    return execution


def archive(execution) -> dict[str, etree._Element]:
    """Every XML file of the execution's archives by its path below the top folder, each
    validated against its schema."""
    files = {}
    for artifact in execution.artifacts:
        with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as zf:
            for name in zf.namelist():
                if name.endswith(".xml"):
                    tree = etree.fromstring(zf.read(name), etree.XMLParser(huge_tree=True))
                    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / SCHEMAS[etree.QName(tree).namespace])))
                    assert schema.validate(tree), (name, str(schema.error_log)[:2000])
                    files[name.split("/", 1)[1]] = tree
    return files


def children(flow) -> dict[str, JobExecution]:
    return {child.job_id: child for child in JobExecution.objects.filter(parent=flow)}


def pairs(tree, xpath: str, a: str, b: str) -> set[tuple[str, str]]:
    return {(el.get(a), el.get(b)) for el in tree.xpath(xpath, namespaces=NS)}


def assigned(tree, mode=None) -> set[tuple[str, str]]:
    where = "[@mode='delete']" if mode else "[not(@mode)]"
    return pairs(tree, f"/c:catalog/c:category-assignment{where}", "product-id", "category-id")


def recommended(tree) -> set[tuple[str, str]]:
    return pairs(tree, "/c:catalog/c:recommendation", "source-id", "target-id")


def test_the_demo_catalog_with_two_sites(worker, sfcc, tmp_path):
    out = tmp_path / "akeneo"
    write_catalog(out, products=150, seed=11)
    products = read(out, "products.jsonl")
    models = read(out, "product-models.jsonl")
    parent = {c["code"]: c["parent"] for c in read(out, "categories.jsonl")}

    def site(code):
        while code is not None and parent.get(code) != "master":
            code = parent.get(code)
        return code

    with DemoAkeneoServer(out) as akeneo:
        configure(akeneo, sfcc, two_sites=True)
        flow = run(FULL_PIPELINE)
    jobs = children(flow)
    assert len(jobs) == 4 and ENTITIES_JOB in jobs
    for execution in jobs.values():
        archive(execution)  # every file of every job validates
    files = archive(jobs[FULL_PRODUCTS])
    master = files[f"catalogs/{MASTER}/catalog.xml"]
    enabled = {p["identifier"] for p in products if p["enabled"]}
    roots = {m["code"] for m in models if not m["parent"]}
    assert set(master.xpath("/c:catalog/c:product/@product-id", namespaces=NS)) == enabled | roots
    assert master.xpath("//c:category | //c:category-assignment | //c:recommendation", namespaces=NS) == []

    index = sfcc.store.catalogs()
    assert index[MASTER] == {
        "kind": "master", "products": len(enabled | roots), "offline": 0, "categories": 0,
        "assignments": 0, "recommendations": 0,
    }  # fmt: skip
    for catalog_id, code in SITES.items():
        tree = files[f"catalogs/{catalog_id}/catalog.xml"]
        assignments = assigned(tree)
        assert assignments and {site(category) for _, category in assignments} == {code}
        wanted = {
            (p["identifier"], target)
            for p in products
            if p["enabled"] and not p["parent"] and code in {site(c) for c in p["categories"]}
            for target in p["associations"].get("X_SELL", {}).get("products", ())
            if target != p["identifier"]
        }
        assert wanted and recommended(tree) == wanted
        # The demo SFCC keeps those between products it has (a disabled target is not imported).
        accepted = {(source, target) for source, target in wanted if target in enabled | roots}
        assert index[catalog_id]["kind"] == "storefront"
        assert index[catalog_id]["assignments"] == len(assignments)
        assert index[catalog_id]["recommendations"] == len(accepted)
    library = archive(jobs[ENTITIES_JOB])["libraries/RefArchSharedLibrary/library.xml"]
    records = sum(len(codes) for _, codes in REFERENCE_ENTITIES.values())
    assert len(library.findall(f"{LIB}content")) == records
    assert sfcc.store.libraries == {"RefArchSharedLibrary": set(sfcc.store.libraries["RefArchSharedLibrary"])}
    assert len(sfcc.store.libraries["RefArchSharedLibrary"]) == records

    # In Akeneo: a product of both sites is disabled; the next full import sets it offline
    # and deletes its assignments in each storefront.
    both = next(
        p for p in products
        if p["enabled"] and not p["parent"] and {site(c) for c in p["categories"]} >= set(SITES.values())
    )  # fmt: skip
    (out / "products.jsonl").write_text(
        "".join(json.dumps({**p, "enabled": p["identifier"] != both["identifier"] and p["enabled"]}) + "\n"
                for p in products)
    )  # fmt: skip
    with DemoAkeneoServer(out) as akeneo:
        configure(akeneo, sfcc, two_sites=True)
        again = run(FULL_PRODUCTS)
    files = archive(again)
    offline = files[f"catalogs/{MASTER}/catalog.xml"].xpath(
        "/c:catalog/c:product[c:online-flag='false']/@product-id", namespaces=NS
    )
    assert offline == [both["identifier"]]
    for catalog_id in SITES:
        gone = {pair for pair in assigned(files[f"catalogs/{catalog_id}/catalog.xml"], "delete")}
        assert gone and {pid for pid, _ in gone} == {both["identifier"]}
    index = sfcc.store.catalogs()
    assert index[MASTER]["offline"] == 1
    assert not any(
        pair.startswith(both["identifier"] + ">") for c in SITES for pair in sfcc.store.assignments[c]
    )


def test_icecat_with_one_site(worker, sfcc, tmp_path):
    out = tmp_path / "icecat"
    shutil.copytree(ICECAT_API, out)
    products = read(out, "products.jsonl")
    models = read(out, "product-models.jsonl")
    with DemoAkeneoServer(out) as akeneo:
        configure(akeneo, sfcc, two_sites=False)
        flow = run(FULL_PIPELINE)
    jobs = children(flow)
    assert len(jobs) == 4
    for execution in jobs.values():
        archive(execution)
    files = archive(jobs[FULL_PRODUCTS])
    assert [name for name in files if name.endswith("catalog.xml")] == [f"catalogs/{MASTER}/catalog.xml"]
    master = files[f"catalogs/{MASTER}/catalog.xml"]
    enabled = {p["identifier"] for p in products if p["enabled"]}
    roots = {m["code"] for m in models if not m["parent"]}
    assert set(master.xpath("/c:catalog/c:product/@product-id", namespaces=NS)) == enabled | roots
    assignments = assigned(master)
    assert {pid for pid, _ in assignments} <= enabled | roots and assignments
    assert recommended(master) == set()  # icecat has no associations
    index = sfcc.store.catalogs()
    assert set(index) == {MASTER}
    assert index[MASTER]["kind"] == "master+storefront"
    assert index[MASTER]["assignments"] == len(assignments)
    # This Akeneo has no reference entities: job 4 writes an empty library.
    library = archive(jobs[ENTITIES_JOB])["libraries/RefArchSharedLibrary/library.xml"]
    assert library.findall(f"{LIB}content") == []

    disabled = next(p for p in products if p["enabled"] and not p["parent"] and p["categories"])
    (out / "products.jsonl").write_text(
        "".join(json.dumps({**p, "enabled": False} if p is disabled else p) + "\n" for p in products)
    )
    with DemoAkeneoServer(out) as akeneo:
        configure(akeneo, sfcc, two_sites=False)
        again = run(FULL_PRODUCTS)
    master = archive(again)[f"catalogs/{MASTER}/catalog.xml"]
    offline = master.xpath("/c:catalog/c:product[c:online-flag='false']/@product-id", namespaces=NS)
    assert offline == [disabled["identifier"]]
    assert {pid for pid, _ in assigned(master, "delete")} == {disabled["identifier"]}
    assert sfcc.store.catalogs()[MASTER]["offline"] == 1
