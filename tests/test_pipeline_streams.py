"""A full product import over several concurrent streams exports what one stream exports, every
product once, within the PIM's concurrency limit; a PIM that allows fewer calls answers 429s
that are waited out without losing a page; a failing stream ends the execution ERROR and leaves
the watermark. The demo Akeneo serves a generated catalog edited over a year (`updated_spread`)."""

from __future__ import annotations

import threading
import time
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import runner, services
from jobs.akeneo.client import AkeneoClient, Page
from jobs.models import ExitStatus, Watermark
from jobs.pipeline.definitions import FULL_PRODUCTS
from jobs.pipeline.partitioned import PRODUCT_MODELS, PRODUCTS, _Keys, listing
from jobs.pipeline.products import WATERMARK
from tests.reliability.helpers import configure_import, execution_log

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}
YEAR = 365 * 86_400


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("akeneo-streams")
    write_catalog(out, products=1_500, seed=11)
    return out


@pytest.fixture
def akeneo(catalog_dir):
    server = DemoAkeneoServer(catalog_dir, updated_spread=YEAR, concurrency=4).start()
    yield server
    server.stop()


def client_of(server: DemoAkeneoServer, **kwargs) -> AkeneoClient:
    return AkeneoClient(
        server.url,
        client_id="demo_client",
        secret="demo_secret",
        username="admin",
        password="admin",
        **kwargs,
    )


def keys(client, kind, streams: int, workdir: Path, on_page=None) -> list[str]:
    found: list[str] = []
    until = datetime.now(UTC)
    with listing(
        client, kind, None, query={}, streams=streams, until=until, workdir=workdir, log=print
    ) as pages:
        for number, page in enumerate(pages):
            found += [kind.key(item) for item in page.items]
            if on_page:
                on_page(number, page)
    return found


def test_it_lists_every_record_once_over_four_streams_even_when_records_change_meanwhile(akeneo, tmp_path):
    with client_of(akeneo) as client:
        single = keys(client, PRODUCTS, 1, tmp_path)
        assert len(single) == 1_500 == len(set(single))
        # Changed before the import reached them: out of every range, read by the last one.
        moved = [p["identifier"] for p in client.products(attributes=["sku"])][::100]
        akeneo.touch_products(moved, time.time() + 3_600)
        changed_after_read: list[str] = []

        def change_what_was_read(number, page):
            if number == 0:  # read already, now changed: the last range must leave them out
                changed_after_read.extend(p["identifier"] for p in page.items[:5])
                akeneo.touch_products(changed_after_read, time.time() + 3_600)

        split = keys(client, PRODUCTS, 4, tmp_path, change_what_was_read)
        assert len(changed_after_read) == 5
        assert Counter(split) == Counter(single)  # every product, once
        models = keys(client, PRODUCT_MODELS, 4, tmp_path)
        assert Counter(models) == Counter(keys(client, PRODUCT_MODELS, 1, tmp_path))
    stats = akeneo.statistics()
    assert stats["peak_in_flight"] <= 4 and stats.get("fault_concurrency", 0) == 0  # no 429 storm


def test_it_stops_every_stream_when_the_reader_leaves_early(akeneo, tmp_path):
    akeneo.faults.set(latency=0.2)  # each range takes seconds to page: the streams are still at it
    with client_of(akeneo) as client:
        until = datetime.now(UTC)
        with listing(
            client, PRODUCTS, None, query={}, streams=4, until=until, workdir=tmp_path, log=print
        ) as pages:
            first = next(pages)
            assert first.items_count == 1_500  # the count of the whole listing, for the progress bar
            assert any(t.name == "akeneo-prefetch" for t in threading.enumerate())  # still paging
        assert not [t for t in threading.enumerate() if t.name == "akeneo-prefetch"]


# --- the full import, run in this process --------------------------------------------------

pipeline = pytest.mark.django_db(transaction=True)


def run_full():
    execution = services.execution_create(job_id=FULL_PRODUCTS)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def exported_products(execution) -> dict[str, bytes]:
    """product-id → the product element. A master's variants and variation image groups are
    sorted: they are written in the order its variants arrive, which the split changes."""
    [artifact] = execution.artifacts
    with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
        name = next(n for n in archive.namelist() if n.endswith("catalog.xml"))
        catalog = etree.fromstring(archive.read(name))
    products: dict[str, bytes] = {}
    ids = Counter(catalog.xpath("/c:catalog/c:product/@product-id", namespaces=NS))
    assert set(ids.values()) == {1}, [k for k, v in ids.items() if v > 1]
    for element in catalog.xpath("/c:catalog/c:product", namespaces=NS):
        for group in element.xpath(".//c:variants | .//c:images", namespaces=NS):
            group[:] = sorted(group, key=lambda child: etree.tostring(child, method="c14n"))
        products[element.get("product-id")] = etree.tostring(element, method="c14n")
    return products


@pipeline
def test_it_exports_over_four_streams_what_one_stream_exports(akeneo, no_enqueue):
    configure_import(akeneo.url, akeneo={"concurrency": 1})
    one = run_full()
    assert one.exit_status in (ExitStatus.OK, ExitStatus.WARN), one.message
    configure_import(akeneo.url, akeneo={"concurrency": 4})
    four = run_full()
    assert four.exit_status == one.exit_status, four.message
    assert exported_products(four) == exported_products(one)
    log = execution_log(four)
    assert "1,500 products in 4 ranges of `updated`" in log
    stats = akeneo.statistics()
    assert stats["peak_in_flight"] <= 4 and stats.get("fault_concurrency", 0) == 0


@pipeline
def test_it_waits_out_429s_of_a_pim_that_allows_fewer_calls_and_loses_nothing(akeneo, no_enqueue):
    configure_import(akeneo.url, akeneo={"concurrency": 1})
    expected = exported_products(run_full())
    akeneo.faults.set(concurrency=2, retry_after=0.2, latency=0.05)
    configure_import(akeneo.url, akeneo={"concurrency": 4})
    execution = run_full()
    assert execution.exit_status in (ExitStatus.OK, ExitStatus.WARN), execution.message
    assert exported_products(execution) == expected
    assert akeneo.statistics()["fault_concurrency"] >= 1  # Akeneo did refuse calls, and they were retried
    log = execution_log(execution)
    assert "HTTP 429" in log and "at once from now on" in log


@pipeline
def test_it_ends_error_and_keeps_the_watermark_when_a_stream_fails(akeneo, no_enqueue):
    configure_import(akeneo.url, akeneo={"concurrency": 4})
    first = run_full()
    assert first.exit_status in (ExitStatus.OK, ExitStatus.WARN), first.message
    watermark = Watermark.objects.get(key=WATERMARK).value
    # The middle ranges' queries (`BETWEEN`) fail; counts and the first and last ranges do not.
    akeneo.faults.set(fail_search='"BETWEEN"', fail_search_status=400)
    failed = run_full()
    assert failed.exit_status == ExitStatus.ERROR
    assert "HTTP 400" in failed.message
    assert Watermark.objects.get(key=WATERMARK).value == watermark
    assert not failed.artifacts


def test_the_exported_keys_file_leaves_out_what_was_handed_on_whatever_the_key(tmp_path):
    """Late records already handed on are left out by key, any key: one that orjson refuses
    (a lone surrogate) goes through the standard encoder and comes back the same."""
    odd = ["sku-1", 'quote"d', "line\nbreak", "ünï©ødé", "lone\udc80surrogate"]
    with _Keys(tmp_path) as exported:
        exported.add(odd)
        late = [Page(items=[{"identifier": key} for key in [*odd, "new-1"]], number=1)]
        kept = list(exported.unseen(late, PRODUCTS.key))
        assert [item["identifier"] for page in kept for item in page.items] == ["new-1"]
        again = [Page(items=[{"identifier": "new-1"}], number=2)]
        assert [p.items for p in exported.unseen(again, PRODUCTS.key)] == [[]]
