"""OCAPI's Data API job resources, as Salesforce's sfcc-ci and the B2C CLI call them, for every
job of the console:

- `POST /s/-/dw/data/{version}/jobs/{job_id}/executions` starts a job (body `{"parameters":
  [{"name": …, "value": …}]}`, recorded on the execution);
- `GET /s/-/dw/data/{version}/jobs/{job_id}/executions/{id}` reads one execution;
- `POST /s/-/dw/data/{version}/job_execution_search` finds executions (term queries on
  job_id, status, execution_status and id; bool must; sorts; count and start).

Documents carry OCAPI's field names and value cases: `status` is PENDING or RUNNING while an
execution runs, then its exit code (OK, WARN, ERROR, ABORTED); `exit_status.status` is `ok` or
`error`; times are UTC with milliseconds; `duration` is in milliseconds. Faults are OCAPI's:
JobAlreadyRunningException 400, JobNotFoundException 404, InvalidAccessTokenException 401.
"""

from __future__ import annotations

import re
from datetime import UTC

from django.db.models import Q
from django.http import JsonResponse

from console.api.auth import api_view, fault
from jobs import registry, services
from jobs.config import jsontext
from jobs.joblog import log_path
from jobs.models import ExecutionStatus, ExitStatus, JobExecution, StepStatus, Trigger

VERSION = re.compile(r"v(\d{2})_(\d{1,2})")
FORBIDDEN = "ClientAccessForbiddenException"
# sfcc-ci polls while `status` is RUNNING: an execution being stopped still runs until its
# step sees the request, so it reads RUNNING (its execution_status says aborting).
RUNNING_STATUS = {
    ExecutionStatus.PENDING: "PENDING",
    ExecutionStatus.RUNNING: "RUNNING",
    ExecutionStatus.ABORTING: "RUNNING",
}
STEP_EXECUTION_STATUS = {
    StepStatus.PENDING: "pending",
    StepStatus.RUNNING: "running",
    StepStatus.ABORTED: "aborted",
}
MAX_PARAMETERS = 50
MAX_PARAMETER_LENGTH = 4000
MAX_SEARCH_COUNT = 200  # OCAPI's own limit on a page of search hits
SEARCH_FIELDS = {"id": "pk", "job_id": "job_id", "status": None, "execution_status": "execution_status"}
SORT_FIELDS = {"id": "id", "job_id": "job_id", "start_time": "started", "end_time": "finished",
               "creation_date": "created"}  # fmt: skip


class BadDocument(ValueError):
    """A request body OCAPI would refuse; the message names the property."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


# --- views ------------------------------------------------------------------------------


@api_view(forbidden=FORBIDDEN, POST="run")
def job_executions(request, version, job_id):
    if not VERSION.fullmatch(version):
        return _unknown_version(version)
    try:
        job = registry.get(job_id)
    except registry.UnknownJob:
        return fault(404, "JobNotFoundException", f"Job '{job_id}' not found.", job_id=job_id)
    try:
        parameters = _parameters(request.body)
    except BadDocument as exc:
        return fault(400, exc.kind, str(exc))
    caller = request.caller
    try:
        execution = services.execution_create(
            job_id=job.id,
            trigger=Trigger.API,
            user=caller.user,
            client_id=caller.client_id,
            parameters=parameters,
        )
    except services.LocksHeld as exc:
        holder = {"execution_id": str(exc.holder.pk)} if exc.holder is not None else {}
        return fault(400, "JobAlreadyRunningException", str(exc), job_id=job.id, **holder)
    except services.BrokerUnavailable as exc:
        return fault(503, "ServiceUnavailableException", str(exc))
    return JsonResponse(execution_document(execution, version), status=202)


@api_view(forbidden=FORBIDDEN, GET=None)
def job_execution(request, version, job_id, execution_id):
    if not VERSION.fullmatch(version):
        return _unknown_version(version)
    found = None
    if execution_id.isdigit():
        found = (
            JobExecution.objects.select_related("triggered_by")
            .filter(pk=int(execution_id), job_id=job_id)
            .first()
        )
    if found is None:
        if _job(job_id) is None:
            return fault(404, "JobNotFoundException", f"Job '{job_id}' not found.", job_id=job_id)
        return fault(
            404, "JobExecutionNotFoundException", f"Job '{job_id}' has no execution '{execution_id}'.",
            job_id=job_id, execution_id=execution_id,
        )  # fmt: skip
    return JsonResponse(execution_document(found, version))


@api_view(forbidden=FORBIDDEN, POST=None)
def job_execution_search(request, version):
    if not VERSION.fullmatch(version):
        return _unknown_version(version)
    try:
        body = _json_object(request.body)
        condition = _query(body.get("query", {"match_all_query": {}}))
        order = _sorts(body.get("sorts", [{"field": "start_time", "sort_order": "desc"}]))
        count = _whole(body, "count", 25, 1, MAX_SEARCH_COUNT)
        start = _whole(body, "start", 0, 0, None)
    except BadDocument as exc:
        return fault(400, exc.kind, str(exc))
    found = JobExecution.objects.filter(condition).select_related("triggered_by")
    total = found.count()
    hits = [execution_document(e, version) for e in found.order_by(*order)[start : start + count]]
    document = {
        "_v": _v(version),
        "_type": "job_execution_search_result",
        "count": len(hits),
        "hits": hits,
        "query": body.get("query", {"match_all_query": {}}),
        "start": start,
        "total": total,
    }
    if "sorts" in body:
        document["sorts"] = body["sorts"]
    return JsonResponse(document)


def _job(job_id: str) -> registry.Job | None:
    try:
        return registry.get(job_id)
    except registry.UnknownJob:
        return None


def _unknown_version(version: str) -> JsonResponse:
    return fault(
        404, "UnknownVersionException", f"OCAPI version '{version}' is not known; use e.g. v19_5 or v25_6."
    )


# --- documents ---------------------------------------------------------------------------


def execution_document(execution: JobExecution, version: str) -> dict:
    job = _job(execution.job_id)
    document = {
        "_v": _v(version),
        "_type": "job_execution",
        "id": str(execution.pk),
        "job_id": execution.job_id,
        "job_description": job.description if job else "",
        "execution_status": execution.execution_status,
        "status": status_of(execution),
        "creation_date": _time(execution.created),
        "start_time": _time(execution.started or execution.created),
        "is_log_file_existing": _log_exists(execution),
        "log_file_name": execution.log_file_name,
        "log_file_path": log_file_path(execution),
        "parameters": [{"_type": "job_execution_parameter", **p} for p in execution.parameters],
        "step_executions": [_step_document(step) for step in execution.steps.all()],
    }
    exit_status = exit_status_of(execution)
    if exit_status is not None:
        document["exit_status"] = exit_status
    if execution.finished:
        document["end_time"] = _time(execution.finished)
    if execution.started:
        document["duration"] = _milliseconds(execution.duration)
    if execution.client_id:
        document["client_id"] = execution.client_id
    if execution.triggered_by_id:
        document["user_login"] = execution.triggered_by.get_username()
    return document


def status_of(execution: JobExecution) -> str:
    if execution.is_active:
        return RUNNING_STATUS[execution.execution_status]
    if execution.execution_status == ExecutionStatus.ABORTED:
        return "ABORTED"
    return execution.exit_status or ExitStatus.ERROR


def exit_status_of(execution: JobExecution) -> dict | None:
    """OCAPI's `status` document once an execution has ended: WARN ends ok (data errors were
    counted, the import went through), ERROR and a stopped or skipped run end error."""
    if execution.is_active:
        return None
    code = status_of(execution)
    message = execution.message or code
    return {
        "_type": "status",
        "code": code,
        "message": message,
        "status": "error" if code in ("ERROR", "ABORTED") else "ok",
    }


def _step_document(step) -> dict:
    document = {
        "_type": "job_step_execution",
        "id": str(step.pk),
        "step_id": step.name,
        "execution_status": STEP_EXECUTION_STATUS.get(step.status, "finished"),
        "status": step.status.upper(),
        "item_write_count": step.write_count,
        "is_chunk_oriented": step.total is not None,
    }
    if step.total is not None:
        document["total_item_count"] = step.total
    if step.started:
        document["start_time"] = _time(step.started)
    if step.finished:
        document["end_time"] = _time(step.finished)
        document["exit_status"] = {
            "_type": "status",
            "code": step.status.upper(),
            "message": step.message or step.status.upper(),
            "status": "error" if step.status in (StepStatus.ERROR, StepStatus.ABORTED) else "ok",
        }
    if step.started and step.finished:
        document["duration"] = _milliseconds(step.finished - step.started)
    return document


def log_file_path(execution: JobExecution) -> str:
    """Where the B2C CLI reads the log over WebDAV, as an instance's job logs live."""
    return f"/Sites/LOGS/jobs/{execution.job_id}/{execution.log_file_name}" if execution.log_file_name else ""


def _log_exists(execution: JobExecution) -> bool:
    return bool(execution.log_file_name) and log_path(execution.log_file_name).is_file()


def _v(version: str) -> str:
    match = VERSION.fullmatch(version)
    return f"{match[1]}.{match[2]}"


def _time(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _milliseconds(delta) -> int:
    return round(delta.total_seconds() * 1000)


# --- request bodies ----------------------------------------------------------------------


def _json_object(raw: bytes) -> dict:
    if not raw.strip():
        return {}
    try:
        body = jsontext.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadDocument(
            "MalformedDocumentException", f"The request body is not a JSON document: {exc}"
        ) from None
    if not isinstance(body, dict):
        raise BadDocument("MalformedDocumentException", "The request body must be a JSON object.")
    return body


def _parameters(raw: bytes) -> list[dict]:
    body = _json_object(raw)
    for name in body:
        if name != "parameters" and not name.startswith("_"):
            raise BadDocument(
                "UnknownPropertyException", f"Unknown property '{name}': a job takes 'parameters'."
            )
    parameters = body.get("parameters") or []
    if not isinstance(parameters, list):
        raise BadDocument(
            "MalformedDocumentException", "'parameters' must be a list of {name, value} objects."
        )
    if len(parameters) > MAX_PARAMETERS:
        raise BadDocument(
            "MalformedDocumentException", f"'parameters' has more than {MAX_PARAMETERS} entries."
        )
    kept = []
    for index, parameter in enumerate(parameters):
        where = f"parameters[{index}]"
        if not isinstance(parameter, dict):
            raise BadDocument("MalformedDocumentException", f"{where} must be an object with name and value.")
        name, value = parameter.get("name"), parameter.get("value")
        if not isinstance(name, str) or not name.strip() or len(name) > 256:
            raise BadDocument(
                "MalformedDocumentException", f"{where}.name must be a text of 1 to 256 characters."
            )
        if value is not None and not isinstance(value, str):
            raise BadDocument("MalformedDocumentException", f"{where}.value must be a text (or null).")
        if value is not None and len(value) > MAX_PARAMETER_LENGTH:
            raise BadDocument(
                "MalformedDocumentException",
                f"{where}.value is longer than {MAX_PARAMETER_LENGTH} characters.",
            )
        kept.append({"name": name, "value": value})
    return kept


def _query(query) -> Q:
    if not isinstance(query, dict) or len(query) != 1:
        raise BadDocument("MalformedQueryException", "'query' must be an object with one query type.")
    ((kind, spec),) = query.items()
    if kind == "match_all_query":
        return Q()
    if kind == "bool_query" and isinstance(spec, dict):
        condition = Q()
        for part in spec.get("must") or []:
            condition &= _query(part)
        for part in spec.get("must_not") or []:
            condition &= ~_query(part)
        should = spec.get("should") or []
        if should:
            any_of = Q(pk__in=[])
            for part in should:
                any_of |= _query(part)
            condition &= any_of
        return condition
    if kind == "term_query" and isinstance(spec, dict):
        return _term(spec)
    raise BadDocument(
        "MalformedQueryException",
        f"Query type '{kind}' is not supported: use match_all_query, term_query or bool_query.",
    )


def _term(spec: dict) -> Q:
    fields, operator, values = spec.get("fields"), spec.get("operator"), spec.get("values")
    if not isinstance(fields, list) or not fields or not all(f in SEARCH_FIELDS for f in fields):
        raise BadDocument(
            "MalformedQueryException", f"term_query.fields must name some of {sorted(SEARCH_FIELDS)}."
        )
    if operator not in ("is", "one_of") or not isinstance(values, list) or not values:
        raise BadDocument(
            "MalformedQueryException", "term_query needs operator 'is' or 'one_of' and a list of values."
        )
    if operator == "is" and len(values) != 1:
        raise BadDocument("MalformedQueryException", "term_query with operator 'is' takes one value.")
    values = [str(v) for v in values]
    condition = Q(pk__in=[])
    for field in fields:
        condition |= _field_is(field, values)
    return condition


def _field_is(field: str, values: list[str]) -> Q:
    if field == "id":
        return Q(pk__in=[int(v) for v in values if v.isdigit()])
    if field != "status":
        return Q(**{f"{SEARCH_FIELDS[field]}__in": values})
    condition = Q(pk__in=[])
    for value in (v.upper() for v in values):
        active = [status for status, label in RUNNING_STATUS.items() if label == value]
        if active:
            condition |= Q(execution_status__in=active)
        elif value == "ABORTED":
            condition |= Q(execution_status=ExecutionStatus.ABORTED)
        elif value in ExitStatus.values:
            condition |= Q(execution_status=ExecutionStatus.FINISHED, exit_status=value)
    return condition


def _sorts(sorts) -> list[str]:
    if not isinstance(sorts, list):
        raise BadDocument("MalformedQueryException", "'sorts' must be a list of {field, sort_order}.")
    order = []
    for sort in sorts:
        field = sort.get("field") if isinstance(sort, dict) else None
        if field not in SORT_FIELDS:
            raise BadDocument(
                "MalformedQueryException", f"sorts: field must be one of {sorted(SORT_FIELDS)}."
            )
        direction = sort.get("sort_order", "asc")
        if direction not in ("asc", "desc"):
            raise BadDocument("MalformedQueryException", "sorts: sort_order must be 'asc' or 'desc'.")
        order.append(("-" if direction == "desc" else "") + SORT_FIELDS[field])
    return [*order, "-id"]


def _whole(body: dict, name: str, default: int, minimum: int, maximum: int | None) -> int:
    value = body.get(name, default)
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < minimum
        or (maximum and value > maximum)
    ):
        upper = f" and at most {maximum}" if maximum else ""
        raise BadDocument(
            "MalformedDocumentException", f"'{name}' must be a whole number of at least {minimum}{upper}."
        )
    return value
