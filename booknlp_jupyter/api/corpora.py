"""The corpus API's shapes: ``/v1/corpora``, a folder of books analysed as one run.

A corpus is ours, not the spec's; its books run as ordinary jobs (``job_id``), which a
spec client sees as usual.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .models import PIPELINE_ALIASES, Timestamp, _Response


class CorpusStatus(enum.StrEnum):
    """pending (no book started) → running → completed (every book ended);
    pending or running → cancelled."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (CorpusStatus.COMPLETED, CorpusStatus.CANCELLED)


class BookStatus(enum.StrEnum):
    """One book of a corpus: pending (not started) → running → completed | failed;
    pending → cancelled (or running, with ``force``)."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self not in (BookStatus.PENDING, BookStatus.RUNNING)


class CorpusRequest(BaseModel):
    """The body of ``POST /v1/corpora``: a folder, or a list of files, below the Jupyter
    server's root directory."""

    model_config = ConfigDict(extra="forbid", strict=True)

    folder: str | None = Field(
        default=None,
        min_length=1,
        description="A folder (relative to the server's root): its .txt files are the books.",
        examples=["novels/"],
    )
    paths: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Text files (relative to the server's root), instead of a folder.",
    )
    output_dir: str | None = Field(
        default=None,
        min_length=1,
        description="Where BookNLP's files and corpus.json are written (relative to the "
        "root); default booknlp_output/<folder name>.",
    )
    model: str | None = Field(default=None, min_length=1, description="As for jobs.")
    pipeline: list[str] | None = Field(default=None, description="As for jobs.")
    strip_gutenberg: bool = Field(
        default=False, description="Remove Project Gutenberg's header and licence first."
    )

    @field_validator("pipeline")
    @classmethod
    def _spec_names(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        return list(dict.fromkeys(PIPELINE_ALIASES.get(p, p) for p in value))

    @model_validator(mode="after")
    def _one_source(self) -> CorpusRequest:
        if (self.folder is None) == (self.paths is None):
            raise ValueError("give either folder or paths")
        return self


class CorpusBook(_Response):
    """One book of a corpus."""

    book_id: str = Field(description="The file name without its extension.")
    path: str = Field(description="The file, relative to the server's root.")
    job_id: str | None = Field(description="Its job, once submitted.")
    status: BookStatus
    progress: float = Field(ge=0, le=100)
    error_message: str | None
    skipped: bool = Field(
        description="Finished at once: its output files were already made from the same "
        "text, model, pipeline and engine identity."
    )
    chars: int = Field(ge=0, description="Its length (bytes until the text is read).")


class CorpusCounts(_Response):
    """Books per status."""

    pending: int = Field(ge=0)
    running: int = Field(ge=0)
    completed: int = Field(ge=0)
    failed: int = Field(ge=0)
    cancelled: int = Field(ge=0)


class CorpusView(_Response):
    """A corpus as ``GET /v1/corpora/{id}`` shows it."""

    corpus_id: str
    status: CorpusStatus
    books_total: int = Field(ge=0)
    counts: CorpusCounts
    progress: float = Field(
        ge=0,
        le=100,
        description="The books' progress weighted by their length; a failed or cancelled "
        "book counts as done.",
    )
    eta_seconds: float | None = Field(description="Time left; null until it can be estimated.")
    model: str
    pipeline: list[str]
    folder: str | None
    output_dir: str = Field(description="Where the files are written, relative to the root.")
    output_path: str = Field(description="The same folder, absolute, on the server's machine.")
    strip_gutenberg: bool
    owner: str | None
    submitted_at: Timestamp
    completed_at: Timestamp | None
    books: list[CorpusBook] = Field(description="Every book (empty in lists).")

    @property
    def ended(self) -> bool:
        """Final, and no book still runs (a corpus cancelled without ``force`` lets its
        running book finish)."""
        return self.status.is_final and not self.counts.running and not self.counts.pending


class CorpusList(_Response):
    """``GET /v1/corpora``: the caller's corpora, newest first (without their books)."""

    corpora: list[CorpusView]
    total: int = Field(ge=0)


__all__ = [
    "BookStatus",
    "CorpusBook",
    "CorpusCounts",
    "CorpusList",
    "CorpusRequest",
    "CorpusStatus",
    "CorpusView",
]
