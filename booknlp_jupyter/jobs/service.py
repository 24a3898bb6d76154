"""The job service: a bounded FIFO queue in front of the worker process(es).

Everything here runs on the server's event loop and never waits on NLP work: the
engines run in `WorkerProcess` children, large files are written in threads, and
records live in `JobStore` (SQLite, WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..engines import PIPELINE_COMPONENTS, EngineRegistry, PipelineError
from .errors import (
    DocumentTooLarge,
    InvalidRequest,
    JobConflict,
    JobNotFound,
    QueueFull,
    ServiceNotReady,
    TooManyJobs,
)
from .models import Job, JobRequest, JobStatus, utcnow
from .store import JobStore
from .worker import WorkerProcess

log = logging.getLogger("booknlp_jupyter")


@dataclass
class ServiceConfig:
    """The service's limits; the server extension fills it from its traitlets."""

    data_dir: Path
    engines: Mapping[str, str]
    engine_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_queue_size: int = 10
    max_document_size: int = 5_000_000
    job_ttl_seconds: float = 3600
    max_concurrent_jobs: int = 1
    default_model: str = "lite"
    job_timeout_seconds: float = 4 * 3600
    max_attempts: int = 2
    retry_after_seconds: int = 5
    max_pending_per_user: int = 0  # 0: no per-user limit
    job_history_seconds: float = 7 * 24 * 3600  # expired jobs are forgotten after this
    redis_url: str | None = None  # jobs go to remote workers over Redis (RQ)


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be processed, or None. Never quotes the text itself."""
    if "\x00" in text:
        return "text contains NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text is not valid Unicode (a lone surrogate at character {exc.start})"
    return None


def _check_and_key(text: str, model: str, pipeline: Sequence[str]) -> str:
    """Check the text (InvalidRequest) and return its content key. Runs in a thread:
    a 5,000,000-character text takes milliseconds to scan and hash."""
    if text.isspace():
        raise InvalidRequest("text: must contain more than whitespace")
    problem = text_problem(text)
    if problem:
        raise InvalidRequest(f"text: {problem}")
    digest = hashlib.sha256()
    digest.update(f"{model}\0{','.join(sorted(pipeline))}\0".encode())
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


class JobService:
    """Submit, watch, cancel and expire jobs; dispatch them to workers in FIFO order."""

    def __init__(self, config: ServiceConfig, registry: EngineRegistry | None = None):
        self.config = config
        self.registry = registry or EngineRegistry(config.engines)
        if config.default_model not in self.registry.models:
            raise ValueError(
                f"default_model {config.default_model!r} is not served by any engine "
                f"({self.registry.models})"
            )
        self.store = JobStore(config.data_dir)
        self.workers: list[Any] = []  # WorkerProcess, or RemoteSlot with redis_url
        self.remote: Any = None
        self.started_at = time.time()
        self._pending: list[str] = []  # job ids in submission (FIFO) order
        self._served: dict[str | None, int] = {}  # owner -> tick of their last dispatch
        self._tick = 0
        self._order: list[str] | None = None  # cached dispatch order of pending jobs
        #: Called (on the loop) while jobs run, so the server counts them as activity.
        self.on_activity: Callable[[], None] | None = None
        self._active: dict[str, Job] = {}  # pending and running jobs
        self._reserved = 0  # queue slots held by submissions being written
        self._reserved_by: Counter[str | None] = Counter()
        self._recovered = False
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._deadlines: dict[str, asyncio.TimerHandle] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    # -- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Recover stored jobs, start the workers and the expiry sweep."""
        self._loop = asyncio.get_running_loop()
        self._recover()
        self._recovered = True
        if self.config.redis_url:
            from .remote import RemotePool

            self.remote = RemotePool(self.config.redis_url, self._on_worker,
                                     job_timeout=self.config.job_timeout_seconds or 4 * 3600)
            await self.remote.start()
            self.workers = self.remote.slots  # the pool keeps this list up to date
            self._sweeper = asyncio.create_task(self._sweep_forever())
            return
        for _ in range(max(1, self.config.max_concurrent_jobs)):
            worker = WorkerProcess(
                self.config.engines, self.config.engine_options, self._on_worker, self._loop
            )
            worker.start()
            self.workers.append(worker)
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self) -> None:
        """Stop the workers. A running job stays ``running`` in the store and is
        run again at the next start."""
        self._stopping = True
        if self._sweeper:
            self._sweeper.cancel()
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(None, w.stop) for w in self.workers), return_exceptions=True
        )
        if self.remote is not None:
            await self.remote.stop()
        self.store.close()

    def _recover(self) -> None:
        """Put the stored queue back as it was: pending in order, running run again once."""
        store = self.store
        for job in store.by_status(JobStatus.RUNNING):
            result = store.result_path(job.job_id)
            if (result / "manifest.json").exists():
                from ..results import ResultReader

                reader = ResultReader(result)
                job.token_count, job.result_etag = reader.token_count, reader.etag
                self._finish(job, JobStatus.COMPLETED, persist_only=True)
            elif job.attempts >= self.config.max_attempts:
                job.error_message = (
                    f"the server stopped while this job was running, {job.attempts} times; "
                    "it was not run again"
                )
                self._finish(job, JobStatus.FAILED, persist_only=True)
            elif not store.input_path(job.job_id).exists():
                job.error_message = "the server stopped while this job ran and its input was lost"
                self._finish(job, JobStatus.FAILED, persist_only=True)
            else:
                job.status, job.progress, job.stage, job.started_at = (
                    JobStatus.PENDING, 0.0, None, None,
                )
                store.update(job, "status", "progress", "stage", "started_at")
                log.warning("job %s was running when the server stopped; running it again",
                            job.job_id)
        for job in store.by_status(JobStatus.PENDING):
            if store.input_path(job.job_id).exists():
                self._order = None
                self._pending.append(job.job_id)
                self._active[job.job_id] = job
            else:
                job.error_message = "its input text was lost"
                self._finish(job, JobStatus.FAILED, persist_only=True)
        # Leftovers of interrupted writes: inputs and results nobody owns.
        live = {j.job_id for j in store.by_status(JobStatus.PENDING, JobStatus.RUNNING)}
        done = {j.job_id for j in store.by_status(JobStatus.COMPLETED)}
        for path in store.inputs_dir.iterdir():
            if path.stem not in live:
                path.unlink(missing_ok=True)
        for path in store.results_dir.iterdir():
            if path.name not in done:
                shutil.rmtree(path, ignore_errors=True)

    # -- queries -------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return bool(self.workers) and all(w.ready and w.alive for w in self.workers)

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
            self._expire(job)
        return job

    def queue_position(self, job: Job) -> int | None:
        """1-based place in the queue of a pending job, else None."""
        if job.status is not JobStatus.PENDING:
            return None
        try:
            return self.dispatch_order().index(job.job_id) + 1
        except ValueError:
            return None

    def dispatch_order(self) -> list[str]:
        """Pending job ids in the order they will run: round-robin between owners
        (the owner served longest ago goes first), each owner's jobs oldest first.
        With one owner (a personal server) this is plain FIFO."""
        if self._order is None:
            by_owner: dict[str | None, list[str]] = {}
            for job_id in self._pending:
                by_owner.setdefault(self._active[job_id].owner, []).append(job_id)
            served = dict(self._served)
            tick, order = self._tick, []
            while by_owner:
                owner = min(
                    by_owner,
                    key=lambda o: (served.get(o, -1), self._active[by_owner[o][0]].seq),
                )
                order.append(by_owner[owner].pop(0))
                if not by_owner[owner]:
                    del by_owner[owner]
                served[owner], tick = tick, tick + 1
            self._order = order
        return self._order

    def public(self, job: Job) -> dict[str, Any]:
        return job.public(self.queue_position(job))

    def list(
        self,
        statuses: Sequence[JobStatus] = (),
        owner: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        jobs, total = self.store.list(statuses, owner, limit, offset)
        return [self.public(self._active.get(j.job_id, j)) for j in jobs], total

    def stats(self) -> dict[str, Any]:
        counts = self.store.counts()
        return {
            "total_jobs": sum(counts.values()),
            "queue_size": len(self._pending),
            "max_queue_size": self.config.max_queue_size,
            **counts,
            "worker_running": any(w.alive and w.ready for w in self.workers),
            "workers": [
                {"pid": w.info.get("pid"), "alive": w.alive, "ready": w.ready,
                 "job_id": w.job_id, "engines": w.info.get("engines", {})}
                for w in self.workers
            ],
            "devices": sorted({
                str(facts["device"])
                for w in self.workers
                for facts in w.info.get("engines", {}).values()
                if isinstance(facts, dict) and facts.get("device")
            }),
            "max_document_size": self.config.max_document_size,
            "job_ttl_seconds": self.config.job_ttl_seconds,
            "max_concurrent_jobs": self.config.max_concurrent_jobs,
            "models": self.registry.models,
            "default_model": self.config.default_model,
            "uptime_seconds": round(time.time() - self.started_at, 3),
        }

    # -- submitting ----------------------------------------------------------------

    def validate(self, request: JobRequest) -> tuple[str, list[str]]:
        """Check a request's limits and engine; return its model and pipeline."""
        if len(request.text) > self.config.max_document_size:
            raise DocumentTooLarge(
                f"text has {len(request.text):,} characters; the limit is "
                f"{self.config.max_document_size:,}"
            )
        model = request.model or self.config.default_model
        if model not in self.registry.models:
            raise InvalidRequest(f"model: unknown model {model!r}; choose one of "
                                 f"{self.registry.models}")
        pipeline = (
            list(dict.fromkeys(request.pipeline))
            if request.pipeline is not None
            else list(PIPELINE_COMPONENTS)
        )
        try:
            self.registry.engine_for(model).check_pipeline(model, pipeline)
        except PipelineError as exc:
            raise InvalidRequest(f"pipeline: {exc}") from exc
        return model, pipeline

    async def submit(
        self,
        request: JobRequest,
        owner: str | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[Job, bool]:
        """Queue a job. Returns ``(job, created)``: ``created`` is False when an equal
        job (same text, model and pipeline, or the same idempotency key) still lives
        and is returned instead."""
        self._check_accepting()
        model, pipeline = self.validate(request)
        loop = asyncio.get_running_loop()
        key = await loop.run_in_executor(None, _check_and_key, request.text, model, pipeline)
        existing = self._existing(key, owner, idempotency_key)
        if existing is not None:
            return existing, False
        limit = self.config.max_pending_per_user
        if limit and owner is not None:
            mine = self._reserved_by[owner] + sum(
                1 for j in self._pending if self._active[j].owner == owner
            )
            if mine >= limit:
                raise TooManyJobs(
                    f"you already have {mine} jobs waiting (the limit per user is {limit}); "
                    "wait for one to start, or cancel one",
                    headers={"Retry-After": str(self._retry_after())},
                )
        if len(self._pending) + self._reserved >= self.config.max_queue_size:
            raise QueueFull(
                f"the queue is full ({self.config.max_queue_size} jobs waiting); try again later",
                headers={"Retry-After": str(self._retry_after())},
            )
        self._reserved += 1
        self._reserved_by[owner] += 1
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
        )
        try:
            await loop.run_in_executor(None, self.store.write_input, job.job_id, request.text)
        finally:
            self._reserved -= 1
            self._reserved_by[owner] -= 1
        try:
            self._check_accepting()
            existing = self._existing(key, owner, idempotency_key)  # a twin may have landed
        except BaseException:
            self.store.input_path(job.job_id).unlink(missing_ok=True)
            raise
        if existing is not None:
            self.store.input_path(job.job_id).unlink(missing_ok=True)
            return existing, False
        self.store.insert(job)
        self._active[job.job_id] = job
        self._pending.append(job.job_id)
        self._order = None
        self._notify(job)
        asyncio.get_running_loop().call_soon(self._dispatch)  # after the 202 is written
        return job, True

    def _check_accepting(self) -> None:
        """Refuse submissions before the stored queue is recovered, and while stopping."""
        if self._stopping or not self._recovered:
            why = "shutting down" if self._stopping else "starting"
            raise ServiceNotReady(f"the server is {why}; try again shortly",
                                  headers={"Retry-After": str(self.config.retry_after_seconds)})

    def _existing(self, key: str, owner: str | None, idempotency_key: str | None) -> Job | None:
        if idempotency_key:
            job = self.store.find_idempotent(idempotency_key, owner)
            if job is not None:
                job = self.get(job.job_id)
                if job.dedup_key != key:
                    raise JobConflict(
                        "Idempotency-Key was already used for a different request"
                    )
                if job.status is not JobStatus.EXPIRED:
                    return job
        job = self.store.find_dedup(key, owner)
        if job is not None:
            job = self.get(job.job_id)
            if job.status in (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.COMPLETED):
                return job
        return None

    def _touch(self) -> None:
        """Report activity while work runs (the idle culler must not stop this server)."""
        if self.on_activity is not None and any(w.job_id for w in self.workers):
            self.on_activity()

    def _retry_after(self) -> int:
        return self.config.retry_after_seconds

    # -- cancelling and cleaning up ---------------------------------------------------

    def cancel(self, job_id: str, owner: str | None = None, force: bool = False) -> Job:
        """Cancel a pending job (or, with ``force``, kill a running one)."""
        job = self.get(job_id, owner)
        if job.status is JobStatus.PENDING:
            self._pending.remove(job.job_id)
            self._order = None
            self._finish(job, JobStatus.CANCELLED)
            self._dispatch()
            return job
        if job.status is JobStatus.RUNNING and force:
            worker = next((w for w in self.workers if w.job_id == job.job_id), None)
            job.error_message = "cancelled while running (force=true)"
            self._finish(job, JobStatus.CANCELLED)  # before the kill: its echo finds it ended
            if worker is not None:
                worker.kill("cancelled")
            return job
        if job.status is JobStatus.RUNNING:
            raise JobConflict(
                f"job {job_id} is running and cannot be cancelled; "
                "DELETE with ?force=true stops it",
                status=job.status.value,
            )
        raise JobConflict(f"job {job_id} is {job.status.value} and cannot be cancelled",
                          status=job.status.value)

    def delete_result(self, job_id: str, owner: str | None = None) -> Job:
        """Free a finished job's result now; the job then reads ``expired``."""
        job = self.get(job_id, owner)
        if not job.status.is_final:
            raise JobConflict(f"job {job_id} is {job.status.value}; cancel it first",
                              status=job.status.value)
        if job.status is not JobStatus.EXPIRED:
            self._expire(job)
        return job

    def _expire(self, job: Job) -> None:
        job.ended_as, job.status = job.status.value, JobStatus.EXPIRED
        self.store.update(job, "status", "ended_as")
        shutil.rmtree(self.store.result_path(job.job_id), ignore_errors=True)
        self._notify(job)

    async def _sweep_forever(self) -> None:
        interval = min(30.0, max(0.2, self.config.job_ttl_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            if any(w.job_id for w in self.workers):
                self._touch()
            try:
                now = utcnow()
                for job in self.store.expired_before(now):
                    self._expire(job)
                history = timedelta(seconds=self.config.job_history_seconds)
                self.store.purge_expired(now - history)
            except Exception:  # the sweep must outlive one bad pass
                log.exception("expiry sweep failed")

    # -- running -------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Hand pending jobs to idle workers, oldest first."""
        for worker in self.workers:
            if not self._pending:
                return
            if not worker.idle:
                continue
            job = self._active[self.dispatch_order()[0]]
            self._pending.remove(job.job_id)
            self._served[job.owner], self._tick = self._tick, self._tick + 1
            self._order = None
            job.status, job.started_at, job.stage = JobStatus.RUNNING, utcnow(), "starting"
            job.attempts += 1
            job.progress = 0.0
            self.store.update(job, "status", "started_at", "stage", "attempts", "progress")
            try:
                worker.run(
                    job.job_id,
                    job.model,
                    job.pipeline,
                    str(self.store.input_path(job.job_id)),
                    str(self.store.result_path(job.job_id)),
                )
            except OSError as exc:  # the worker died between the idle check and the send
                log.warning("could not hand job %s to its worker (%s)", job.job_id, exc)
                worker.job_id = None
                self._requeue(job, str(exc), dispatch=False)
                continue
            if self.config.job_timeout_seconds:
                assert self._loop is not None
                self._deadlines[job.job_id] = self._loop.call_later(
                    self.config.job_timeout_seconds, self._deadline_passed, job.job_id, worker
                )
            self._notify(job)
        # Positions of everyone still waiting moved up.
        self._touch()
        for job_id in self._pending:
            self._notify(self._active[job_id])

    def _deadline_passed(self, job_id: str, worker: Any) -> None:
        if worker.job_id == job_id:
            worker.kill(
                f"the job ran past its deadline of {self.config.job_timeout_seconds:g} s"
            )

    def _on_worker(self, worker: WorkerProcess, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "capacity":
            self._dispatch()
            return
        if kind == "ready":
            log.info("BookNLP worker %s ready", message[1].get("pid"))
            self._dispatch()
            return
        job = self._active.get(message[1]) if len(message) > 1 and message[1] else None
        if kind == "progress" and job is not None and job.status is JobStatus.RUNNING:
            _, _, fraction, stage = message
            progress = min(99.9, max(job.progress, 100.0 * fraction))
            stage_changed = stage != job.stage
            job.progress, job.stage = progress, stage
            self._touch()
            if stage_changed:
                self.store.update(job, "progress", "stage")
            self._notify(job)
        elif kind == "done" and job is not None and job.status is JobStatus.RUNNING:
            if worker.job_id == job.job_id:
                worker.job_id = None
            info = message[2]
            job.token_count = info["token_count"]
            job.result_etag = info["etag"]
            job.processing_time_ms = info["processing_time_ms"]
            self._finish(job, JobStatus.COMPLETED)
        elif kind == "error":
            if worker.job_id == message[1]:
                worker.job_id = None
            if job is not None and job.status is JobStatus.RUNNING:
                job.error_message = message[2]
                self._finish(job, JobStatus.FAILED)
        elif kind == "died":
            if job is not None and job.status is JobStatus.RUNNING:
                if getattr(worker, "retry_on_death", False) and (
                    job.attempts < self.config.max_attempts
                ):
                    self._requeue(job, message[2])
                else:
                    job.error_message = message[2]
                    self._finish(job, JobStatus.FAILED)
            if not self._stopping:
                log.warning("BookNLP worker died (%s); starting a new one", message[2])
                worker.start()
            return
        if kind in ("done", "error"):
            self._dispatch()

    def _requeue(self, job: Job, reason: str, dispatch: bool = True) -> None:
        """Put a job whose worker was lost back at the head of the queue, to run again."""
        log.warning("job %s lost its worker (%s); running it again", job.job_id, reason)
        handle = self._deadlines.pop(job.job_id, None)
        if handle is not None:
            handle.cancel()
        job.status, job.started_at, job.progress, job.stage = JobStatus.PENDING, None, 0.0, None
        self.store.update(job, "status", "started_at", "progress", "stage")
        self._pending.insert(0, job.job_id)
        self._served.pop(job.owner, None)  # first in line again
        self._order = None
        self._notify(job)
        if dispatch:
            self._dispatch()

    def _finish(self, job: Job, status: JobStatus, persist_only: bool = False) -> None:
        """End a job: record it, drop its input, notify listeners."""
        handle = self._deadlines.pop(job.job_id, None)
        if handle is not None:
            handle.cancel()
        job.status = status
        job.completed_at = utcnow()
        if status is JobStatus.COMPLETED:
            job.progress, job.stage = 100.0, None
            if job.processing_time_ms is None and job.started_at is not None:
                job.processing_time_ms = int(
                    (job.completed_at - job.started_at).total_seconds() * 1000
                )
        else:
            job.stage = None
        job.expires_at = job.completed_at + timedelta(seconds=self.config.job_ttl_seconds)
        self.store.update(job)
        with contextlib.suppress(OSError):
            os.unlink(self.store.input_path(job.job_id))
        if status is not JobStatus.COMPLETED:
            shutil.rmtree(self.store.result_path(job.job_id), ignore_errors=True)
        self._active.pop(job.job_id, None)
        if not persist_only:
            self._notify(job)

    # -- watching --------------------------------------------------------------------

    def subscribe(self, job_id: str) -> asyncio.Queue[dict[str, Any]]:
        """A queue that receives the job's public state on every change."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._listeners.setdefault(job_id, set()).add(queue)
        return queue

    def unsubscribe(self, job_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        listeners = self._listeners.get(job_id)
        if listeners is not None:
            listeners.discard(queue)
            if not listeners:
                del self._listeners[job_id]

    def _notify(self, job: Job) -> None:
        listeners = self._listeners.get(job.job_id)
        if listeners:
            state = self.public(job)
            for queue in listeners:
                queue.put_nowait(state)

    async def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Wait until the job is final (or ``timeout`` passes); return it."""
        job = self.get(job_id)
        if job.status.is_final:
            return job
        queue = self.subscribe(job_id)
        try:
            async with asyncio.timeout(timeout):
                while not job.status.is_final:
                    await queue.get()
                    job = self.get(job_id)
        except TimeoutError:
            pass
        finally:
            self.unsubscribe(job_id, queue)
        return self.get(job_id)
