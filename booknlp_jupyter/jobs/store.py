"""Durable job records in SQLite (WAL), plus the input texts as files.

Only the server process writes here. Statements are small and indexed, so they run
on the event loop; the (up to 5 MB) input texts are written by the caller in a
thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from .models import Job, JobStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT UNIQUE NOT NULL,
    status TEXT NOT NULL,
    model TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    book_id TEXT,
    owner TEXT,
    text_chars INTEGER NOT NULL DEFAULT 0,
    dedup_key TEXT,
    idempotency_key TEXT,
    submitted_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    expires_at TEXT,
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    token_count INTEGER,
    processing_time_ms INTEGER,
    result_etag TEXT,
    ended_as TEXT,
    reused_from TEXT,
    corpus_id TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, seq);
CREATE INDEX IF NOT EXISTS jobs_dedup ON jobs(dedup_key);
CREATE INDEX IF NOT EXISTS jobs_idem ON jobs(owner, idempotency_key);
CREATE INDEX IF NOT EXISTS jobs_expiry ON jobs(expires_at);
"""

#: Columns added since the first release, with their types.
_ADDED_COLUMNS = {"reused_from": "TEXT", "corpus_id": "TEXT"}

_DATES = ("submitted_at", "started_at", "completed_at", "expires_at")


def _to_db(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, JobStatus):
        return value.value
    if isinstance(value, list):
        return json.dumps(value)
    return value


class JobStore:
    """Job records and input texts under ``data_dir``."""

    def __init__(self, data_dir: str | os.PathLike[str]):
        self.data_dir = Path(data_dir)
        self.inputs_dir = self.data_dir / "inputs"
        self.results_dir = self.data_dir / "results"
        for d in (self.data_dir, self.inputs_dir, self.results_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.data_dir / "jobs.sqlite3", isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(jobs)")}
        for name, kind in _ADDED_COLUMNS.items():  # stores written by older releases
            if name not in columns:
                self.db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self.db.close()

    # -- records -----------------------------------------------------------------

    def _job(self, row: sqlite3.Row) -> Job:
        data = dict(row)
        data["status"] = JobStatus(data["status"])
        data["pipeline"] = json.loads(data["pipeline"])
        for key in _DATES:
            if data[key] is not None:
                data[key] = datetime.fromisoformat(data[key])
        return Job(**data)

    def insert(self, job: Job) -> Job:
        """Store a new job; sets ``job.seq`` (its place in FIFO order)."""
        row = job.as_row()
        row.pop("seq")
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.execute(
            f"INSERT INTO jobs ({cols}) VALUES ({marks})", [_to_db(v) for v in row.values()]
        )
        job.seq = int(cur.lastrowid or 0)
        return job

    def update(self, job: Job, *fields: str) -> None:
        """Persist ``fields`` of ``job`` (all fields when none are named)."""
        row = job.as_row()
        names = fields or tuple(k for k in row if k not in ("seq", "job_id"))
        sets = ", ".join(f"{k} = ?" for k in names)
        self.db.execute(
            f"UPDATE jobs SET {sets} WHERE job_id = ?",
            [_to_db(row[k]) for k in names] + [job.job_id],
        )

    def get(self, job_id: str) -> Job | None:
        row = self.db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return self._job(row) if row else None

    def by_status(self, *statuses: JobStatus) -> list[Job]:
        marks = ", ".join("?" for _ in statuses)
        rows = self.db.execute(
            f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY seq",
            [s.value for s in statuses],
        )
        return [self._job(r) for r in rows]

    def find_reusable(self, dedup_key: str, owner: str | None) -> Job | None:
        """The newest completed job with this content key (its result may be reused)."""
        row = self.db.execute(
            "SELECT * FROM jobs WHERE dedup_key = ? AND owner IS ? AND status = ? "
            "ORDER BY seq DESC LIMIT 1",
            (dedup_key, owner, "completed"),
        ).fetchone()
        return self._job(row) if row else None

    def find_idempotent(self, key: str, owner: str | None) -> Job | None:
        row = self.db.execute(
            "SELECT * FROM jobs WHERE idempotency_key = ? AND owner IS ? AND status != ? "
            "ORDER BY seq DESC LIMIT 1",
            (key, owner, "expired"),
        ).fetchone()
        return self._job(row) if row else None

    def page(
        self,
        statuses: Iterable[JobStatus] = (),
        owner: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Job], int]:
        """Jobs newest first, with the total count matching the filter."""
        where, args = [], []
        statuses = list(statuses)
        if statuses:
            where.append(f"status IN ({', '.join('?' for _ in statuses)})")
            args += [s.value for s in statuses]
        if owner is not None:
            where.append("owner = ?")
            args.append(owner)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = self.db.execute(f"SELECT COUNT(*) FROM jobs {clause}", args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM jobs {clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [self._job(r) for r in rows], int(total)

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status")
        counts = {s.value: 0 for s in JobStatus}
        counts.update({status: n for status, n in rows})
        return counts

    def expired_before(self, now: datetime) -> list[Job]:
        rows = self.db.execute(
            "SELECT * FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= ? AND status IN "
            "(?, ?, ?)",
            (now.isoformat(), "completed", "failed", "cancelled"),
        )
        return [self._job(r) for r in rows]

    def purge_expired(self, before: datetime) -> int:
        """Forget expired jobs whose results expired before ``before``; return how many."""
        cur = self.db.execute(
            "DELETE FROM jobs WHERE status = ? AND expires_at <= ?",
            ("expired", before.isoformat()),
        )
        return cur.rowcount

    # -- files ---------------------------------------------------------------------

    def input_path(self, job_id: str) -> Path:
        return self.inputs_dir / f"{job_id}.txt"

    def result_path(self, job_id: str) -> Path:
        return self.results_dir / job_id

    def write_input(self, job_id: str, text: str) -> None:
        """Write a job's text atomically (blocking: call it from a thread)."""
        fd, tmp = tempfile.mkstemp(prefix=f".{job_id}.", dir=self.inputs_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.input_path(job_id))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
