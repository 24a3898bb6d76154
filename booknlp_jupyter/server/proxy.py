"""Route a per-user server's ``booknlp/v1/`` API to a shared BookNLP service.

On a JupyterHub with one shared GPU queue, each user's server forwards its API
requests (from the JupyterLab panel, from kernels using the local URL) to the
service, authenticated with the user's own server token, so the service knows whose
jobs they are. Bodies stream both ways: event streams and large results are never
held whole in this process.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import httpclient, httputil, web
from tornado.iostream import StreamClosedError

from .handlers import AUTH_RESOURCE

_FORWARD_REQUEST = ("Content-Type", "Accept", "Accept-Encoding", "If-None-Match",
                    "Idempotency-Key")
_FORWARD_RESPONSE = ("Content-Type", "Content-Encoding", "ETag", "Retry-After", "X-Row-Count",
                     "Content-Disposition", "Cache-Control", "Vary")


class ServiceProxyHandler(ExtensionHandlerMixin, APIHandler):
    """Forwards ``{prefix}/v1/<path>`` to ``BookNLPApp.service_url`` + ``<path>``."""

    auth_resource = AUTH_RESOURCE

    @property
    def _track_activity(self) -> bool:  # type: ignore[override]
        return self.request.method not in ("GET", "HEAD", "OPTIONS")

    def check_xsrf_cookie(self) -> None:
        if not hasattr(self, "_jupyter_current_user"):
            return  # before authentication; prepare() checks again (see BookNLPHandler)
        super().check_xsrf_cookie()

    async def _forward(self, path: str) -> None:
        base = self.settings["booknlp_service_url"].rstrip("/")
        url = f"{base}/{path}"
        if self.request.query:
            url += "?" + self.request.query
        headers = {k: v for k in _FORWARD_REQUEST if (v := self.request.headers.get(k))}
        token = self.settings.get("booknlp_service_token")
        if token:
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
            if name.title() in _FORWARD_RESPONSE or name in _FORWARD_RESPONSE:
                self.set_header(name, value)
            elif name.lower() == "location":
                tail = value.split("/v1", 1)[-1]
                self.set_header("Location", f"{local_base}{tail}")

        def on_chunk(chunk: bytes) -> None:
            nonlocal started
            started = True
            self.write(chunk)
            self.flush()

        request = httpclient.HTTPRequest(
            url,
            method=self.request.method,
            headers=httputil.HTTPHeaders(headers),
            body=self.request.body if self.request.method in ("POST", "PUT") else None,
            allow_nonstandard_methods=True,
            header_callback=on_header,
            streaming_callback=on_chunk,
            decompress_response=False,
            follow_redirects=False,
            connect_timeout=10,
            request_timeout=24 * 3600,
        )
        try:
            await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except StreamClosedError:
            return
        except OSError as exc:
            if not started:
                self.set_status(502)
                self.set_header("Content-Type", "application/json")
                self.finish({"detail": f"the BookNLP service at {base} is unreachable: {exc}"})
            return
        self.finish()

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
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
    return [(rf"/{v1}/(?P<path>.*)", ServiceProxyHandler)]
