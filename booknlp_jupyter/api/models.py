"""The API's shapes, defined once: every request and response body of ``/v1/``.

The service builds its answers with these models, the OpenAPI document's components
are generated from them (`server.openapi`), and the JupyterLab types are checked
against that document in a test. Response models forbid extra fields, so a field
added in one place and not here fails the schema tests.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The pipeline components a client may ask for, in BookNLP's (the spec's) names.
PIPELINE_COMPONENTS: tuple[str, ...] = ("entity", "quote", "supersense", "event", "coref")

#: Plural names other BookNLP services send, accepted and recorded as the spec's names.
PIPELINE_ALIASES: dict[str, str] = {
    "entities": "entity",
    "quotes": "quote",
    "supersenses": "supersense",
    "events": "event",
}

Timestamp = Annotated[
    str, Field(json_schema_extra={"format": "date-time"}, examples=["2025-01-20T10:00:00Z"])
]


class JobStatus(enum.StrEnum):
    """A job's life: pending → running → completed | failed; pending → cancelled;
    any final state → expired once ``job_ttl_seconds`` have passed."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self not in (JobStatus.PENDING, JobStatus.RUNNING)


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobRequest(BaseModel):
    """The body of ``POST /v1/jobs`` (and ``POST /v1/analyze``)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(min_length=1, description="The document to analyse.")
    book_id: str | None = Field(
        default=None,
        max_length=128,
        pattern=r"^[^\x00-\x1f\x7f/\\]*$",
        description="Your label for the document: no slashes or control characters "
        "(it is only ever stored, never used in a path).",
    )
    model: str | None = Field(
        default=None,
        min_length=1,
        description="An engine's model; the server's default if omitted.",
    )
    pipeline: list[str] | None = Field(
        default=None,
        description="Components to run; the engine's full pipeline if omitted. "
        f"Plural names ({', '.join(PIPELINE_ALIASES)}) are accepted.",
    )

    @field_validator("pipeline")
    @classmethod
    def _spec_names(cls, value: list[str] | None) -> list[str] | None:
        """Plural aliases become the spec's names; repeats are dropped, order kept."""
        if value is None:
            return None
        return list(dict.fromkeys(PIPELINE_ALIASES.get(p, p) for p in value))


class JobView(_Response):
    """A job as ``GET /v1/jobs/{id}`` shows it (and every answer about one job)."""

    job_id: str = Field(description="The job's id (a UUID).")
    status: JobStatus
    progress: float = Field(ge=0, le=100, description="Monotonic; 100 only when completed.")
    stage: str | None = Field(description="What runs now (engine-specific names).")
    submitted_at: Timestamp
    started_at: Timestamp | None
    completed_at: Timestamp | None
    error_message: str | None
    queue_position: int | None = Field(ge=1, description="1-based place while pending.")
    book_id: str | None
    model: str
    pipeline: list[str]
    owner: str | None = Field(description="Whose job (with per-user jobs), else null.")
    expires_at: Timestamp | None = Field(description="When its result is deleted.")
    token_count: int | None
    processing_time_ms: int | None
    reused_from: str | None = Field(
        description="The job whose stored result this job reused (an identical request: "
        "text, model, pipeline and engine identity), instead of running the engine."
    )
    corpus_id: str | None = Field(
        default=None, description="The corpus this job is a book of (`/v1/corpora`), if any."
    )


class JobList(_Response):
    """``GET /v1/jobs``: one page of jobs, newest first."""

    jobs: list[JobView]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class WorkerView(_Response):
    """One worker as the stats show it."""

    pid: int | None
    alive: bool
    ready: bool
    job_id: str | None = Field(description="The job it runs (only the caller's own jobs).")
    engines: dict[str, Any] = Field(description="Facts per engine: device, versions, models.")


class Stats(_Response):
    """``GET /v1/jobs/stats``: the spec's statistics, then ours; all live numbers."""

    total_jobs: int = Field(ge=0)
    queue_size: int = Field(ge=0)
    max_queue_size: int = Field(ge=1)
    pending: int = Field(ge=0)
    running: int = Field(ge=0)
    completed: int = Field(ge=0)
    failed: int = Field(ge=0)
    cancelled: int = Field(ge=0)
    expired: int = Field(ge=0)
    worker_running: bool
    max_document_size: int = Field(ge=1)
    job_ttl_seconds: float
    max_concurrent_jobs: int = Field(ge=1)
    workers: list[WorkerView]
    devices: list[str]
    models: list[str] = Field(description="Every model a request may name.")
    available_models: list[str] = Field(description="The models that can run now.")
    default_model: str
    uptime_seconds: float


class Ready(_Response):
    """``GET /v1/ready`` with credentials: readiness and what can run."""

    ready: bool
    workers: list[dict[str, Any]]
    models: list[str]
    available_models: list[str]
    unavailable_models: dict[str, str] = Field(
        description="Models that cannot run now, each with why and how to install it."
    )
    unavailable_engines: dict[str, str] = Field(description="Engines that failed to import.")


class Readiness(_Response):
    """``GET /v1/ready`` without credentials: ready or not, nothing else."""

    ready: bool


class Health(_Response):
    """``GET /v1/health``: the server answers (no credentials needed)."""

    status: str = Field(examples=["ok"])


class Error(_Response):
    """Every error: ``detail`` says what went wrong; some errors add context."""

    detail: str
    status: JobStatus | None = Field(default=None, description="The job's status.")
    progress: float | None = Field(default=None, description="A running job's progress.")
    error_message: str | None = Field(default=None, description="A failed job's error.")
