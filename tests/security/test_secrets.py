"""Secrets encrypted at rest and absent from every log file, archive, process log, database
row, page, export and API response: checked by scanning all of them after real runs (OK and
failing ones) on a worker."""

import json
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from demo.akeneo.server import DemoAkeneoServer
from demo.sfcc.server import DemoSfccServer
from jobs import services
from jobs.config.models import ConfigVersion
from jobs.models import AuditEntry, DataError, ExitStatus, JobExecution, StepExecution
from jobs.pipeline.definitions import ATTRIBUTES
from tests.conftest import ICECAT_API, XSD_DIR
from tests.integration import wait_finished
from tests.reliability.helpers import configure_import, processes
from tests.security.urls import ACCESS, make_world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

AKENEO_SECRET = "akeneo-client-s3cret-Qx7"
AKENEO_PASSWORD = "akeneo-pa55word-Vb2"
WRONG_PASSWORD = "wrong-akeneo-pa55word-Zt9"
SFCC_SECRET = "sfcc-client-s3cret-Lm4"
SECRETS = (AKENEO_SECRET, AKENEO_PASSWORD, WRONG_PASSWORD, SFCC_SECRET)


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def files(root):
    """(name, text) of every file under `root`, zip members included."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{path}:{member}", archive.read(member).decode(errors="replace")
        else:  # other tests' deliberately broken archives are read as they are
            yield str(path), path.read_bytes().decode(errors="replace")


@pytest.fixture
def servers(tmp_path):
    akeneo = DemoAkeneoServer(ICECAT_API, secret=AKENEO_SECRET, password=AKENEO_PASSWORD).start()
    sfcc = DemoSfccServer(schema_dir=XSD_DIR, data_dir=tmp_path / "sfcc", client_secret=SFCC_SECRET).start()
    yield akeneo, sfcc
    akeneo.stop()
    sfcc.stop()


def configure(akeneo, sfcc, password=AKENEO_PASSWORD):
    delivery = {"target": "sfcc", "instance_url": sfcc.url, "token_url": sfcc.token_url,
                "client_id": "demo-client", "client_secret": SFCC_SECRET, "poll_interval": 0.1,
                "request_timeout": 5}  # fmt: skip
    configure_import(akeneo.url, delivery)
    from jobs import config as import_config

    document = import_config.export_document(with_secrets=True)
    document["akeneo"].update(secret=AKENEO_SECRET, password=password)
    import_config.save(document, comment="secrets test")


def run():
    return wait_finished(services.execution_create(job_id=ATTRIBUTES), timeout=120)


def test_it_writes_no_secret_anywhere_after_ok_and_failed_runs(
    django_db_setup, redis_url, storage_root, tmp_path, servers, users
):
    akeneo, sfcc = servers
    logs = tmp_path / "process-logs"
    with processes(logs, STORAGE_ROOT=str(storage_root)):
        configure(akeneo, sfcc)
        assert run().exit_status == ExitStatus.OK
        sfcc.refuse_tokens = True
        assert run().exit_status == ExitStatus.ERROR
        sfcc.refuse_tokens = False
        configure(akeneo, sfcc, password=WRONG_PASSWORD)
        refused = run()
        assert refused.exit_status == ExitStatus.ERROR and "refused the credentials" in refused.message

    # At rest: encrypted, never in clear.
    stored = json.dumps([row.document for row in ConfigVersion.objects.all()])
    assert not leaks(stored) and stored.count("fernet:") >= 3

    found = []
    for name, text in [*files(storage_root), *files(logs)]:
        found += [f"{name}: {secret}" for secret in leaks(text)]
    rows = [
        *JobExecution.objects.values_list("message", flat=True),
        *StepExecution.objects.values_list("message", flat=True),
        *DataError.objects.values_list("message", flat=True),
        *AuditEntry.objects.values_list("message", flat=True),
    ]
    found += [f"database row: {secret}" for row in rows for secret in leaks(row)]
    with connection.cursor() as cursor:  # beat's and Celery's tables too: everything but the config
        for table in connection.introspection.table_names():
            if table == ConfigVersion._meta.db_table:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found += [f"table {table}: {s}" for row in cursor.fetchall() for s in leaks(repr(row))]

    world = make_world(users, storage_root)
    for name, access in ACCESS.items():
        if access.get is None or name == "logout":
            continue
        client = Client()
        if access.auth == "token":
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens['admin']}"
        else:
            client.force_login(users["admin"])
        response = client.get(world.url(name))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found += [f"page {name}: {secret}" for secret in leaks(body.decode(errors="replace"))]
    client = Client()
    client.force_login(users["admin"])
    for execution in JobExecution.objects.exclude(pk=world.execution.pk):
        for name in ("execution", "execution_live", "execution_log"):
            response = client.get(reverse(name, args=[execution.pk]))
            assert response.status_code == 200
            body = b"".join(response.streaming_content) if response.streaming else response.content
            found += [f"{name} #{execution.pk}: {secret}" for secret in leaks(body.decode(errors="replace"))]
    assert not found, "\n".join(found)
