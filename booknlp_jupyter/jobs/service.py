"""The job service: submit, watch, cancel and expire jobs, and serve their results.

Everything here runs on the server's event loop and never waits on NLP work: engines
run in workers (`dispatch`), large files are written in threads, records live in the
`JobStore` (SQLite, WAL). The order of the queue is `queue.FairQueue`'s; what happens
after a restart is `recovery`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from ..api.models import JobList, JobRequest, JobStatus, JobView, Ready, Stats
from ..engines import EngineRegistry
from ..results import ResultReader
from ..results.store import link_result
from .admission import Admission
from .base import BaseJobService
from .config import ServiceConfig
from .dispatch import Dispatcher
from .endings import Endings
from .errors import (
    DISK_FULL,
    JobConflict,
    JobNotFound,
    NoResult,
    ResultExpired,
    ResultNotReady,
    ServiceNotReady,
    StorageFull,
    is_disk_full,
)
from .events import Listeners
from .models import Job, utcnow
from .queue import FairQueue
from .recovery import recover
from .reports import build_readiness, build_stats
from .store import JobStore
from .texts import request_key

log = logging.getLogger("booknlp_jupyter")


class JobService(BaseJobService):
    """The shipped job service: a bounded fair queue in front of the workers."""

    def __init__(self, config: ServiceConfig, registry: EngineRegistry | None = None):
        self.config = config
        self.registry = registry or EngineRegistry(config.engines, config.engine_options)
        if config.default_model not in self.registry.models:
            raise ValueError(
                f"default_model {config.default_model!r} is not served by any engine "
                f"({self.registry.models})"
            )
        self.store = JobStore(config.data_dir)
        self.queue = FairQueue()
        self.started_at = time.time()
        #: Called (on the loop) while jobs run, so the server counts them as activity.
        self.on_activity: Callable[[], None] | None = None
        self._active: dict[str, Job] = {}  # pending and running jobs
        self._listeners = Listeners()
        #: Called (on the loop) with every job whose state changed, e.g. by the corpora.
        self.observers: list[Callable[[Job], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._recovered = False
        self._stopping = False
        self._sweeper: asyncio.Task[None] | None = None
        self.endings = Endings(
            config,
            self.store,
            self._active,
            forget=lambda job_id: self.dispatcher.forget(job_id),
            notify=self._notify,
        )
        self.admission = Admission(config, self.registry, self.store, self.queue, self.get)
        self.dispatcher = Dispatcher(
            config,
            self.store,
            self.queue,
            self._active,
            finish=self.endings.finish,
            notify=self._notify,
            activity=self._touch,
        )

    # -- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        def finish(job: Job, status: JobStatus) -> None:
            self.endings.finish(job, status, notify=False)

        for job in recover(self.store, self.config.max_attempts, finish):
            self._active[job.job_id] = job
            if job.reused_from:
                self._spawn(self._reuse(job, job.reused_from))
            else:
                self.queue.push(job.job_id, job.lane, job.seq)
        self._recovered = True
        await self.dispatcher.start()
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self) -> None:
        self._stopping = True
        for task in (self._sweeper, *self._tasks):
            if task:
                task.cancel()
        await self.dispatcher.stop()
        self.endings.closed = True  # a worker's last words after this change nothing stored
        self.store.close()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- queries -------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.dispatcher.ready

    @property
    def busy(self) -> bool:
        return bool(self.queue) or self.dispatcher.busy

    @property
    def workers(self) -> list[Any]:
        return self.dispatcher.workers

    def get(self, job_id: str, owner: str | None = None) -> Job:
        """The job, or `JobNotFound`. A job past its expiry time is expired now."""
        job = self._active.get(job_id) or self.store.get(job_id)
        if job is None or (owner is not None and job.owner != owner):
            raise JobNotFound(f"job {job_id} not found")
        if (
            job.status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)
            and job.expires_at
            and job.expires_at <= utcnow()
        ):
            self.endings.expire(job)
        return job

    def queue_position(self, job: Job) -> int | None:
        """1-based place in the queue of a pending job (a job reusing a stored result
        is next: it needs no worker), else None."""
        if job.status is not JobStatus.PENDING:
            return None
        return 1 if job.reused_from else self.queue.position(job.job_id)

    def view(self, job: Job) -> JobView:
        return job.view(self.queue_position(job))

    def list_jobs(
        self,
        statuses: Sequence[JobStatus] = (),
        owner: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> JobList:
        jobs, total = self.store.page(statuses, owner, limit, offset)
        views = [self.view(self._active.get(j.job_id, j)) for j in jobs]
        return JobList(jobs=views, total=total, limit=limit, offset=offset)

    def stats(self, viewer: str | None = None) -> Stats:
        def owner_of(job_id: str) -> str | None:
            job = self._active.get(job_id)
            return job.owner if job is not None else None

        return build_stats(
            self.config,
            self.registry,
            self.store,
            len(self.queue),
            self.workers,
            owner_of,
            self.started_at,
            viewer,
        )

    def readiness(self) -> Ready:
        return build_readiness(self.registry, self.workers, self.ready)

    # -- submitting ----------------------------------------------------------------

    async def submit(
        self,
        request: JobRequest,
        owner: str | None = None,
        idempotency_key: str | None = None,
        corpus_id: str | None = None,
    ) -> tuple[Job, bool]:
        """Queue a new job (every submission is one, with the ``book_id`` asked for).

        When an identical request (text, model, pipeline, engine identity) has a stored
        result, the new job completes from it without running the engine
        (``reused_from``). Only a repeated ``Idempotency-Key`` returns the earlier job:
        ``(job, False)``. A corpus's book (``corpus_id``) waits in its corpus's own lane
        of the queue, outside its owner's per-user limit (the corpus feeder bounds it)."""
        self._check_accepting()
        model, pipeline = self.admission.validate(request)
        identity = self.registry.identity(model)
        key = await asyncio.to_thread(request_key, request.text, model, pipeline, identity)
        earlier = self.admission.idempotent(idempotency_key, key, owner)
        if earlier is not None:
            return earlier, False
        source = self.admission.reusable(key, owner)
        job = Job(
            job_id=str(uuid.uuid4()),
            status=JobStatus.PENDING,
            model=model,
            pipeline=pipeline,
            book_id=request.book_id,
            owner=owner,
            text_chars=len(request.text),
            dedup_key=key,
            idempotency_key=idempotency_key,
            reused_from=source.job_id if source else None,
            corpus_id=corpus_id,
        )
        if source is None:
            self.admission.check_room(job.lane, per_user=corpus_id is None)
        self.admission.reserved[job.lane] += 1
        try:
            await asyncio.to_thread(self.store.write_input, job.job_id, request.text)
        except OSError as exc:
            raise (StorageFull(DISK_FULL) if is_disk_full(exc) else exc) from None
        finally:
            self.admission.reserved[job.lane] -= 1
        try:
            self._check_accepting()
            # a twin with the same Idempotency-Key may have landed meanwhile
            earlier = self.admission.idempotent(idempotency_key, key, owner)
            if earlier is None:
                self.store.insert(job)
        except BaseException as exc:
            self.store.input_path(job.job_id).unlink(missing_ok=True)
            if is_disk_full(exc):
                raise StorageFull(DISK_FULL) from None
            raise
        if earlier is not None:
            self.store.input_path(job.job_id).unlink(missing_ok=True)
            return earlier, False
        self._active[job.job_id] = job
        if source is not None:
            self._spawn(self._reuse(job, source.job_id))
        else:
            self.queue.push(job.job_id, job.lane, job.seq)
            asyncio.get_running_loop().call_soon(self.dispatcher.dispatch)  # after the answer
        self._notify(job)
        return job, True

    def choose(self, model: str | None, pipeline: list[str] | None) -> tuple[str, list[str]]:
        return self.admission.choose(model, pipeline)

    def identity(self, model: str) -> str:
        return self.registry.identity(model)

    def _check_accepting(self) -> None:
        """Refuse submissions before the stored queue is recovered, and while stopping."""
        if self._stopping or not self._recovered:
            why = "shutting down" if self._stopping else "starting"
            raise ServiceNotReady(
                f"the server is {why}; try again shortly",
                retry_after=self.config.retry_after_seconds,
            )

    async def _reuse(self, job: Job, source_id: str) -> None:
        """Complete ``job`` from the stored result of ``source_id``; if that result is
        gone (expired meanwhile), run the job like any other."""
        source = self.store.get(source_id)
        try:
            if source is None or source.status is not JobStatus.COMPLETED:
                raise FileNotFoundError(source_id)
            await asyncio.to_thread(
                link_result, self.store.result_path(source_id), self.store.result_path(job.job_id)
            )
        except OSError:
            log.info("job %s cannot reuse %s's result; running it", job.job_id, source_id)
            job.reused_from = None
            with contextlib.suppress(sqlite3.Error):
                self.store.update(job, "reused_from")
            self.queue.push(job.job_id, job.lane, job.seq)
            self._notify(job)
            self.dispatcher.dispatch()
            return
        job.token_count, job.result_etag = source.token_count, source.result_etag
        job.started_at, job.processing_time_ms = utcnow(), 0
        self.endings.finish(job, JobStatus.COMPLETED)

    def _touch(self) -> None:
        """Report activity while work runs (the idle culler must not stop this server)."""
        if self.on_activity is not None and self.dispatcher.busy:
            self.on_activity()

    # -- cancelling and cleaning up ---------------------------------------------------

    def cancel(self, job_id: str, owner: str | None = None, force: bool = False) -> Job:
        """Cancel a pending job (or, with ``force``, kill a running one)."""
        job = self.get(job_id, owner)
        if job.job_id in self.endings.unsaved:
            raise StorageFull(DISK_FULL)
        if job.status is JobStatus.PENDING:
            if not self.endings.finish(job, JobStatus.CANCELLED):
                raise StorageFull(DISK_FULL)
            self.queue.remove(job.job_id)
            self.dispatcher.dispatch()
            return job
        if job.status is JobStatus.RUNNING and force:
            worker = self.dispatcher.worker_of(job.job_id)
            job.error_message = "cancelled while running (force=true)"
            if not self.endings.finish(job, JobStatus.CANCELLED):  # before the kill: its echo
                raise StorageFull(DISK_FULL)  # finds it ended
            if worker is not None:
                worker.kill("cancelled")
            return job
        if job.status is JobStatus.RUNNING:
            raise JobConflict(
                f"job {job_id} is running and cannot be cancelled; "
                "DELETE with ?force=true stops it",
                status=job.status.value,
            )
        raise JobConflict(
            f"job {job_id} is {job.status.value} and cannot be cancelled", status=job.status.value
        )

    def open_result(self, job_id: str, owner: str | None = None) -> tuple[Job, ResultReader]:
        job = self.get(job_id, owner)
        status = job.status
        if status in (JobStatus.PENDING, JobStatus.RUNNING):
            raise ResultNotReady(
                f"job {job.job_id} is {status.value}; its result is not ready yet",
                retry_after=self.config.retry_after_seconds,
                status=status.value,
                progress=round(job.progress, 2),
            )
        if status is JobStatus.COMPLETED:
            try:
                return job, ResultReader(self.store.result_path(job_id), hold=True)
            except FileNotFoundError:  # expired between the status check and now
                status = JobStatus.EXPIRED
        if status is JobStatus.EXPIRED:
            raise ResultExpired(
                f"job {job.job_id} has expired; its result was deleted",
                status=JobStatus.EXPIRED.value,
            )
        raise NoResult(
            f"job {job.job_id} {status.value}: {job.error_message or 'no result'}",
            status=status.value,
            error_message=job.error_message,
        )

    def delete_result(self, job_id: str, owner: str | None = None) -> Job:
        job = self.get(job_id, owner)
        if not job.status.is_final:
            raise JobConflict(
                f"job {job_id} is {job.status.value}; cancel it first", status=job.status.value
            )
        if job.status is not JobStatus.EXPIRED:
            self.endings.expire(job)
        return job

    async def _sweep_forever(self) -> None:
        interval = min(30.0, max(0.2, self.config.job_ttl_seconds / 4))
        last = 0.0
        while True:
            await asyncio.sleep(min(interval, 1.0))
            self._touch()
            self.endings.save_unsaved()
            if time.monotonic() - last < interval:
                continue
            last = time.monotonic()
            try:
                self.endings.sweep(utcnow())
            except Exception:  # the sweep must outlive one bad pass
                log.exception("expiry sweep failed")

    # -- watching --------------------------------------------------------------------

    def subscribe(self, job_id: str) -> asyncio.Queue[Any]:
        return self._listeners.subscribe(job_id)

    def unsubscribe(self, job_id: str, queue: asyncio.Queue[Any]) -> None:
        self._listeners.unsubscribe(job_id, queue)

    def _notify(self, job: Job) -> None:
        if self._listeners.wanted(job.job_id):
            self._listeners.publish(job.job_id, self.view(job))
        for observe in self.observers:
            try:
                observe(job)
            except Exception:  # an observer's fault is not the job's
                log.exception("job observer failed on %s", job.job_id)
