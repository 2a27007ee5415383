"""The Content-Security-Policy and what it requires of the pages: no inline scripts or styles."""

import re

import pytest
from django.urls import reverse

from console.security import POLICY
from jobs.models import ExecutionStatus
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db

CSP_MIDDLEWARE = "console.security.ContentSecurityPolicyMiddleware"


@pytest.fixture
def with_csp(settings):
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, CSP_MIDDLEWARE]


def test_it_sends_a_same_origin_policy(client, users, with_csp):
    client.force_login(users["support"])
    response = client.get(reverse("jobs"))
    assert response["Content-Security-Policy"] == POLICY
    assert "script-src 'self'" in POLICY and "unsafe" not in POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert client.get(reverse("login"))["Content-Security-Policy"] == POLICY


def test_it_keeps_a_policy_a_view_set_itself(rf, with_csp):
    from django.http import HttpResponse

    from console.security import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert (
        ContentSecurityPolicyMiddleware(view)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"
    )


def test_it_has_no_inline_script_or_style_the_policy_would_block(client, users):
    running = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    client.force_login(users["admin"])
    urls = [
        reverse("jobs"),
        reverse("job", args=["Test-Quick"]),
        reverse("job_schedule", args=["Test-Quick"]),
        reverse("history"),
        reverse("execution", args=[running.pk]),
        reverse("audit"),
    ]
    client.logout()
    pages = {reverse("login"): client.get(reverse("login")).content.decode()}
    client.force_login(users["admin"])
    pages.update({url: client.get(url).content.decode() for url in urls})
    for url, page in pages.items():
        scripts = re.findall(r"<script\b([^>]*)>", page)
        assert scripts and all("src=" in attrs for attrs in scripts), url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url
