"""Delivery of site archives to the demo SFCC server: upload, import job, log, cleanup."""

import email.utils
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from demo.sfcc.server import DemoSfccServer
from jobs.sfcc.archive import build_archives
from jobs.sfcc.delivery import LocalDelivery, SfccConfig, SfccDelivery, delivery_from_config
from jobs.sfcc.errors import (
    SfccAuthError,
    SfccConfigError,
    SfccJobAlreadyRunningError,
    SfccJobError,
    SfccUnavailableError,
)
from jobs.sfcc.records import CategoryAssignment, PriceTable, Product
from jobs.sfcc.xml import CatalogWriter, MetadataWriter, PricebookWriter

from . import factories


class Recorder:
    """The `log` callback and the injected sleep: remembers both, waits only a moment so the
    demo's worker thread can move the job on."""

    def __init__(self):
        self.lines = []
        self.sleeps = []

    def log(self, level, message):
        self.lines.append((level, message))

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        time.sleep(0.005)

    def text(self):
        return "\n".join(f"{level} {message}" for level, message in self.lines)


@pytest.fixture
def server(tmp_path, xsd_dir):
    demo = DemoSfccServer(schema_dir=xsd_dir, data_dir=tmp_path / "demo").start()
    yield demo
    demo.stop()


@pytest.fixture
def recorder():
    return Recorder()


def delivery(server, recorder, **overrides):
    config = SfccConfig(
        instance_url=server.url,
        client_id="demo-client",
        client_secret="demo-secret",
        token_url=server.token_url,
        poll_interval=1.0,
        job_timeout=2000.0,
        backoff=0.5,
        max_retries=3,
        already_running_wait=5.0,
        **overrides,
    )
    return SfccDelivery(config, log=recorder.log, sleep=recorder.sleep)


def make_archive(tmp_path, products=None, assignments=(), prices=(), name="akeneo_test"):
    staging = tmp_path / f"staging-{name}"
    with MetadataWriter(staging / "meta" / "system-objecttype-extensions.xml") as w:
        for definition in factories.attributes():
            w.attribute(definition)
    with CatalogWriter(staging / "catalogs" / "akeneo-master" / "catalog.xml", factories.header()) as w:
        for category in factories.categories():
            w.category(category)
        for product in products if products is not None else factories.master_family():
            w.product(product)
        for assignment in assignments:
            w.assignment(assignment)
    with PricebookWriter(
        staging / "pricebooks" / "akeneo-eur-list-prices.xml", factories.pricebook_header()
    ) as w:
        for table in prices:
            w.price(table)
    [archive] = build_archives(staging, tmp_path / "out", name)
    return archive.path


def test_it_imports_an_archive_and_removes_the_upload(tmp_path, server, recorder):
    archive = make_archive(
        tmp_path, assignments=factories.assignments(), prices=[PriceTable("apollon_red_l", 10)]
    )
    result = delivery(server, recorder).deliver(archive)

    assert result.exit_status == "OK"
    assert result.data_errors == []
    assert result.archive_removed
    assert server.impex_files() == []
    assert "apollon_blue_m" in server.store.products["akeneo-master"]
    assert server.store.pricebooks["akeneo-eur-list-prices"] == {"apollon_red_l"}
    text = recorder.text()
    for step in ("Uploading akeneo_test.zip", "Started sfcc-site-archive-import", ": pending", ": finished"):
        assert step in text
    assert "Read job log" in text and "Removed akeneo_test.zip" in text
    assert "demo-secret" not in text and "Bearer" not in text


def test_it_returns_rejected_records_as_data_errors(tmp_path, server, recorder):
    products = [Product("orphan_master", variants=["missing_variant"]), Product("fine")]
    assignments = [CategoryAssignment("fine", "no_such_category"), CategoryAssignment("fine", "men")]
    prices = [PriceTable("ghost", 5), PriceTable("fine", 7)]
    archive = make_archive(tmp_path, products, assignments, prices)

    result = delivery(server, recorder).deliver(archive)

    assert result.exit_status == "OK"
    assert sorted(e.identifier for e in result.data_errors) == ["fine", "ghost", "orphan_master"]
    assert any("no_such_category" in e.message for e in result.data_errors)
    assert "fine" in server.store.products["akeneo-master"]
    assert "orphan_master" not in server.store.products["akeneo-master"]
    assert "SFCC rejected ghost" in recorder.text()


def test_it_fails_clearly_when_the_import_ends_with_error(tmp_path, server, recorder):
    archive = make_archive(tmp_path)
    server.fail_imports = True
    with pytest.raises(SfccJobError, match="ended ERROR"):
        delivery(server, recorder).deliver(archive)
    assert server.impex_files() == []


def test_it_fails_clearly_on_a_broken_archive(tmp_path, server, recorder):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(SfccJobError, match="not a valid zip"):
        delivery(server, recorder).deliver(broken)


def test_it_retries_webdav_5xx_then_succeeds(tmp_path, server, recorder):
    archive = make_archive(tmp_path)
    server.webdav_failures = 2
    result = delivery(server, recorder).deliver(archive)
    assert result.exit_status == "OK"
    # Bounded exponential backoff with jitter: each wait between half its ceiling and the ceiling.
    assert 0.25 <= recorder.sleeps[0] <= 0.5 and 0.5 <= recorder.sleeps[1] <= 1.0
    assert (
        "SFCC: HTTP 503 on PUT /on/demandware.servlet/webdav/Sites/Impex/src/instance/akeneo_test.zip (attempt 1 of 4)"
        in recorder.text()
    )
    assert [m for m, p in server.requests if p.endswith("akeneo_test.zip") and m == "PUT"] == ["PUT"] * 3


def test_it_gives_up_clearly_when_webdav_keeps_failing(tmp_path, server, recorder):
    archive = make_archive(tmp_path)
    server.webdav_failures = 100
    with pytest.raises(SfccUnavailableError, match="PUT .*akeneo_test.zip failed after 4 attempts: HTTP 503"):
        delivery(server, recorder).deliver(archive)
    assert len(recorder.sleeps) == 3
    assert not any(p.endswith("/executions") for _, p in server.requests)


def test_it_waits_out_a_429s_retry_after_then_delivers(tmp_path, server, recorder):
    server.rate_limited, server.retry_after = 2, "3"
    result = delivery(server, recorder).deliver(make_archive(tmp_path))
    assert result.exit_status == "OK"
    assert recorder.sleeps[:2] == [3.0, 3.0]  # Retry-After, not the backoff
    assert (
        "SFCC: HTTP 429 on PUT /on/demandware.servlet/webdav/Sites/Impex/src/instance/akeneo_test.zip "
        "(attempt 2 of 4); retrying in 3.0 s"
    ) in recorder.text()
    assert [m for m, p in server.requests if p.endswith("akeneo_test.zip") and m == "PUT"] == ["PUT"] * 3


def test_it_waits_until_a_429s_retry_after_date_and_no_longer_than_the_cap(tmp_path, server, recorder):
    server.rate_limited = 1
    server.retry_after = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    sfcc = delivery(server, recorder)
    sfcc.test_connection()
    server.rate_limited, server.retry_after = 1, "86400"
    sfcc.test_connection()
    dated, capped = recorder.sleeps
    assert 15 <= dated <= 20 and capped == 30.0  # SfccConfig.max_backoff


def test_it_sends_the_import_start_again_after_a_429(tmp_path, server, recorder):
    """Starting an import is not idempotent, but a 429 says SFCC did not act on it."""

    def checkpoint(phase):
        if phase == "import":
            server.rate_limited = 1

    result = delivery(server, recorder).deliver(make_archive(tmp_path), checkpoint=checkpoint)
    assert result.exit_status == "OK"
    assert [m for m, p in server.requests if p.endswith("/executions")] == ["POST", "POST"]
    assert len(server.executions) == 1
    assert (
        "SFCC: HTTP 429 on POST /s/-/dw/data/v24_5/jobs/sfcc-site-archive-import/executions"
        in recorder.text()
    )


def test_it_gives_up_clearly_when_sfcc_keeps_answering_429(tmp_path, server, recorder):
    server.rate_limited, server.retry_after = 100, None
    with pytest.raises(SfccUnavailableError, match="PUT .*akeneo_test.zip failed after 4 attempts: HTTP 429"):
        delivery(server, recorder).deliver(make_archive(tmp_path))
    assert 0.25 <= recorder.sleeps[0] <= 0.5 and 1.0 <= recorder.sleeps[2] <= 2.0  # no Retry-After: backoff
    assert not any(p.endswith("/executions") for _, p in server.requests)


def test_it_gets_a_new_token_when_the_old_one_expired(tmp_path, server, recorder):
    sfcc = delivery(server, recorder)
    sfcc.test_connection()
    server.expire_tokens()
    result = sfcc.deliver(make_archive(tmp_path))
    assert result.exit_status == "OK"
    assert "SFCC: HTTP 401 on PUT" in recorder.text() and "renewing the access token" in recorder.text()
    assert sum(1 for _, p in server.requests if p == "/dwsso/oauth2/access_token") == 2


def test_it_names_refused_credentials(tmp_path, server, recorder):
    server.refuse_tokens = True
    with pytest.raises(SfccAuthError, match="refused the client credentials"):
        delivery(server, recorder).test_connection()


def test_it_waits_while_another_import_runs_then_succeeds(tmp_path, server, recorder):
    server.already_running = 2
    result = delivery(server, recorder).deliver(make_archive(tmp_path))
    assert result.exit_status == "OK"
    assert recorder.sleeps.count(5.0) == 2
    assert recorder.text().count("already running") == 2


def test_it_stops_waiting_for_a_busy_job_after_the_configured_retries(tmp_path, server, recorder):
    server.already_running = 100
    with pytest.raises(SfccJobAlreadyRunningError):
        delivery(server, recorder, already_running_retries=2).deliver(make_archive(tmp_path))
    assert recorder.sleeps.count(5.0) == 2
    assert server.impex_files() == []


def test_it_falls_back_to_the_parameters_body(tmp_path, server, recorder):
    server.reject_file_name_body = True
    result = delivery(server, recorder).deliver(make_archive(tmp_path))
    assert result.exit_status == "OK"
    assert "retrying with parameters" in recorder.text()


def test_it_keeps_the_upload_when_configured(tmp_path, server, recorder):
    result = delivery(server, recorder, keep_archive=True).deliver(make_archive(tmp_path))
    assert not result.archive_removed
    assert server.impex_files() == ["akeneo_test.zip"]


def test_it_imports_every_part_of_a_split_archive(tmp_path, server, recorder):
    staging = tmp_path / "staging"
    with CatalogWriter(staging / "catalogs" / "akeneo-master" / "catalog.xml", factories.header()) as w:
        w.product(Product("p1"))
    images = staging / "catalogs" / "akeneo-master" / "static" / "default" / "images"
    images.mkdir(parents=True)
    for i in range(6):
        (images / f"{i}.jpg").write_bytes(bytes([i]) * 20_000)
    parts = build_archives(staging, tmp_path / "out", "X", max_bytes=50_000)
    sfcc = delivery(server, recorder)
    results = [sfcc.deliver(part.path) for part in parts]
    assert len(results) == len(parts) >= 3
    assert all(r.exit_status == "OK" for r in results)
    with zipfile.ZipFile(parts[1].path) as zf:
        assert all(name.startswith("X-2/catalogs/akeneo-master/static/") for name in zf.namelist())


def test_it_keeps_archives_locally_when_configured(tmp_path):
    archive = make_archive(tmp_path)
    result = delivery_from_config({"target": "local"}).deliver(archive)
    assert isinstance(delivery_from_config({}), LocalDelivery)
    assert (result.target, result.archive) == ("local", archive)
    assert archive.exists() and "kept locally" in result.message
    with pytest.raises(SfccConfigError, match="client_secret"):
        delivery_from_config({"target": "sfcc", "instance_url": "https://x", "client_id": "id"})


class Stop(Exception):
    pass


def stopping_at(wanted, phases):
    def checkpoint(phase):
        phases.append(phase)
        if phase == wanted:
            raise Stop(phase)

    return checkpoint


def test_a_checkpoint_before_the_upload_stops_it_with_nothing_sent(tmp_path, server, recorder):
    phases = []
    with pytest.raises(Stop):
        delivery(server, recorder).deliver(make_archive(tmp_path), checkpoint=stopping_at("upload", phases))
    assert phases == ["upload"]
    assert not [r for r in server.requests if r[0] in ("PUT", "POST")]
    assert not server.store.attributes


def test_a_checkpoint_before_the_import_stops_it_and_removes_the_upload(tmp_path, server, recorder):
    phases = []
    with pytest.raises(Stop):
        delivery(server, recorder).deliver(make_archive(tmp_path), checkpoint=stopping_at("import", phases))
    assert phases == ["upload", "import"]
    assert not any(method == "POST" and "/jobs/" in path for method, path in server.requests)
    assert server.impex_files() == []  # the uploaded archive is removed
    assert not server.store.attributes


def test_a_checkpoint_is_offered_while_sfcc_is_busy_before_each_start(tmp_path, server, recorder):
    server.already_running = 2
    phases = []
    result = delivery(server, recorder).deliver(make_archive(tmp_path), checkpoint=phases.append)
    assert result.exit_status == "OK"
    assert phases == ["upload", "import", "wait", "import", "wait", "import"]


def test_it_names_a_delivery_target_by_instance_host_and_catalog():
    from jobs.sfcc.delivery import delivery_target

    staging = delivery_target(
        {"target": "sfcc", "instance_url": "https://Staging.Example.com:443/"}, "master"
    )
    assert staging.key == "sfcc:staging.example.com/master"
    assert staging.label == "SFCC instance staging.example.com, catalog master"
    assert (
        delivery_target({"target": "sfcc", "instance_url": "http://127.0.0.1:8082"}, "m").key
        == "sfcc:127.0.0.1:8082/m"
    )
    assert (
        delivery_target({"target": "sfcc", "instance_url": "https://prod.example.com"}, "master") != staging
    )
    assert (
        delivery_target({"target": "sfcc", "instance_url": "https://staging.example.com"}, "other") != staging
    )
    assert delivery_target({"target": "local"}, "master").key == "local/master"
