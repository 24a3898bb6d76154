"""Which requests get in: limits, engines, queue room, idempotency keys, reuse."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable

from ..api.models import JobRequest, JobStatus
from ..engines import PIPELINE_COMPONENTS, EngineRegistry, PipelineError
from .config import ServiceConfig
from .errors import (
    DocumentTooLarge,
    InvalidRequest,
    JobConflict,
    ModelUnavailable,
    QueueFull,
    TooManyJobs,
)
from .models import Job
from .queue import FairQueue
from .store import JobStore


class Admission:
    """The rules a submission passes before it becomes a job."""

    def __init__(
        self,
        config: ServiceConfig,
        registry: EngineRegistry,
        store: JobStore,
        queue: FairQueue,
        get: Callable[[str], Job],
    ):
        self.config, self.registry, self.store, self.queue = config, registry, store, queue
        self.get = get  # the service's lookup (it expires what is past its time)
        #: Queue slots held by submissions whose text is being written, per owner.
        self.reserved: Counter[Hashable] = Counter()

    def validate(self, request: JobRequest) -> tuple[str, list[str]]:
        """Check a request's limits and engine; return its model and pipeline."""
        if len(request.text) > self.config.max_document_size:
            raise DocumentTooLarge(
                f"text has {len(request.text):,} characters; the limit is "
                f"{self.config.max_document_size:,}"
            )
        return self.choose(request.model, request.pipeline)

    def choose(self, model: str | None, pipeline: list[str] | None) -> tuple[str, list[str]]:
        """The model and pipeline a request runs (defaults filled in), or a 400 that says
        what is wrong (unknown model, impossible pipeline, a model that cannot run here)."""
        model = model if model is not None else self.config.default_model
        if model not in self.registry.models:
            raise InvalidRequest(
                f"model: unknown model {model!r}; choose one of {self.registry.models}"
            )
        pipeline = list(pipeline) if pipeline is not None else list(PIPELINE_COMPONENTS)
        try:
            self.registry.engine_for(model).check_pipeline(model, pipeline)
        except PipelineError as exc:
            raise InvalidRequest(f"pipeline: {exc}") from exc
        reason = self.registry.unavailable_reason(model)
        if reason is not None:
            raise ModelUnavailable(f"model: {model!r} cannot run on this server: {reason}")
        return model, pipeline

    def check_room(self, lane: Hashable, per_user: bool = True) -> None:
        """A queue slot in ``lane`` (an owner's, or a corpus's: ``per_user`` False), or
        `TooManyJobs` / `QueueFull`."""
        limit = self.config.max_pending_per_user
        owner = lane
        if limit and per_user and owner is not None:
            mine = self.reserved[owner] + self.queue.count(owner)
            if mine >= limit:
                raise TooManyJobs(
                    f"you already have {mine} jobs waiting (the limit per user is {limit}); "
                    "wait for one to start, or cancel one",
                    retry_after=self.config.retry_after_seconds,
                )
        if len(self.queue) + sum(self.reserved.values()) >= self.config.max_queue_size:
            raise QueueFull(
                f"the queue is full ({self.config.max_queue_size} jobs waiting); try again later",
                retry_after=self.config.retry_after_seconds,
            )

    def idempotent(self, idempotency_key: str | None, key: str, owner: str | None) -> Job | None:
        """The live job submitted earlier with this ``Idempotency-Key``, if any."""
        if not idempotency_key:
            return None
        job = self.store.find_idempotent(idempotency_key, owner)
        if job is None:
            return None
        job = self.get(job.job_id)
        if job.dedup_key != key:
            raise JobConflict("Idempotency-Key was already used for a different request")
        return None if job.status is JobStatus.EXPIRED else job

    def reusable(self, key: str, owner: str | None) -> Job | None:
        """A completed job of an identical request whose result is still stored."""
        job = self.store.find_reusable(key, owner)
        if job is None:
            return None
        job = self.get(job.job_id)
        if job.status is not JobStatus.COMPLETED:
            return None
        return job if (self.store.result_path(job.job_id) / "manifest.json").exists() else None
