"""Putting the stored queue back after a restart (``kill -9`` included)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable

from ..results import ResultReader
from .models import Job, JobStatus
from .store import JobStore

log = logging.getLogger("booknlp_jupyter")

#: Ends a job in the store (no listeners exist yet at start).
Finish = Callable[[Job, JobStatus], None]


def recover(store: JobStore, max_attempts: int, finish: Finish) -> list[Job]:
    """Return the pending jobs in submission order, after settling the rest:

    * a job that was running and whose result is complete on disk is completed;
    * one that was running is pending again, unless it already ran ``max_attempts``
      times (then it fails with a message) or its input was lost;
    * inputs and results that no live or completed job owns are deleted.
    """
    for job in store.by_status(JobStatus.RUNNING):
        result = store.result_path(job.job_id)
        if (result / "manifest.json").exists():
            reader = ResultReader(result)
            job.token_count, job.result_etag = reader.token_count, reader.etag
            finish(job, JobStatus.COMPLETED)
        elif job.attempts >= max_attempts:
            job.error_message = (
                f"the server stopped while this job was running, {job.attempts} times; "
                "it was not run again"
            )
            finish(job, JobStatus.FAILED)
        elif not store.input_path(job.job_id).exists():
            job.error_message = "the server stopped while this job ran and its input was lost"
            finish(job, JobStatus.FAILED)
        else:
            job.status, job.progress, job.stage, job.started_at = (
                JobStatus.PENDING,
                0.0,
                None,
                None,
            )
            store.update(job, "status", "progress", "stage", "started_at")
            log.warning("job %s was running when the server stopped; running it again", job.job_id)
    pending = []
    for job in store.by_status(JobStatus.PENDING):
        if store.input_path(job.job_id).exists():
            pending.append(job)
        else:
            job.error_message = "its input text was lost"
            finish(job, JobStatus.FAILED)
    live = {j.job_id for j in store.by_status(JobStatus.PENDING, JobStatus.RUNNING)}
    done = {j.job_id for j in store.by_status(JobStatus.COMPLETED)}
    for path in store.inputs_dir.iterdir():
        if path.stem not in live:
            path.unlink(missing_ok=True)
    for path in store.results_dir.iterdir():
        if path.name not in done:
            shutil.rmtree(path, ignore_errors=True)
    return pending
