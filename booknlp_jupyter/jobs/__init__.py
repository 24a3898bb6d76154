"""Jobs: their records, the queue that orders them and the worker that runs them."""

from .errors import JobError
from .models import Job, JobRequest, JobStatus
from .service import JobService, ServiceConfig

__all__ = ["Job", "JobError", "JobRequest", "JobService", "JobStatus", "ServiceConfig"]
