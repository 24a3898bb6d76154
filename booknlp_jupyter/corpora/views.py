"""A corpus's public document (`CorpusView`) from its records and its books' jobs."""

from __future__ import annotations

from collections.abc import Callable

from ..api.corpora import BookStatus, CorpusBook, CorpusCounts, CorpusStatus, CorpusView
from ..jobs.models import Job, JobStatus, isoformat, utcnow
from .store import BookRecord, CorpusRecord


def book_state(book: BookRecord, job: Job | None) -> tuple[BookStatus, float]:
    """A book's status and progress: its own once it ended, else its job's."""
    if book.status.is_final:
        return book.status, 100.0
    if job is None:
        return BookStatus.PENDING, 0.0
    if job.status is JobStatus.RUNNING:
        return BookStatus.RUNNING, min(99.99, job.progress)
    if job.status is JobStatus.PENDING:
        return BookStatus.PENDING, 0.0
    # the job ended and the feeder has not recorded it yet (files being written)
    return BookStatus.RUNNING, 99.99


def estimate_eta(record: CorpusRecord, progress: float, status: CorpusStatus) -> float | None:
    """Seconds left from the pace so far, once there is a pace to go by."""
    if status.is_final:
        return 0.0
    if record.started_at is None or progress < 0.5:
        return None
    elapsed = (utcnow() - record.started_at).total_seconds()
    if elapsed < 1.0:
        return None
    return round(elapsed * (100.0 - progress) / progress, 1)


def build_view(
    record: CorpusRecord, books: list[BookRecord], job_of: Callable[[str], Job | None]
) -> CorpusView:
    """The corpus as ``GET /v1/corpora/{id}`` shows it."""
    counts = {s.value: 0 for s in BookStatus}
    rows, done, total = [], 0.0, 0
    for book in books:
        job = job_of(book.job_id) if book.job_id and not book.status.is_final else None
        status, progress = book_state(book, job)
        counts[status.value] += 1
        weight = max(1, book.chars)
        total += weight
        done += weight * progress
        rows.append(
            CorpusBook(
                book_id=book.book_id,
                path=book.path,
                job_id=book.job_id,
                status=status,
                progress=round(progress, 2),
                error_message=book.error_message,
                skipped=book.skipped,
                chars=book.chars,
            )
        )
    progress = round(done / total, 2) if total else 100.0
    status = record.status
    if status is CorpusStatus.COMPLETED:
        progress = 100.0
    return CorpusView(
        corpus_id=record.corpus_id,
        status=status,
        books_total=len(books),
        counts=CorpusCounts(**counts),
        progress=min(progress, 100.0),
        eta_seconds=estimate_eta(record, progress, status),
        model=record.model,
        pipeline=list(record.pipeline),
        folder=record.folder,
        output_dir=record.output_dir,
        output_path=record.output_path,
        strip_gutenberg=record.strip_gutenberg,
        owner=record.owner,
        submitted_at=isoformat(record.submitted_at) or "",
        completed_at=isoformat(record.completed_at),
        books=rows,
    )


__all__ = ["book_state", "build_view", "estimate_eta"]
