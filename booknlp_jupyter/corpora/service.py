"""The corpus service: create, watch and cancel corpora; the feeder runs them.

A corpus is a list of books (text files below the server's root) that the server, not
the kernel, feeds into the job service's ordinary bounded queue as slots free
(`feeder.Feeder`), so a user can submit 500 books and close the notebook. Records are
durable (`store.CorpusStore`); after a restart the feeder goes on where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from ..api.corpora import (
    BookStatus,
    CorpusList,
    CorpusRequest,
    CorpusStatus,
    CorpusView,
)
from ..api.models import JobRequest
from ..jobs import BaseJobService, Job
from ..jobs.errors import (
    DISK_FULL,
    InvalidRequest,
    JobConflict,
    JobError,
    JobNotFound,
    StorageFull,
    is_disk_full,
)
from ..jobs.events import Listeners
from ..jobs.models import utcnow
from .feeder import Feeder, Live
from .sources import default_output_name, resolve_books, resolve_output_dir
from .store import BookRecord, CorpusRecord, CorpusStore
from .views import build_view

log = logging.getLogger("booknlp_jupyter")


class CorpusNotFound(JobNotFound):
    """No such corpus (or not this user's)."""


class CorpusService:
    """Corpora over a job service: ``root_dir`` confines every path; a corpus's books
    hold at most ``queue_share`` of the queue's slots (all corpora together)."""

    def __init__(
        self, jobs: BaseJobService, root_dir: str | Path, data_dir: str | Path, queue_share: float
    ):
        self.jobs = jobs
        self.root_dir = Path(root_dir).resolve()
        self.store = CorpusStore(data_dir)
        self.live: dict[str, Live] = {}  # corpora with books still to end
        self._listeners = Listeners()
        slots = max(1, int(queue_share * jobs.config.max_queue_size))
        self.feeder = Feeder(jobs, self.store, self.root_dir, self.live, slots, self._publish)

    async def start(self) -> None:
        """Load the corpora a restart interrupted, and start feeding."""
        for record in self.store.unfinished():
            books = self.store.books(record.corpus_id)
            self.live[record.corpus_id] = Live(record, books, dirty=True)  # corpus.json too
        self.jobs.observers.append(self._on_job)
        self.feeder.start()

    async def stop(self) -> None:
        await self.feeder.stop()
        if self._on_job in self.jobs.observers:
            self.jobs.observers.remove(self._on_job)
        self.store.close()

    # -- creating ----------------------------------------------------------------

    async def submit(self, request: CorpusRequest, owner: str | None = None) -> CorpusView:
        """Create a corpus of the request's books; they run as queue slots free."""
        model, pipeline = self.jobs.choose(request.model, request.pipeline)
        books = await asyncio.to_thread(resolve_books, self.root_dir, request.folder, request.paths)
        for book in books:
            try:
                JobRequest(text=".", book_id=book.book_id)
            except ValueError:
                raise InvalidRequest(
                    f"paths: {book.path!r} cannot be a book_id (at most 128 characters, "
                    "no control characters); rename the file"
                ) from None
        output_dir, output_path = resolve_output_dir(
            self.root_dir, request.output_dir, default_output_name(request.folder, books)
        )
        corpus_id = str(uuid.uuid4())
        record = CorpusRecord(
            corpus_id=corpus_id,
            model=model,
            pipeline=pipeline,
            output_dir=output_dir,
            output_path=str(output_path),
            owner=owner,
            folder=request.folder.strip("/") if request.folder else None,
            strip_gutenberg=request.strip_gutenberg,
        )
        rows = [
            BookRecord(corpus_id, i, b.book_id, b.path, chars=b.size) for i, b in enumerate(books)
        ]
        try:
            self.store.insert(record, rows)
        except sqlite3.Error as exc:
            if is_disk_full(exc):
                raise StorageFull(DISK_FULL) from None
            raise
        self.live[corpus_id] = Live(record, rows)
        self.feeder.wake()
        return self.view(record)

    # -- reading -----------------------------------------------------------------

    def _record(self, corpus_id: str, owner: str | None) -> tuple[CorpusRecord, list[BookRecord]]:
        live = self.live.get(corpus_id)
        if live is not None:
            record, books = live.record, live.books
        else:
            found = self.store.get(corpus_id)
            if found is None:
                raise CorpusNotFound(f"corpus {corpus_id} not found")
            record, books = found, []
        if owner is not None and record.owner != owner:
            raise CorpusNotFound(f"corpus {corpus_id} not found")
        if live is None:
            books = self.store.books(corpus_id)
        return record, books

    def get(self, corpus_id: str, owner: str | None = None) -> CorpusView:
        """The corpus with every book (`CorpusNotFound` if not there, or not ``owner``'s)."""
        return self.view(*self._record(corpus_id, owner))

    def view(self, record: CorpusRecord, books: list[BookRecord] | None = None) -> CorpusView:
        """The corpus's public document, with its books' live states."""
        if books is None:
            live = self.live.get(record.corpus_id)
            books = live.books if live else self.store.books(record.corpus_id)
        return build_view(record, books, self._job)

    def list(self, owner: str | None = None, limit: int = 50, offset: int = 0) -> CorpusList:
        """A page of corpora, newest first, without their books."""
        records, total = self.store.page(owner, limit, offset)
        views = [self.view(r).model_copy(update={"books": []}) for r in records]
        return CorpusList(corpora=views, total=total)

    def _job(self, job_id: str) -> Job | None:
        try:
            return self.jobs.get(job_id)
        except JobNotFound:
            return None

    # -- cancelling --------------------------------------------------------------

    def cancel(self, corpus_id: str, owner: str | None = None, force: bool = False) -> CorpusView:
        """Cancel the corpus: books not yet started never run; ``force`` also stops the
        running ones (else they finish, and their files are written)."""
        record, books = self._record(corpus_id, owner)
        if record.status.is_final:
            raise JobConflict(
                f"corpus {corpus_id} is {record.status.value} and cannot be cancelled",
                status=record.status.value,
            )
        record.status, record.completed_at = CorpusStatus.CANCELLED, utcnow()
        self.store.update_corpus(record, "status", "completed_at")
        for book in books:
            if book.status.is_final:
                continue
            job = self._job(book.job_id) if book.job_id else None
            if job is not None and not job.status.is_final:
                if job.status.value == "running" and not force:
                    continue
                try:
                    self.jobs.cancel(job.job_id, force=force)
                except JobError:  # it ended meanwhile: the feeder records how
                    continue
            elif job is not None:
                continue  # ended; the feeder records how
            book.status, book.error_message = BookStatus.CANCELLED, "the corpus was cancelled"
            self.store.update_book(book, "status", "error_message")
        self.feeder.wake()
        view = self.view(record, books)
        self._publish(record.corpus_id)
        return view

    # -- watching ----------------------------------------------------------------

    def subscribe(self, corpus_id: str) -> asyncio.Queue[Any]:
        return self._listeners.subscribe(corpus_id)

    def unsubscribe(self, corpus_id: str, queue: asyncio.Queue[Any]) -> None:
        self._listeners.unsubscribe(corpus_id, queue)

    def _publish(self, corpus_id: str) -> None:
        if self._listeners.wanted(corpus_id):
            record, books = self._record(corpus_id, None)
            self._listeners.publish(corpus_id, self.view(record, books))

    def _on_job(self, job: Job) -> None:
        """A job changed: a corpus's book moved (publish it), or a slot may have freed."""
        if job.corpus_id in self.live:
            self._publish(job.corpus_id)
        if job.corpus_id is not None or job.status.is_final or job.status.value == "running":
            self.feeder.wake()
