"""Shared fixtures. Real services when DATABASE_URL / REDIS_URL are set (CI), embedded
SQLite and an embedded Redis otherwise (a laptop)."""

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
XSD_DIR = SHARED / "sfcc" / "xsd"
ICECAT_API = SHARED / "akeneo" / "icecat_demo_dev_api"

# Test jobs for the engine, registered in this process and in every worker the tests start.
os.environ.setdefault("JOBS_EXTRA_MODULES", "tests.engine_jobs")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing beside the project (looked in {SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def storage_root(tmp_path_factory) -> Path:
    """One storage root for the session: the workers the integration tests start write
    log files and archives where the test process reads them."""
    return tmp_path_factory.mktemp("storage")


@pytest.fixture(autouse=True)
def _test_settings(settings, storage_root, monkeypatch):
    settings.STORAGE_ROOT = storage_root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests start where `make run` starts: with the demo configuration. The product's own
    # (empty) default is tested on its own (tests/test_config.py, `product_default`).
    from demo.config import demo_document
    from jobs.config import schema

    monkeypatch.setattr(schema, "DEFAULT_DOCUMENT", demo_document())
    yield


@pytest.fixture
def product_default(monkeypatch):
    """The product's default configuration, as a fresh installation has it."""
    from jobs.config import schema

    monkeypatch.setattr(schema, "DEFAULT_DOCUMENT", schema._defaults(schema.SCHEMA))


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The broker: REDIS_URL when set, else the embedded Redis (started if not running)."""
    from django.conf import settings

    from demo import embedded_redis

    if settings.REDIS_EMBEDDED and not embedded_redis.is_up(settings.REDIS_URL):
        process = embedded_redis.start(settings.EMBEDDED_REDIS_PORT, settings.VAR_DIR / "redis-test")
        yield settings.REDIS_URL
        process.terminate()
        process.wait(timeout=10)
        return
    yield settings.REDIS_URL


@pytest.fixture
def no_enqueue(monkeypatch):
    """Create executions without queueing them; the test runs them in-process."""
    monkeypatch.setattr("jobs.services._enqueue", lambda execution: None)


@pytest.fixture
def users(db):
    """One user per role, plus one without any: every permission test is one line."""
    from django.contrib.auth.models import Group, User

    from jobs import roles

    roles.ensure_roles()
    made = {}
    for name, role in [
        ("admin", roles.ADMINISTRATOR),
        ("merchandiser", roles.MERCHANDISER),
        ("support", roles.SUPPORT),
        ("nobody", None),
    ]:
        user = User.objects.create_user(name, f"{name}@example.com", "secret-pass-123")
        if role:
            user.groups.add(Group.objects.get(name=role))
        made[name] = user
    return made
