"""The contract of a job service: what the handlers may ask of it.

`BookNLPApp.service_class` may name any subclass of `BaseJobService`; the handlers use
only these methods. Errors are the `jobs.errors` classes (the handlers map them to
HTTP statuses). `JobService` is the implementation that ships.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from ..api.models import JobList, JobRequest, JobStatus, JobView, Ready, Stats
from ..results import ResultReader
from .config import ServiceConfig
from .models import Job


class BaseJobService(abc.ABC):
    """Submit, watch, cancel and expire jobs; serve their results."""

    config: ServiceConfig
    #: Called on the event loop with every job whose state changed.
    observers: list[Callable[[Job], None]]

    @abc.abstractmethod
    async def start(self) -> None:
        """Recover stored jobs and start the workers."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop the workers; stored jobs survive for the next start."""

    @property
    @abc.abstractmethod
    def ready(self) -> bool:
        """Whether jobs can run now (every worker up)."""

    @property
    @abc.abstractmethod
    def busy(self) -> bool:
        """Whether a job runs or waits (the server is active)."""

    @abc.abstractmethod
    async def submit(
        self,
        request: JobRequest,
        owner: str | None = None,
        idempotency_key: str | None = None,
        corpus_id: str | None = None,
    ) -> tuple[Job, bool]:
        """Queue a new job; ``(job, created)``: False when the idempotency key returned an
        earlier job. ``corpus_id``: the job is a book of that corpus."""

    @abc.abstractmethod
    def choose(self, model: str | None, pipeline: list[str] | None) -> tuple[str, list[str]]:
        """The model and pipeline a request would run (defaults filled in), or
        `InvalidRequest` / `ModelUnavailable`."""

    @abc.abstractmethod
    def identity(self, model: str) -> str:
        """What ``model``'s results depend on besides text and pipeline (engine version,
        model files): equal identities give equal results."""

    @abc.abstractmethod
    def get(self, job_id: str, owner: str | None = None) -> Job:
        """The job (`JobNotFound` if it is not there, or not ``owner``'s)."""

    @abc.abstractmethod
    def view(self, job: Job) -> JobView:
        """The job's public document, with its live queue position."""

    @abc.abstractmethod
    def list_jobs(
        self,
        statuses: Sequence[JobStatus] = (),
        owner: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> JobList:
        """A page of jobs, newest first."""

    @abc.abstractmethod
    def stats(self, viewer: str | None = None) -> Stats:
        """Queue statistics; ``viewer`` (None: an admin or a personal server) sees only
        their own jobs' ids."""

    @abc.abstractmethod
    def readiness(self) -> Ready:
        """Readiness with the workers' and models' details."""

    @abc.abstractmethod
    def cancel(self, job_id: str, owner: str | None = None, force: bool = False) -> Job:
        """Cancel a pending job (``force``: also a running one)."""

    @abc.abstractmethod
    def open_result(self, job_id: str, owner: str | None = None) -> tuple[Job, ResultReader]:
        """A completed job and its result, files held open until the reader is closed
        (`ResultNotReady`, `NoResult`, `ResultExpired` otherwise)."""

    @abc.abstractmethod
    def delete_result(self, job_id: str, owner: str | None = None) -> Job:
        """Free a finished job's result now; the job reads ``expired``."""

    @abc.abstractmethod
    def subscribe(self, job_id: str) -> asyncio.Queue[Any]:
        """A queue that receives the job's `JobView` on every change."""

    @abc.abstractmethod
    def unsubscribe(self, job_id: str, queue: asyncio.Queue[Any]) -> None:
        """Stop receiving a job's changes."""

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
