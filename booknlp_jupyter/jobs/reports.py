"""What the service reports about itself: queue statistics and readiness."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ..api.models import Ready, Stats, WorkerView
from ..engines import EngineRegistry
from .config import ServiceConfig
from .protocol import WorkerHandle
from .store import JobStore


def build_stats(
    config: ServiceConfig,
    registry: EngineRegistry,
    store: JobStore,
    queue_size: int,
    workers: Sequence[WorkerHandle],
    owner_of: Callable[[str], str | None],
    started_at: float,
    viewer: str | None = None,
) -> Stats:
    """The queue's statistics. ``viewer`` (None: an admin, or a personal server) sees
    only the ids of their own running jobs; the numbers stay whole."""
    counts = store.counts()

    def shown(job_id: str | None) -> str | None:
        if job_id is None or viewer is None:
            return job_id
        return job_id if owner_of(job_id) == viewer else None

    return Stats(
        total_jobs=sum(counts.values()),
        queue_size=queue_size,
        max_queue_size=config.max_queue_size,
        **counts,
        worker_running=any(w.alive and w.ready for w in workers),
        max_document_size=config.max_document_size,
        job_ttl_seconds=config.job_ttl_seconds,
        max_concurrent_jobs=config.max_concurrent_jobs,
        workers=[
            WorkerView(
                pid=w.info.get("pid"),
                alive=w.alive,
                ready=w.ready,
                job_id=shown(w.job_id),
                engines=w.info.get("engines", {}),
            )
            for w in workers
        ],
        devices=sorted(
            {
                str(facts["device"])
                for w in workers
                for facts in w.info.get("engines", {}).values()
                if isinstance(facts, dict) and facts.get("device")
            }
        ),
        models=registry.models,
        available_models=registry.available_models,
        default_model=config.default_model,
        uptime_seconds=round(time.time() - started_at, 3),
    )


def build_readiness(
    registry: EngineRegistry, workers: Sequence[WorkerHandle], ready: bool
) -> Ready:
    """Readiness, with what can run and why the rest cannot."""
    unavailable = {}
    for model in registry.models:
        reason = registry.unavailable_reason(model)
        if reason is not None:
            unavailable[model] = reason
    return Ready(
        ready=ready,
        workers=[w.info for w in workers if w.ready],
        models=registry.models,
        available_models=[m for m in registry.models if m not in unavailable],
        unavailable_models=unavailable,
        unavailable_engines=registry.unavailable,
    )
