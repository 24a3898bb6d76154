"""Route a per-user server's ``booknlp/v1/`` API to a shared BookNLP service.

On a JupyterHub with one shared GPU queue, each user's server forwards its API
requests (from the JupyterLab panel, from kernels using the local URL) to the
service, authenticated with the user's own server token, so the service knows whose
jobs they are. Responses stream through: event streams and large results are never
held whole in this process. Request bodies are read as the service's own handlers read
them (refused before reading without credentials or past the cap, cut off at the cap),
so one is held at most `max_body_bytes` long. ``health`` and ``ready`` answer without
credentials, as the service answers them to anyone.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import httpclient, httputil, web
from tornado.iostream import StreamClosedError

from .base import BookNLPRequestMixin
from .body import BODY_METHODS, StreamedBodyMixin, is_authorized, request_body
from .corpora import corpus_handlers

_FORWARD_REQUEST = ("Content-Type", "Accept", "Accept-Encoding", "If-None-Match", "Idempotency-Key")
_FORWARD_RESPONSE = frozenset(
    h.lower()
    for h in (
        "Content-Type",
        "Content-Encoding",
        "ETag",
        "Retry-After",
        "X-Row-Count",
        "Content-Disposition",
        "Cache-Control",
        "Vary",
    )
)


_PUBLIC = frozenset({"health", "ready"})  # what a probe without credentials may ask

_client: httpclient.AsyncHTTPClient | None = None


def _http() -> httpclient.AsyncHTTPClient:
    """A client of our own: event streams hold connections for hours, and must not use
    up the shared client's 10 slots."""
    global _client
    if _client is None:
        _client = httpclient.AsyncHTTPClient(
            force_instance=True,
            max_clients=256,
            max_body_size=1 << 40,  # streamed through, never held: a whole book's JSON fits
        )
    return _client


@web.stream_request_body
class ServiceProxyHandler(
    StreamedBodyMixin, BookNLPRequestMixin, ExtensionHandlerMixin, APIHandler
):
    """Forwards ``{prefix}/v1/<path>`` to ``BookNLPApp.service_url`` + ``<path>``."""

    _closed = False

    def on_connection_close(self) -> None:
        self._closed = True  # the next forwarded chunk ends the upstream request
        super().on_connection_close()  # ends a request body still streaming in

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """This server's own refusals (auth, body size) as ``{"detail": ...}``."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.log_message if isinstance(exc, web.HTTPError) else None
        self.set_header("Content-Type", "application/json")
        self.finish(orjson.dumps({"detail": message or HTTPStatus(status_code).phrase}))

    async def _forward(self, path: str, anonymous: bool = False) -> None:
        if any(part in ("..", ".") for part in path.split("/")):
            raise web.HTTPError(404)  # only paths below the service's /v1/
        base = self.settings["booknlp_service_url"].rstrip("/")
        url = f"{base}/{path}"
        if self.request.query:
            url += "?" + self.request.query
        headers = {k: v for k in _FORWARD_REQUEST if (v := self.request.headers.get(k))}
        token = self.settings.get("booknlp_service_token")
        if token and not anonymous:
            headers["Authorization"] = f"token {token}"
        local_base = self.settings["booknlp_api_url"]
        started = False

        def on_header(line: str) -> None:
            nonlocal started
            if line.startswith("HTTP/"):
                self.set_status(int(line.split()[1]))
                return
            if not line.strip() or ":" not in line:
                return
            name, value = (part.strip() for part in line.split(":", 1))
            if name.lower() in _FORWARD_RESPONSE or (
                name.lower() == "content-length" and self.request.method == "HEAD"
            ):
                self.set_header(name, value)
            elif name.lower() == "location":
                tail = value.split("/v1", 1)[-1]
                self.set_header("Location", f"{local_base}{tail}")

        def on_chunk(chunk: bytes) -> Any:
            nonlocal started
            if self._closed:
                raise StreamClosedError()  # stop reading from the service
            started = True
            self.write(chunk)
            return self.flush()  # tornado waits for it: a slow client slows the upstream

        body = request_body(self) if self.request.method in BODY_METHODS else None
        if body is not None:
            headers["Content-Length"] = str(len(body))

        def send_body(write: Any) -> Any:
            return write(memoryview(body))  # the bytes read, not a copy

        request = httpclient.HTTPRequest(
            url,
            method=self.request.method,
            headers=httputil.HTTPHeaders(headers),
            body_producer=send_body if body else None,
            body=b"" if body is not None and not body else None,
            allow_nonstandard_methods=True,
            header_callback=on_header,
            streaming_callback=on_chunk,
            decompress_response=False,
            follow_redirects=False,
            connect_timeout=10,
            request_timeout=24 * 3600,
        )
        try:
            await _http().fetch(request, raise_error=False)
        except StreamClosedError:
            return
        except (OSError, httpclient.HTTPClientError) as exc:
            if not started and not self._closed:
                timeout = isinstance(exc, httpclient.HTTPClientError) and exc.code == 599
                self.set_status(504 if timeout else 502)
                self.set_header("Content-Type", "application/json")
                self.finish({"detail": f"the BookNLP service at {base} is unreachable: {exc}"})
            return
        if not self._closed:
            self.finish()

    @allow_unauthenticated
    async def get(self, path: str) -> None:
        if path in _PUBLIC and not await is_authorized(self, "read"):
            await self._forward(path, anonymous=True)  # the service answers a probe as one
            return
        await self._get(path)

    @web.authenticated
    @authorized
    async def _get(self, path: str) -> None:
        await self._forward(path)

    @web.authenticated
    @authorized
    async def post(self, path: str) -> None:
        await self._forward(path)

    @web.authenticated
    @authorized
    async def delete(self, path: str) -> None:
        await self._forward(path)


def proxy_handlers(prefix: str) -> list[tuple[str, Any]]:
    v1 = "/".join(p for p in (prefix.strip("/"), "v1") if p)
    # corpora read files below this server's root, which the shared service cannot see:
    # their handlers answer 501 with a detail here instead of forwarding
    return [*corpus_handlers(v1), (rf"/{v1}/(?P<path>.*)", ServiceProxyHandler)]
