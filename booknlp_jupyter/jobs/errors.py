"""Errors the job service raises; each knows its HTTP status and JSON detail."""

from __future__ import annotations

from typing import Any


class JobError(Exception):
    """A request the service refuses. ``status_code`` and ``detail`` become the answer."""

    status_code = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def with_status(self, status_code: int) -> JobError:
        """The same error, answered with another HTTP status."""
        self.status_code = status_code
        return self


class InvalidRequest(JobError):
    status_code = 400


class JobNotFound(JobError):
    status_code = 404


class JobConflict(JobError):
    status_code = 409


class DocumentTooLarge(JobError):
    status_code = 413


class NotReadyYet(JobError):
    status_code = 425


class TooManyJobs(JobError):
    status_code = 429


class QueueFull(JobError):
    status_code = 503


class ServiceNotReady(JobError):
    status_code = 503
