"""Salesforce's `sfcc-ci` against the console served over HTTPS: an API client signs in at the
console's Account Manager token endpoint, runs the console's jobs through OCAPI's job
resources with a real Celery worker, follows them to the end and reads their logs over WebDAV,
exactly as it does against an SFCC instance."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from jobs.models import JobExecution
from jobs.operations.models import ApiClient
from tests import engine_jobs  # noqa: F401 - the console served in this process knows the test jobs
from tests.integration import running
from tests.interop.conftest import TOOLS, make_certificate
from tests.interop.console_server import ConsoleTlsServer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory, tools):
    return make_certificate(tmp_path_factory.mktemp("console-tls"))


@pytest.fixture(scope="module")
def console(django_db_setup, django_db_blocker, certificate):
    server = ConsoleTlsServer(*certificate).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, redis_url, storage_root):
    with running(STORAGE_ROOT=str(storage_root)) as stack:
        yield stack


class SfccCi:
    def __init__(self, console: ConsoleTlsServer, certificate: Path, home: Path):
        self.console, self.certificate, self.home = console, certificate, home

    def __call__(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        env = {
            "PATH": f"{TOOLS}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.home),  # sfcc-ci keeps its token under ~/.config
            "NODE_EXTRA_CA_CERTS": str(self.certificate),
            "SFCC_LOGIN_URL": self.console.host,  # the console is the Account Manager too
            "SFCC_IGNORE_WARNINGS": "true",
        }
        return subprocess.run(
            [str(TOOLS / "sfcc-ci"), *args],
            env=env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run_job(
        self, job_id: str, *options: str, parameters: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess:
        return self("job:run", job_id, *parameters, "-i", self.console.host, *options)


def signed_in(console, certificate, tmp_path, role: str) -> SfccCi:
    client, secret = ApiClient.issue(name=f"CI ({role})", role=role, days=1)
    tmp_path.mkdir(parents=True, exist_ok=True)
    cli = SfccCi(console, certificate[0], tmp_path)
    result = cli("client:auth", client.client_id, secret)
    assert result.returncode == 0 and "Authentication succeeded" in result.stdout, (
        result.stdout + result.stderr
    )
    return cli


def test_sfcc_ci_authenticates_as_an_api_client_and_a_wrong_secret_fails(console, certificate, tmp_path):
    client, secret = ApiClient.issue(name="CI", role="Merchandiser", days=1)
    cli = SfccCi(console, certificate[0], tmp_path)
    assert "Authentication succeeded" in cli("client:auth", client.client_id, secret).stdout
    wrong = cli("client:auth", client.client_id, secret + "x")
    assert "Authentication failed" in wrong.stdout + wrong.stderr and wrong.returncode != 0


def test_job_run_sync_failfast_exits_0_for_ok_and_job_status_prints_it(
    console, certificate, tmp_path, worker
):
    cli = signed_in(console, certificate, tmp_path, "Merchandiser")
    result = cli.run_job("Test-Quick", "-s", "-f", parameters=("Mode=full",))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r'Job "Test-Quick" finished\. Status is: finished \(OK\)', result.stdout), result.stdout
    execution = JobExecution.objects.get(job_id="Test-Quick")
    assert execution.exit_status == "OK" and execution.client_id and execution.trigger == "api"
    assert execution.parameters == [{"name": "Mode", "value": "full"}]

    status = cli("job:status", "Test-Quick", str(execution.pk), "-i", console.host)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"Status of job execution {execution.pk} (Test-Quick): finished (OK)" in status.stdout

    log = cli("job:status", "Test-Quick", str(execution.pk), "-i", console.host, "-l")
    assert log.returncode == 0, log.stdout + log.stderr
    assert "[count] 30 items written" in log.stdout and "Execution OK" in log.stdout


def test_job_run_sync_failfast_exits_non_zero_when_the_job_ends_error(console, certificate, tmp_path, worker):
    cli = signed_in(console, certificate, tmp_path, "Administrator")
    result = cli.run_job("Test-Fail", "-s", "-f")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "finished. Status is: finished (ERROR)" in result.stdout
    assert "Job ended with error" in result.stderr
    assert JobExecution.objects.get(job_id="Test-Fail").exit_status == "ERROR"


def test_a_support_client_is_refused_job_run_but_reads_status(console, certificate, tmp_path, worker):
    merchandiser = signed_in(console, certificate, tmp_path / "m", "Merchandiser")
    started = merchandiser.run_job("Test-Beta", "-j")
    assert started.returncode == 0, started.stdout + started.stderr
    support = signed_in(console, certificate, tmp_path / "s", "Support")
    refused = support.run_job("Test-Quick", "-s", "-f")
    assert refused.returncode != 0 and 'Starting job "Test-Quick"' in refused.stderr
    assert not JobExecution.objects.filter(job_id="Test-Quick").exists()
    execution = JobExecution.objects.get(job_id="Test-Beta")
    status = support("job:status", "Test-Beta", str(execution.pk), "-i", console.host)
    assert status.returncode == 0 and f"Status of job execution {execution.pk} (Test-Beta)" in status.stdout
