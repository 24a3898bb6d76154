"""The API contract: request and response shapes (`models`), shared by server and client."""

from .models import (
    PIPELINE_ALIASES,
    PIPELINE_COMPONENTS,
    Error,
    Health,
    JobList,
    JobRequest,
    JobStatus,
    JobView,
    Readiness,
    Ready,
    Stats,
    WorkerView,
)

__all__ = [
    "PIPELINE_ALIASES",
    "PIPELINE_COMPONENTS",
    "Error",
    "Health",
    "JobList",
    "JobRequest",
    "JobStatus",
    "JobView",
    "Readiness",
    "Ready",
    "Stats",
    "WorkerView",
]
