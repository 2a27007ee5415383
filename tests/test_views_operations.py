"""Operations pages: Reports (page, CSV, settings), a job's Chains and Alerts tab, API tokens;
who may see and change what."""

import pytest
from django.urls import reverse

from jobs.models import AuditEntry
from jobs.operations.models import ApiToken, JobAlertRule, JobChain, OperationsSettings
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db

ROLES = ["admin", "merchandiser", "support", "nobody"]


def as_user(client, users, name):
    client.force_login(users[name])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_the_report_page_and_csv_by_role(client, users, role):
    make_execution("Test-Quick")
    as_user(client, users, role)
    page, csv = client.get(reverse("status_report")), client.get(reverse("status_report_csv"))
    if role == "nobody":
        assert page.status_code == csv.status_code == 403
        return
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-job="Test-Quick"' in html and 'data-job="Akeneo-Full-Pipeline"' in html
    assert 'id="disk-logs"' in html
    assert ("Report and retention settings" in html) == (role == "admin")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"].startswith('attachment; filename="job-status-report-')
    assert any(line.startswith("Test-Quick,OK,") for line in csv.content.decode().splitlines())


def test_the_report_is_in_the_navigation(client, users):
    as_user(client, users, "support")
    assert f'href="{reverse("status_report")}"' in client.get(reverse("jobs")).content.decode()


def test_an_administrator_saves_the_report_and_retention_settings(client, users):
    as_user(client, users, "admin")
    data = {"report_recipients": "a@example.com; b@example.com", "retention_days": 14, "retention_keep": 5}
    response = client.post(reverse("operations_settings"), data)
    assert response.status_code == 302
    options = OperationsSettings.load()
    assert (options.report_recipients, options.retention_days, options.retention_keep) == (
        "a@example.com, b@example.com",
        14,
        5,
    )
    assert AuditEntry.objects.get().action == "configure"


def test_settings_with_a_bad_address_are_refused_at_the_field(client, users):
    as_user(client, users, "admin")
    data = {"report_recipients": "not-an-address", "retention_days": 14, "retention_keep": 5}
    response = client.post(reverse("operations_settings"), data)
    assert response.status_code == 400
    assert "is not an e-mail address" in response.content.decode()


@pytest.mark.parametrize("role", ["merchandiser", "support", "nobody"])
def test_only_administrators_change_settings_chains_and_alerts(client, users, role):
    chain = JobChain.objects.create(source_job="Test-Quick", target_job="Test-Free")
    as_user(client, users, role)
    posts = [
        (reverse("operations_settings"), {"retention_days": 1, "retention_keep": 0}),
        (reverse("job_chain_add", args=["Test-Quick"]), {"target": "Test-Beta"}),
        (reverse("job_chain_toggle", args=["Test-Quick", chain.pk]), {}),
        (reverse("job_chain_delete", args=["Test-Quick", chain.pk]), {}),
        (reverse("job_alerts", args=["Test-Quick"]), {"recipients": "x@example.com"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert JobChain.objects.get().enabled and not JobAlertRule.objects.exists()


def test_the_chains_and_alerts_tab_for_a_job_id_with_spaces(client, users):
    as_user(client, users, "support")
    response = client.get(reverse("job_operations", args=["1- Akeneo-Import-Attributes"]))
    assert response.status_code == 200
    assert "Nothing starts after this job." in response.content.decode()
    assert "Add chain" not in response.content.decode()


def test_an_administrator_adds_toggles_and_removes_a_chain(client, users):
    as_user(client, users, "admin")
    url = reverse("job_chain_add", args=["2- Akeneo-Import-Media-Assets-Pricebook"])
    response = client.post(url, {"target": "3-1- Akeneo-Differential-Import-Products"})
    assert response.status_code == 302
    chain = JobChain.objects.get()
    assert (chain.source_job, chain.target_job, chain.enabled, chain.created_by) == (
        "2- Akeneo-Import-Media-Assets-Pricebook",
        "3-1- Akeneo-Differential-Import-Products",
        True,
        users["admin"],
    )
    page = client.get(reverse("job_operations", args=[chain.source_job])).content.decode()
    assert "3-1- Akeneo-Differential-Import-Products" in page and "Disable" in page
    client.post(reverse("job_chain_toggle", args=[chain.source_job, chain.pk]))
    chain.refresh_from_db()
    assert not chain.enabled
    client.post(reverse("job_chain_delete", args=[chain.source_job, chain.pk]))
    assert not JobChain.objects.exists()
    assert AuditEntry.objects.filter(action="configure").count() == 3


def test_a_looping_chain_is_refused_with_a_reason(client, users):
    JobChain.objects.create(source_job="Test-Quick", target_job="Test-Beta")
    as_user(client, users, "admin")
    response = client.post(reverse("job_chain_add", args=["Test-Beta"]), {"target": "Test-Quick"})
    assert response.status_code == 400
    assert "the chain would loop" in response.content.decode()


def test_an_administrator_sets_the_alerts_of_a_job(client, users):
    as_user(client, users, "admin")
    url = reverse("job_alerts", args=["Test-Quick"])
    assert client.post(url, {"recipients": "ops@example.com", "hanging_minutes": 30}).status_code == 302
    rule = JobAlertRule.objects.get()
    assert (rule.job_id, rule.recipient_list, rule.hanging_minutes) == ("Test-Quick", ["ops@example.com"], 30)
    assert client.post(url, {"recipients": "ops", "hanging_minutes": 0}).status_code == 400


def test_a_user_creates_a_token_seen_once_and_revokes_it(client, users):
    as_user(client, users, "merchandiser")
    response = client.post(reverse("tokens"), {"name": "nightly CI"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    token = html.split('<pre class="log">')[1].split("</pre>")[0]
    row = ApiToken.objects.get()
    assert token.startswith("sjc_") and row.token_hash == ApiToken.digest(token) and token != row.token_hash
    listing = client.get(reverse("tokens")).content.decode()
    assert token not in listing and row.hint in listing and "nightly CI" in listing
    assert client.post(reverse("token_revoke", args=[row.pk])).status_code == 302
    assert not ApiToken.objects.exists()


def test_a_user_cannot_revoke_someone_elses_token(client, users):
    row, _ = ApiToken.issue(user=users["admin"], name="theirs")
    as_user(client, users, "merchandiser")
    assert client.post(reverse("token_revoke", args=[row.pk])).status_code == 404
    assert client.get(reverse("token_revoke", args=[row.pk])).status_code == 405
    assert ApiToken.objects.exists()


def test_the_tokens_page_needs_a_login(client):
    assert client.get(reverse("tokens")).status_code == 302


def test_an_account_without_a_role_is_not_offered_a_token(client, users):
    as_user(client, users, "nobody")
    page = client.get(reverse("tokens")).content.decode()
    assert 'name="name"' not in page and "your account has none yet" in page
    response = client.post(reverse("tokens"), {"name": "mine"})
    assert response.status_code == 403 and not ApiToken.objects.exists()
    assert "your account has none: it would open nothing" in response.content.decode()


def test_support_gets_a_token_that_reads_executions_but_runs_nothing(client, users):
    as_user(client, users, "support")
    response = client.post(reverse("tokens"), {"name": "logs", "days": 7})
    assert response.status_code == 200 and ApiToken.objects.filter(user=users["support"]).exists()
