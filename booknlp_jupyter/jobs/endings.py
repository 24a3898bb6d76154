"""How jobs end: a final state is made durable before it is reported; results expire.

`Endings.finish` records a job's final state and only then tells its listeners; when the
store cannot take it (disk full) the job keeps its state and `save_unsaved` retries.
`expire` and `sweep` free results past ``job_ttl_seconds`` and forget old records.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from .config import ServiceConfig
from .models import Job, JobStatus, utcnow
from .store import JobStore

log = logging.getLogger("booknlp_jupyter")


class Endings:
    """Ends jobs for the service: ``active`` is its pending and running jobs (an ended one
    leaves it), ``forget`` drops a job from the dispatcher, ``notify`` tells listeners."""

    def __init__(
        self,
        config: ServiceConfig,
        store: JobStore,
        active: dict[str, Job],
        forget: Callable[[str], None],
        notify: Callable[[Job], None],
    ):
        self.config, self.store, self.active = config, store, active
        self.forget, self.notify = forget, notify
        self.unsaved: dict[str, Job] = {}  # final states the store could not take yet
        self.closed = False  # the service stopped: nothing more is stored

    def finish(self, job: Job, status: JobStatus, notify: bool = True) -> bool:
        """End a job: make its final state durable, then drop its input and tell its
        listeners. If the store cannot take it (disk full), the job keeps its state,
        is not reported final, and the sweep tries again: False."""
        if self.closed:  # stopped: the job stays as stored, and runs again at start
            return False
        self.forget(job.job_id)
        final = dataclasses.replace(job, status=status, completed_at=utcnow(), stage=None)
        if status is JobStatus.COMPLETED:
            final.progress = 100.0
            if final.processing_time_ms is None and final.started_at is not None:
                final.processing_time_ms = int(
                    (final.completed_at - final.started_at).total_seconds() * 1000
                )
        final.expires_at = final.completed_at + timedelta(seconds=self.config.job_ttl_seconds)
        try:
            self.store.update(final)
        except sqlite3.Error:
            log.warning(
                "could not record job %s as %s (retrying): the disk may be full",
                job.job_id,
                status.value,
                exc_info=True,
            )
            self.unsaved[job.job_id] = final
            return False
        self.unsaved.pop(job.job_id, None)
        for f in dataclasses.fields(Job):
            setattr(job, f.name, getattr(final, f.name))
        with contextlib.suppress(OSError):
            os.unlink(self.store.input_path(job.job_id))
        if status is not JobStatus.COMPLETED:
            shutil.rmtree(self.store.result_path(job.job_id), ignore_errors=True)
        self.active.pop(job.job_id, None)
        if notify:
            self.notify(job)
        return True

    def save_unsaved(self) -> None:
        """Retry the final states the store could not take."""
        for job_id, final in list(self.unsaved.items()):
            job = self.active.get(job_id)
            if job is None:
                self.unsaved.pop(job_id, None)
                continue
            for name in ("token_count", "result_etag", "processing_time_ms", "error_message"):
                setattr(job, name, getattr(final, name))
            self.finish(job, final.status)

    def expire(self, job: Job) -> None:
        """Free a finished job's result; the job reads ``expired`` (``ended_as``: how it
        ended). If the store cannot take it, the sweep tries again."""
        ended_as = job.status.value
        try:
            self.store.update(
                dataclasses.replace(job, status=JobStatus.EXPIRED, ended_as=ended_as),
                "status",
                "ended_as",
            )
        except sqlite3.Error:  # the sweep tries again
            log.warning("could not record job %s as expired", job.job_id, exc_info=True)
            return
        job.ended_as, job.status = ended_as, JobStatus.EXPIRED
        shutil.rmtree(self.store.result_path(job.job_id), ignore_errors=True)
        self.notify(job)

    def sweep(self, now: datetime) -> None:
        """Expire what is past its time; forget expired jobs past ``job_history_seconds``."""
        for job in self.store.expired_before(now):
            self.expire(self.active.get(job.job_id, job))
        self.store.purge_expired(now - timedelta(seconds=self.config.job_history_seconds))
