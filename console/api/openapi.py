"""The OpenAPI 3.1 document of the API, served at /api/schema. The tests validate every
response they get against it, so it cannot drift from the views."""

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
}  # fmt: skip


def _json(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _faults(*codes: int) -> dict:
    texts = {
        401: "No token, or an unknown or revoked one",
        403: "The token's user has no role, or a role that may not do this",
        404: "No such job or execution",
        409: "Refused: the job or a resource it locks is in use (JobAlreadyRunningException), "
        "or the execution already ended, or it cannot be stopped now (JobExecutionNotStoppableException: "
        "the SFCC import has started)",
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


def document(server_url: str = "/api") -> dict:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "SFCC Jobs Console API",
            "version": "1.0",
            "description": "Run, follow and stop jobs, modelled on OCAPI's job endpoints. Create a "
            "token on the API tokens page and send it as `Authorization: Bearer <token>`; it acts "
            "with your role.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
