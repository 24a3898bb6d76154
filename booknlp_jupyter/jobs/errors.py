"""What the job service refuses, and why. No HTTP here: `server.errors` maps each class
to its status code, and ``retry_after`` to a ``Retry-After`` header."""

from __future__ import annotations

import errno
import sqlite3
from typing import Any


class JobError(Exception):
    """A request the service refuses: ``detail`` says why, ``extra`` adds context
    (``status``, ``progress``, ``error_message``), ``retry_after`` says when to retry."""

    def __init__(self, detail: str, *, retry_after: float | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after
        self.extra = extra


class InvalidRequest(JobError):
    """A field is wrong; the detail names it."""


class ModelUnavailable(InvalidRequest):
    """The model is known but cannot run here (its files are not installed)."""


class DocumentTooLarge(JobError):
    """The text is longer than the limit."""


class JobNotFound(JobError):
    """No such job (or not this user's, or forgotten)."""


class JobConflict(JobError):
    """The job's state forbids it (cancel a finished job; an idempotency key reused)."""


class ResultNotReady(JobError):
    """The job is pending or running: no result yet."""


class ResultExpired(JobError):
    """The job's result was deleted (expired or freed)."""


class NoResult(JobError):
    """The job failed or was cancelled: it has no result."""


class TooManyJobs(JobError):
    """This user already has as many pending jobs as allowed."""


class QueueFull(JobError):
    """The queue holds ``max_queue_size`` pending jobs."""


class ServiceNotReady(JobError):
    """The service is starting or stopping."""


class StorageFull(JobError):
    """The server's disk is full: nothing can be stored."""


DISK_FULL = "the server's disk is full; nothing can be stored until space is freed"


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the database on it) is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)
