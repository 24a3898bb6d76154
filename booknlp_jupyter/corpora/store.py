"""Durable corpus records in SQLite (WAL): each corpus and each of its books.

Beside the job store in the service's ``data_dir``, written only by the server process
on its event loop (statements are small and indexed). What a book's job is doing is the
job store's; a book row holds what the corpus needs to resume after a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ..api.corpora import BookStatus, CorpusStatus
from ..jobs.models import utcnow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS corpora (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    corpus_id TEXT UNIQUE NOT NULL,
    owner TEXT,
    status TEXT NOT NULL,
    model TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    folder TEXT,
    output_dir TEXT NOT NULL,
    output_path TEXT NOT NULL,
    strip_gutenberg INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT
);
CREATE INDEX IF NOT EXISTS corpora_status ON corpora(status, seq);
CREATE TABLE IF NOT EXISTS books (
    corpus_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    book_id TEXT NOT NULL,
    path TEXT NOT NULL,
    chars INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    job_id TEXT,
    sha256 TEXT,
    error_message TEXT,
    skipped INTEGER NOT NULL DEFAULT 0,
    processing_time_ms INTEGER,
    files TEXT,
    PRIMARY KEY (corpus_id, idx)
);
"""

_DATES = ("submitted_at", "started_at", "completed_at")


@dataclass
class BookRecord:
    """One book as stored. ``job_id`` is set once it is submitted; until its job ends,
    its status is the job's."""

    corpus_id: str
    idx: int
    book_id: str
    path: str
    chars: int = 0
    status: BookStatus = BookStatus.PENDING
    job_id: str | None = None
    sha256: str | None = None
    error_message: str | None = None
    skipped: bool = False
    processing_time_ms: int | None = None
    files: list[str] | None = None  # the BookNLP files written for it


@dataclass
class CorpusRecord:
    """One corpus as stored."""

    corpus_id: str
    model: str
    pipeline: list[str]
    output_dir: str
    output_path: str
    owner: str | None = None
    status: CorpusStatus = CorpusStatus.PENDING
    folder: str | None = None
    strip_gutenberg: bool = False
    submitted_at: datetime = field(default_factory=utcnow)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    seq: int = 0


def _to_db(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (CorpusStatus, BookStatus)):
        return value.value
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


class CorpusStore:
    """Corpus and book records in ``data_dir/corpora.sqlite3``."""

    def __init__(self, data_dir: str | os.PathLike[str]):
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(Path(data_dir) / "corpora.sqlite3", isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def insert(self, corpus: CorpusRecord, books: list[BookRecord]) -> None:
        """Store a new corpus and its books in one transaction."""
        row = asdict(corpus)
        row.pop("seq")
        with self._transaction():
            cur = self.db.execute(
                f"INSERT INTO corpora ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                [_to_db(v) for v in row.values()],
            )
            corpus.seq = int(cur.lastrowid or 0)
            names = [f.name for f in fields(BookRecord)]
            self.db.executemany(
                f"INSERT INTO books ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                [[_to_db(getattr(b, n)) for n in names] for b in books],
            )

    def update_corpus(self, corpus: CorpusRecord, *names: str) -> None:
        self.db.execute(
            f"UPDATE corpora SET {', '.join(f'{n} = ?' for n in names)} WHERE corpus_id = ?",
            [_to_db(getattr(corpus, n)) for n in names] + [corpus.corpus_id],
        )

    def update_book(self, book: BookRecord, *names: str) -> None:
        names = names or tuple(
            f.name for f in fields(BookRecord) if f.name not in ("corpus_id", "idx")
        )
        self.db.execute(
            f"UPDATE books SET {', '.join(f'{n} = ?' for n in names)} "
            "WHERE corpus_id = ? AND idx = ?",
            [_to_db(getattr(book, n)) for n in names] + [book.corpus_id, book.idx],
        )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @staticmethod
    def _corpus(row: sqlite3.Row) -> CorpusRecord:
        data = dict(row)
        data["status"] = CorpusStatus(data["status"])
        data["pipeline"] = json.loads(data["pipeline"])
        data["strip_gutenberg"] = bool(data["strip_gutenberg"])
        for key in _DATES:
            if data[key] is not None:
                data[key] = datetime.fromisoformat(data[key])
        return CorpusRecord(**data)

    @staticmethod
    def _book(row: sqlite3.Row) -> BookRecord:
        data = dict(row)
        data["status"] = BookStatus(data["status"])
        data["skipped"] = bool(data["skipped"])
        data["files"] = json.loads(data["files"]) if data["files"] else None
        return BookRecord(**data)

    def get(self, corpus_id: str) -> CorpusRecord | None:
        row = self.db.execute("SELECT * FROM corpora WHERE corpus_id = ?", (corpus_id,)).fetchone()
        return self._corpus(row) if row else None

    def books(self, corpus_id: str) -> list[BookRecord]:
        rows = self.db.execute("SELECT * FROM books WHERE corpus_id = ? ORDER BY idx", (corpus_id,))
        return [self._book(r) for r in rows]

    def unfinished(self) -> list[CorpusRecord]:
        """Corpora with books still to end (a cancelled one may have a running book),
        oldest first."""
        rows = self.db.execute(
            "SELECT * FROM corpora c WHERE status IN (?, ?) OR EXISTS (SELECT 1 FROM books b "
            "WHERE b.corpus_id = c.corpus_id AND b.status IN (?, ?)) ORDER BY seq",
            (
                CorpusStatus.PENDING.value,
                CorpusStatus.RUNNING.value,
                BookStatus.PENDING.value,
                BookStatus.RUNNING.value,
            ),
        )
        return [self._corpus(r) for r in rows]

    def page(self, owner: str | None, limit: int, offset: int) -> tuple[list[CorpusRecord], int]:
        """Corpora newest first (``owner`` None: everyone's), and how many there are."""
        clause, args = ("WHERE owner = ?", [owner]) if owner is not None else ("", [])
        total = self.db.execute(f"SELECT COUNT(*) FROM corpora {clause}", args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM corpora {clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [self._corpus(r) for r in rows], int(total)
