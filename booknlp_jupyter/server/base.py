"""What every BookNLP handler shares: auth resource, XSRF rules, JSON bodies and
``{"detail": ...}`` errors, streamed results, ETags.

Handlers are `APIHandler`s (JSON errors, XSRF rules and token auth as jupyter_server's),
`@web.authenticated` and `@authorized` on the ``booknlp`` resource.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, TypeVar

import orjson
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.prometheus.log_functions import prometheus_log_method
from pydantic import BaseModel, ValidationError
from tornado import web
from tornado.iostream import StreamClosedError

from ..api.models import Error, JobRequest
from ..jobs import BaseJobService, JobError
from ..jobs.errors import InvalidRequest
from ..results import ResultReader
from ..results.store import gzip_chunks
from .body import HeadAsGetMixin, auth_required, request_body
from .errors import ApiError, headers_of, status_of

AUTH_RESOURCE = "booknlp"
_Body = TypeVar("_Body", bound=BaseModel)
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


class BookNLPRequestMixin(HeadAsGetMixin):
    """What every BookNLP handler (local or forwarding) shares: its auth resource, which
    requests count as activity, when XSRF is checked, ``HEAD`` on ``GET`` routes, and how
    requests are logged."""

    auth_resource = AUTH_RESOURCE
    request: Any
    _unexpected_error = False

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
        if self._jupyter_current_user is None:  # no credentials: say so, not "_xsrf missing"
            raise auth_required()
        super().check_xsrf_cookie()  # type: ignore[misc]

    def get_login_url(self) -> str:
        """``@web.authenticated`` without a user: a 403 that says what is missing."""
        raise auth_required()

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if not isinstance(value, (web.HTTPError, JobError)):
            self._unexpected_error = True
        super().log_exception(typ, value, tb)  # type: ignore[misc]

    def _log(self) -> None:
        """A 503 the service meant (queue full, not ready yet) is normal operation: one
        WARNING line, not jupyter_server's ERROR with a header dump."""
        if self.get_status() != 503 or self._unexpected_error:  # type: ignore[attr-defined]
            super()._log()  # type: ignore[misc]
            return
        r, user = self.request, getattr(self.current_user, "username", "")  # type: ignore[attr-defined]
        self.log.warning(
            "503 %s %s (%s@%s) %.2fms",
            r.method,
            r.path,
            user,  # type: ignore[attr-defined]
            r.remote_ip,
            1000.0 * r.request_time(),
        )
        log_function = self.settings.get("log_function")  # type: ignore[attr-defined]
        if getattr(log_function, "keywords", {}).get("record_prometheus_metrics", True):
            prometheus_log_method(self)


class BookNLPHandler(BookNLPRequestMixin, ExtensionHandlerMixin, APIHandler):
    """Base of every handler: the service, JSON bodies and ``{"detail": ...}`` errors."""

    @property
    def service(self) -> BaseJobService:
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
        """Answer ``body`` (a pydantic model, or plain JSON data) with ``status``."""
        if isinstance(body, BaseModel):
            body = body.model_dump(mode="json", exclude_none=isinstance(body, Error))
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(orjson.dumps(body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        body: dict[str, Any]
        if isinstance(exc, JobError):
            self.set_status(status_of(exc))
            for name, value in headers_of(exc).items():
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
        return self.parse_body(JobRequest)

    def parse_body(self, model: type[_Body]) -> _Body:
        """The JSON request body as ``model``, or a 400/415 that says what is wrong."""
        ctype = self.request.headers.get("Content-Type", "application/json")
        if ctype.split(";")[0].strip().lower() not in ("application/json", ""):
            raise ApiError(415, "Content-Type must be application/json")
        try:
            data = json.loads(request_body(self) or b"")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InvalidRequest(f"invalid JSON body: {type(exc).__name__}") from None
        if not isinstance(data, dict):
            raise InvalidRequest("body must be a JSON object")
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise InvalidRequest(_validation_detail(exc)) from None

    def int_argument(self, name: str, default: int, low: int, high: int) -> int:
        """An integer query argument within ``[low, high]``, or a 400 naming it."""
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

    async def write_result(
        self, reader: ResultReader, head: dict[str, Any], envelope: bool = True
    ) -> None:
        """Stream a completed job's whole result: inside ``head``'s fields as ``result``
        (``envelope``, the async API), or its tables beside ``head``'s fields (the sync
        API's body)."""
        try:
            gz = self.accepts_gzip()
            tag = "" if envelope else "-sync"
            if self.not_modified(f'"{reader.etag}{tag}{"-gz" if gz else ""}"'):
                return
            if envelope:
                chunks = reader.iter_result(orjson.dumps(head)[:-1] + b',"result":', b"}")
            else:
                chunks = itertools.chain(
                    [orjson.dumps(head)[:-1] + b","], reader.iter_members(), [b"}"]
                )
            self.set_header("Content-Type", "application/json")
            self.set_header("Vary", "Accept-Encoding")
            if gz:
                self.set_header("Content-Encoding", "gzip")
                chunks = gzip_chunks(chunks)
            await self.stream(chunks)
        finally:
            reader.close()
