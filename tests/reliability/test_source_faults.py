"""Faults of the systems at both ends, met by a real worker: the demo Akeneo (429 storms,
503 bursts, tokens expiring mid-import, invalid JSON, an HTML error page, connection resets)
and the demo SFCC (WebDAV 5xx, token refused, import job ERROR, records rejected). Each run
ends OK with its retries in the log, or ERROR/WARN with a message naming the cause; nothing
is reported OK that SFCC did not import."""

import pytest

from demo.akeneo.server import DemoAkeneoServer
from demo.sfcc.server import DemoSfccServer
from jobs import services
from jobs.models import ExitStatus
from jobs.pipeline.definitions import ATTRIBUTES, FULL_PRODUCTS, MEDIA_PRICEBOOK
from tests.conftest import ICECAT_API, XSD_DIR
from tests.hostile_server import TITLE, HostileServer
from tests.integration import running, wait_finished
from tests.reliability.helpers import configure_import, execution_log

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, redis_url, storage_root):
    with running(STORAGE_ROOT=str(storage_root)) as stack:
        yield stack


@pytest.fixture(scope="module")
def akeneo_server():
    server = DemoAkeneoServer(ICECAT_API).start()
    yield server
    server.stop()


@pytest.fixture
def akeneo(akeneo_server):
    akeneo_server.faults.clear()
    yield akeneo_server
    akeneo_server.faults.clear()


@pytest.fixture
def sfcc(tmp_path):
    server = DemoSfccServer(schema_dir=XSD_DIR, data_dir=tmp_path / "sfcc").start()
    yield server
    server.stop()


def run(job_id=ATTRIBUTES):
    return wait_finished(services.execution_create(job_id=job_id), timeout=180)


# fault knobs → what the log must show (the retries), the run ending OK all the same.
RECOVERED = {
    "429 storm": ({"storm_429": 3, "retry_after": 0.2}, "HTTP 429 on "),
    "503 burst": ({"fail_503": 3}, "HTTP 503 on "),
    "connection reset": ({"reset": 2}, "ConnectionError on "),
}


@pytest.mark.parametrize("fault", list(RECOVERED))
def test_it_retries_akeneo_faults_and_ends_ok(worker, akeneo, fault):
    knobs, logged = RECOVERED[fault]
    configure_import(akeneo.url)
    akeneo.faults.set(**knobs)
    execution = run()
    assert execution.exit_status == ExitStatus.OK, execution.message
    log = execution_log(execution)
    assert logged in log and "retrying in" in log, log
    assert execution.artifacts  # the archive was built all the same


# fault knobs → the cause the execution's message names.
FAILED = {
    "429 storm outlasting the retries": ({"storm_429": 50, "retry_after": 0.1}, "still answered HTTP 429"),
    "Akeneo down": ({"down": True}, "still answered HTTP 503"),
    "invalid JSON page": ({"invalid_json": 1}, "Akeneo answered invalid JSON on "),
    "HTML error page": ({"html_page": 1}, "Akeneo answered an HTML page instead of JSON"),
}


@pytest.mark.parametrize("fault", list(FAILED))
def test_it_ends_error_naming_the_akeneo_fault(worker, akeneo, fault):
    knobs, cause = FAILED[fault]
    configure_import(akeneo.url)
    akeneo.faults.set(**knobs)
    execution = run()
    assert execution.exit_status == ExitStatus.ERROR
    assert cause in execution.message
    assert execution.message.startswith("export-attributes: ")  # the step that met it
    assert cause in execution_log(execution)
    assert not execution.artifacts  # nothing half-read was delivered


# a hostile Akeneo's knobs (given the other server's URL) → the job that meets it, the step.
FOREIGN = {
    "next link to another server": (lambda url: {"foreign_links": url}, FULL_PRODUCTS, "export-categories"),
    "media download redirected to another server": (
        lambda url: {"redirect_to": url, "redirect_path": "/media-files/"},
        MEDIA_PRICEBOOK,
        "transfer-media",
    ),
}


@pytest.mark.parametrize("fault", list(FOREIGN))
def test_it_ends_error_naming_the_other_host_when_akeneo_points_elsewhere(worker, akeneo, fault):
    knobs, job_id, step = FOREIGN[fault]
    with HostileServer() as hostile:
        configure_import(akeneo.url)
        akeneo.faults.set(**knobs(hostile.url))
        execution = run(job_id)
    assert execution.exit_status == ExitStatus.ERROR, execution.message
    assert execution.message.startswith(f"{step}: ") and hostile.host in execution.message
    assert "another server" in execution.message
    assert TITLE not in execution.message and TITLE not in execution_log(execution)
    assert hostile.requests == []  # neither the token nor anything else went there
    assert not execution.artifacts


def test_it_renews_a_token_expiring_mid_import(worker, django_db_setup):
    """Tokens live one second; a slowed full import outlives many of them. A refused refresh
    falls back to a fresh login."""
    server = DemoAkeneoServer(ICECAT_API, token_ttl=1, rate_limit=8).start()
    try:
        server.faults.set(refresh_fails=1)
        configure_import(server.url)
        execution = run(FULL_PRODUCTS)
    finally:
        server.stop()
    assert execution.exit_status in (ExitStatus.OK, ExitStatus.WARN), execution.message
    log = execution_log(execution)
    assert "Akeneo: refreshing the access token" in log
    assert "logging in again (the token refresh was refused" in log
    assert server.tokens.grants["refresh_token"] >= 1


def sfcc_delivery(sfcc, **changes) -> dict:
    return {"target": "sfcc", "instance_url": sfcc.url, "token_url": sfcc.token_url,
            "client_id": "demo-client", "client_secret": "demo-secret", "poll_interval": 0.1,
            **changes}  # fmt: skip


def test_it_retries_webdav_5xx_and_reports_ok_only_once_sfcc_imported(worker, akeneo, sfcc):
    configure_import(akeneo.url, sfcc_delivery(sfcc))
    sfcc.webdav_failures = 2
    execution = run()
    assert execution.exit_status == ExitStatus.OK, execution.message
    assert "503" in execution_log(execution)
    assert "akeneo_color" in sfcc.store.attributes  # OK means SFCC has it


def test_it_waits_out_sfccs_429s_and_logs_each_retry(worker, akeneo, sfcc):
    configure_import(akeneo.url, sfcc_delivery(sfcc))
    sfcc.rate_limited, sfcc.retry_after = 3, "0.2"
    execution = run()
    assert execution.exit_status == ExitStatus.OK, execution.message
    log = execution_log(execution)
    assert "SFCC: HTTP 429 on " in log and "(attempt 3 of 5); retrying in 0.2 s" in log, log
    assert "akeneo_color" in sfcc.store.attributes


# SFCC fault → the cause the execution's message names; SFCC imported nothing.
SFCC_FAILED = {
    "WebDAV down": ({"webdav_failures": 100}, "503"),
    "rate limit outlasting the retries": (
        {"rate_limited": 100, "retry_after": "0.1"},
        "after 5 attempts: HTTP 429",
    ),
    "token refused": ({"refuse_tokens": True}, "401"),
    "import job ERROR": ({"fail_imports": True}, "ended ERROR: import failed"),
}


@pytest.mark.parametrize("fault", list(SFCC_FAILED))
def test_it_ends_error_naming_the_sfcc_fault(worker, akeneo, sfcc, fault):
    knobs, cause = SFCC_FAILED[fault]
    configure_import(akeneo.url, sfcc_delivery(sfcc, request_timeout=5))
    for name, value in knobs.items():
        setattr(sfcc, name, value)
    execution = run()
    assert execution.exit_status == ExitStatus.ERROR
    assert execution.message.startswith("deliver-archive: ") and cause in execution.message, execution.message
    assert not sfcc.store.attributes  # nothing reported OK that was not imported
    assert not execution.artifacts  # the archive is an artifact only once delivered
