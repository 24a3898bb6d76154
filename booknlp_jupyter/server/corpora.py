"""Tornado handlers for corpora (``/v1/corpora``): thin, over `corpora.CorpusService`."""

from __future__ import annotations

import asyncio

import orjson
from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.iostream import StreamClosedError

from ..api.corpora import CorpusRequest, CorpusView
from ..corpora import CorpusService
from .base import BookNLPHandler
from .errors import ApiError

CORPUS_ID = r"(?P<corpus_id>[^/]+)"


class CorpusHandlerBase(BookNLPHandler):
    @property
    def corpora(self) -> CorpusService:
        service = self.settings.get("booknlp_corpora")
        if service is None:
            raise ApiError(
                501,
                "corpora are not available on this server: it forwards its jobs to a shared "
                "BookNLP service, which cannot read this server's files; submit the books "
                "as jobs, or run jobs on this server",
            )
        return service

    def reverse_url_corpus(self, corpus_id: str) -> str:
        return f"{self.settings['booknlp_api_url']}/corpora/{corpus_id}"


class CorporaHandler(CorpusHandlerBase):
    """``POST /v1/corpora`` creates a corpus; ``GET /v1/corpora`` lists them."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        corpora = self.corpora
        request = self.parse_body(CorpusRequest)
        view = await corpora.submit(request, owner=self.owner)
        self.set_header("Location", self.reverse_url_corpus(view.corpus_id))
        self.write_json(view)

    @web.authenticated
    @authorized
    async def get(self) -> None:
        limit = self.int_argument("limit", 50, 1, 1000)
        offset = self.int_argument("offset", 0, 0, 10**9)
        self.write_json(self.corpora.list(self.visible_owner, limit, offset))


class CorpusHandler(CorpusHandlerBase):
    """``GET /v1/corpora/{id}`` reads a corpus; ``DELETE`` cancels it."""

    @web.authenticated
    @authorized
    async def get(self, corpus_id: str) -> None:
        self.write_json(self.corpora.get(corpus_id, self.visible_owner))

    @web.authenticated
    @authorized
    async def delete(self, corpus_id: str) -> None:
        force = self.get_argument("force", "false").lower() in ("1", "true", "yes")
        self.write_json(self.corpora.cancel(corpus_id, self.visible_owner, force=force))


class CorpusEventsHandler(CorpusHandlerBase):
    """``GET /v1/corpora/{id}/events``: Server-Sent Events of the corpus until it ends
    (final, and no book still running)."""

    keepalive_seconds = 15.0

    @web.authenticated
    @authorized
    async def get(self, corpus_id: str) -> None:
        state = self.corpora.get(corpus_id, self.visible_owner)
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        queue = self.corpora.subscribe(corpus_id)
        try:
            await self._send(state)
            while not state.ended:
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
            self.corpora.unsubscribe(corpus_id, queue)
        self.finish()

    async def _send(self, state: CorpusView) -> None:
        self.write(b"event: corpus\ndata: " + orjson.dumps(state.model_dump(mode="json")) + b"\n\n")
        await self.flush()


def corpus_handlers(v1: str) -> list[tuple[str, type[BookNLPHandler]]]:
    """URL patterns below ``/{v1}`` for corpora."""
    return [
        (rf"/{v1}/corpora", CorporaHandler),
        (rf"/{v1}/corpora/{CORPUS_ID}", CorpusHandler),
        (rf"/{v1}/corpora/{CORPUS_ID}/events", CorpusEventsHandler),
    ]
