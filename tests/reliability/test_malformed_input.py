"""Records Akeneo should never send, served over HTTP by the demo Akeneo (`extra_items` fault)
to a product import run in this process: each is a data error naming the record and the field,
the rest is imported; an import in which too many products fail ends ERROR and leaves the
differential watermark where it was; a price in a currency the channel lacks is no crash."""

import json
import random
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import runner, services
from jobs.models import ExitStatus, Watermark
from jobs.pipeline.common import failed_items_verdict
from jobs.pipeline.definitions import DIFFERENTIAL_PRODUCTS, FULL_PRODUCTS, MEDIA_PRICEBOOK
from jobs.pipeline.products import WATERMARK
from tests.reliability.helpers import configure_import, execution_log
from tests.transform.test_malformed_records import spoiled

pytestmark = pytest.mark.django_db(transaction=True)

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}
PB = {"p": "http://www.demandware.com/xml/impex/pricebook/2006-10-31"}


@pytest.fixture(params=[True, False], ids=["products-uuid", "products"])
def akeneo(request, tmp_path, no_enqueue):
    out = tmp_path / "akeneo"
    write_catalog(out, products=40, seed=5)
    server = DemoAkeneoServer(out, uuid_products=request.param).start()
    yield out, server
    server.stop()


def catalog_products(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "products.jsonl").read_text().splitlines()]


def standalone(out: Path, identifier: str, **fields) -> dict:
    """A well-formed product without parent, of a family the catalog has."""
    template = next(p for p in catalog_products(out) if not p["parent"])
    return {**template, "identifier": identifier, "associations": {}, "quantified_associations": {}, **fields}


def run(job_id: str):
    execution = services.execution_create(job_id=job_id)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def archive_file(execution, suffix: str) -> bytes | None:
    [artifact] = execution.artifacts
    with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
        name = next((n for n in archive.namelist() if n.endswith(suffix)), None)
        return archive.read(name) if name else None


def exported(execution) -> set[str]:
    catalog = etree.fromstring(archive_file(execution, "catalog.xml"))
    return set(catalog.xpath("/c:catalog/c:product/@product-id", namespaces=NS))


def well_formed(out: Path) -> set[str]:
    """What the catalog exports without the extra items: its products but variants (written
    under their masters), and its root models (as masters)."""
    products = {p["identifier"] for p in catalog_products(out) if not p["parent"]}
    models = [json.loads(line) for line in (out / "product-models.jsonl").read_text().splitlines()]
    return products | {m["code"] for m in models if not m.get("parent")}


def test_it_reports_every_malformed_shape_by_name_and_field_and_imports_the_rest(akeneo):
    out, server = akeneo
    server.faults.set(
        extra_items={
            "products": [
                42,
                None,
                standalone(out, "values-nope", values="nope"),
                standalone(out, "family-seven", family=7),
                standalone(out, "values-string", values={"name": "just a string"}),
                standalone(
                    out, "price-x", values={"price": [{"locale": None, "scope": None, "data": ["x"]}]}
                ),
                standalone(out, "associations-five", associations=5),
                standalone(out, "parent-object", parent={"code": "model"}),
            ],
            "product-models": [7, {"code": "bad-model", "family_variant": "x", "values": "nope"}],
            "categories": [42, {"code": "bad-category", "parent": {"code": "master"}}],
        }
    )
    configure_import(server.url)
    media = run(MEDIA_PRICEBOOK)  # job 2 lists the same records for their images
    assert media.exit_status in (ExitStatus.OK, ExitStatus.WARN), media.message
    execution = run(FULL_PRODUCTS)

    assert execution.exit_status == ExitStatus.WARN, execution.message
    log = execution_log(execution)
    assert "Traceback" not in log
    for line in [
        "DATAERROR unnamed product: malformed record: 42 (a number) is not an object (skipped)",
        "DATAERROR unnamed product: malformed record: None is not an object (skipped)",
        "DATAERROR values-nope: malformed record: values: 'nope' (a string) is not an object (skipped)",
        "DATAERROR family-seven: malformed record: family: 7 (a number) is not a string (skipped)",
        "DATAERROR values-string: name: 'just a string' (a string) is not a list of values; ignored",
        "DATAERROR price-x: price: price 'x' (a string) is not an object of amount and currency; ignored",
        "DATAERROR associations-five: malformed record: associations: 5 (a number) is not an object",
        "DATAERROR parent-object: malformed record: parent: {'code': 'model'} (an object) is not a string",
        "DATAERROR unnamed product model: malformed record: 7 (a number) is not an object (skipped)",
        "DATAERROR bad-model: malformed record: values: 'nope' (a string) is not an object (skipped)",
        "DATAERROR unnamed category: malformed record: 42 (a number) is not an object; not imported",
        "DATAERROR bad-category: malformed record: parent: {'code': 'master'} (an object) is not a string",
    ]:
        assert line in log, line
    names = exported(execution)
    assert names >= well_formed(out) | {"values-string", "price-x"}
    assert not names & {"values-nope", "family-seven", "associations-five", "parent-object", "bad-model"}


def test_it_never_fails_on_random_shapes_and_names_each_bad_product(tmp_path, no_enqueue):
    out = tmp_path / "akeneo"
    write_catalog(out, products=40, seed=8)
    rng = random.Random(614)  # seeded: the same 40 shapes on every run
    bad = [spoiled(rng, standalone(out, f"spoiled-{n}")) for n in range(40)]
    with DemoAkeneoServer(out).start() as server:
        server.faults.set(extra_items={"products": bad})
        configure_import(server.url, **{"import": {"failed_percent": None}})  # however many fail
        execution = run(FULL_PRODUCTS)
    assert execution.exit_status == ExitStatus.WARN, execution.message
    log = execution_log(execution)
    assert "Traceback" not in log
    names = exported(execution)
    assert names >= well_formed(out)
    for item in bad:
        identifier = item.get("identifier") if isinstance(item, dict) else None
        if isinstance(identifier, str) and identifier.startswith("spoiled-") and identifier not in names:
            assert f"DATAERROR {identifier}: " in log, identifier  # not imported, and said so


def test_it_fails_an_import_in_which_every_product_failed_and_keeps_the_watermark(tmp_path, no_enqueue):
    out = tmp_path / "akeneo"
    write_catalog(out, products=20, seed=3)
    with DemoAkeneoServer(out).start() as server:
        configure_import(server.url)
        first = run(FULL_PRODUCTS)
        assert first.exit_status in (ExitStatus.OK, ExitStatus.WARN), first.message
        watermark = Watermark.objects.get(key=WATERMARK)
        assert watermark.execution_id == first.pk

        # Nothing changed but 25 products, all malformed: not one product could be imported.
        server.faults.set(extra_items={"products": [standalone(out, f"b{n}", values="x") for n in range(25)]})
        broken = run(DIFFERENTIAL_PRODUCTS)
        assert broken.exit_status == ExitStatus.ERROR, broken.message
        assert broken.message == (
            "export-products: none of the 25 products and product models read could be imported"
        )
        assert not broken.artifacts  # nothing built or delivered
        assert Watermark.objects.get(key=WATERMARK).execution_id == first.pk

        # More than 10 % of a full import, and more than 10 products, is no success either.
        full = run(FULL_PRODUCTS)
        assert full.exit_status == ExitStatus.ERROR, full.message
        assert "more than the configured 10 % (with at least 10)" in full.message
        assert Watermark.objects.get(key=WATERMARK).execution_id == first.pk

        # A few bad products: WARN, imported, and the watermark moves on.
        server.faults.set(extra_items={"products": [42, standalone(out, "b1", values="x")]})
        few = run(FULL_PRODUCTS)
        assert few.exit_status == ExitStatus.WARN, few.message
        assert Watermark.objects.get(key=WATERMARK).execution_id == few.pk

        # The check can be turned off: then even a run in which everything failed ends WARN.
        server.faults.set(extra_items={"products": [standalone(out, f"b{n}", values="x") for n in range(25)]})
        configure_import(server.url, **{"import": {"failed_percent": None}})
        unchecked = run(DIFFERENTIAL_PRODUCTS)
        assert unchecked.exit_status == ExitStatus.WARN, unchecked.message


def test_it_leaves_out_prices_in_a_currency_the_channel_lacks(tmp_path, no_enqueue):
    out = tmp_path / "akeneo"
    write_catalog(out, products=10, seed=4)  # the channel sells in USD and EUR, not GBP
    prices = [{"amount": "9.99", "currency": "GBP"}, {"amount": "11.00", "currency": "EUR"}]
    pound = standalone(out, "pound", values={"price": [{"locale": None, "scope": None, "data": prices}]})
    with DemoAkeneoServer(out).start() as server:
        server.faults.set(extra_items={"products": [pound]})
        configure_import(server.url)
        execution = run(FULL_PRODUCTS)
        assert execution.exit_status in (ExitStatus.OK, ExitStatus.WARN), execution.message
        assert "1 price in GBP not exported: GBP is not a currency of the channel 'ecommerce'" in (
            execution_log(execution)
        )
        assert archive_file(execution, "akeneo-gbp-list-prices.xml") is None
        euro = etree.fromstring(archive_file(execution, "akeneo-eur-list-prices.xml"))
        amounts = euro.xpath("//p:price-table[@product-id='pound']/p:amount/text()", namespaces=PB)
        assert amounts == ["11.00"]

        # Asked for by the configuration, GBP gets its pricebook, in GBP.
        configure_import(server.url, mapping={"currencies": ["EUR", "GBP"]})
        configured = run(FULL_PRODUCTS)
    assert configured.exit_status in (ExitStatus.OK, ExitStatus.WARN), configured.message
    pounds = etree.fromstring(archive_file(configured, "akeneo-gbp-list-prices.xml"))
    assert pounds.xpath("//p:header/p:currency/text()", namespaces=PB) == ["GBP"]
    assert pounds.xpath("//p:price-table[@product-id='pound']/p:amount/text()", namespaces=PB) == ["9.99"]


@pytest.mark.parametrize(
    ("read", "failed", "written", "fails"),
    [
        (20, 12, 8, True),  # 60 % and 12 ≥ 10
        (20, 9, 11, False),  # 45 %, but fewer than 10: a few bad records of a small catalog
        (20, 20, 0, True),  # none imported, whatever the minimum
        (3, 3, 0, True),
        (1000, 100, 900, False),  # exactly 10 % is not more than 10 %
        (1000, 101, 899, True),
        (0, 0, 0, False),  # a differential run with nothing changed
    ],
)
def test_it_fails_an_import_past_the_percentage_and_the_minimum(read, failed, written, fails):
    verdict = failed_items_verdict(read, failed, written, percent=10, minimum=10)
    assert (verdict is not None) == fails
    assert failed_items_verdict(read, failed, written, percent=None, minimum=10) is None
