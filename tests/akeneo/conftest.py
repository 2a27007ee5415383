"""Fixtures for the Akeneo client, demo server and generator tests: real HTTP on 127.0.0.1,
no database, no real waiting (the client's sleep is recorded instead)."""

from __future__ import annotations

import pytest

from demo.akeneo.generator import write_catalog
from demo.akeneo.server import DemoAkeneoServer
from jobs.akeneo.client import AkeneoClient
from tests.conftest import ICECAT_API

SECRET = "s3cr3t-client-Secret-42"
PASSWORD = "pa55-Word-that-must-not-leak"


class Recorder:
    """Collects the client's log lines and sleeps; a fake monotonic clock tests can move."""

    def __init__(self) -> None:
        self.logs: list[tuple[str, str]] = []
        self.sleeps: list[float] = []
        self.now = 1000.0

    def log(self, level: str, message: str) -> None:
        self.logs.append((level, message))

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def clock(self) -> float:
        return self.now

    def text(self) -> str:
        return "\n".join(message for _, message in self.logs)


@pytest.fixture(scope="session")
def small_catalog(tmp_path_factory):
    out = tmp_path_factory.mktemp("akeneo-small")
    write_catalog(out, products=400, seed=7)
    return out


def start_server(data_dir, **kwargs) -> DemoAkeneoServer:
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("password", PASSWORD)
    return DemoAkeneoServer(data_dir, **kwargs).start()


@pytest.fixture
def server(small_catalog):
    srv = start_server(small_catalog)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def icecat_server():
    if not ICECAT_API.is_dir():
        pytest.fail(f"../shared is missing beside the project (looked in {ICECAT_API})")
    srv = start_server(ICECAT_API)
    yield srv
    srv.stop()


@pytest.fixture
def recorder():
    return Recorder()


def make_client(server: DemoAkeneoServer, recorder: Recorder | None = None, **kwargs) -> AkeneoClient:
    recorder = recorder or Recorder()
    kwargs.setdefault("max_attempts", 4)
    return AkeneoClient(
        server.url,
        client_id="demo_client",
        secret=kwargs.pop("secret", SECRET),
        username="admin",
        password=kwargs.pop("password", PASSWORD),
        timeout=(2.0, 10.0),
        log=recorder.log,
        sleep=recorder.sleep,
        clock=recorder.clock,
        **kwargs,
    )
