"""The job: its request, its status values and its record."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
        default=None, description="An engine's model; the server's default if omitted."
    )
    pipeline: list[str] | None = Field(
        default=None, description="Components to run; the engine's full pipeline if omitted."
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, as in the spec (``2025-01-20T10:00:00Z``)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Job:
    """One job's record, as stored."""

    job_id: str
    status: JobStatus
    model: str
    pipeline: list[str]
    book_id: str | None = None
    owner: str | None = None
    seq: int = 0
    text_chars: int = 0
    dedup_key: str | None = None
    idempotency_key: str | None = None
    submitted_at: datetime = field(default_factory=utcnow)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    expires_at: datetime | None = None
    progress: float = 0.0
    stage: str | None = None
    error_message: str | None = None
    attempts: int = 0
    token_count: int | None = None
    processing_time_ms: int | None = None
    result_etag: str | None = None
    ended_as: str | None = None  # the final status an expired job had

    def public(self, queue_position: int | None = None) -> dict[str, Any]:
        """The job as ``GET /v1/jobs/{id}`` shows it."""
        return {
            "job_id": self.job_id,
            "status": self.status.value,
            "progress": round(self.progress, 2),
            "stage": self.stage,
            "submitted_at": isoformat(self.submitted_at),
            "started_at": isoformat(self.started_at),
            "completed_at": isoformat(self.completed_at),
            "error_message": self.error_message,
            "queue_position": queue_position if self.status is JobStatus.PENDING else None,
            "book_id": self.book_id,
            "model": self.model,
            "pipeline": list(self.pipeline),
            "owner": self.owner,
            "expires_at": isoformat(self.expires_at),
            "token_count": self.token_count,
            "processing_time_ms": self.processing_time_ms,
        }

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["status"] = self.status.value
        return row
