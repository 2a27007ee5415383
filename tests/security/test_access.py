"""Every URL × role (anonymous, Administrator, Merchandiser, Support, an account without a
role) × GET and POST, from the URLconf; and CSRF on every state change."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jobs.models import AuditEntry, JobExecution
from tests.security.urls import ACCESS, ANONYMOUS, ROLES, make_world, url_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, storage_root, no_enqueue):
    return make_world(users, storage_root)


def client_for(role, users, world, access, **options) -> Client:
    client = Client(**options)
    if role == ANONYMOUS:
        return client
    if access.auth == "token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[role]}"
    else:
        client.force_login(users[role])
    return client


def verdict(response, allowed, access, role) -> str | None:
    """Why `response` is wrong for a role that is (or is not) allowed; None when it is right."""
    status = response.status_code
    if access.auth == "client":
        # Only an API client's id and secret open it; a GET is not allowed at all.
        return None if status == 401 or (status == 405 and allowed is None) else f"{status}, expected 401"
    # Logging out lands on the login page too; for a page that wants a session it is a refusal.
    to_login = access.auth == "session" and status == 302 and response.url.startswith(reverse("login"))
    if allowed is None:
        return None if status == 405 else f"{status}, expected 405"
    if allowed:
        if status in (401, 403, 405) or status >= 500 or to_login:
            return f"{status}{' to the login page' if to_login else ''}, expected access"
        return None
    expected = 403
    if role == ANONYMOUS:
        expected = {"session": "login", "token": 401}.get(access.auth, 403)
    if expected == "login":
        return None if to_login else f"{status}, expected a redirect to the login page"
    return None if status == expected else f"{status}, expected {expected}"


def test_it_has_a_row_for_every_url_in_the_urlconf():
    assert url_names() == set(ACCESS)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_it_allows_each_url_to_the_roles_in_the_table(name, users, world):
    access, url = ACCESS[name], world.url(name)
    wrong = []
    for method in ("get", "post"):
        roles = getattr(access, method)
        for role in ROLES:
            allowed = None if roles is None else role in roles
            client = client_for(role, users, world, access)
            before = JobExecution.objects.count(), AuditEntry.objects.count()
            response = getattr(client, method)(url)
            problem = verdict(response, allowed, access, role)
            if problem is None and not allowed:
                changed = (JobExecution.objects.count(), AuditEntry.objects.count()) != before
                problem = "a refused request changed something" if changed else None
            if problem:
                wrong.append(f"{method.upper()} {url} as {role}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_it_keeps_the_django_admin_to_staff_accounts(client, users):
    for role in ("admin", "merchandiser", "support", "nobody"):
        client.force_login(users[role])
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response.url, role
    superuser = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_never_lets_a_session_cookie_use_the_api(client, users, world):
    """The API is exempt from CSRF because it reads bearer tokens only: a browser's session
    cookie, which a forged cross-site request would carry, is not enough."""
    client.force_login(users["admin"])
    assert client.get(world.url("api_jobs")).status_code == 401
    assert client.post(world.url("api_executions")).status_code == 401
    assert not JobExecution.objects.exclude(pk=world.execution.pk).exists()


STATE_CHANGES = sorted(name for name, access in ACCESS.items() if access.post and access.auth == "session")


@pytest.mark.parametrize("name", STATE_CHANGES)
def test_it_refuses_a_post_without_the_csrf_token(name, users, world):
    client = Client(enforce_csrf_checks=True)
    if name not in ("login", "logout"):
        client.force_login(users["admin"])
    before = JobExecution.objects.count(), AuditEntry.objects.count()
    response = client.post(world.url(name), {"target": "Test-Beta"})
    assert response.status_code == 403, name
    assert b"CSRF" in response.content
    assert (JobExecution.objects.count(), AuditEntry.objects.count()) == before


def test_it_accepts_a_post_with_the_csrf_token(users, world):
    """The refusals above are CSRF's and nothing else: with the token from the page, Run works."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["merchandiser"])
    client.get(reverse("jobs"))
    token = client.cookies["csrftoken"].value
    response = client.post(world.url("job_run"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert JobExecution.objects.filter(job_id="Test-Quick").count() == 2
