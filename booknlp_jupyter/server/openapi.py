"""The OpenAPI 3.1 document of the job API, built from the code's own models.

Components come from the pydantic models of `api.models` (``models_json_schema``) and
the result tables from the Arrow schema (`results.schema`): nothing is written twice.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from .._version import __version__
from ..api import models as api
from ..results.schema import TABLE_FORMATS, TABLE_SCHEMAS, TABLES
from .openapi_corpora import CORPUS_COMPONENTS, corpus_paths

#: The models whose schemas are the document's components, by component name.
COMPONENTS: tuple[type[Any], ...] = (
    api.JobRequest,
    api.JobView,
    api.JobList,
    api.Stats,
    api.WorkerView,
    api.Ready,
    api.Readiness,
    api.Health,
    api.Error,
    *CORPUS_COMPONENTS,
)


def _arrow_column(field: Any) -> dict[str, Any]:
    kind = "integer" if str(field.type).startswith("int") else "string"
    return {"type": [kind, "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, headers: dict | None = None) -> dict:
    body: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        body["headers"] = headers
    return body


def _error(description: str, headers: dict | None = None) -> dict[str, Any]:
    return _json(_ref("Error"), description, headers)


_RETRY = {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}}
_LOCATION = {"Location": {"schema": {"type": "string"}, "description": "The job's URL."}}
_JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
_AUTH = {403: _error("Not authenticated or not authorized.")}
_REQUESTS = {api.JobRequest, *CORPUS_COMPONENTS[:1]}


def model_schemas() -> dict[str, Any]:
    """The components generated from the API's pydantic models."""
    _, defs = models_json_schema(
        [(m, "validation" if m in _REQUESTS else "serialization") for m in COMPONENTS],
        ref_template="#/components/schemas/{model}",
    )
    schemas = dict(defs["$defs"])
    for schema in schemas.values():  # everything nullable is listed: clients rely on it
        if schema.get("type") == "object" and "properties" in schema:
            schema["required"] = list(schema["properties"])
    schemas["JobRequest"]["required"] = ["text"]
    schemas["CorpusRequest"]["required"] = []  # folder or paths: the description says
    schemas["Error"]["required"] = ["detail"]
    return schemas


def _tables() -> dict[str, Any]:
    tables: dict[str, Any] = {
        name: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {f.name: _arrow_column(f) for f in schema},
                "required": schema.names,
            },
        }
        for name, schema in TABLE_SCHEMAS.items()
    }
    tables["characters"] = {"type": "array", "items": {"type": "object"}}
    return tables


def build_openapi() -> dict[str, Any]:
    """The document served at ``/v1/openapi.json`` (``servers`` filled in per request)."""
    schemas = model_schemas()
    tables = _tables()
    view = schemas["JobView"]
    result_props = {k: v for k, v in view["properties"].items() if k != "queue_position"}
    result_props["result"] = {"type": "object", "properties": tables, "required": list(TABLES)}
    schemas["JobResult"] = {
        "type": "object",
        "properties": result_props,
        "required": list(result_props),
        "additionalProperties": False,
    }
    sync_props = {
        "job_id": {"type": "string"},
        "book_id": {"type": ["string", "null"]},
        "model": {"type": "string"},
        "token_count": {"type": ["integer", "null"]},
        "processing_time_ms": {"type": ["integer", "null"]},
        **tables,
    }
    schemas["AnalyzeResult"] = {
        "type": "object",
        "properties": sync_props,
        "required": list(sync_props),
        "additionalProperties": False,
    }
    JobStatus = api.JobStatus

    job_responses = {
        400: _error("Invalid request: the detail names the field."),
        413: _error("Text longer than max_document_size."),
        415: _error("Body is not application/json."),
        503: _error("Queue full or service not ready.", _RETRY),
        429: _error("Too many pending jobs of this user.", _RETRY),
        507: _error("The server's disk is full."),
        409: _error("Idempotency-Key reused for another request."),
    }
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "BookNLP async job API",
            "version": __version__,
            "description": "Submit texts to BookNLP, watch their jobs and fetch results.",
        },
        "servers": [{"url": "/booknlp/v1"}],
        "security": [{"token": []}],
        "paths": {
            "/jobs": {
                "post": {
                    "summary": "Submit a job",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("JobRequest")}},
                    },
                    "responses": {
                        200: _json(
                            _ref("JobView"),
                            "Queued: a new job (or, with a repeated "
                            "Idempotency-Key, the earlier one).",
                            {**_LOCATION, **_RETRY},
                        ),
                        **job_responses,
                        **_AUTH,
                    },
                },
                "get": {
                    "summary": "List jobs, newest first",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": [s.value for s in JobStatus]},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 0},
                        },
                    ],
                    "responses": {
                        200: _json(_ref("JobList"), "A page of jobs."),
                        400: _error("Bad filter or paging."),
                        **_AUTH,
                    },
                },
            },
            "/jobs/stats": {
                "get": {
                    "summary": "Queue statistics",
                    "responses": {200: _json(_ref("Stats"), "Statistics."), **_AUTH},
                }
            },
            "/jobs/{job_id}": {
                "parameters": [_JOB_ID],
                "get": {
                    "summary": "A job's status",
                    "responses": {
                        200: _json(_ref("JobView"), "The job."),
                        404: _error("No such job."),
                        **_AUTH,
                    },
                },
                "delete": {
                    "summary": "Cancel a pending job (or a running one with force=true)",
                    "parameters": [
                        {
                            "name": "force",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "boolean"},
                        },
                    ],
                    "responses": {
                        200: _json(_ref("JobView"), "Cancelled."),
                        404: _error("No such job."),
                        409: _error("Running, completed or failed: cannot be cancelled."),
                        **_AUTH,
                    },
                },
            },
            "/jobs/{job_id}/result": {
                "parameters": [_JOB_ID],
                "get": {
                    "summary": "A completed job's result",
                    "responses": {
                        200: _json(_ref("JobResult"), "The result (gzip when accepted)."),
                        304: {"description": "Not modified (If-None-Match)."},
                        404: _error("No such job, or it expired."),
                        409: _error("The job failed or was cancelled: no result."),
                        425: _error("Not completed yet.", _RETRY),
                        **_AUTH,
                    },
                },
                "delete": {
                    "summary": "Free a finished job's result now (the job reads expired)",
                    "responses": {
                        200: _json(_ref("JobView"), "Freed."),
                        404: _error("No such job."),
                        409: _error("The job is still pending or running."),
                        **_AUTH,
                    },
                },
            },
            "/jobs/{job_id}/result/{table}": {
                "parameters": [
                    _JOB_ID,
                    {
                        "name": "table",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(TABLES)},
                    },
                ],
                "get": {
                    "summary": "One table of a result",
                    "parameters": [
                        {
                            "name": "format",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": list(TABLE_FORMATS)},
                        },
                    ],
                    "responses": {
                        200: {
                            "description": "The table.",
                            "content": {
                                "application/json": {"schema": {"type": "array"}},
                                "text/csv": {"schema": {"type": "string"}},
                                "application/vnd.apache.parquet": {
                                    "schema": {"type": "string", "format": "binary"}
                                },
                            },
                        },
                        304: {"description": "Not modified (If-None-Match)."},
                        400: _error("Unknown format."),
                        404: _error("No such job, table, or it expired."),
                        409: _error("The job failed or was cancelled: no result."),
                        425: _error("Not completed yet.", _RETRY),
                        **_AUTH,
                    },
                },
            },
            "/jobs/{job_id}/events": {
                "parameters": [_JOB_ID],
                "get": {
                    "summary": "Server-Sent Events of the job's state until it is final",
                    "responses": {
                        200: {
                            "description": "`event: job` messages whose data is a Job.",
                            "content": {"text/event-stream": {"schema": {"type": "string"}}},
                        },
                        404: _error("No such job."),
                        **_AUTH,
                    },
                },
            },
            "/jobs/{job_id}/booknlp.zip": {
                "parameters": [_JOB_ID],
                "get": {
                    "summary": "A completed job as BookNLP's own output files, zipped",
                    "description": "{book_id}.tokens, .entities, .quotes, .supersense, "
                    ".book and .book.html (those BookNLP writes for the job's pipeline), "
                    "byte for byte as bare BookNLP writes them.",
                    "responses": {
                        200: {
                            "description": "A zip archive.",
                            "content": {"application/zip": {"schema": {"type": "string"}}},
                        },
                        404: _error("No such job, or its result expired."),
                        409: _error("The job failed or was cancelled."),
                        425: _error("Still pending or running.", _RETRY),
                        **_AUTH,
                    },
                },
            },
            "/analyze": {
                "post": {
                    "summary": "Analyse a short text synchronously (through the same queue)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("JobRequest")}},
                    },
                    "responses": {
                        200: _json(_ref("AnalyzeResult"), "The result itself."),
                        202: _json(
                            _ref("JobView"),
                            "Still running at the sync timeout.",
                            {**_LOCATION, **_RETRY},
                        ),
                        **job_responses,
                        409: _error("The job failed, or Idempotency-Key reused."),
                        **_AUTH,
                    },
                }
            },
            "/health": {
                "get": {
                    "summary": "The extension answers (no credentials needed)",
                    "security": [],
                    "responses": {200: _json(_ref("Health"), "Alive.")},
                }
            },
            "/ready": {
                "get": {
                    "summary": "200 once the worker is up; details only with credentials",
                    "security": [{}, {"token": []}],
                    "responses": {
                        200: _json({"oneOf": [_ref("Ready"), _ref("Readiness")]}, "Ready."),
                        503: _json(
                            {"oneOf": [_ref("Ready"), _ref("Readiness")]},
                            "Worker not up yet.",
                            _RETRY,
                        ),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {200: _json({"type": "object"}, "OpenAPI 3.1."), **_AUTH},
                }
            },
            **corpus_paths(_ref, _json, _error, _AUTH),
        },
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`token <your Jupyter or service token>`",
                }
            },
            "schemas": schemas,
        },
    }
    return json.loads(json.dumps(document))  # status codes as strings, as JSON has them
