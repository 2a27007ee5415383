"""The cartridge's data model end to end, through the runner on the generated demo catalog:
cross-sells as recommendations, OUTFIT associations as product sets, record links with their
labels, tables as JSON, and reference entities as content assets of the configured library.
Every XML file of the archives validates against Salesforce's schemas."""

import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from demo.akeneo.generator import REFERENCE_ENTITIES, write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import config as import_config
from jobs import runner, services
from jobs.joblog import log_path
from jobs.models import ExitStatus
from jobs.pipeline.definitions import ATTRIBUTES, FULL_PRODUCTS
from jobs.pipeline.definitions import REFERENCE_ENTITIES as ENTITIES_JOB
from tests.conftest import XSD_DIR

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CAT = "{http://www.demandware.com/xml/impex/catalog/2006-10-31}"
LIB = "{http://www.demandware.com/xml/impex/library/2006-10-31}"
SCHEMAS = {
    "http://www.demandware.com/xml/impex/catalog/2006-10-31": "catalog.xsd",
    "http://www.demandware.com/xml/impex/metadata/2006-10-31": "metadata.xsd",
    "http://www.demandware.com/xml/impex/pricebook/2006-10-31": "pricebook.xsd",
    "http://www.demandware.com/xml/impex/library/2006-10-31": "library.xsd",
}


@pytest.fixture(autouse=True)
def _in_process(no_enqueue):
    """In this process; test_pipeline_e2e runs the jobs on a worker."""


@pytest.fixture
def catalog(tmp_path):
    out = tmp_path / "akeneo"
    write_catalog(out, products=150, seed=7)
    server = DemoAkeneoServer(out, entity_page_size=8).start()  # several pages of records
    yield out, server
    server.stop()


def configure(url):
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = url
    document["delivery"] = {"target": "local"}
    document["mapping"] |= {
        "recommendation_types": {"X_SELL": "1"},
        "link_types": {"UPSELL": "up-sell"},
        "quantified_types": {"OUTFIT": "set"},
        "content_library": "RefArchSharedLibrary",
    }
    import_config.save(document)


def run(job_id):
    execution = services.execution_create(job_id=job_id)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def archive_files(execution) -> dict[str, etree._Element]:
    """Every XML file of the execution's archive, each validated against its schema."""
    [artifact] = execution.artifacts
    files = {}
    with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                tree = etree.fromstring(archive.read(name), etree.XMLParser(huge_tree=True))
                schema = etree.XMLSchema(etree.parse(str(XSD_DIR / SCHEMAS[etree.QName(tree).namespace])))
                assert schema.validate(tree), (name, str(schema.error_log)[:2000])
                files[name.split("/", 1)[1]] = tree
    return files


def test_it_imports_recommendations_sets_record_links_and_reference_entities(catalog):
    out, server = catalog
    configure(server.url)
    attributes = run(ATTRIBUTES)
    assert attributes.exit_status == ExitStatus.OK, attributes.message
    meta = archive_files(attributes)["meta/system-objecttype-extensions.xml"]
    ids = {d.get("attribute-id") for d in meta.iter("{*}attribute-definition")}
    assert {"akeneo_designer", "akeneo_designer_label", "akeneo_fabrics_label", "akeneo_size_chart"} <= ids

    products = run(FULL_PRODUCTS)
    assert products.exit_status == ExitStatus.OK, products.message
    [catalog_xml] = [tree for name, tree in archive_files(products).items() if name.endswith("catalog.xml")]
    source = [json.loads(line) for line in (out / "products.jsonl").read_text().splitlines()]
    expected = {
        (p["identifier"], target)
        for p in source
        for target in p["associations"].get("X_SELL", {}).get("products", ())
        if target != p["identifier"]
    }
    recommendations = {
        (r.get("source-id"), r.get("target-id")) for r in catalog_xml.iter(f"{CAT}recommendation")
    }
    assert expected and recommendations == expected
    assert {r.get("type") for r in catalog_xml.iter(f"{CAT}recommendation")} == {"1"}
    assert not [link for link in catalog_xml.iter(f"{CAT}product-link") if link.get("type") == "cross-sell"]
    outfits = {p["identifier"] for p in source if "OUTFIT" in p["quantified_associations"]}
    sets = {el.getparent().get("product-id") for el in catalog_xml.iter(f"{CAT}product-set-products")}
    assert outfits and sets == outfits
    log = log_path(products.log_file_name).read_text()
    assert f"{len(expected):,} recommendations" in log
    labelled = catalog_xml.find(f".//{CAT}custom-attribute[@attribute-id='akeneo_designer_label']")
    assert labelled is not None and labelled.text.startswith("Designer ")
    chart = catalog_xml.find(f".//{CAT}custom-attribute[@attribute-id='akeneo_size_chart']")
    assert {"size", "chest_cm", "length_cm"} == set(json.loads(chart.text)[0])

    entities = run(ENTITIES_JOB)
    assert entities.exit_status == ExitStatus.OK, entities.message
    files = archive_files(entities)
    library = files["libraries/RefArchSharedLibrary/library.xml"]
    records = sum(len(codes) for _, codes in REFERENCE_ENTITIES.values())
    assert (
        len(library.findall(f"{LIB}content"))
        == records
        == entities.steps.get(name="export-reference-entities").write_count
    )
    assert {f.get("folder-id") for f in library.findall(f"{LIB}folder")} == {
        "akeneo_entity_designers",
        "akeneo_entity_fabrics",
    }
    silk = library.find(f"{LIB}content[@content-id='akeneo_entity_fabrics_silk']")
    values = silk.find(f"{LIB}custom-attributes/{LIB}custom-attribute[@attribute-id='akeneo_record_values']")
    assert json.loads(values.text)["label"] == "Silk"
    assert (
        files["meta/system-objecttype-extensions.xml"].find("{*}type-extension").get("type-id") == "Content"
    )


def test_the_flows_end_with_job_4_which_imports_nothing_there_without_a_content_library(catalog):
    from jobs.operations.definitions import DIFFERENTIAL_PIPELINE, FULL_PIPELINE
    from jobs.operations.flows import inner_jobs

    assert inner_jobs(FULL_PIPELINE)[-1] == inner_jobs(DIFFERENTIAL_PIPELINE)[-1] == ENTITIES_JOB
    _, server = catalog
    configure(server.url)
    document = import_config.export_document(with_secrets=True)
    document["mapping"]["content_library"] = ""
    import_config.save(document)
    alone = run(ENTITIES_JOB)
    assert alone.exit_status == ExitStatus.ERROR and "mapping.content_library" in alone.message
    flow = services.execution_create(job_id=FULL_PIPELINE)
    child = services.execution_create(job_id=ENTITIES_JOB, parent=flow)
    runner.run_execution(child.pk)
    child.refresh_from_db()
    assert child.exit_status == ExitStatus.OK, child.message
    assert child.artifacts == []
    assert "reference entities are not imported" in log_path(child.log_file_name).read_text()
