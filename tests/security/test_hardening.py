"""Downloads immune to path traversal, login throttling, `check --deploy` with production
settings, and the security headers."""

import secrets
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from demo.stack import manage_command
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside(storage_root):
    """A file beside the storage root that no download may ever serve."""
    path = storage_root.parent / "outside-secret.txt"
    path.write_text("not for download")
    return path


@pytest.mark.parametrize(
    "name", ["../../outside-secret.txt", "../outside-secret.txt", "..", "", "/etc/passwd"]
)
def test_it_serves_no_log_file_outside_the_log_folder(client, users, outside, name):
    execution = make_execution(log_file_name=name)
    client.force_login(users["support"])
    response = client.get(reverse("execution_log", args=[execution.pk]))
    assert response.status_code == 404
    page = client.get(reverse("execution", args=[execution.pk]))
    assert page.status_code == 200 and b"not for download" not in page.content
    assert b"root:" not in page.content


@pytest.mark.parametrize("path", ["../outside-secret.txt", "../../etc/passwd", "/etc/passwd", "artifacts/.."])
def test_it_serves_no_artifact_outside_the_storage_root(client, users, outside, path):
    execution = make_execution(artifacts=[{"name": "x.zip", "path": path, "size": 1}])
    client.force_login(users["support"])
    assert client.get(reverse("execution_artifact", args=[execution.pk, 0])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/executions/1/log/../../../outside-secret.txt",
        "/executions/1/artifacts/..%2F..%2Fx",
        "/executions/..%2F/log",
    ],
)
def test_it_matches_no_route_for_a_traversal_in_the_url(client, users, url):
    client.force_login(users["support"])
    assert client.get(url).status_code == 404


@pytest.fixture
def throttle(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_it_refuses_sign_ins_after_repeated_failures_even_with_the_right_password(client, users, throttle):
    for _ in range(3):
        assert sign_in(client, "merchandiser", "wrong").status_code == 200
    refused = sign_in(client, "merchandiser", "secret-pass-123")
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from another address is not held back.
    assert sign_in(client, "support", "secret-pass-123", address="10.0.0.2").status_code == 302


def test_it_throttles_one_address_trying_many_usernames(client, users, throttle):
    for name in ("a", "b", "c"):
        sign_in(client, name, "guess")
    assert sign_in(client, "support", "secret-pass-123").status_code == 429
    assert sign_in(client, "support", "secret-pass-123", address="10.0.0.9").status_code == 302


def test_it_forgets_a_users_failures_once_they_sign_in(client, users, throttle):
    for _ in range(2):
        sign_in(client, "support", "wrong")
    assert sign_in(client, "support", "secret-pass-123", address="10.0.0.3").status_code == 302
    client.logout()
    for _ in range(2):
        assert sign_in(client, "support", "wrong", address="10.0.0.4").status_code == 200
    assert sign_in(client, "support", "secret-pass-123", address="10.0.0.4").status_code == 302


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_SSL_REDIRECT": "True",
    "SECURE_COOKIES": "True",
    "ALLOWED_HOSTS": "jobs.example.com",
    "DEBUG": "False",
}


def test_it_passes_check_deploy_with_production_settings(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    env.update(PRODUCTION, VAR_DIR=str(tmp_path))
    result = subprocess.run(
        manage_command("check", "--deploy", "--fail-level", "WARNING"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_check_deploy_with_the_development_defaults(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("SECURE_") and k != "SECRET_KEY"}
    env.update(VAR_DIR=str(tmp_path))
    result = subprocess.run(
        manage_command("check", "--deploy", "--fail-level", "WARNING"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "console.W001", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout, warning


def test_it_sends_the_security_headers(client, users, settings):
    client.force_login(users["support"])
    response = client.get(reverse("jobs"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response  # not over plain HTTP, nor by default

    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    fresh = Client()  # middleware reads its settings when the handler loads
    fresh.force_login(users["support"])
    secure = fresh.get(reverse("jobs"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_it_marks_the_session_and_csrf_cookies(client, users):
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "support", "password": "secret-pass-123"})
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"
