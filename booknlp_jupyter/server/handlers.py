"""Tornado handlers for the async job API (``{base_url}{prefix}/v1/...``): each parses
its request, calls the job service and writes the answer (see `base.BookNLPHandler`)."""

from __future__ import annotations

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from tornado import web

from ..api.models import Health, JobStatus
from ..jobs.errors import DocumentTooLarge, InvalidRequest
from ..results import TABLE_FORMATS, TABLES
from ..results.store import gzip_chunks
from .base import BookNLPHandler
from .body import StreamedBodyMixin, is_authorized
from .corpora import corpus_handlers
from .errors import ApiError
from .exports import BookNLPFilesHandler
from .openapi import build_openapi
from .sse import KEEPALIVE_SECONDS, send_events

JOB_ID = r"(?P<job_id>[^/]+)"

_CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


@web.stream_request_body
class JobsHandler(StreamedBodyMixin, BookNLPHandler):
    """``POST /v1/jobs`` submits; ``GET /v1/jobs`` lists (newest first)."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_request()
        job, _ = await self.service.submit(
            request, owner=self.owner, idempotency_key=self.request.headers.get("Idempotency-Key")
        )
        self.set_header("Location", self.reverse_url_job(job.job_id))
        if not job.status.is_final:
            self.set_header("Retry-After", str(self.service.config.retry_after_seconds))
        self.write_json(self.service.view(job))

    @web.authenticated
    @authorized
    async def get(self) -> None:
        statuses = []
        for value in self.get_arguments("status"):
            for part in value.split(","):
                try:
                    statuses.append(JobStatus(part.strip()))
                except ValueError:
                    raise InvalidRequest(
                        f"status: unknown status {part.strip()!r}; choose from "
                        f"{[s.value for s in JobStatus]}"
                    ) from None
        limit = self.int_argument("limit", 50, 1, 1000)
        offset = self.int_argument("offset", 0, 0, 10**9)
        self.write_json(self.service.list_jobs(statuses, self.visible_owner, limit, offset))


class StatsHandler(BookNLPHandler):
    """``GET /v1/jobs/stats``: the queue's true numbers."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(self.service.stats(viewer=self.visible_owner))


class JobHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}`` reads a job; ``DELETE`` cancels it."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.write_json(self.service.view(self.service.get(job_id, self.visible_owner)))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        force = self.get_argument("force", "false").lower() in ("1", "true", "yes")
        job = self.service.cancel(job_id, self.visible_owner, force=force)
        self.write_json(self.service.view(job))


class ResultHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}/result`` streams the result; ``DELETE`` frees it now."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        job, reader = self.service.open_result(job_id, self.visible_owner)
        head = self.service.view(job).model_dump(mode="json", exclude={"queue_position"})
        await self.write_result(reader, head)

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        job = self.service.delete_result(job_id, self.visible_owner)
        self.write_json(self.service.view(job))


class TableHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}/result/{table}?format=json|csv|parquet``: one table alone."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str, table: str) -> None:
        if table not in TABLES:
            raise ApiError(404, f"unknown table {table!r}; choose from {list(TABLES)}")
        fmt = self.get_argument("format", "json")
        if fmt not in TABLE_FORMATS:
            raise InvalidRequest(f"format: choose from {list(TABLE_FORMATS)}")
        _, reader = self.service.open_result(job_id, self.visible_owner)
        try:
            gz = self.accepts_gzip() and fmt != "parquet"
            sha = reader.manifest["tables"][table]["sha256"]
            if self.not_modified(f'"{sha}-{fmt}{"-gz" if gz else ""}"'):
                return
            chunks = {
                "json": reader.iter_json,
                "csv": reader.iter_csv,
                "parquet": reader.iter_parquet,
            }[fmt](table)
            self.set_header("Content-Type", _CONTENT_TYPES[fmt])
            self.set_header("X-Row-Count", str(reader.manifest["tables"][table]["rows"]))
            if fmt != "json":
                ext = "parquet" if fmt == "parquet" else "csv"
                self.set_header(
                    "Content-Disposition", f'attachment; filename="{job_id}-{table}.{ext}"'
                )
            if gz:
                self.set_header("Content-Encoding", "gzip")
                self.set_header("Vary", "Accept-Encoding")
                chunks = gzip_chunks(chunks)
            await self.stream(chunks)
        finally:
            reader.close()


class EventsHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}/events``: Server-Sent Events of the job's state until it is final."""

    keepalive_seconds = KEEPALIVE_SECONDS

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        job = self.service.get(job_id, self.visible_owner)
        await send_events(
            self,
            self.service,
            job_id,
            event="job",
            first=lambda: self.service.view(job),
            ended=lambda view: view.status.is_final,
            keepalive_seconds=self.keepalive_seconds,
        )


@web.stream_request_body
class AnalyzeHandler(StreamedBodyMixin, BookNLPHandler):
    """``POST /v1/analyze``: the sync API, through the same queue and worker.

    Answers the result itself, as the spec's migration example reads it: the six tables
    at the top level, beside ``job_id``, ``book_id``, ``token_count`` and
    ``processing_time_ms``. Waits up to ``sync_timeout_seconds``; then answers 202
    with the job to poll.
    """

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_request()
        limit = self.settings["booknlp_sync_max_document_size"]
        if len(request.text) > limit:
            raise DocumentTooLarge(
                f"text has {len(request.text):,} characters; /v1/analyze takes up to "
                f"{limit:,}: submit it to /v1/jobs instead"
            )
        job, _ = await self.service.submit(
            request, owner=self.owner, idempotency_key=self.request.headers.get("Idempotency-Key")
        )
        job = await self.service.wait(job.job_id, self.settings["booknlp_sync_timeout_seconds"])
        if job.status.is_final:
            job, reader = self.service.open_result(job.job_id, self.owner)
            head = {
                "job_id": job.job_id,
                "book_id": job.book_id,
                "model": job.model,
                "token_count": job.token_count,
                "processing_time_ms": job.processing_time_ms,
            }
            await self.write_result(reader, head, envelope=False)
            return
        self.set_header("Location", self.reverse_url_job(job.job_id))
        self.set_header("Retry-After", str(self.service.config.retry_after_seconds))
        body = self.service.view(job).model_dump(mode="json")
        body["detail"] = "still processing after the sync timeout; poll the job's Location"
        self.write_json(body, 202)


class HealthHandler(BookNLPHandler):
    """``GET /v1/health``: the extension answers. No credentials needed (load balancers and
    container probes send none); it tells nothing but that."""

    @allow_unauthenticated
    async def get(self) -> None:
        self.write_json(Health(status="ok"))


class ReadyHandler(BookNLPHandler):
    """``GET /v1/ready``: 200 once the worker is up, 503 before. Without credentials (or
    the right to read ``booknlp``) only ``{"ready": ...}``; the details need both."""

    @allow_unauthenticated
    async def get(self) -> None:
        body = self.service.readiness()
        if not body.ready:
            self.set_header("Retry-After", "1")
        if not await is_authorized(self, "read"):  # a probe: ready or not, nothing more
            self.write_json({"ready": body.ready}, 200 if body.ready else 503)
            return
        self.write_json(body, 200 if body.ready else 503)


class OpenAPIHandler(BookNLPHandler):
    """``GET /v1/openapi.json``: this API's OpenAPI document."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        spec = build_openapi()
        spec["servers"] = [{"url": self.settings["booknlp_api_url"]}]
        self.write_json(spec)


def api_handlers(prefix: str) -> list[tuple[str, type[BookNLPHandler]]]:
    """URL patterns (below the server's base_url) and their handlers."""
    v1 = "/".join(p for p in (prefix.strip("/"), "v1") if p)
    return [
        (rf"/{v1}/jobs", JobsHandler),
        (rf"/{v1}/jobs/stats", StatsHandler),
        (rf"/{v1}/jobs/{JOB_ID}", JobHandler),
        (rf"/{v1}/jobs/{JOB_ID}/result", ResultHandler),
        (rf"/{v1}/jobs/{JOB_ID}/result/(?P<table>[^/]+)", TableHandler),
        (rf"/{v1}/jobs/{JOB_ID}/events", EventsHandler),
        (rf"/{v1}/jobs/{JOB_ID}/booknlp.zip", BookNLPFilesHandler),
        (rf"/{v1}/analyze", AnalyzeHandler),
        (rf"/{v1}/health", HealthHandler),
        (rf"/{v1}/ready", ReadyHandler),
        (rf"/{v1}/openapi.json", OpenAPIHandler),
        *corpus_handlers(v1),
    ]
