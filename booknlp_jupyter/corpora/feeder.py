"""The feeder: one task on the server's loop that runs every live corpus.

Each pass (woken by job changes, else every second) first *reconciles* — a book whose
job ended gets its files written (in a thread) and its end recorded — then *feeds*:
books are read (in a thread), skipped when their files are already made from the same
inputs, and submitted as jobs while the corpora hold fewer than their share of the
queue's slots, round-robin between corpora. Every step is recorded before the next, and
each book's job carries an idempotency key, so a pass cut short by ``kill -9`` is redone
after the restart without running any book twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..api.corpora import BookStatus, CorpusStatus
from ..api.models import JobRequest
from ..jobs import BaseJobService, Job, JobStatus
from ..jobs.errors import (
    JobError,
    JobNotFound,
    NoResult,
    QueueFull,
    ResultExpired,
    ServiceNotReady,
    StorageFull,
    TooManyJobs,
)
from ..jobs.models import utcnow
from ..results.booknlp_files import write_booknlp_files
from .manifest import read_manifest, still_valid, write_manifest
from .sources import BadBook, read_book
from .store import BookRecord, CorpusRecord, CorpusStore

log = logging.getLogger("booknlp_jupyter")

#: Refusals that mean "not now": the book waits for the next pass.
_NOT_NOW = (QueueFull, TooManyJobs, ServiceNotReady, StorageFull)
#: Times writing a book's files may fail before the book fails.
_WRITE_TRIES = 3


def _feedable(record: CorpusRecord, book: BookRecord) -> bool:
    """Whether ``book`` may still be submitted: its corpus not cancelled, the book neither
    ended nor submitted."""
    return (
        record.status is not CorpusStatus.CANCELLED
        and book.job_id is None
        and not book.status.is_final
    )


@dataclass
class Live:
    """A corpus with books still to end, as the feeder holds it."""

    record: CorpusRecord
    books: list[BookRecord]
    earlier: dict[str, dict[str, Any]] | None = None  # corpus.json entries found at start
    write_failures: dict[int, int] = field(default_factory=dict)
    dirty: bool = False  # books ended since corpus.json was last written


class Feeder:
    """Runs the live corpora (see the module's docstring)."""

    def __init__(
        self,
        jobs: BaseJobService,
        store: CorpusStore,
        root_dir: Path,
        live: dict[str, Live],
        slots: int,
        publish: Callable[[str], None],
    ):
        self.jobs, self.store, self.root_dir, self.live = jobs, store, root_dir, live
        self.slots = slots  # queue slots all corpora together may hold
        self.publish = publish
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._turn = 0  # round-robin between corpora
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop feeding; a pass under way ends at its next step (never waited on long)."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=5.0)

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        # a flag as well as the cancel: Python 3.11's wait_for can swallow a cancel that
        # lands as its inner wait ends, and then the loop would never stop
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self._wake.wait()
            if self._stopping:
                return
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the feeder must outlive one bad pass
                log.exception("corpus feeder pass failed")

    async def run_once(self) -> None:
        lives = list(self.live.values())
        for live in lives:
            await self._reconcile(live)
        await self._feed()
        for live in {id(x): x for x in [*lives, *self.live.values()]}.values():
            if live.dirty:  # once per pass, not once per book
                await self._save_manifest(live)

    # -- books whose jobs ended ------------------------------------------------------

    def _job(self, job_id: str) -> Job | None:
        try:
            return self.jobs.get(job_id)
        except JobNotFound:
            return None

    async def _reconcile(self, live: Live) -> None:
        record, changed = live.record, False
        for book in live.books:
            if book.status.is_final or book.job_id is None:
                continue
            job = self._job(book.job_id)
            started = job is not None and job.status is not JobStatus.PENDING
            if started and record.started_at is None:
                record.started_at = job.started_at or utcnow()  # type: ignore[union-attr]
                self.store.update_corpus(record, "started_at")
                changed = True
            if job is None or (job.status is JobStatus.EXPIRED and job.ended_as == "completed"):
                # its result is gone before its files were written: run it again
                book.job_id = None
                self.store.update_book(book, "job_id")
                changed = True
            elif job.status is JobStatus.COMPLETED:
                changed |= await self._write(live, book, job)
            elif job.status.is_final:
                ended = job.ended_as if job.status is JobStatus.EXPIRED else job.status.value
                status = BookStatus.CANCELLED if ended == "cancelled" else BookStatus.FAILED
                self._end(live, book, status, job.error_message or f"its job {ended}")
                changed = True
        if all(b.status.is_final for b in live.books):
            if record.status is not CorpusStatus.CANCELLED:
                record.status, record.completed_at = CorpusStatus.COMPLETED, utcnow()
                self.store.update_corpus(record, "status", "completed_at")
            del self.live[record.corpus_id]
            changed = True
        elif record.status is CorpusStatus.PENDING and record.started_at is not None:
            record.status = CorpusStatus.RUNNING
            self.store.update_corpus(record, "status")
            changed = True
        if changed:
            live.dirty = True
            self.publish(record.corpus_id)

    async def _write(self, live: Live, book: BookRecord, job: Job) -> bool:
        """Write a completed book's BookNLP files; True once its end is recorded."""
        record = live.record
        try:
            _, reader = self.jobs.open_result(job.job_id)
        except (ResultExpired, NoResult):
            book.job_id = None  # gone meanwhile: run it again
            self.store.update_book(book, "job_id")
            return True
        try:
            files = await asyncio.to_thread(
                write_booknlp_files,
                reader,
                Path(record.output_path),
                book.book_id,
                record.pipeline,
            )
        except OSError as exc:
            tries = live.write_failures.get(book.idx, 0) + 1
            live.write_failures[book.idx] = tries
            log.warning("could not write %s's files (try %d): %s", book.book_id, tries, exc)
            if tries < _WRITE_TRIES:
                return False
            self._end(live, book, BookStatus.FAILED, f"could not write its files: {exc}")
            return True
        finally:
            reader.close()
        book.processing_time_ms = job.processing_time_ms
        book.files = [Path(f).name for f in files]
        self._end(live, book, BookStatus.COMPLETED, None)
        return True

    def _end(self, live: Live, book: BookRecord, status: BookStatus, why: str | None) -> None:
        book.status, book.error_message = status, why
        self.store.update_book(book)
        live.dirty = True

    # -- the manifest ----------------------------------------------------------------

    def _engine(self, model: str) -> Any:
        identity = self.jobs.identity(model)
        try:
            return json.loads(identity)
        except ValueError:
            return identity

    def _entry(self, record: CorpusRecord, book: BookRecord, engine: Any) -> dict[str, Any]:
        status = book.status.value if book.status.is_final else "pending"
        entry = {
            "book_id": book.book_id,
            "path": book.path,
            "sha256": book.sha256,
            "model": record.model,
            "pipeline": list(record.pipeline),
            "strip_gutenberg": record.strip_gutenberg,
            "engine": engine,
            "status": status,
            "error_message": book.error_message,
            "processing_time_ms": book.processing_time_ms,
        }
        if book.files is not None:
            entry["files"] = book.files
        return entry

    async def _save_manifest(self, live: Live) -> None:
        record = live.record
        engine = self._engine(record.model)  # once per write, not once per book
        entries = [self._entry(record, b, engine) for b in live.books if b.status.is_final]
        try:
            await asyncio.to_thread(write_manifest, Path(record.output_path), entries)
            live.dirty = False
        except OSError as exc:  # the next pass writes it again
            log.warning("could not write %s/corpus.json: %s", record.output_dir, exc)

    # -- feeding ---------------------------------------------------------------------

    def _queued(self) -> int:
        """Books of all corpora waiting in the queue now."""
        n = 0
        for live in self.live.values():
            for book in live.books:
                if book.job_id and not book.status.is_final:
                    job = self._job(book.job_id)
                    n += job is not None and job.status is JobStatus.PENDING
        return n

    async def _feed(self) -> None:
        queued = self._queued()
        while queued < self.slots:
            runnable = [
                live
                for live in self.live.values()
                if any(_feedable(live.record, b) for b in live.books)
            ]
            if not runnable:
                return
            live = runnable[self._turn % len(runnable)]
            self._turn += 1
            book = next(b for b in live.books if _feedable(live.record, b))
            outcome = await self._feed_book(live, book)
            if outcome is None:
                return  # the queue has no room now
            queued += outcome

    async def _feed_book(self, live: Live, book: BookRecord) -> int | None:
        """Read and submit one book: 1 if it now waits in the queue, 0 if it ended at
        once or runs already, None if the queue had no room (it stays as it was)."""
        record = live.record
        path = self.root_dir / book.path
        try:
            text, sha256 = await asyncio.to_thread(self._read, path, record.strip_gutenberg)
        except BadBook as exc:
            self._end(live, book, BookStatus.FAILED, str(exc))
            self.publish(record.corpus_id)
            return 0
        book.chars, book.sha256 = len(text), sha256
        if live.earlier is None:
            live.earlier = await asyncio.to_thread(read_manifest, Path(record.output_path))
        if not _feedable(record, book):
            return 0  # the corpus was cancelled while the book was read: never submit it
        made_from = self._entry(record, book, self._engine(record.model))
        if still_valid(live.earlier.get(book.book_id), made_from, Path(record.output_path)):
            old = live.earlier[book.book_id]
            book.skipped, book.processing_time_ms = True, old.get("processing_time_ms")
            book.files = old.get("files")
            self._end(live, book, BookStatus.COMPLETED, None)
            self.publish(record.corpus_id)
            return 0
        try:
            request = JobRequest(
                text=text, book_id=book.book_id, model=record.model, pipeline=record.pipeline
            )
            job, _ = await self.jobs.submit(
                request,
                owner=record.owner,
                idempotency_key=f"corpus:{record.corpus_id}:{book.idx}",
                corpus_id=record.corpus_id,
            )
        except _NOT_NOW:
            return None
        except (JobError, ValidationError) as exc:
            why = exc.detail if isinstance(exc, JobError) else str(exc)
            self._end(live, book, BookStatus.FAILED, why)
            self.publish(record.corpus_id)
            return 0
        book.job_id = job.job_id
        self.store.update_book(book, "job_id", "chars", "sha256")
        if book.status.is_final:  # the corpus was cancelled while the job was queued
            self._withdraw(job)
            return 0
        self.publish(record.corpus_id)
        return 1 if job.status is JobStatus.PENDING and not job.reused_from else 0

    def _withdraw(self, job: Job) -> None:
        """Cancel a job submitted for a book that was cancelled meanwhile: the book was
        not started when its corpus was cancelled, so it must never run."""
        with contextlib.suppress(JobError):  # it ended meanwhile (or at once, reused)
            self.jobs.cancel(job.job_id, force=True)

    def _read(self, path: Path, strip_gutenberg: bool) -> tuple[str, str]:
        """The book's text, refused (`BadBook`) if the file now resolves outside the root."""
        limit = self.jobs.config.max_document_size
        try:
            if not path.resolve().is_relative_to(self.root_dir):
                raise BadBook("the file now resolves outside the server's root directory")
            size = path.stat().st_size
            if size > 4 * limit + 4:  # more bytes than any text within the limit has
                raise BadBook(
                    f"it has {size:,} bytes; texts are limited to {limit:,} characters "
                    "(BookNLPApp.max_document_size)"
                )
        except OSError as exc:
            raise BadBook(f"cannot read it: {exc.strerror or exc}") from None
        return read_book(path, strip_gutenberg)
