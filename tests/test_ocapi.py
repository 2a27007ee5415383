"""The OCAPI-compatible paths Salesforce's tools call: Account Manager's token endpoint for the
console's API clients, OCAPI's job resources with their documents and faults, WebDAV job logs,
roles; every response checked against the OpenAPI document."""

import base64
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone

from jobs.models import AuditEntry, ExecutionStatus, ExitStatus, JobExecution
from jobs.operations.models import ApiAccessToken, ApiClient, ApiToken
from tests.pages_fixtures import make_execution
from tests.test_api import DOCUMENT, REGISTRY

pytestmark = pytest.mark.django_db

TOKEN_URL = "/dwsso/oauth2/access_token"
DATA = "/s/-/dw/data/v19_5"
SPECIAL = "s3cr+t%2F/with:colon and space"


def check(response, template: str, method: str):
    from jsonschema import Draft202012Validator

    documented = DOCUMENT["paths"][template][method.lower()]["responses"].get(str(response.status_code))
    assert documented, f"{method} {template} does not document {response.status_code}"
    schema = documented["content"]["application/json"]["schema"]
    pointer = schema["$ref"].removeprefix("#")
    Draft202012Validator({"$ref": f"urn:api#{pointer}"}, registry=REGISTRY).validate(response.json())
    return response.json()


def basic(client_id: str, secret: str) -> str:
    # RFC 6749 §2.3.1: each form-url-encoded before Basic, as sfcc-ci does.
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def make_client(role="Merchandiser", days=30, secret=None):
    row, issued = ApiClient.issue(name=f"ci {role}", role=role, days=days)
    if secret:
        row.secret_hash = ApiToken.digest(secret)
        row.save()
    return row, secret or issued


def token_for(client, role="Merchandiser") -> str:
    row, secret = make_client(role)
    response = client.post(
        TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(row.client_id, secret)
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- Account Manager's token endpoint ------------------------------------------------------


def test_it_issues_a_token_for_form_url_encoded_basic_credentials(client):
    row, secret = make_client(secret=SPECIAL)
    response = client.post(
        TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(row.client_id, secret)
    )
    document = check(response, "/dwsso/oauth2/access_token", "POST")
    assert document["token_type"] == "Bearer" and document["expires_in"] == settings.API_CLIENT_TOKEN_SECONDS
    assert document["scope"] == "jobs:read jobs:run logs:read"
    assert response["Cache-Control"] == "no-store"
    stored = ApiAccessToken.objects.get()
    assert stored.client == row and stored.token_hash == ApiToken.digest(document["access_token"])


def test_it_issues_a_token_for_credentials_in_the_body(client):
    row, secret = make_client("Support")
    response = client.post(
        TOKEN_URL, {"grant_type": "client_credentials", "client_id": row.client_id, "client_secret": secret}
    )
    assert check(response, "/dwsso/oauth2/access_token", "POST")["scope"] == "jobs:read logs:read"


def test_it_refuses_a_wrong_secret_an_unknown_revoked_or_expired_client(client):
    row, secret = make_client()
    attempts = [basic(row.client_id, secret + "x"), basic("unknown", secret), basic(row.client_id, "")]
    for header in attempts:
        response = client.post(TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=header)
        assert check(response, "/dwsso/oauth2/access_token", "POST")["error"] == "invalid_client"
        assert response["WWW-Authenticate"].startswith("Basic")
    ApiClient.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
    expired = client.post(
        TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(row.client_id, secret)
    )
    assert expired.status_code == 401
    ApiClient.objects.filter(pk=row.pk).update(
        expires=timezone.now() + timedelta(days=1), revoked=timezone.now()
    )
    revoked = client.post(
        TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(row.client_id, secret)
    )
    assert revoked.status_code == 401
    assert not ApiAccessToken.objects.exists()


@pytest.mark.django_db
def test_a_client_secret_never_starts_with_a_dash_which_sfcc_ci_would_read_as_an_option(monkeypatch):
    drawn = iter(["-looks-like-an-option", "_fine-secret"])
    monkeypatch.setattr("jobs.operations.models.secrets.token_urlsafe", lambda size: next(drawn))
    _, secret = ApiClient.issue(name="CI", role="Merchandiser", days=1)
    assert secret == "_fine-secret"


def test_it_refuses_other_grants_naming_them(client):
    row, secret = make_client()
    response = client.post(
        TOKEN_URL, {"grant_type": "password"}, HTTP_AUTHORIZATION=basic(row.client_id, secret)
    )
    document = check(response, "/dwsso/oauth2/access_token", "POST")
    assert document["error"] == "unsupported_grant_type" and "'password'" in document["error_description"]
    missing = client.post(TOKEN_URL, {}, HTTP_AUTHORIZATION=basic(row.client_id, secret))
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_a_token_never_outlives_its_client_and_expires(client, no_enqueue):
    row, secret = make_client(days=1)
    ApiClient.objects.filter(pk=row.pk).update(expires=timezone.now() + timedelta(seconds=60))
    response = client.post(
        TOKEN_URL, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(row.client_id, secret)
    )
    assert 0 < response.json()["expires_in"] <= 60
    token = response.json()["access_token"]
    execution = make_execution()
    url = f"{DATA}/jobs/Test-Quick/executions/{execution.pk}"
    assert client.get(url, **bearer(token)).status_code == 200
    ApiAccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    expired = client.get(url, **bearer(token))
    assert expired.status_code == 401
    assert check(expired, "/s/-/dw/data/{version}/jobs/{job_id}/executions/{id}", "GET")["fault"]["type"] == (
        "InvalidAccessTokenException"
    )


# --- OCAPI job executions -------------------------------------------------------------------


def test_it_starts_a_job_and_records_its_parameters_and_client(client, no_enqueue):
    token = token_for(client)
    body = {"parameters": [{"name": "Mode", "value": "full"}, {"name": "Flag", "value": None}]}
    response = client.post(
        f"{DATA}/jobs/Test-Quick/executions", body, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 202
    document = check(response, "/s/-/dw/data/{version}/jobs/{job_id}/executions", "POST")
    execution = JobExecution.objects.get(pk=int(document["id"]))
    assert (document["status"], document["execution_status"], document["_v"]) == (
        "PENDING",
        "pending",
        "19.5",
    )
    assert "exit_status" not in document and document["log_file_name"] == execution.log_file_name
    assert document["log_file_path"] == f"/Sites/LOGS/jobs/Test-Quick/{execution.log_file_name}"
    assert execution.parameters == body["parameters"] and execution.trigger == "api"
    client_id = ApiClient.objects.get().client_id
    assert execution.client_id == client_id == document["client_id"]
    assert [p["name"] for p in document["parameters"]] == ["Mode", "Flag"]
    assert f"API client {client_id}" in AuditEntry.objects.get(execution=execution).message


def test_it_starts_a_job_whose_id_has_spaces(client, no_enqueue):
    from jobs import registry

    job_id = registry.all_jobs()[0].id
    assert " " in job_id
    response = client.post(
        f"{DATA}/jobs/{quote(job_id)}/executions",
        content_type="application/json",
        **bearer(token_for(client)),
    )
    assert response.status_code == 202 and response.json()["job_id"] == job_id


@pytest.mark.parametrize("body,kind,named", [
    ("not json", "MalformedDocumentException", "not a JSON document"),
    ('{"file_name": "x.zip"}', "UnknownPropertyException", "'file_name'"),
    ('{"parameters": {"a": 1}}', "MalformedDocumentException", "'parameters'"),
    ('{"parameters": [{"name": "", "value": "x"}]}', "MalformedDocumentException", "parameters[0].name"),
    ('{"parameters": [{"name": "a", "value": 3}]}', "MalformedDocumentException", "parameters[0].value"),
    ("[" * 100 + "]" * 100, "MalformedDocumentException", "nested deeper"),
])  # fmt: skip
def test_it_refuses_a_body_naming_the_property(client, no_enqueue, body, kind, named):
    token = token_for(client)
    response = client.post(
        f"{DATA}/jobs/Test-Quick/executions", body, content_type="application/json", **bearer(token)
    )
    document = check(response, "/s/-/dw/data/{version}/jobs/{job_id}/executions", "POST")
    assert (
        response.status_code == 400
        and document["fault"]["type"] == kind
        and named in document["fault"]["message"]
    )
    assert not JobExecution.objects.exists()


def test_it_answers_ocapi_faults_for_unknown_jobs_held_locks_and_versions(client, no_enqueue):
    token = token_for(client)
    template = "/s/-/dw/data/{version}/jobs/{job_id}/executions"
    unknown = client.post(
        f"{DATA}/jobs/No-Such-Job/executions", content_type="application/json", **bearer(token)
    )
    assert (
        unknown.status_code == 404
        and check(unknown, template, "POST")["fault"]["type"] == "JobNotFoundException"
    )
    holder = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    held = client.post(f"{DATA}/jobs/Test-Quick/executions", content_type="application/json", **bearer(token))
    fault = check(held, template, "POST")["fault"]
    assert held.status_code == 400 and fault["type"] == "JobAlreadyRunningException"
    assert fault["arguments"]["execution_id"] == str(holder.pk)
    version = client.post("/s/-/dw/data/latest/jobs/Test-Quick/executions", **bearer(token))
    assert version.status_code == 404 and version.json()["fault"]["type"] == "UnknownVersionException"
    missing = client.get(f"{DATA}/jobs/Test-Quick/executions/999999", **bearer(token))
    assert missing.status_code == 404 and missing.json()["fault"]["type"] == "JobExecutionNotFoundException"
    other_job = client.get(f"{DATA}/jobs/Test-Beta/executions/{holder.pk}", **bearer(token))
    assert other_job.status_code == 404


@pytest.mark.parametrize("status,exit_code,expected", [
    (ExecutionStatus.FINISHED, ExitStatus.OK, ("OK", "ok")),
    (ExecutionStatus.FINISHED, ExitStatus.WARN, ("WARN", "ok")),
    (ExecutionStatus.FINISHED, ExitStatus.ERROR, ("ERROR", "error")),
    (ExecutionStatus.ABORTED, "", ("ABORTED", "error")),
])  # fmt: skip
def test_an_ended_execution_reads_as_ocapi_writes_it(client, status, exit_code, expected):
    execution = make_execution(status=status, exit_status=exit_code, message="2 data errors")
    if status == ExecutionStatus.ABORTED:
        JobExecution.objects.filter(pk=execution.pk).update(
            finished=execution.started + timedelta(seconds=90)
        )
    response = client.get(
        f"/s/-/dw/data/v25_6/jobs/Test-Quick/executions/{execution.pk}", **bearer(token_for(client))
    )
    document = check(response, "/s/-/dw/data/{version}/jobs/{job_id}/executions/{id}", "GET")
    assert (document["status"], document["exit_status"]["status"]) == expected
    assert (
        document["exit_status"]["code"] == expected[0]
        and document["exit_status"]["message"] == "2 data errors"
    )
    assert document["duration"] == 90_000 and document["end_time"].endswith("Z") and document["_v"] == "25.6"
    assert document["id"] == str(execution.pk)
    assert [s["step_id"] for s in document["step_executions"]] == ["count", "again"]


def test_a_running_execution_reads_running_without_an_exit_status(client):
    for status in (ExecutionStatus.RUNNING, ExecutionStatus.ABORTING):
        execution = make_execution(status=status, hold_locks=False)
        response = client.get(
            f"{DATA}/jobs/Test-Quick/executions/{execution.pk}", **bearer(token_for(client))
        )
        document = check(response, "/s/-/dw/data/{version}/jobs/{job_id}/executions/{id}", "GET")
        assert document["status"] == "RUNNING" and document["execution_status"] == status
        assert "exit_status" not in document and "end_time" not in document
        assert document["step_executions"][0]["execution_status"] == "running"


def test_a_support_client_reads_executions_but_may_not_start_jobs(client, no_enqueue):
    token = token_for(client, "Support")
    execution = make_execution()
    assert client.get(f"{DATA}/jobs/Test-Quick/executions/{execution.pk}", **bearer(token)).status_code == 200
    refused = client.post(
        f"{DATA}/jobs/Test-Quick/executions", content_type="application/json", **bearer(token)
    )
    template = "/s/-/dw/data/{version}/jobs/{job_id}/executions"
    assert refused.status_code == 403
    assert check(refused, template, "POST")["fault"]["type"] == "ClientAccessForbiddenException"
    assert JobExecution.objects.count() == 1


def test_personal_tokens_open_the_ocapi_paths_too(client, users, no_enqueue):
    _, token = ApiToken.issue(user=users["merchandiser"], name="ci")
    response = client.post(
        f"{DATA}/jobs/Test-Quick/executions", content_type="application/json", **bearer(token)
    )
    assert response.status_code == 202 and response.json()["user_login"] == "merchandiser"


def test_it_searches_executions_by_job_and_status(client):
    running = make_execution("Test-Gated", status=ExecutionStatus.RUNNING)
    make_execution("Test-Gated")
    make_execution("Test-Beta", exit_status=ExitStatus.ERROR)
    token = token_for(client, "Support")
    query = {"bool_query": {"must": [
        {"term_query": {"fields": ["job_id"], "operator": "is", "values": ["Test-Gated"]}},
        {"term_query": {"fields": ["status"], "operator": "one_of", "values": ["RUNNING", "PENDING"]}},
    ]}}  # fmt: skip
    body = {"query": query, "count": 1, "sorts": [{"field": "start_time", "sort_order": "asc"}]}
    url, template = f"{DATA}/job_execution_search", "/s/-/dw/data/{version}/job_execution_search"
    response = client.post(url, body, content_type="application/json", **bearer(token))
    document = check(response, template, "POST")
    assert (document["total"], [hit["id"] for hit in document["hits"]]) == (1, [str(running.pk)])
    errors = {"query": {"term_query": {"fields": ["status"], "operator": "is", "values": ["ERROR"]}}}
    found = client.post(url, errors, content_type="application/json", **bearer(token)).json()
    assert [hit["job_id"] for hit in found["hits"]] == ["Test-Beta"]
    everything = client.post(url, {}, content_type="application/json", **bearer(token)).json()
    assert everything["total"] == 3 and everything["count"] == 3
    bad = client.post(url, {"query": {"text_query": {}}}, content_type="application/json", **bearer(token))
    assert bad.status_code == 400 and "text_query" in check(bad, template, "POST")["fault"]["message"]


# --- WebDAV logs -------------------------------------------------------------------------------


@pytest.fixture
def logged(storage_root):
    execution = make_execution()
    path = storage_root / "logs" / execution.log_file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[2026-01-01 00:00:00.000 UTC] INFO  Execution OK\n")
    return execution


def test_it_serves_an_executions_log_where_sfcc_ci_and_the_b2c_cli_read_it(client, logged):
    token = token_for(client, "Support")
    name = quote(logged.log_file_name)
    for url in (
        f"/on/demandware.servlet/webdav/Sites/Impex/log/{name}",
        f"/on/demandware.servlet/webdav/Sites/impex/log/{name}",
        f"/on/demandware.servlet/webdav/Sites/LOGS/jobs/Test-Quick/{name}",
    ):
        response = client.get(url, **bearer(token))
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == b"[2026-01-01 00:00:00.000 UTC] INFO  Execution OK\n"
    head = client.head(f"/on/demandware.servlet/webdav/Sites/Impex/log/{name}", **bearer(token))
    assert head.status_code == 200 and head["Content-Length"] == "49"
    propfind = client.generic(
        "PROPFIND", f"/on/demandware.servlet/webdav/Sites/Impex/log/{name}", **bearer(token)
    )
    assert propfind.status_code == 207 and b"<d:getcontentlength>49</d:getcontentlength>" in propfind.content
    execution_document = client.get(f"{DATA}/jobs/Test-Quick/executions/{logged.pk}", **bearer(token)).json()
    assert execution_document["is_log_file_existing"] is True


def test_it_serves_only_execution_logs_read_only_and_with_a_token(client, logged, storage_root, users):
    (storage_root / "logs" / "stray.log").write_text("not an execution's")
    token = token_for(client, "Support")
    prefix = "/on/demandware.servlet/webdav/Sites/"
    name = quote(logged.log_file_name)
    for rest in ("Impex/log/stray.log", "Impex/log/..%2F..%2Fsecret", f"Impex/src/{name}",
                 f"Logs/jobs/Test-Beta/{name}", f"Impex/log/sub/{name}"):  # fmt: skip
        assert client.get(prefix + rest, **bearer(token)).status_code == 404, rest
    assert client.put(prefix + f"Impex/log/{name}", b"x", **bearer(token)).status_code == 405
    assert client.delete(prefix + f"Impex/log/{name}", **bearer(token)).status_code == 405
    assert client.get(prefix + f"Impex/log/{name}").status_code == 401
    _, nobody = ApiToken.issue(user=users["nobody"], name="x")
    assert client.get(prefix + f"Impex/log/{name}", **bearer(nobody)).status_code == 403


# --- API clients page ---------------------------------------------------------------------


def test_an_administrator_creates_a_client_whose_secret_is_shown_once_and_audited(client, users):
    client.force_login(users["admin"])
    response = client.post("/api-clients/", {"name": "GitHub Actions", "role": "Support", "days": 30})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    row = ApiClient.objects.get()
    secret = response.context["created"]["secret"]
    assert secret.encode() in response.content and row.client_id.encode() in response.content
    assert row.secret_hash == ApiToken.digest(secret) and secret not in row.secret_hash
    assert row.role == "Support" and row.created_by == users["admin"]
    assert timedelta(days=29) < row.expires - timezone.now() <= timedelta(days=30)
    assert secret.encode() not in client.get("/api-clients/").content
    entry = AuditEntry.objects.get()
    assert entry.user == users["admin"] and row.client_id in entry.message and secret not in entry.message


def test_it_refuses_a_client_past_the_longest_lifetime_naming_the_field(client, users):
    client.force_login(users["admin"])
    response = client.post(
        "/api-clients/", {"name": "x", "role": "Support", "days": settings.API_CLIENT_MAX_DAYS + 1}
    )
    assert response.status_code == 400 and "days" in response.context["form"].errors
    assert not ApiClient.objects.exists()


def test_revoking_a_client_ends_its_tokens_and_is_audited(client, users):
    token = token_for(client)
    row = ApiClient.objects.get()
    execution = make_execution()
    assert client.get(f"{DATA}/jobs/Test-Quick/executions/{execution.pk}", **bearer(token)).status_code == 200
    client.force_login(users["admin"])
    assert client.post(f"/api-clients/{row.pk}/revoke").status_code == 302
    row.refresh_from_db()
    assert row.revoked is not None and row.state == "revoked"
    client.logout()
    assert client.get(f"{DATA}/jobs/Test-Quick/executions/{execution.pk}", **bearer(token)).status_code == 401
    assert "revoked" in AuditEntry.objects.get().message


def test_only_administrators_manage_api_clients(client, users):
    for role in ("merchandiser", "support"):
        client.force_login(users[role])
        assert client.get("/api-clients/").status_code == 403
        assert (
            client.post("/api-clients/", {"name": "x", "role": "Administrator", "days": 1}).status_code == 403
        )
    assert not ApiClient.objects.exists()
