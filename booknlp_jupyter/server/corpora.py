"""Tornado handlers for corpora (``/v1/corpora``): thin, over `corpora.CorpusService`."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..api.corpora import CorpusRequest
from ..corpora import CorpusService
from .base import BookNLPHandler
from .errors import ApiError
from .sse import KEEPALIVE_SECONDS, send_events

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

    keepalive_seconds = KEEPALIVE_SECONDS

    @web.authenticated
    @authorized
    async def get(self, corpus_id: str) -> None:
        corpora = self.corpora
        state = corpora.get(corpus_id, self.visible_owner)
        await send_events(
            self,
            corpora,
            corpus_id,
            event="corpus",
            first=lambda: state,
            ended=lambda view: view.ended,
            keepalive_seconds=self.keepalive_seconds,
        )


def corpus_handlers(v1: str) -> list[tuple[str, type[BookNLPHandler]]]:
    """URL patterns below ``/{v1}`` for corpora."""
    return [
        (rf"/{v1}/corpora", CorporaHandler),
        (rf"/{v1}/corpora/{CORPUS_ID}", CorpusHandler),
        (rf"/{v1}/corpora/{CORPUS_ID}/events", CorpusEventsHandler),
    ]
