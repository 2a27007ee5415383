"""One sign-in limit for every login form, keyed as Django signs users in, shared by every
web process (console/throttle.py)."""

import subprocess
import sys

import pytest
from django.urls import reverse

from console.models import SignInThrottle
from tests.integration import process_env


@pytest.fixture
def limit(settings, users):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    users["admin"].is_staff = True  # Administrators are staff: they may use /admin/
    users["admin"].save()


def console_sign_in(client, username, password, address="10.1.0.1", **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def admin_sign_in(client, username, password, address="10.1.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_it_signs_a_staff_administrator_in_to_the_admin(client, users, limit):
    assert admin_sign_in(client, "admin", "secret-pass-123").status_code == 302


def test_it_limits_the_admin_login_like_the_consoles(client, users, limit):
    for n in range(3):
        admin_sign_in(client, "admin", "wrong", address=f"10.2.0.{n}")
    refused = admin_sign_in(client, "admin", "secret-pass-123", address="10.2.0.9")
    assert refused.status_code == 200  # the admin's form comes back: not signed in
    assert "_auth_user_id" not in client.session


def test_it_counts_admin_failures_against_the_console_login_too(client, users, limit):
    for n in range(3):
        admin_sign_in(client, "admin", "wrong", address=f"10.3.0.{n}")
    assert console_sign_in(client, "admin", "secret-pass-123", address="10.3.0.9").status_code == 429


@pytest.mark.parametrize("look_alike", ["ｓupport", "𝐬upport", "𝓈upport", "SUPPORT", " support"])
def test_it_counts_look_alike_user_names_as_the_user_django_signs_in(client, users, limit, look_alike):
    for n in range(3):
        console_sign_in(client, look_alike, "wrong", address=f"10.4.0.{n}")
    assert console_sign_in(client, "support", "secret-pass-123", address="10.4.0.9").status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_keys_the_address_seen_by_the_tls_proxy(client, users, limit, settings):
    settings.BEHIND_TLS_PROXY = True
    for name in ("a", "b", "c"):
        # The client forges the first hop; the proxy appends the address it really saw.
        console_sign_in(
            client, name, "x", address="10.0.0.254", HTTP_X_FORWARDED_FOR=f"1.1.1.{ord(name)}, 10.5.0.7"
        )
    blocked = console_sign_in(
        client, "support", "secret-pass-123", address="10.0.0.254", HTTP_X_FORWARDED_FOR="9.9.9.9, 10.5.0.7"
    )
    assert blocked.status_code == 429
    other = console_sign_in(
        client, "support", "secret-pass-123", address="10.0.0.254", HTTP_X_FORWARDED_FOR="10.5.0.8"
    )
    assert other.status_code == 302


def test_it_stores_neither_names_nor_addresses_in_clear(client, users, limit):
    console_sign_in(client, "support", "wrong", address="10.6.0.1")
    keys = list(SignInThrottle.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all(len(k) == 64 and "support" not in k and "10.6" not in k for k in keys)


def test_it_starts_a_new_window_once_the_old_one_has_passed(client, users, limit, settings):
    for n in range(3):
        console_sign_in(client, "support", "wrong", address=f"10.7.0.{n}")
    SignInThrottle.objects.update(window_start="2000-01-01T00:00:00Z")
    assert console_sign_in(client, "support", "secret-pass-123", address="10.7.0.9").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_it_shares_the_limit_between_web_processes(client, users, limit):
    """Failures counted by another process (another gunicorn worker) block this one."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client();"
        "[c.post('/login/', {'username': 'merchandiser', 'password': 'wrong'}, REMOTE_ADDR=f'10.8.0.{n}')"
        " for n in range(3)]"
    )
    env = process_env(DJANGO_SETTINGS_MODULE="console.settings", LOGIN_FAILURE_LIMIT="3")
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)
    assert console_sign_in(client, "merchandiser", "secret-pass-123", address="10.8.0.9").status_code == 429
