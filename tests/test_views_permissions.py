"""Who may do what, table-driven over URL × role: anonymous users go to the login page,
forbidden actions answer 403, and what a role cannot do is not shown."""

import pytest
from django.urls import reverse

from jobs.models import AuditEntry, ExecutionStatus, JobExecution
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db

ROLES = ["admin", "merchandiser", "support", "nobody"]


@pytest.fixture
def execution(storage_root):
    execution = make_execution(artifacts=[{"name": "X.zip", "path": "artifacts/perm/X.zip", "size": 3}])
    log = storage_root / "logs" / execution.log_file_name
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("a line\n")
    artifact = storage_root / "artifacts" / "perm" / "X.zip"
    artifact.parent.mkdir(parents=True, exist_ok=True)
    artifact.write_bytes(b"zip")
    return execution


def url(name, execution, job_id="Test-Quick"):
    urls = {
        "jobs": reverse("jobs"),
        "jobs_table": reverse("jobs_table"),
        "job": reverse("job", args=[job_id]),
        "job_schedule": reverse("job_schedule", args=[job_id]),
        "history": reverse("history"),
        "execution": reverse("execution", args=[execution.pk]),
        "execution_live": reverse("execution_live", args=[execution.pk]),
        "execution_log": reverse("execution_log", args=[execution.pk]),
        "execution_artifact": reverse("execution_artifact", args=[execution.pk, 0]),
        "audit": reverse("audit"),
        "users": reverse("users"),
        "job_run": reverse("job_run", args=[job_id]),
        "job_schedule_delete": reverse("job_schedule_delete", args=[job_id]),
        "execution_stop": reverse("execution_stop", args=[execution.pk]),
        "execution_rerun": reverse("execution_rerun", args=[execution.pk]),
    }
    return urls[name]


# GET: which roles may open each page (the others get 403).
GET_ALLOWED = {
    "jobs": {"admin", "merchandiser", "support"},
    "jobs_table": {"admin", "merchandiser", "support"},
    "job": {"admin", "merchandiser", "support"},
    "job_schedule": {"admin", "merchandiser", "support"},
    "history": {"admin", "merchandiser", "support"},
    "execution": {"admin", "merchandiser", "support"},
    "execution_live": {"admin", "merchandiser", "support"},
    "execution_log": {"admin", "merchandiser", "support"},
    "execution_artifact": {"admin", "merchandiser", "support"},
    "audit": {"admin"},
    "users": {"admin"},
}

# POST: which roles may change state (the others get 403 and nothing changes).
POST_ALLOWED = {
    "job_run": {"admin", "merchandiser"},
    "job_schedule": {"admin"},
    "job_schedule_delete": {"admin"},
    "execution_stop": {"admin", "merchandiser"},
    "execution_rerun": {"admin", "merchandiser"},
    "users": {"admin"},
}


def test_it_sends_anonymous_users_to_the_login_page(client, execution):
    requests = [(client.get, name) for name in GET_ALLOWED] + [(client.post, name) for name in POST_ALLOWED]
    for method, name in requests:
        response = method(url(name, execution))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login") + "?next="), name


def test_it_redirects_the_root_to_the_jobs_page(client, users):
    client.force_login(users["support"])
    assert client.get("/").url == reverse("jobs")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(GET_ALLOWED))
def test_it_allows_pages_by_role(client, users, execution, name, role):
    client.force_login(users[role])
    response = client.get(url(name, execution))
    assert response.status_code == (200 if role in GET_ALLOWED[name] else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(POST_ALLOWED))
def test_it_refuses_forbidden_actions_with_403(client, users, execution, no_enqueue, name, role):
    client.force_login(users[role])
    before = JobExecution.objects.count(), AuditEntry.objects.count()
    response = client.post(url(name, execution), {})
    if role in POST_ALLOWED[name]:
        assert response.status_code in (200, 302, 400)
    else:
        assert response.status_code == 403
        assert (JobExecution.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("name", [name for name in POST_ALLOWED if name not in GET_ALLOWED])
def test_it_refuses_get_on_actions(client, users, execution, name):
    client.force_login(users["admin"])
    assert client.get(url(name, execution)).status_code == 405


def test_it_hides_run_from_support(client, users, execution):
    client.force_login(users["support"])
    page = client.get(reverse("jobs")).content.decode()
    assert "Test-Quick" in page
    assert reverse("job_run", args=["Test-Quick"]) not in page
    detail = client.get(reverse("execution", args=[execution.pk])).content.decode()
    assert reverse("execution_rerun", args=[execution.pk]) not in detail
    assert reverse("execution_log", args=[execution.pk]) in detail


def test_it_shows_run_and_stop_to_merchandisers(client, users):
    running = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    client.force_login(users["merchandiser"])
    page = client.get(reverse("jobs")).content.decode()
    assert reverse("job_run", args=["Test-Free"]) in page
    detail = client.get(reverse("execution", args=[running.pk])).content.decode()
    assert reverse("execution_stop", args=[running.pk]) in detail


def test_it_shows_the_schedule_form_to_administrators_only(client, users):
    schedule_url = reverse("job_schedule", args=["Test-Quick"])
    for role, shown in [("admin", True), ("merchandiser", False), ("support", False)]:
        client.force_login(users[role])
        page = client.get(schedule_url).content.decode()
        assert ('id="schedule-form"' in page) is shown, role


def test_it_shows_the_audit_link_to_administrators_only(client, users):
    for role, shown in [("admin", True), ("merchandiser", False), ("support", False)]:
        client.force_login(users[role])
        page = client.get(reverse("jobs")).content.decode()
        assert (reverse("audit") in page) is shown, role


def test_it_shows_the_users_and_roles_link_to_administrators_only(client, users):
    for role, shown in [("admin", True), ("merchandiser", False), ("support", False)]:
        client.force_login(users[role])
        page = client.get(reverse("jobs")).content.decode()
        assert (reverse("users") in page) is shown, role


def test_it_hides_log_links_from_users_who_may_not_download(client, users, execution, monkeypatch):
    # No role has "view" without "download" today; strip the permission to prove the check.
    client.force_login(users["merchandiser"])
    monkeypatch.setattr(
        "console.context_processors.job_roles.capabilities",
        lambda user: {"run": True, "schedule": False, "configure": False, "download": False},
    )
    page = client.get(reverse("history")).content.decode()
    assert reverse("execution_log", args=[execution.pk]) not in page
