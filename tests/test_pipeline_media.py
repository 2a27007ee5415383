"""Job 2 run in-process against the demo Akeneo: media files over the size limit or not of
their attribute's type are data errors naming the media code and the product (or asset), and
every other file is shipped."""

import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs import config as import_config
from jobs import runner, services
from jobs.joblog import log_path
from jobs.models import ExitStatus
from jobs.pipeline.definitions import MEDIA_PRICEBOOK

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _in_process(no_enqueue):
    """The job runs in this process."""


def configure(url, delivery=None, **imports):
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = url
    document["delivery"] = delivery or {"target": "local"}
    document["import"].update(imports)
    import_config.save(document)


def run(job_id=MEDIA_PRICEBOOK):
    execution = services.execution_create(job_id=job_id)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def shipped_names(execution) -> set[str]:
    names = set()
    for artifact in execution.artifacts:
        with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
            names |= {n for n in archive.namelist() if "/static/" in n and not n.endswith("/")}
    return names


def owners_by_code(out: Path, attribute: str) -> dict[str, set[str]]:
    """Which products and product models use each media code of an image attribute."""
    owners: dict[str, set[str]] = {}
    for name, key, label in (
        ("products.jsonl", "identifier", "{}"),
        ("product-models.jsonl", "code", "product model {}"),
    ):
        for line in (out / name).read_text().splitlines():
            record = json.loads(line)
            for entry in record["values"].get(attribute) or ():
                owners.setdefault(entry["data"], set()).add(label.format(record[key]))
    return owners


@pytest.fixture
def spoiled_catalog(tmp_path):
    """A catalog in which one image is 1 MB and a bit, another is an HTML page named .jpg, and
    one packshot asset is a login page."""
    out = tmp_path / "akeneo"
    write_catalog(out, products=30, seed=11)
    owners = owners_by_code(out, "main_image")
    oversized, mislabeled = sorted(owners)[:2]
    (out / "media" / oversized).write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * MB)
    (out / "media" / mislabeled).write_bytes(b"<!DOCTYPE html><html><title>Sign in</title></html>")
    asset = json.loads((out / "asset-families__packshots__assets.jsonl").read_text().splitlines()[0])
    asset_code = asset["values"]["media"][0]["data"]
    (out / "media" / asset_code).write_bytes(b"<html><body>Sign in</body></html>")
    server = DemoAkeneoServer(out).start()
    yield server, owners, oversized, mislabeled, asset
    server.stop()


def test_it_refuses_oversized_and_mislabeled_media_and_ships_the_rest(spoiled_catalog):
    server, owners, oversized, mislabeled, asset = spoiled_catalog
    configure(server.url, media_max_mb=1)
    execution = run()
    assert execution.exit_status == ExitStatus.WARN, execution.message
    errors = {e.message.split(":")[0]: e for e in execution.data_errors.all()}
    too_big = errors[f"main_image {oversized}"]
    assert too_big.identifier in owners[oversized] and "over the 1.0 MB limit" in too_big.message
    not_image = errors[f"main_image {mislabeled}"]
    assert not_image.identifier in owners[mislabeled]
    assert (
        "is not an image SFCC serves (JPEG, PNG, GIF, WebP or SVG): its content is an HTML page"
        in not_image.message
    )
    bad_asset = next(
        e for e in execution.data_errors.all() if e.identifier == f"asset packshots/{asset['code']}"
    )
    assert "its content is an HTML page" in bad_asset.message
    assert execution.data_error_count == 3
    log = log_path(execution.log_file_name).read_text()
    assert f"DATAERROR {too_big.identifier}: main_image {oversized}" in log
    shipped = shipped_names(execution)
    assert not any(name.endswith(Path(code).name) for code in (oversized, mislabeled) for name in shipped)
    assert len([n for n in shipped if "/images/" in n]) >= len(owners) - 2  # the others all went


def test_it_ships_a_file_at_the_default_limit(spoiled_catalog):
    server, owners, oversized, _, _ = spoiled_catalog
    configure(server.url)  # the default: 50 MB
    execution = run()
    assert not execution.data_errors.filter(message__contains=oversized).exists()


@pytest.fixture
def akeneo(tmp_path):
    out = tmp_path / "akeneo-clean"
    write_catalog(out, products=30, seed=5)
    server = DemoAkeneoServer(out).start()
    yield server
    server.stop()


def transfer_counts(execution) -> tuple[int, int]:
    """(written, skipped) of transfer-media and transfer-assets together."""
    steps = execution.steps.filter(name__in=["transfer-media", "transfer-assets"])
    return sum(s.write_count for s in steps), sum(s.skip_count for s in steps)


def with_catalog(url, catalog_id):
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = url
    document["delivery"] = {"target": "local"}
    document["mapping"]["catalog_id"] = catalog_id
    import_config.save(document)


def test_it_ships_every_file_again_to_a_new_target_and_nothing_twice_to_the_same(akeneo):
    with_catalog(akeneo.url, "catalog-a")
    first = run()
    written, skipped = transfer_counts(first)
    assert first.exit_status == ExitStatus.OK and written > 0 and skipped == 0
    assert transfer_counts(run()) == (0, written)  # the same target: nothing again

    with_catalog(akeneo.url, "catalog-b")
    other = run()
    assert transfer_counts(other) == (written, 0)  # a new target gets them all
    assert any("catalogs/catalog-b/static/" in n for n in shipped_names(other))
    assert "already shipped to local archives, catalog catalog-b" in log_path(other.log_file_name).read_text()

    with_catalog(akeneo.url, "catalog-a")
    assert transfer_counts(run()) == (0, written)  # catalog-a's record is still its own


def test_it_ships_all_media_again_after_the_action(akeneo, client, users):
    from django.urls import reverse

    from jobs.models import AuditEntry, TransferredMedia

    with_catalog(akeneo.url, "catalog-b")
    run()
    with_catalog(akeneo.url, "catalog-a")
    written, _ = transfer_counts(run())
    other_target = TransferredMedia.objects.filter(target="local/catalog-b").count()

    client.force_login(users["merchandiser"])
    assert client.post(reverse("media_ship_again")).status_code == 403
    client.force_login(users["admin"])
    page = client.get(reverse("job", args=[MEDIA_PRICEBOOK])).content.decode()
    assert f"{written} image and asset files shipped to local archives, catalog catalog-a" in page
    assert "Ship all media again" in page
    response = client.post(reverse("media_ship_again"), follow=True)
    assert (
        f"{written} shipped media forgotten for local archives, catalog catalog-a"
        in response.content.decode()
    )

    assert not TransferredMedia.objects.filter(target="local/catalog-a").exists()
    assert TransferredMedia.objects.filter(target="local/catalog-b").count() == other_target  # untouched
    entry = AuditEntry.objects.first()
    assert entry.user == users["admin"] and entry.job_id == MEDIA_PRICEBOOK
    assert (
        entry.message
        == f"Ship all media again to local archives, catalog catalog-a: {written} shipped-media records forgotten"
    )
    assert transfer_counts(run()) == (written, 0)


def test_it_refuses_to_forget_while_job_2_runs_and_shows_the_button_to_administrators_only(client, users):
    from django.urls import reverse

    from jobs.models import JobExecution, ResourceLock, TransferredMedia
    from jobs.pipeline.shipped import target_in_force

    running = JobExecution.objects.create(job_id=MEDIA_PRICEBOOK, execution_status="running")
    ResourceLock.objects.create(resource="media", execution=running)
    TransferredMedia.objects.create(
        target=target_in_force().key, code="a/b/one.jpg", kind="media", path="x", sha256="0" * 64, size=1,
        execution=JobExecution.objects.create(job_id=MEDIA_PRICEBOOK, exit_status="OK", execution_status="finished"),
    )  # fmt: skip
    client.force_login(users["admin"])
    response = client.post(reverse("media_ship_again"), follow=True)
    assert (
        f"is running as execution #{running.pk}: ship all media again once it has finished"
        in response.content.decode()
    )
    assert TransferredMedia.objects.count() == 1

    client.force_login(users["merchandiser"])
    page = client.get(reverse("job", args=[MEDIA_PRICEBOOK])).content.decode()
    assert "1 image and asset file shipped to" in page and "Ship all media again" not in page


# --- downloads at once ---------------------------------------------------------------------


def with_concurrency(url, catalog_id, concurrency, **imports):
    document = import_config.export_document(with_secrets=True)
    document["akeneo"]["url"] = url
    document["akeneo"]["concurrency"] = concurrency
    document["delivery"] = {"target": "local"}
    document["mapping"]["catalog_id"] = catalog_id
    document["import"].update(imports)
    import_config.save(document)


def shipped_order(catalog_id) -> list[str]:
    """The codes shipped to a target, in the order the step recorded them (as they finished)."""
    from jobs.models import TransferredMedia

    return list(
        TransferredMedia.objects.filter(target=f"local/{catalog_id}", kind="media")
        .order_by("pk")
        .values_list("code", flat=True)
    )


def archive_files(execution, catalog_id) -> dict[str, bytes]:
    """Every file of the execution's archives, by its path below the catalog's folder (or the
    archive's top folder), with its bytes."""
    files = {}
    for artifact in execution.artifacts:
        with zipfile.ZipFile(Path(settings.STORAGE_ROOT) / artifact["path"]) as archive:
            for name in archive.namelist():
                if name.endswith("/"):
                    continue
                inner = name.split("/", 1)[1].replace(f"catalogs/{catalog_id}/", "catalogs/*/")
                files[inner] = archive.read(name)
    return files


def test_it_downloads_every_file_exactly_once_four_at_once_and_ships_the_same_archive(akeneo):
    akeneo.faults.set(media_latency=0.02)  # downloads overlap
    with_concurrency(akeneo.url, "catalog-4", 4)
    four = run()
    assert four.exit_status == ExitStatus.OK, four.message
    written, skipped = transfer_counts(four)
    codes = set(akeneo.downloads)
    assert written == len(codes) > 20 and skipped == 0
    assert all(count == 1 for count in akeneo.downloads.values())  # each file once
    assert set(shipped_order("catalog-4")) <= codes and akeneo.statistics()["peak_in_flight"] <= 4
    log = log_path(four.log_file_name).read_text()
    assert "transferred (4 at once)" in log

    akeneo.downloads.clear()
    with_concurrency(akeneo.url, "catalog-1", 1)
    one = run()
    assert transfer_counts(one) == (written, 0) and set(akeneo.downloads) == codes
    # Whatever order the downloads finished in, the archives hold the same files, pricebooks
    # included, byte for byte.
    files = archive_files(four, "catalog-4")
    assert files == archive_files(one, "catalog-1")
    assert any(name.startswith("pricebooks/") for name in files)
    assert len([n for n in files if "/static/" in n]) == written


def test_a_missing_file_is_a_data_error_naming_it_and_its_owner_while_the_others_ship(tmp_path):
    out = tmp_path / "akeneo"
    write_catalog(out, products=30, seed=5)
    owners = owners_by_code(out, "main_image")
    missing = sorted(owners)[0]
    (out / "media" / missing).unlink()
    server = DemoAkeneoServer(out, missing_media_404=True).start()
    try:
        with_concurrency(server.url, "catalog-a", 4)
        execution = run()
    finally:
        server.stop()
    assert execution.exit_status == ExitStatus.WARN, execution.message
    error = execution.data_errors.get()
    assert error.identifier in owners[missing]
    assert error.message.startswith(f"main_image {missing}: media file not shipped: Akeneo answered HTTP 404")
    assert missing not in shipped_order("catalog-a") and missing not in server.downloads
    written, _ = transfer_counts(execution)
    assert written == len(server.downloads) > 20  # every other file, images and assets


def test_a_slow_file_holds_none_of_the_others(akeneo):
    with_concurrency(akeneo.url, "one-at-a-time", 1)
    run()
    listed = shipped_order("one-at-a-time")  # one at a time: the order of the listing
    first = listed[0]

    akeneo.faults.set(slow_media={first: 3})
    with_concurrency(akeneo.url, "four-at-once", 4)
    execution = run()
    assert execution.exit_status == ExitStatus.OK, execution.message
    shipped = shipped_order("four-at-once")
    # Listed first, it finished last: every other file was downloaded while it waited.
    assert sorted(shipped) == sorted(listed) and shipped[-1] == first


def test_the_demo_akeneo_concurrency_limit_is_retried_and_nothing_is_lost(akeneo):
    # Akeneo allows fewer calls at once than configured: beyond them it answers 429.
    akeneo.faults.set(concurrency=2, retry_after=0.1, media_latency=0.1)
    with_concurrency(akeneo.url, "catalog-a", 4)
    execution = run()
    assert execution.exit_status == ExitStatus.OK, execution.message
    assert akeneo.statistics()["fault_concurrency"] >= 1
    written, _ = transfer_counts(execution)
    assert written == len(akeneo.downloads) and all(n == 1 for n in akeneo.downloads.values())
    assert execution.data_error_count == 0
    log = log_path(execution.log_file_name).read_text()
    assert "HTTP 429 on GET /api/rest/v1/" in log


def test_a_stop_is_noticed_between_files(akeneo, settings):
    import threading

    from django.db import connection

    from jobs.models import JobExecution, TransferredMedia

    def run_then_close(pk):
        try:
            runner.run_execution(pk)
        finally:
            connection.close()  # this thread's own connection

    settings.JOBS_HEARTBEAT_SECONDS = 1
    akeneo.faults.set(media_latency=0.4)
    with_concurrency(akeneo.url, "catalog-a", 4)
    execution = services.execution_create(job_id=MEDIA_PRICEBOOK)
    worker = threading.Thread(target=run_then_close, args=(execution.pk,))
    worker.start()
    try:
        for _ in range(300):  # up to 30 s for the heartbeat to show a first file shipped
            if execution.steps.filter(name="transfer-media", write_count__gt=0).exists():
                break
            worker.join(0.1)
        assert services.execution_stop(execution=JobExecution.objects.get(pk=execution.pk))
    finally:
        worker.join(60)
    execution.refresh_from_db()
    assert execution.execution_status == "aborted", execution.message
    step = execution.steps.get(name="transfer-media")
    assert step.status == "aborted"
    assert 0 < step.write_count == TransferredMedia.objects.filter(execution=execution).count()
    # Those running when the Stop was noticed ended; the queued ones (at most 2 × 4) and the
    # rest were never asked for, nor were the assets.
    assert step.write_count <= len(akeneo.downloads) <= step.write_count + 8
    assert not execution.steps.get(name="transfer-assets").write_count
    assert not any("packshots_" in code or "notices_" in code for code in akeneo.downloads)
