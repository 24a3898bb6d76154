"""A job's record, as the store keeps it. Its request and public view are `api.models`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..api.models import JobRequest, JobStatus, JobView

__all__ = ["Job", "JobRequest", "JobStatus", "isoformat", "utcnow"]


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

    reused_from: str | None = None  # the job whose stored result this one reused
    corpus_id: str | None = None  # the corpus this job is a book of

    @property
    def lane(self) -> str | tuple[str, str] | None:
        """Its line in the fair queue: its owner's, or its corpus's own (so a corpus is
        served beside its owner's single jobs, not ahead of them)."""
        return self.owner if self.corpus_id is None else ("corpus", self.corpus_id)

    def view(self, queue_position: int | None = None) -> JobView:
        """The job as ``GET /v1/jobs/{id}`` shows it."""
        return JobView(
            job_id=self.job_id,
            status=self.status,
            progress=round(self.progress, 2),
            stage=self.stage,
            submitted_at=isoformat(self.submitted_at) or "",
            started_at=isoformat(self.started_at),
            completed_at=isoformat(self.completed_at),
            error_message=self.error_message,
            queue_position=queue_position if self.status is JobStatus.PENDING else None,
            book_id=self.book_id,
            model=self.model,
            pipeline=list(self.pipeline),
            owner=self.owner,
            expires_at=isoformat(self.expires_at),
            token_count=self.token_count,
            processing_time_ms=self.processing_time_ms,
            reused_from=self.reused_from,
            corpus_id=self.corpus_id,
        )

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["status"] = self.status.value
        return row
