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
