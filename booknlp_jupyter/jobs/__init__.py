"""Jobs: their records, the queue that orders them and the workers that run them.

Where a rule lives: `service` (submit, cancel, results, watch), `endings` (final states
durable before they are reported; expiry), `admission` (what gets in), `queue` (the
order of pending jobs), `dispatch` (jobs to workers, worker messages to job states),
`recovery` (after a restart), `store` (SQLite records and input files), `protocol`
(what workers say), `worker` (local processes), `remote` (workers over Redis),
`errors` (what the service refuses), `base` (the contract of a service).
"""

from .base import BaseJobService
from .config import ServiceConfig
from .errors import JobError
from .models import Job, JobRequest, JobStatus
from .service import JobService

__all__ = [
    "BaseJobService",
    "Job",
    "JobError",
    "JobRequest",
    "JobService",
    "JobStatus",
    "ServiceConfig",
]
