"""Bodies at the HTTP edge: request bodies refused before they are read, capped while they
stream in; ``HEAD`` answered like ``GET`` without a body.

Tornado reads a request body whole before the handler runs, unless the handler class is
decorated with `tornado.web.stream_request_body`. Then `prepare()` runs first (the user is
known by then, so a request without credentials or with too large a ``Content-Length`` is
refused before a byte of its body is read) and `data_received` gets the body piece by
piece, so a chunked body without ``Content-Length`` is cut off once past the cap too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from jupyter_server.auth.utils import HTTP_METHOD_TO_AUTH_ACTION
from jupyter_server.utils import ensure_async
from tornado import web

DEFAULT_MAX_DOCUMENT_SIZE = 5_000_000
JSON_BYTES_PER_CHAR = 6  # the JSON of a character is at most a "\uXXXX" escape
JSON_OVERHEAD_BYTES = 64 * 1024  # the other fields of a request
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_NO_TORNADO_LIMIT = 1 << 62  # our cap answers 413 JSON, not tornado's bare 400

AUTH_REQUIRED = (
    "authentication is required: send the server's token in an "
    "'Authorization: token <token>' header (or log in)"
)


def auth_required() -> web.HTTPError:
    """The 403 a request without (valid) credentials gets."""
    return web.HTTPError(403, AUTH_REQUIRED)


def max_body_bytes(settings: Mapping[str, Any]) -> int:
    """The largest request body read: ``booknlp_max_body_bytes``, else enough for the JSON
    of a ``booknlp_max_document_size`` text written entirely in ``\\uXXXX`` escapes."""
    explicit = settings.get("booknlp_max_body_bytes")
    if explicit is not None:
        return int(explicit)
    chars = settings.get("booknlp_max_document_size", DEFAULT_MAX_DOCUMENT_SIZE)
    return int(chars) * JSON_BYTES_PER_CHAR + JSON_OVERHEAD_BYTES


def body_too_large(limit: int, size: int | None = None) -> web.HTTPError:
    said = f"request body is {size:,} bytes" if size is not None else "request body is larger"
    return web.HTTPError(
        413, f"{said}; this server reads up to {limit:,} bytes (the JSON of its largest text)"
    )


async def is_authorized(handler: Any, action: str | None = None) -> bool:
    """Whether the request's user may ``action`` (default: the method's) the handler's
    resource: what ``@authorized`` checks, asked before the body is read."""
    user = handler.current_user
    if not user:
        return False
    action = action or HTTP_METHOD_TO_AUTH_ACTION[handler.request.method.upper()]
    return bool(
        await ensure_async(
            handler.authorizer.is_authorized(handler, user, action, handler.auth_resource)
        )
    )


def request_body(handler: Any) -> bytes | bytearray:
    """The request's body: the streamed one when the handler streams (handed over once, so
    a request that then waits, as ``/v1/analyze`` does, no longer holds it), else tornado's."""
    streamed = getattr(handler, "_streamed_body", None)
    if streamed is None:
        return handler.request.body
    handler._streamed_body = None
    return streamed


class StreamedBodyMixin:
    """For a `stream_request_body` handler: refuse before reading, cap while reading.

    ``prepare`` runs jupyter_server's own first (it resolves the user), then refuses a
    request without credentials (403), one its user may not make (403) and a declared
    ``Content-Length`` past `max_body_bytes` (413); `data_received` answers 413 once the
    bytes received pass it. `request_body` then returns what was read.
    """

    request: Any
    settings: Any
    auth_resource: str
    _finished: bool
    _streamed_body: bytearray | None = None
    _body_limit = 0

    async def prepare(self) -> None:
        await super().prepare()  # type: ignore[misc]
        if self._finished or self.request.method not in BODY_METHODS:
            return
        if not self.current_user:  # type: ignore[attr-defined]
            raise auth_required()
        if not await is_authorized(self):
            action = HTTP_METHOD_TO_AUTH_ACTION[self.request.method]
            message = f"User is not authorized to {action} on resource: {self.auth_resource}."
            raise web.HTTPError(403, message)
        limit = self._body_limit = max_body_bytes(self.settings)
        declared = self.request.headers.get("Content-Length")
        if declared is not None:
            try:
                size = int(declared.split(",")[0])
            except ValueError:
                raise web.HTTPError(400, "Content-Length must be an integer") from None
            if size > limit:
                raise body_too_large(limit, size)
        set_max_body_size = getattr(self.request.connection, "set_max_body_size", None)
        if set_max_body_size is not None:  # HTTP/1 (tornado's own limit comes after ours)
            set_max_body_size(_NO_TORNADO_LIMIT)
        self._streamed_body = bytearray()

    def data_received(self, chunk: bytes) -> None:
        body = self._streamed_body
        if body is None or self._finished:
            return  # refused, or a body nobody reads: dropped as it comes
        if len(body) + len(chunk) > self._body_limit:
            self._streamed_body = None
            error = body_too_large(self._body_limit)
            self.send_error(413, exc_info=(type(error), error, None))  # type: ignore[attr-defined]
            return
        body += chunk


class _HeadersSent(Exception):
    """Raised out of a ``HEAD`` response's first flush: its headers are out, and no body
    follows, so a streamed ``GET`` (a result, an event stream) stops there."""


def _head_of(get: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    async def head(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            await get(self, *args, **kwargs)
        except _HeadersSent:
            if not self._finished:
                self.finish()

    head.__doc__ = "``HEAD``: what ``GET`` answers, without its body."
    if getattr(get, "__allow_unauthenticated", False):
        setattr(head, "__allow_unauthenticated", True)
    return head


class HeadAsGetMixin:
    """``HEAD`` on every route with a ``get``: the same status and headers, no body
    (tornado drops the body of a ``HEAD`` response; a streamed one ends at its first
    flush). Each subclass that defines ``get`` gets a matching ``head``."""

    request: Any
    _finished: bool

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        get = cls.__dict__.get("get")
        if get is not None and "head" not in cls.__dict__:
            cls.head = _head_of(get)  # type: ignore[attr-defined]

    def flush(self, include_footers: bool = False) -> Any:
        future = super().flush(include_footers)  # type: ignore[misc]
        if self.request.method == "HEAD" and not include_footers and not self._finished:
            raise _HeadersSent
        return future
