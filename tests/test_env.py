"""Settings read from the environment fail loudly on a value nobody meant."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from console.env import envbool, envint, envlist


@pytest.mark.parametrize(
    "raw, expected", [("1", True), ("TRUE", True), (" on ", True), ("no", False), ("", False)]
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert envbool("SOME_FLAG") is expected


def test_it_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert envbool("SOME_FLAG", "True") is True
    assert envint("SOME_NUMBER", "7") == 7


def test_it_refuses_a_typo_in_a_boolean_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='ture' is not a boolean"):
        envbool("SOME_FLAG")


def test_it_refuses_a_number_with_a_unit_or_below_its_minimum(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "5s")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER='5s' is not a whole number"):
        envint("SOME_NUMBER", "1")
    monkeypatch.setenv("SOME_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        envint("SOME_NUMBER", "1")


def test_it_splits_lists(monkeypatch):
    monkeypatch.setenv("SOME_LIST", " a, b ,,c")
    assert envlist("SOME_LIST") == ["a", "b", "c"]


def test_it_stops_the_console_at_start_up_on_a_bad_setting():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "ture", "REDIS_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_it_refuses_an_email_backend_that_does_not_import(settings):
    from console.checks import check_email_backend

    assert check_email_backend(None) == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtpp.EmailBackend"
    [error] = check_email_backend(None)
    assert error.id == "console.E001"
    assert "EMAIL_BACKEND='django.core.mail.backends.smtpp.EmailBackend' cannot be imported" in error.msg
