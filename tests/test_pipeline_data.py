"""The import jobs on bad data and with filters, run in-process over HTTP against the demo
Akeneo: bad items are logged with their identifiers and counted, everything else imported."""

import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import config as import_config
from jobs import runner, services
from jobs.akeneo.client import AkeneoClient
from jobs.joblog import log_path
from jobs.models import ExitStatus
from jobs.pipeline.definitions import ATTRIBUTES, FULL_PRODUCTS, MEDIA_PRICEBOOK
from tests.conftest import ICECAT_API

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}


@pytest.fixture(autouse=True)
def _in_process(no_enqueue):
    """These tests run the jobs in this process; test_pipeline_e2e runs them on a worker."""


def configure(url, **filters):
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = url
    document["delivery"] = {"target": "local"}
    document["filters"]["products"].update(filters)
    import_config.save(document)


def run(job_id):
    execution = services.execution_create(job_id=job_id)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def exported_products(execution) -> list[str]:
    [artifact] = execution.artifacts
    with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
        name = next(n for n in archive.namelist() if n.endswith("catalog.xml"))
        catalog = etree.fromstring(archive.read(name))
    return catalog.xpath("/c:catalog/c:product/@product-id", namespaces=NS)


@pytest.fixture
def bad_catalog(tmp_path):
    """A generated catalog with its deliberately bad records, plus two more: text with
    control characters and a product without a family."""
    out = tmp_path / "akeneo"
    write_catalog(out, products=120, seed=7, bad_records=True)
    with open(out / "products.jsonl", "a") as file:
        for product in [
            {"identifier": "ctrl-chars", "enabled": True, "family": None, "parent": None, "categories": [],
             "groups": [], "associations": {}, "values": {"name": [{"locale": "en_US", "scope": None,
             "data": "Bad\x00 na\x07me \x1b]]> ok"}]}},
        ]:  # fmt: skip
            file.write(json.dumps(product) + "\n")
    server = DemoAkeneoServer(out, missing_media_404=True).start()
    yield out, server
    server.stop()


def test_it_counts_bad_items_and_imports_everything_else(bad_catalog):
    out, server = bad_catalog
    configure(server.url)
    assert run(ATTRIBUTES).exit_status == ExitStatus.OK
    media = run(MEDIA_PRICEBOOK)
    assert media.exit_status == ExitStatus.WARN
    assert "missing_" in log_path(media.log_file_name).read_text()  # the missing image, by code

    products = run(FULL_PRODUCTS)
    assert products.exit_status == ExitStatus.WARN, products.message
    assert products.message.endswith("data errors")
    log = log_path(products.log_file_name).read_text()
    spoiled = [json.loads(line) for line in (out / "products.jsonl").read_text().splitlines()]
    unknown_attribute = next(p["identifier"] for p in spoiled if "legacy_code" in p["values"])
    unknown_family = next(p["identifier"] for p in spoiled if p["family"] == "discontinued_family")
    for identifier in [unknown_attribute, unknown_family, "ctrl-chars"]:
        assert f"DATAERROR {identifier}:" in log, identifier
    assert "unknown attribute 'legacy_code'" in log
    assert "DATAERROR ctrl-chars: name: control characters removed" in log
    assert "unknown family 'discontinued_family'" in log
    assert products.data_error_count == products.data_errors.count() >= 4
    exported = exported_products(products)
    skipped = {p.identifier for p in products.data_errors.all() if "(skipped)" in p.message}
    everyone = {p["identifier"] for p in spoiled}
    assert set(exported) >= everyone - skipped - {p["parent"] for p in spoiled if p["parent"]}
    assert len(exported) == len(set(exported))


def test_it_fails_once_the_error_threshold_is_passed(bad_catalog):
    out, server = bad_catalog
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = server.url
    document["delivery"] = {"target": "local"}
    document["import"]["error_threshold"] = 1
    import_config.save(document)
    execution = run(FULL_PRODUCTS)
    assert execution.exit_status == ExitStatus.ERROR
    assert "more than the configured threshold of 1" in execution.message


@pytest.fixture(scope="module")
def icecat_server():
    server = DemoAkeneoServer(ICECAT_API).start()
    yield server
    server.stop()


def akeneo_answer(server, search) -> set[str]:
    """What Akeneo itself returns for a filter: the pipeline must export exactly that set."""
    with AkeneoClient(server.url, client_id="demo_client", secret="demo_secret", username="admin",
                      password="admin") as client:  # fmt: skip
        return {p["identifier"] for p in client.products(search)}


def test_it_exports_only_the_families_asked_for(icecat_server):
    configure(icecat_server.url, families=["clothing", "shoes"])
    exported = set(exported_products(run(FULL_PRODUCTS)))
    families = {
        json.loads(line)["identifier"]: json.loads(line)["family"]
        for line in (ICECAT_API / "products.jsonl").read_text().splitlines()
    }
    products = {identifier for identifier in exported if identifier in families}
    assert products and {families[i] for i in products} <= {"clothing", "shoes"}
    expected = {i for i, family in families.items() if family in ("clothing", "shoes")}
    assert products == expected


def test_it_exports_only_complete_products(icecat_server):
    configure(icecat_server.url, completeness={"percent": 100, "locales": ["en_US"]})
    exported = set(exported_products(run(FULL_PRODUCTS)))
    search = {"completeness": [{"operator": ">=", "value": 100, "scope": "ecommerce", "locales": ["en_US"]}]}
    complete = akeneo_answer(icecat_server, search)
    everything = akeneo_answer(icecat_server, None)
    assert complete and complete < everything
    assert exported & everything == complete
