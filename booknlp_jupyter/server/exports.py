"""``GET /v1/jobs/{id}/booknlp.zip``: a finished job as BookNLP's own files, zipped."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..results.booknlp_files import zip_booknlp_files
from .base import BookNLPHandler


def _chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    """The file's bytes; the file is deleted once they are read (or the reader closed)."""
    try:
        with open(path, "rb") as f:
            while chunk := f.read(size):
                yield chunk
    finally:
        os.unlink(path)


class BookNLPFilesHandler(BookNLPHandler):
    """The job's ``{book_id}.tokens``, ``.entities``, ``.quotes``, ``.supersense``,
    ``.book`` and ``.book.html`` (those BookNLP writes for its pipeline), byte for byte as
    bare BookNLP writes them, in one zip (``{book_id}`` is the job id when it has none)."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        job, reader = self.service.open_result(job_id, self.visible_owner)
        name = job.book_id or job.job_id
        try:
            if self.not_modified(f'"{reader.etag}-booknlp-zip"'):
                return
            archive = await asyncio.to_thread(zip_booknlp_files, reader, name, job.pipeline)
        finally:
            reader.close()
        self.set_header("Content-Type", "application/zip")
        self.set_header(
            "Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}.booknlp.zip"
        )
        await self.stream(_chunks(archive))
