"""HTTP for the service's refusals: each `jobs.errors` class has its status code here."""

from __future__ import annotations

from ..jobs import errors

#: Status code of each service error (the most specific class wins).
STATUS: dict[type[errors.JobError], int] = {
    errors.InvalidRequest: 400,
    errors.ModelUnavailable: 400,
    errors.JobNotFound: 404,
    errors.ResultExpired: 404,
    errors.JobConflict: 409,
    errors.NoResult: 409,
    errors.DocumentTooLarge: 413,
    errors.ResultNotReady: 425,
    errors.TooManyJobs: 429,
    errors.QueueFull: 503,
    errors.ServiceNotReady: 503,
    errors.StorageFull: 507,
}


class ApiError(errors.JobError):
    """A refusal decided by a handler itself (e.g. 415), with its status code."""

    def __init__(self, status_code: int, detail: str, **extra: object):
        super().__init__(detail, **extra)
        self.status_code = status_code


def status_of(exc: errors.JobError) -> int:
    """The HTTP status for ``exc``."""
    if isinstance(exc, ApiError):
        return exc.status_code
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 400


def headers_of(exc: errors.JobError) -> dict[str, str]:
    """Headers that go with ``exc`` (``Retry-After``)."""
    if exc.retry_after is None:
        return {}
    return {"Retry-After": str(max(1, round(exc.retry_after)))}
