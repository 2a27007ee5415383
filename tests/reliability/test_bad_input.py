"""Bad input: a configuration that cannot work is refused naming its fields; products and
categories that cannot be imported as they are are logged by identifier, counted as data
errors, and everything else is imported."""

import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from lxml import etree

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import config as import_config
from jobs import runner, services
from jobs.models import ExitStatus
from jobs.pipeline.definitions import FULL_PRODUCTS
from tests.reliability.helpers import configure_import, execution_log
from tests.test_config_pages import form_data

pytestmark = pytest.mark.django_db(transaction=True)

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there
MEGABYTE = 1024 * 1024


def test_it_refuses_wrong_types_and_unknown_keys_naming_every_field():
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["timeout"] = "sixty"
    document["akeneo"]["url"] = "ftp://pim.example.com"
    document["import"]["error_threshold"] = -1
    document["filters"]["products"]["families"] = "shoes"
    document["delivery"]["colour"] = "blue"
    document["surprise"] = {}
    with pytest.raises(import_config.ConfigInvalid) as refused:
        import_config.save(document)
    problems = "\n".join(refused.value.problems)
    for field in (
        "akeneo.timeout: must be a number",
        "akeneo.url: must be an http(s) URL",
        "import.error_threshold: must be between",
        "filters.products.families: must be a list of strings",
        "delivery.colour: unknown field",
        "surprise: unknown field",
    ):
        assert field in problems, field
    assert not import_config.ConfigVersion.objects.exists()  # nothing of it was kept


def test_it_names_an_unreachable_akeneo_on_test_connection_and_in_the_run(client, users, no_enqueue):
    client.force_login(users["admin"])
    typed = {"akeneo_secret": "a-secret", "akeneo_password": "a-password"}  # a new host needs them typed
    response = client.post(reverse("config_test_akeneo"), form_data(akeneo_url=UNREACHABLE, **typed))
    assert response.context["test"]["section"] == "akeneo"
    assert response.context["test"]["error"].endswith(
        "refused the connection: nothing is listening on that port."
    )
    assert response.context["test"]["detail"].startswith("Akeneo unreachable: ConnectionError on POST")

    # Saving is allowed (Akeneo may be down for maintenance); the run names the cause.
    configure_import(UNREACHABLE)
    execution = services.execution_create(job_id=FULL_PRODUCTS)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert execution.exit_status == ExitStatus.ERROR
    assert "Akeneo unreachable" in execution.message and "/api/oauth/v1/token" in execution.message


def product(identifier, **fields):
    return {"identifier": identifier, "enabled": True, "family": None, "parent": None, "categories": [],
            "groups": [], "associations": {}, "values": {}, **fields}  # fmt: skip


def text(data, locale="en_US"):
    return [{"locale": locale, "scope": None, "data": data}]


@pytest.fixture
def bad_catalog(tmp_path, no_enqueue):
    out = tmp_path / "akeneo"
    write_catalog(out, products=60, seed=11)
    family = json.loads((out / "products.jsonl").read_text().splitlines()[0])["family"]
    bad = [
        product("ctrl-chars", family=family, values={"name": text("Bad\x00 na\x07me \x1b]]> ok")}),
        product("huge-name", family=family, values={"name": text("n" * MEGABYTE)}),
        product("huge-description", family=family, values={"description": [
            {"locale": "en_US", "scope": "ecommerce", "data": "<p>" + "d" * MEGABYTE + "</p>"}]}),
        product("unknown-locale", family=family, values={"name": text("Nom", locale="xx_XX")}),
        product("missing-family", family="no_such_family"),
        product("dangling-parent", family=family, parent="no_such_model"),
        product("loop-category", family=family, categories=["loop_a"]),
    ]  # fmt: skip
    with open(out / "products.jsonl", "a") as file:
        file.writelines(json.dumps(item) + "\n" for item in bad)
    with open(out / "categories.jsonl", "a") as file:
        for code, parent in [("loop_a", "loop_b"), ("loop_b", "loop_a"), ("orphan", "no_such_category")]:
            file.write(json.dumps({"code": code, "parent": parent, "labels": {"en_US": code}}) + "\n")
    server = DemoAkeneoServer(out).start()
    yield out, server
    server.stop()


def catalog_xml(execution) -> etree._Element:
    [artifact] = execution.artifacts
    with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
        name = next(n for n in archive.namelist() if n.endswith("catalog.xml"))
        return etree.fromstring(archive.read(name), parser=etree.XMLParser(huge_tree=True))


def test_it_counts_bad_products_and_categories_as_data_errors(bad_catalog):
    out, server = bad_catalog
    configure_import(server.url)
    execution = services.execution_create(job_id=FULL_PRODUCTS)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()

    assert execution.exit_status == ExitStatus.WARN, execution.message
    log = execution_log(execution)
    expected = {
        "ctrl-chars": "name: control characters removed",
        "huge-name": "name: 1,048,576 bytes, more than the 4,000 SFCC keeps in a string; cut",
        "missing-family": "unknown family 'no_such_family'",
        "dangling-parent": "parent model 'no_such_model' does not exist; skipped",
        "loop_a": "circular category parents",
        "loop_b": "circular category parents",
        "orphan": "parent category 'no_such_category' of 'orphan' does not exist",
    }
    for identifier, message in expected.items():
        assert f"DATAERROR {identifier}: {message}" in log, identifier
    assert execution.data_error_count >= len(expected)
    assert execution.data_errors.filter(identifier__in=expected).count() >= len(expected)

    catalog = catalog_xml(execution)
    exported = set(catalog.xpath("/c:catalog/c:product/@product-id", namespaces=NS))
    everyone = {json.loads(line)["identifier"] for line in (out / "products.jsonl").read_text().splitlines()}
    assert exported >= everyone - {"dangling-parent"} - _variants(out)
    assert "dangling-parent" not in exported
    categories = set(catalog.xpath("/c:catalog/c:category/@category-id", namespaces=NS))
    assert not categories & {"loop_a", "loop_b", "orphan"}
    # The pipeline asks Akeneo for the imported locales only: a value in any other never arrives.
    unknown = catalog.xpath("/c:catalog/c:product[@product-id='unknown-locale']", namespaces=NS)
    assert len(unknown) == 1 and b"Nom" not in etree.tostring(unknown[0])
    names = catalog.xpath(
        "/c:catalog/c:product[@product-id='huge-name']/c:display-name/text()", namespaces=NS
    )
    assert names and {len(name) for name in names} == {4000}  # en-US and x-default
    description = catalog.xpath(
        "/c:catalog/c:product[@product-id='huge-description']/c:long-description/text()", namespaces=NS
    )
    assert len(description[0]) > MEGABYTE  # an html value has no such limit: kept whole


def _variants(out) -> set[str]:
    """Products with a parent are exported as variants of their master, not on their own."""
    lines = (out / "products.jsonl").read_text().splitlines()
    return {p["identifier"] for p in map(json.loads, lines) if p["parent"]}
