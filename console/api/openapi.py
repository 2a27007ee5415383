"""The OpenAPI 3.1 document of the API, served at /api/schema: the console's own REST API under
/api, and the OCAPI-compatible paths Salesforce's tools call at the root (Account Manager's token
endpoint, OCAPI's job resources, WebDAV job logs). The tests validate every response they get
against it, so it cannot drift from the views."""

from jobs.models import ExecutionStatus, ExitStatus, StepStatus, Trigger

NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS = {
    "Fault": {
        "type": "object",
        "required": ["fault"],
        "properties": {
            "fault": {
                "type": "object",
                "required": ["type", "message"],
                "properties": {
                    "type": {"type": "string", "examples": ["JobAlreadyRunningException"]},
                    "message": {"type": "string"},
                    "arguments": {"type": "object"},
                },
                "additionalProperties": False,
            }
        },
        "additionalProperties": False,
    },
    "Step": {
        "type": "object",
        "required": ["name", "status", "read_count", "write_count", "skip_count", "error_count"],
        "properties": {
            "name": {"type": "string"},
            "status": {"enum": list(StepStatus.values)},
            "read_count": {"type": "integer", "minimum": 0},
            "write_count": {"type": "integer", "minimum": 0},
            "skip_count": {"type": "integer", "minimum": 0},
            "error_count": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "Execution": {
        "type": "object",
        "description": "One run of a job (OCAPI's job_execution).",
        "required": [
            "id", "job_id", "execution_status", "exit_status", "message", "trigger", "triggered_by",
            "parent_id", "log_file_name", "created", "start_time", "end_time", "duration", "data_error_count",
        ],
        "properties": {
            "id": {"type": "integer"},
            "job_id": {"type": "string"},
            "execution_status": {"enum": list(ExecutionStatus.values)},
            "exit_status": {
                "description": "Set once the execution_status is finished.",
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"enum": list(ExitStatus.values)}, "message": {"type": "string"}},
                        "additionalProperties": False,
                    },
                ],
            },
            "message": {"type": "string"},
            "trigger": {"enum": list(Trigger.values)},
            "triggered_by": {"type": ["string", "null"]},
            "parent_id": {"type": ["integer", "null"], "description": "The flow or job it ran after."},
            "log_file_name": {"type": "string", "examples": ["Job-Test-20261123112001123.log"]},
            "created": {"type": "string", "format": "date-time"},
            "start_time": NULLABLE_TIME,
            "end_time": NULLABLE_TIME,
            "duration": {"type": ["number", "null"], "description": "Seconds"},
            "data_error_count": {"type": "integer", "minimum": 0},
            "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}},
        },
        "additionalProperties": False,
    },
    "Job": {
        "type": "object",
        "required": ["id", "description", "locks", "steps", "schedule", "next_run", "last_execution"],
        "properties": {
            "id": {"type": "string"},
            "description": {"type": "string"},
            "locks": {"type": "array", "items": {"type": "string"}},
            "steps": {"type": "array", "items": {"type": "string"}},
            "schedule": {"type": ["string", "null"]},
            "next_run": NULLABLE_TIME,
            "last_execution": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Execution"}]},
        },
        "additionalProperties": False,
    },
    "JobList": {
        "type": "object",
        "required": ["count", "data"],
        "properties": {
            "count": {"type": "integer"},
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}},
        },
        "additionalProperties": False,
    },
    "OcapiStatus": {
        "type": "object",
        "description": "OCAPI's status document: code upper case, status ok or error.",
        "required": ["_type", "code", "message", "status"],
        "properties": {
            "_type": {"const": "status"},
            "code": {"enum": ["OK", "WARN", "ERROR", "ABORTED", "SKIPPED"]},
            "message": {"type": "string"},
            "status": {"enum": ["ok", "error"]},
        },
        "additionalProperties": False,
    },
    "OcapiStepExecution": {
        "type": "object",
        "required": ["_type", "id", "step_id", "execution_status", "status", "item_write_count", "is_chunk_oriented"],
        "properties": {
            "_type": {"const": "job_step_execution"},
            "id": {"type": "string"},
            "step_id": {"type": "string"},
            "execution_status": {"enum": ["pending", "running", "aborted", "finished"]},
            "status": {"type": "string"},
            "exit_status": {"$ref": "#/components/schemas/OcapiStatus"},
            "start_time": {"type": "string", "format": "date-time"},
            "end_time": {"type": "string", "format": "date-time"},
            "duration": {"type": "integer", "description": "Milliseconds"},
            "item_write_count": {"type": "integer", "minimum": 0},
            "total_item_count": {"type": "integer", "minimum": 0},
            "is_chunk_oriented": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "OcapiJobExecution": {
        "type": "object",
        "description": "OCAPI's job_execution, as sfcc-ci and the B2C CLI read it.",
        "required": [
            "_v", "_type", "id", "job_id", "job_description", "execution_status", "status", "creation_date",
            "start_time", "is_log_file_existing", "log_file_name", "log_file_path", "parameters", "step_executions",
        ],
        "properties": {
            "_v": {"type": "string", "examples": ["19.5"]},
            "_type": {"const": "job_execution"},
            "id": {"type": "string"},
            "job_id": {"type": "string"},
            "job_description": {"type": "string"},
            "execution_status": {"enum": list(ExecutionStatus.values)},
            "status": {
                "enum": ["PENDING", "RUNNING", "OK", "WARN", "ERROR", "ABORTED"],
                "description": "PENDING or RUNNING while the execution runs, then its exit status code.",
            },
            "exit_status": {"$ref": "#/components/schemas/OcapiStatus"},
            "creation_date": {"type": "string", "format": "date-time"},
            "start_time": {"type": "string", "format": "date-time"},
            "end_time": {"type": "string", "format": "date-time"},
            "duration": {"type": "integer", "description": "Milliseconds"},
            "is_log_file_existing": {"type": "boolean"},
            "log_file_name": {"type": "string"},
            "log_file_path": {"type": "string", "examples": ["/Sites/LOGS/jobs/Test/Job-Test-20261123112001123.log"]},
            "client_id": {"type": "string"},
            "user_login": {"type": "string"},
            "parameters": {"type": "array", "items": {"$ref": "#/components/schemas/OcapiParameter"}},
            "step_executions": {"type": "array", "items": {"$ref": "#/components/schemas/OcapiStepExecution"}},
        },
        "additionalProperties": False,
    },
    "OcapiParameter": {
        "type": "object",
        "required": ["name", "value"],
        "properties": {
            "_type": {"const": "job_execution_parameter"},
            "name": {"type": "string", "minLength": 1, "maxLength": 256},
            "value": {"type": ["string", "null"]},
        },
    },
    "OcapiJobExecutionRequest": {
        "type": "object",
        "properties": {"parameters": {"type": "array", "items": {"$ref": "#/components/schemas/OcapiParameter"}}},
    },
    "OcapiSearchRequest": {
        "type": "object",
        "properties": {
            "query": {"type": "object", "description": "match_all_query, term_query (fields job_id, status, "
                      "execution_status, id; operator is or one_of) or bool_query (must, must_not, should)"},
            "sorts": {"type": "array", "items": {"type": "object"}},
            "count": {"type": "integer", "minimum": 1, "maximum": 200},
            "start": {"type": "integer", "minimum": 0},
        },
    },
    "OcapiSearchResult": {
        "type": "object",
        "required": ["_v", "_type", "count", "hits", "query", "start", "total"],
        "properties": {
            "_v": {"type": "string"},
            "_type": {"const": "job_execution_search_result"},
            "count": {"type": "integer"},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/OcapiJobExecution"}},
            "query": {"type": "object"},
            "sorts": {"type": "array"},
            "start": {"type": "integer"},
            "total": {"type": "integer"},
        },
        "additionalProperties": False,
    },
    "AccessToken": {
        "type": "object",
        "description": "Account Manager's token document (RFC 6749 §5.1).",
        "required": ["access_token", "token_type", "expires_in", "scope"],
        "properties": {
            "access_token": {"type": "string"},
            "token_type": {"const": "Bearer"},
            "expires_in": {"type": "integer", "minimum": 0},
            "scope": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "OAuthError": {
        "type": "object",
        "description": "RFC 6749 §5.2",
        "required": ["error", "error_description"],
        "properties": {
            "error": {"enum": ["invalid_client", "invalid_request", "unsupported_grant_type"]},
            "error_description": {"type": "string"},
        },
        "additionalProperties": False,
    },
}  # fmt: skip


def _json(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _faults(*codes: int) -> dict:
    texts = {
        401: "No token, or an unknown or revoked one",
        403: "The token's user or client has no role, or a role that may not do this",
        404: "No such job (JobNotFoundException) or execution, or an unknown OCAPI version",
        400: "Refused: the job or a resource it locks is in use (JobAlreadyRunningException), or the "
        "request body is not one OCAPI accepts (the fault names the property)",
        409: "Refused: the job or a resource it locks is in use (JobAlreadyRunningException), "
        "or the execution already ended",
        503: "The job queue cannot be reached; nothing was started",
    }
    return {str(code): _json("Fault", texts[code]) for code in codes}


JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
EXECUTION_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}

PATHS = {
    "/jobs": {
        "get": {
            "operationId": "listJobs",
            "summary": "Every job with its last execution and next run",
            "responses": {"200": _json("JobList", "The jobs"), **_faults(401, 403)},
        }
    },
    "/jobs/{job_id}/executions": {
        "post": {
            "operationId": "runJob",
            "summary": "Start a job (as the Run button does); needs a role that may run jobs",
            "parameters": [JOB_ID],
            "responses": {"202": _json("Execution", "Queued"), **_faults(401, 403, 404, 409, 503)},
        }
    },
    "/jobs/{job_id}/executions/{id}": {
        "get": {
            "operationId": "getExecution",
            "summary": "One execution: status, steps, log file name, times",
            "parameters": [JOB_ID, EXECUTION_ID],
            "responses": {"200": _json("Execution", "The execution"), **_faults(401, 403, 404)},
        },
        "delete": {
            "operationId": "stopExecution",
            "summary": "Stop an execution (as the Stop button does)",
            "parameters": [JOB_ID, EXECUTION_ID],
            "responses": {
                "200": _json("Execution", "Stopped, or asked to stop"),
                **_faults(401, 403, 404, 409),
            },
        },
    },
}


ROOT = [{"url": "/", "description": "The console's root, where an SFCC instance has these paths"}]
VERSION = {"name": "version", "in": "path", "required": True, "schema": {"type": "string", "pattern": r"^v\d{2}_\d{1,2}$"},
           "examples": {"sfcc-ci": {"value": "v19_5"}, "b2c-cli": {"value": "v25_6"}}}  # fmt: skip
OCAPI_EXECUTION_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
LOG_FILE = {"name": "log_file_name", "in": "path", "required": True, "schema": {"type": "string"}}
WEBDAV_LOG = {
    "get": {"summary": "The execution's log file (text)",
            "responses": {"200": {"description": "The log", "content": {"text/plain": {"schema": {"type": "string"}}}},
                          **_faults(401, 403, 404)}},
    "head": {"summary": "The log file's size", "responses": {"200": {"description": "Found"}, **_faults(401, 403, 404)}},
    "servers": ROOT,
}  # fmt: skip

OCAPI_PATHS = {
    "/dwsso/oauth2/access_token": {
        "servers": ROOT,
        "post": {
            "operationId": "accessToken",
            "summary": "Account Manager's token endpoint: client credentials grant for the console's API clients",
            "security": [{"clientBasic": []}, {}],
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["grant_type"],
                "properties": {"grant_type": {"const": "client_credentials"}, "client_id": {"type": "string"},
                               "client_secret": {"type": "string"}}}}}},
            "responses": {
                "200": _json("AccessToken", "A bearer token for the OCAPI paths and /api"),
                "400": _json("OAuthError", "grant_type missing or not client_credentials"),
                "401": _json("OAuthError", "Unknown client, wrong secret, or a revoked or expired client"),
            },
        },
    },
    "/s/-/dw/data/{version}/jobs/{job_id}/executions": {
        "servers": ROOT,
        "post": {
            "operationId": "ocapiRunJob",
            "summary": "Start a job (OCAPI); the parameters are recorded on the execution",
            "parameters": [VERSION, JOB_ID],
            "requestBody": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/OcapiJobExecutionRequest"}}}},
            "responses": {"202": _json("OcapiJobExecution", "Queued"), **_faults(400, 401, 403, 404, 503)},
        },
    },
    "/s/-/dw/data/{version}/jobs/{job_id}/executions/{id}": {
        "servers": ROOT,
        "get": {
            "operationId": "ocapiGetExecution",
            "summary": "One execution (OCAPI)",
            "parameters": [VERSION, JOB_ID, OCAPI_EXECUTION_ID],
            "responses": {"200": _json("OcapiJobExecution", "The execution"), **_faults(401, 403, 404)},
        },
    },
    "/s/-/dw/data/{version}/job_execution_search": {
        "servers": ROOT,
        "post": {
            "operationId": "ocapiSearchExecutions",
            "summary": "Search executions (OCAPI)",
            "parameters": [VERSION],
            "requestBody": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/OcapiSearchRequest"}}}},
            "responses": {"200": _json("OcapiSearchResult", "The hits"), **_faults(400, 401, 403, 404)},
        },
    },
    "/on/demandware.servlet/webdav/Sites/Impex/log/{log_file_name}": {**WEBDAV_LOG, "parameters": [LOG_FILE]},
    "/on/demandware.servlet/webdav/Sites/Logs/jobs/{job_id}/{log_file_name}": {
        **WEBDAV_LOG, "parameters": [JOB_ID, LOG_FILE]},
}  # fmt: skip


def document(server_url: str = "/api") -> dict:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "SFCC Jobs Console API",
            "version": "1.0",
            "description": "Run, follow and stop jobs, modelled on OCAPI's job endpoints. Create a "
            "token on the API tokens page and send it as `Authorization: Bearer <token>`; it acts "
            "with your role. Salesforce's tools (sfcc-ci, the B2C CLI) use the OCAPI paths with an API "
            "client's access token from /dwsso/oauth2/access_token; it acts with the client's role.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {**PATHS, **OCAPI_PATHS},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "clientBasic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "client id and secret, each form-url-encoded first (RFC 6749 §2.3.1)",
                },
            },
        },
    }
