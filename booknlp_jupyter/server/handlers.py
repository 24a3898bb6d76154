"""Tornado handlers for the async job API (``{base_url}{prefix}/v1/...``).

Every handler is an `APIHandler` (JSON errors, XSRF rules and token auth as
jupyter_server's), `@web.authenticated` and `@authorized` on the ``booknlp``
resource. Errors answer ``{"detail": ...}`` with the right status code.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import orjson
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import ValidationError
from tornado import web
from tornado.iostream import StreamClosedError

from ..jobs import JobError, JobRequest, JobService, JobStatus
from ..jobs.errors import DocumentTooLarge, InvalidRequest, NotReadyYet
from ..results import TABLE_FORMATS, TABLES, ResultReader
from ..results.store import gzip_chunks
from .openapi import build_openapi

AUTH_RESOURCE = "booknlp"
JOB_ID = r"(?P<job_id>[^/]+)"

_CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def _validation_detail(exc: ValidationError) -> str:
    """Name each bad field and what is wrong, never echoing the submitted values."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


class BookNLPRequestMixin:
    """What every BookNLP handler (local or forwarding) shares: its auth resource, which
    requests count as activity, and when XSRF is checked."""

    auth_resource = AUTH_RESOURCE
    request: Any

    @property
    def _track_activity(self) -> bool:
        """Reads (status polls, event streams, results) do not count as activity: only
        submitting and cancelling do, and running jobs (the service reports those)."""
        return self.request.method not in ("GET", "HEAD", "OPTIONS")

    def check_xsrf_cookie(self) -> None:
        """Check XSRF only once the user is known (jupyter_server's ``prepare`` checks
        again). JupyterHub's auth replaces jupyter_server's check with one that lacks this
        guard, and would refuse token-authenticated POSTs from kernels before login."""
        if not hasattr(self, "_jupyter_current_user"):
            return
        super().check_xsrf_cookie()  # type: ignore[misc]


class BookNLPHandler(BookNLPRequestMixin, ExtensionHandlerMixin, APIHandler):
    """Base of every handler: the service, JSON bodies and ``{"detail": ...}`` errors."""

    @property
    def service(self) -> JobService:
        return self.settings["booknlp_service"]

    @property
    def owner(self) -> str | None:
        """Whose jobs these are: the authenticated user's name when jobs are per user
        (``BookNLPApp.per_user_jobs``), else None (one user's server: all jobs are theirs)."""
        if not self.settings.get("booknlp_per_user_jobs"):
            return None
        user = self.current_user
        return getattr(user, "username", None) if user else None

    @property
    def is_admin(self) -> bool:
        """An admin sees and cancels every user's jobs: a name in
        ``BookNLPApp.admin_users``, or a JupyterHub user holding ``BookNLPApp.admin_scope``."""
        user = self.current_user
        if user is None:
            return False
        if user.username in self.settings.get("booknlp_admin_users", ()):
            return True
        scopes = (getattr(user, "hub_user", None) or {}).get("scopes", ())
        return self.settings.get("booknlp_admin_scope") in scopes

    @property
    def visible_owner(self) -> str | None:
        """The owner whose jobs this request may see (None: all)."""
        return None if self.is_admin else self.owner

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")

    def write_json(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(orjson.dumps(body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        body: dict[str, Any]
        if isinstance(exc, JobError):
            self.set_status(exc.status_code)
            for name, value in exc.headers.items():
                self.set_header(name, value)
            body = {"detail": exc.detail, **exc.extra}
        elif isinstance(exc, web.HTTPError):
            body = {"detail": exc.log_message or exc.reason or HTTPStatus(status_code).phrase}
            if exc.args[1:] and exc.log_message:
                body["detail"] = exc.log_message % exc.args[1:]
        else:
            body = {"detail": HTTPStatus(status_code).phrase}
            if status_code >= 500:
                body["detail"] = "internal server error; the server log has the details"
        self.set_header("Content-Type", "application/json")
        self.finish(orjson.dumps(body))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, JobError):
            self.log.debug("%s %s: %s", self.request.method, self.request.uri, value.detail)
            return
        super().log_exception(typ, value, tb)

    def parse_request(self) -> JobRequest:
        """The request body as a `JobRequest`, or a 400/415 that says what is wrong."""
        ctype = self.request.headers.get("Content-Type", "application/json")
        if ctype.split(";")[0].strip().lower() not in ("application/json", ""):
            raise JobError("Content-Type must be application/json").with_status(415)
        try:
            data = json.loads(self.request.body or b"")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InvalidRequest(f"invalid JSON body: {type(exc).__name__}") from None
        if not isinstance(data, dict):
            raise InvalidRequest("body must be a JSON object")
        try:
            return JobRequest.model_validate(data)
        except ValidationError as exc:
            raise InvalidRequest(_validation_detail(exc)) from None

    def reverse_url_job(self, job_id: str) -> str:
        return f"{self.settings['booknlp_api_url']}/jobs/{job_id}"

    async def stream(self, chunks: Iterator[bytes]) -> None:
        """Write a blocking chunk iterator, each chunk produced in a thread."""
        loop = asyncio.get_running_loop()
        sentinel = object()  # not b"": an empty chunk must not end the stream
        try:
            while True:
                chunk = await loop.run_in_executor(None, next, chunks, sentinel)
                if chunk is sentinel:
                    break
                self.write(chunk)
                await self.flush()
        except StreamClosedError:
            return
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
        self.finish()

    def accepts_gzip(self) -> bool:
        return "gzip" in self.request.headers.get("Accept-Encoding", "")

    def not_modified(self, etag: str) -> bool:
        """Set ``ETag``; True (and a 304 sent) when the client already has it."""
        self.set_header("ETag", etag)
        self.set_header("Cache-Control", "private, no-cache")
        match = self.request.headers.get("If-None-Match", "")
        if etag in [t.strip() for t in match.split(",")] or match.strip() == "*":
            self.set_status(304)
            self.finish()
            return True
        return False

    def open_result(self, job_id: str) -> ResultReader:
        """The job's stored result, its files held open for the whole response."""
        try:
            return ResultReader(self.service.store.result_path(job_id), hold=True)
        except FileNotFoundError:  # expired between the status check and now
            raise JobError(f"job {job_id} has expired; its result was deleted",
                           status=JobStatus.EXPIRED.value).with_status(404) from None

    async def write_result(self, job_id: str, job_body: dict[str, Any]) -> None:
        """Stream a completed job's whole result inside its envelope."""
        reader = self.open_result(job_id)
        try:
            gz = self.accepts_gzip()
            if self.not_modified(f'"{reader.etag}{"-gz" if gz else ""}"'):
                return
            head = dict(job_body)
            head.pop("queue_position", None)
            prefix = orjson.dumps(head)[:-1] + b',"result":'
            chunks = reader.iter_result(prefix, b"}")
            self.set_header("Content-Type", "application/json")
            self.set_header("Vary", "Accept-Encoding")
            if gz:
                self.set_header("Content-Encoding", "gzip")
                chunks = gzip_chunks(chunks)
            await self.stream(chunks)
        finally:
            reader.close()

    def job_not_completed(self, job: Any) -> JobError:
        """The error a result request gets for a job that has no result (yet)."""
        status = job.status
        if status in (JobStatus.PENDING, JobStatus.RUNNING):
            return NotReadyYet(
                f"job {job.job_id} is {status.value}; its result is not ready yet",
                headers={"Retry-After": str(self.service.config.retry_after_seconds)},
                status=status.value,
                progress=round(job.progress, 2),
            )
        if status is JobStatus.EXPIRED:
            return JobError(
                f"job {job.job_id} has expired; its result was deleted",
                status=status.value,
            ).with_status(404)
        return JobError(
            f"job {job.job_id} {status.value}: {job.error_message or 'no result'}",
            status=status.value,
            error_message=job.error_message,
        ).with_status(409)


class JobsHandler(BookNLPHandler):
    """``POST /v1/jobs`` submits; ``GET /v1/jobs`` lists (newest first)."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_request()
        job, created = await self.service.submit(
            request, owner=self.owner, idempotency_key=self.request.headers.get("Idempotency-Key")
        )
        body = self.service.public(job)
        self.set_header("Location", self.reverse_url_job(job.job_id))
        if not job.status.is_final:
            self.set_header("Retry-After", str(self.service.config.retry_after_seconds))
        self.write_json(body, 202 if created or not job.status.is_final else 200)

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
        limit = self._int_arg("limit", 50, 1, 1000)
        offset = self._int_arg("offset", 0, 0, 10**9)
        jobs, total = self.service.list(statuses, self.visible_owner, limit, offset)
        self.write_json({"jobs": jobs, "total": total, "limit": limit, "offset": offset})

    def _int_arg(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.get_argument(name, None)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidRequest(f"{name}: must be an integer") from None
        if not low <= value <= high:
            raise InvalidRequest(f"{name}: must be between {low} and {high}")
        return value


class StatsHandler(BookNLPHandler):
    """``GET /v1/jobs/stats``: the queue's true numbers."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(self.service.stats())


class JobHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}`` reads a job; ``DELETE`` cancels it."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.write_json(self.service.public(self.service.get(job_id, self.visible_owner)))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        force = self.get_argument("force", "false").lower() in ("1", "true", "yes")
        job = self.service.cancel(job_id, self.visible_owner, force=force)
        self.write_json(self.service.public(job))


class ResultHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}/result`` streams the result; ``DELETE`` frees it now."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        job = self.service.get(job_id, self.visible_owner)
        if job.status is not JobStatus.COMPLETED:
            raise self.job_not_completed(job)
        await self.write_result(job_id, self.service.public(job))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str) -> None:
        job = self.service.delete_result(job_id, self.visible_owner)
        self.write_json(self.service.public(job))


class TableHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}/result/{table}?format=json|csv|parquet``: one table alone."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str, table: str) -> None:
        if table not in TABLES:
            raise JobError(f"unknown table {table!r}; choose from {list(TABLES)}").with_status(
                404
            )
        fmt = self.get_argument("format", "json")
        if fmt not in TABLE_FORMATS:
            raise InvalidRequest(f"format: choose from {list(TABLE_FORMATS)}")
        job = self.service.get(job_id, self.visible_owner)
        if job.status is not JobStatus.COMPLETED:
            raise self.job_not_completed(job)
        reader = self.open_result(job_id)
        try:
            gz = self.accepts_gzip() and fmt != "parquet"
            sha = reader.manifest["tables"][table]["sha256"]
            if self.not_modified(f'"{sha}-{fmt}{"-gz" if gz else ""}"'):
                return
            chunks = {"json": reader.iter_json, "csv": reader.iter_csv,
                      "parquet": reader.iter_parquet}[fmt](table)
            self.set_header("Content-Type", _CONTENT_TYPES[fmt])
            self.set_header("X-Row-Count", str(reader.manifest["tables"][table]["rows"]))
            if fmt != "json":
                ext = "parquet" if fmt == "parquet" else "csv"
                self.set_header("Content-Disposition",
                                f'attachment; filename="{job_id}-{table}.{ext}"')
            if gz:
                self.set_header("Content-Encoding", "gzip")
                self.set_header("Vary", "Accept-Encoding")
                chunks = gzip_chunks(chunks)
            await self.stream(chunks)
        finally:
            reader.close()


class EventsHandler(BookNLPHandler):
    """``GET /v1/jobs/{id}/events``: Server-Sent Events of the job's state until it is final."""

    keepalive_seconds = 15.0

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        job = self.service.get(job_id, self.visible_owner)
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        queue = self.service.subscribe(job_id)
        try:
            state = self.service.public(job)
            await self._send(state)
            while state["status"] not in _FINAL:
                try:
                    state = await asyncio.wait_for(queue.get(), self.keepalive_seconds)
                except TimeoutError:
                    self.write(": keep-alive\n\n")
                    await self.flush()
                    continue
                while not queue.empty():  # send only the newest state
                    state = queue.get_nowait()
                await self._send(state)
        except StreamClosedError:
            return
        finally:
            self.service.unsubscribe(job_id, queue)
        self.finish()

    async def _send(self, state: dict[str, Any]) -> None:
        self.write(b"event: " + b"job" + b"\ndata: " + orjson.dumps(state) + b"\n\n")
        await self.flush()


_FINAL = {s.value for s in JobStatus if s.is_final}


class AnalyzeHandler(BookNLPHandler):
    """``POST /v1/analyze``: the sync API, through the same queue and worker.

    Waits up to ``sync_timeout_seconds``; then answers 202 with the job to poll.
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
        if job.status is JobStatus.COMPLETED:
            await self.write_result(job.job_id, self.service.public(job))
            return
        if job.status.is_final:
            raise self.job_not_completed(job)
        self.set_header("Location", self.reverse_url_job(job.job_id))
        self.set_header("Retry-After", str(self.service.config.retry_after_seconds))
        body = self.service.public(job)
        body["detail"] = "still processing after the sync timeout; poll the job's Location"
        self.write_json(body, 202)


class HealthHandler(BookNLPHandler):
    """``GET /v1/health``: the extension answers."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json({"status": "ok"})


class ReadyHandler(BookNLPHandler):
    """``GET /v1/ready``: 200 once the worker is up, 503 before."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        service = self.service
        body = {
            "ready": service.ready,
            "workers": [w.info for w in service.workers if w.ready],
            "models": service.registry.models,
            "unavailable_engines": service.registry.unavailable,
        }
        if not service.ready:
            self.set_header("Retry-After", "1")
        self.write_json(body, 200 if service.ready else 503)


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
        (rf"/{v1}/analyze", AnalyzeHandler),
        (rf"/{v1}/health", HealthHandler),
        (rf"/{v1}/ready", ReadyHandler),
        (rf"/{v1}/openapi.json", OpenAPIHandler),
    ]
