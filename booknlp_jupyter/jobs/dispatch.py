"""Dispatch: pending jobs go to idle workers; worker messages become job states.

The dispatcher owns the workers (local `WorkerProcess`es, or a `RemotePool`'s slots)
and the running jobs' deadlines. It never decides a job's final state alone: it asks
the service's ``finish`` callback, which makes the state durable first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .config import ServiceConfig
from .models import Job, JobStatus, utcnow
from .protocol import (
    Capacity,
    Died,
    Done,
    Failed,
    JobOrder,
    Lost,
    Progress,
    Ready,
    WorkerHandle,
    WorkerMessage,
)
from .queue import FairQueue
from .store import JobStore

log = logging.getLogger("booknlp_jupyter")


class Dispatcher:
    """Hands jobs from the `FairQueue` to workers, one job per worker at a time."""

    def __init__(
        self,
        config: ServiceConfig,
        store: JobStore,
        queue: FairQueue,
        active: dict[str, Job],
        *,
        finish: Callable[[Job, JobStatus], bool],
        notify: Callable[[Job], None],
        activity: Callable[[], None],
    ):
        self.config, self.store, self.queue, self.active = config, store, queue, active
        self.finish, self.notify, self.activity = finish, notify, activity
        self.workers: list[WorkerHandle] = []
        self.remote = None  # a RemotePool with redis_url
        self.stopping = False
        self._deadlines: dict[str, asyncio.TimerHandle] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Start the local worker processes, or connect to the remote workers."""
        self._loop = asyncio.get_running_loop()
        if self.config.redis_url:
            from .remote import RemotePool

            self.remote = RemotePool(
                self.config.redis_url,
                self.on_message,
                job_timeout=self.config.job_timeout_seconds,
            )
            await self.remote.start()
            self.workers = self.remote.slots  # the pool keeps this list up to date
            return
        from .worker import WorkerProcess

        for _ in range(max(1, self.config.max_concurrent_jobs)):
            worker = WorkerProcess(
                self.config.engines, self.config.engine_options, self.on_message, self._loop
            )
            worker.start()
            self.workers.append(worker)

    async def stop(self) -> None:
        """Stop the workers (a running job stays ``running`` in the store)."""
        self.stopping = True
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(None, w.stop) for w in self.workers), return_exceptions=True
        )
        if self.remote is not None:
            await self.remote.stop()

    @property
    def ready(self) -> bool:
        return bool(self.workers) and all(w.ready and w.alive for w in self.workers)

    @property
    def busy(self) -> bool:
        return any(w.job_id for w in self.workers)

    def worker_of(self, job_id: str) -> WorkerHandle | None:
        return next((w for w in self.workers if w.job_id == job_id), None)

    def forget(self, job_id: str) -> None:
        """The job ended: drop its deadline."""
        handle = self._deadlines.pop(job_id, None)
        if handle is not None:
            handle.cancel()

    # -- handing out jobs ------------------------------------------------------------

    def dispatch(self) -> None:
        """Hand pending jobs to idle workers, in the queue's order."""
        for worker in self.workers:
            if not self.queue:
                break
            if not worker.idle:
                continue
            job = self.active[self.queue.pop()]  # type: ignore[index]
            before = (job.status, job.started_at, job.stage, job.attempts, job.progress)
            job.status, job.started_at, job.stage = JobStatus.RUNNING, utcnow(), "starting"
            job.attempts += 1
            job.progress = 0.0
            try:
                self.store.update(job, "status", "started_at", "stage", "attempts", "progress")
            except Exception:  # e.g. the disk is full: leave it queued, retry later
                log.warning(
                    "could not record job %s as running; it stays queued", job.job_id, exc_info=True
                )
                job.status, job.started_at, job.stage, job.attempts, job.progress = before
                self.queue.push_front(job.job_id, job.lane, job.seq)
                break
            try:
                worker.run(
                    JobOrder(
                        job.job_id,
                        job.model,
                        list(job.pipeline),
                        str(self.store.input_path(job.job_id)),
                        str(self.store.result_path(job.job_id)),
                    )
                )
            except OSError as exc:  # the worker died between the idle check and the send
                log.warning("could not hand job %s to its worker (%s)", job.job_id, exc)
                worker.job_id = None
                self.requeue(job, str(exc), dispatch=False)
                continue
            if self.config.job_timeout_seconds:
                assert self._loop is not None
                self._deadlines[job.job_id] = self._loop.call_later(
                    self.config.job_timeout_seconds, self._deadline_passed, job.job_id, worker
                )
            self.notify(job)
        self.activity()
        for job_id in self.queue:  # positions of everyone still waiting moved up
            self.notify(self.active[job_id])

    def _deadline_passed(self, job_id: str, worker: WorkerHandle) -> None:
        if worker.job_id == job_id:
            worker.kill(f"the job ran past its deadline of {self.config.job_timeout_seconds:g} s")

    def requeue(self, job: Job, reason: str, dispatch: bool = True) -> None:
        """Put a job whose worker was lost back at the head of the queue, to run again."""
        log.warning("job %s lost its worker (%s); running it again", job.job_id, reason)
        self.forget(job.job_id)
        job.status, job.started_at, job.progress, job.stage = JobStatus.PENDING, None, 0.0, None
        try:
            self.store.update(job, "status", "started_at", "progress", "stage", "attempts")
        except Exception:  # in memory it is queued; the store catches up at the next write
            log.warning("could not record job %s as pending again", job.job_id, exc_info=True)
        self.queue.push_front(job.job_id, job.lane, job.seq)
        self.notify(job)
        if dispatch:
            self.dispatch()

    # -- what workers say ------------------------------------------------------------

    def on_message(self, worker: WorkerHandle | None, message: WorkerMessage) -> None:
        """A worker's message, on the event loop."""
        if isinstance(message, Ready | Capacity):
            if isinstance(message, Ready):
                log.info("BookNLP worker %s ready", message.info.get("pid"))
            self.dispatch()
            return
        job = self.active.get(message.job_id) if message.job_id else None
        running = job is not None and job.status is JobStatus.RUNNING
        if isinstance(message, Progress):
            if running:
                assert job is not None
                stage_changed = message.stage != job.stage
                job.progress = min(99.9, max(job.progress, 100.0 * message.fraction))
                job.stage = message.stage
                self.activity()
                if stage_changed:
                    try:
                        self.store.update(job, "progress", "stage")
                    except Exception:  # progress is not worth failing for
                        log.debug("could not store job %s's stage", job.job_id, exc_info=True)
                self.notify(job)
            return
        if worker is not None and worker.job_id == message.job_id:
            worker.job_id = None
        if isinstance(message, Done):
            if running:
                assert job is not None
                job.token_count, job.result_etag = message.token_count, message.etag
                job.processing_time_ms = message.processing_time_ms
                self.finish(job, JobStatus.COMPLETED)
        elif isinstance(message, Failed):
            if running:
                assert job is not None
                job.error_message = message.message
                self.finish(job, JobStatus.FAILED)
        elif isinstance(message, Lost):
            if running:
                assert job is not None
                job.attempts = max(0, job.attempts - 1)  # not the job's fault
                self.requeue(job, message.reason, dispatch=False)
        elif isinstance(message, Died):
            if running:
                assert job is not None and worker is not None
                if worker.retry_on_death and job.attempts < self.config.max_attempts:
                    self.requeue(job, message.reason, dispatch=False)
                else:
                    job.error_message = message.reason
                    self.finish(job, JobStatus.FAILED)
            if not self.stopping and worker is not None:
                log.warning("BookNLP worker died (%s); starting a new one", message.reason)
                worker.start()
            return
        self.dispatch()
