"""The REST API: with and without a token, by each role, faults as OCAPI writes them, and
every response checked against the OpenAPI document served at /api/schema."""

import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from console.api import openapi
from jobs import services
from jobs.models import AuditEntry, ExecutionStatus, JobExecution, Trigger
from jobs.operations.models import ApiToken
from tests.pages_fixtures import make_execution

pytestmark = pytest.mark.django_db

ROLES = ["admin", "merchandiser", "support", "nobody"]
DOCUMENT = openapi.document()
REGISTRY = Registry().with_resource("urn:api", Resource(contents=DOCUMENT, specification=DRAFT202012))


def check(response, template: str, method: str):
    """The response's status is documented for the operation, and its body matches."""
    operation = DOCUMENT["paths"][template][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{method} {template} does not document {response.status_code}"
    assert response["Content-Type"] == "application/json"
    schema = documented["content"]["application/json"]["schema"]
    pointer = schema["$ref"].removeprefix("#")
    Draft202012Validator({"$ref": f"urn:api#{pointer}"}, registry=REGISTRY).validate(response.json())
    return response.json()


@pytest.fixture
def tokens(users):
    return {name: ApiToken.issue(user=user, name="test")[1] for name, user in users.items()}


def call(client, method, path, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(client, method.lower())(path, **headers)


def run_url(job_id="Test-Quick"):
    return f"/api/jobs/{job_id}/executions"


def test_the_schema_is_served_and_its_schemas_are_valid(client):
    response = client.get("/api/schema")
    assert response.status_code == 200
    served = response.json()
    assert served["openapi"].startswith("3.1") and served["servers"] == [{"url": "http://testserver/api"}]
    for schema in served["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("method,path,template", [
    ("GET", "/api/jobs", "/jobs"),
    ("POST", "/api/jobs/Test-Quick/executions", "/jobs/{job_id}/executions"),
    ("GET", "/api/jobs/Test-Quick/executions/1", "/jobs/{job_id}/executions/{id}"),
    ("DELETE", "/api/jobs/Test-Quick/executions/1", "/jobs/{job_id}/executions/{id}"),
])  # fmt: skip
def test_without_a_token_or_with_a_bad_one_it_answers_401(client, method, path, template, tokens):
    missing = call(client, method, path)
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert check(missing, template, method)["fault"]["type"] == "MissingAccessTokenException"
    bad = call(client, method, path, "sjc_not-a-token")
    assert check(bad, template, method)["fault"]["type"] == "InvalidAccessTokenException"
    assert bad.status_code == 401


def test_a_revoked_token_or_an_inactive_user_is_refused(client, users, tokens):
    ApiToken.objects.filter(user=users["admin"]).delete()
    assert call(client, "GET", "/api/jobs", tokens["admin"]).status_code == 401
    users["merchandiser"].is_active = False
    users["merchandiser"].save()
    assert call(client, "GET", "/api/jobs", tokens["merchandiser"]).status_code == 401


def test_a_session_does_not_open_the_api(client, users):
    client.force_login(users["admin"])
    assert client.get("/api/jobs").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_list_jobs_by_role(client, tokens, role):
    response = call(client, "GET", "/api/jobs", tokens[role])
    body = check(response, "/jobs", "GET")
    if role == "nobody":
        assert response.status_code == 403 and body["fault"]["type"] == "AccessForbiddenException"
        return
    assert response.status_code == 200
    ids = [job["id"] for job in body["data"]]
    assert {"1- Akeneo-Import-Attributes", "Akeneo-Full-Pipeline", "Maintenance", "Test-Quick"} <= set(ids)
    assert body["count"] == len(ids)


def test_list_jobs_shows_the_last_execution(client, tokens):
    last = make_execution("Test-Quick")
    body = check(call(client, "GET", "/api/jobs", tokens["support"]), "/jobs", "GET")
    quick = next(job for job in body["data"] if job["id"] == "Test-Quick")
    assert quick["last_execution"]["id"] == last.pk
    assert quick["last_execution"]["exit_status"] == {"code": "OK", "message": ""}


@pytest.mark.parametrize("role", ROLES)
def test_run_a_job_by_role(client, tokens, users, role, no_enqueue):
    response = call(client, "POST", run_url(), tokens[role])
    body = check(response, "/jobs/{job_id}/executions", "POST")
    if role in ("support", "nobody"):
        assert response.status_code == 403
        assert not JobExecution.objects.exists()
        return
    assert response.status_code == 202
    execution = JobExecution.objects.get()
    assert body["id"] == execution.pk and body["job_id"] == "Test-Quick"
    assert (body["execution_status"], body["exit_status"], body["trigger"]) == ("pending", None, "api")
    assert re.fullmatch(r"Job-Test-Quick-\d{17}\.log", body["log_file_name"])
    assert [step["name"] for step in body["steps"]] == ["count", "again"]
    assert response["Location"] == f"/api/jobs/Test-Quick/executions/{execution.pk}"
    assert (execution.trigger, execution.triggered_by) == (Trigger.API, users[role])
    assert AuditEntry.objects.get().user == users[role]


def test_run_a_job_whose_id_has_spaces(client, tokens, no_enqueue):
    response = call(client, "POST", run_url("1- Akeneo-Import-Attributes"), tokens["admin"])
    assert check(response, "/jobs/{job_id}/executions", "POST")["job_id"] == "1- Akeneo-Import-Attributes"


def test_run_an_unknown_job_is_404(client, tokens):
    response = call(client, "POST", run_url("No-Such-Job"), tokens["admin"])
    body = check(response, "/jobs/{job_id}/executions", "POST")
    assert response.status_code == 404 and body["fault"]["type"] == "JobNotFoundException"


def test_run_while_the_job_runs_is_409_naming_the_holder(client, tokens, no_enqueue):
    holder = services.execution_create(job_id="Test-Quick")
    response = call(client, "POST", run_url(), tokens["merchandiser"])
    body = check(response, "/jobs/{job_id}/executions", "POST")
    assert response.status_code == 409
    assert body["fault"]["type"] == "JobAlreadyRunningException"
    assert body["fault"]["arguments"]["execution_id"] == holder.pk
    assert f"already running as execution #{holder.pk}" in body["fault"]["message"]


def test_run_with_the_broker_down_is_503(client, tokens, monkeypatch):
    def unavailable(**kwargs):
        raise services.BrokerUnavailable("The job queue (Redis) cannot be reached")

    monkeypatch.setattr("jobs.services.execution_create", unavailable)
    response = call(client, "POST", run_url(), tokens["admin"])
    assert response.status_code == 503
    assert (
        check(response, "/jobs/{job_id}/executions", "POST")["fault"]["type"] == "ServiceUnavailableException"
    )


@pytest.mark.parametrize("role", ROLES)
def test_get_an_execution_by_role(client, tokens, role):
    execution = make_execution("Test-Quick")
    response = call(client, "GET", f"{run_url()}/{execution.pk}", tokens[role])
    body = check(response, "/jobs/{job_id}/executions/{id}", "GET")
    if role == "nobody":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert (body["id"], body["execution_status"], body["exit_status"]["code"]) == (
        execution.pk,
        "finished",
        "OK",
    )
    assert body["duration"] == 90.0 and body["start_time"] and body["end_time"]
    assert body["steps"][0]["read_count"] == 30


def test_get_an_execution_of_another_job_is_404(client, tokens):
    execution = make_execution("Test-Quick")
    response = call(client, "GET", f"{run_url('Test-Beta')}/{execution.pk}", tokens["admin"])
    assert response.status_code == 404
    assert (
        check(response, "/jobs/{job_id}/executions/{id}", "GET")["fault"]["type"]
        == "JobExecutionNotFoundException"
    )


@pytest.mark.parametrize("role", ROLES)
def test_stop_an_execution_by_role(client, tokens, users, role, no_enqueue):
    execution = services.execution_create(job_id="Test-Quick")
    response = call(client, "DELETE", f"{run_url()}/{execution.pk}", tokens[role])
    body = check(response, "/jobs/{job_id}/executions/{id}", "DELETE")
    execution.refresh_from_db()
    if role in ("support", "nobody"):
        assert response.status_code == 403 and execution.execution_status == ExecutionStatus.PENDING
        return
    assert response.status_code == 200
    assert body["execution_status"] == execution.execution_status == ExecutionStatus.ABORTED
    assert AuditEntry.objects.filter(action="stop", user=users[role]).exists()


def test_stop_an_ended_execution_is_409(client, tokens):
    execution = make_execution("Test-Quick")
    response = call(client, "DELETE", f"{run_url()}/{execution.pk}", tokens["admin"])
    assert response.status_code == 409
    body = check(response, "/jobs/{job_id}/executions/{id}", "DELETE")
    assert body["fault"]["type"] == "JobExecutionNotRunningException"


def test_stop_of_an_aborting_execution_answers_it_as_it_is(client, tokens):
    execution = make_execution("Test-Quick", status=ExecutionStatus.ABORTING)
    response = call(client, "DELETE", f"{run_url()}/{execution.pk}", tokens["admin"])
    assert response.status_code == 200
    body = check(response, "/jobs/{job_id}/executions/{id}", "DELETE")
    assert body["execution_status"] == ExecutionStatus.ABORTING
    assert not AuditEntry.objects.exists()


def test_stop_past_the_start_of_the_sfcc_import_is_409_with_the_reason(client, tokens):
    reason = "the SFCC import has started; it cannot be stopped, only its result recorded"
    execution = make_execution("Test-Quick", status=ExecutionStatus.RUNNING, stop_refusal=reason)
    response = call(client, "DELETE", f"{run_url()}/{execution.pk}", tokens["admin"])
    assert response.status_code == 409
    body = check(response, "/jobs/{job_id}/executions/{id}", "DELETE")
    assert body["fault"]["type"] == "JobExecutionNotStoppableException"
    assert reason in body["fault"]["message"]
    execution.refresh_from_db()
    assert execution.execution_status == ExecutionStatus.RUNNING


def test_an_unsupported_method_is_405(client, tokens):
    response = call(client, "PUT", "/api/jobs", tokens["admin"])
    assert response.status_code == 405 and response["Allow"] == "GET"


def test_a_call_records_when_the_token_was_last_used(client, tokens, users):
    call(client, "GET", "/api/jobs", tokens["support"])
    assert ApiToken.objects.get(user=users["support"]).last_used is not None


def test_the_check_catches_a_body_that_breaks_the_document():
    from jsonschema import ValidationError

    validator = Draft202012Validator({"$ref": "urn:api#/components/schemas/Execution"}, registry=REGISTRY)
    with pytest.raises(ValidationError):
        validator.validate({"id": "1", "job_id": "Test-Quick"})
