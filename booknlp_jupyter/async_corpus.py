"""`AsyncCorpus`: `Corpus` for asyncio, every call to the server a coroutine.

async with AsyncClient() as client:
    corpus = await client.submit_corpus("novels/")
    await corpus                  # until every book has ended
    frames = await corpus.frames()
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import aclosing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ._common import acheck_stream, check, deadline_after, past, sse_timeout
from .corpus import CORPUS_FINAL, View, _CorpusEvents, output_folder, read_output, settled

if TYPE_CHECKING:
    from .async_client import AsyncClient


class AsyncCorpus:
    """A handle on one corpus, for asyncio: its view (``last``: the latest seen), its
    event stream, cancelling, and its output files as DataFrames (read in a thread).
    ``await corpus`` waits until every book has ended and returns the final view."""

    def __init__(self, client: AsyncClient, corpus_id: str, view: View | None = None):
        self.client, self.corpus_id = client, corpus_id
        self.last: View | None = view

    def __repr__(self) -> str:
        status = f" {self.last.get('status')}" if self.last else ""
        return f"<AsyncCorpus {self.corpus_id}{status}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsyncCorpus) and other.corpus_id == self.corpus_id

    def __hash__(self) -> int:
        return hash(self.corpus_id)

    @property
    def id(self) -> str:
        return self.corpus_id

    async def view(self) -> View:
        """The corpus as the server has it now (``GET /corpora/{id}``)."""
        self.last = check(await self.client.http.get(f"/corpora/{self.corpus_id}")).json()
        return self.last

    def events(self) -> AsyncIterator[View]:
        """Each view from the corpus's event stream, until it is final (one stream)."""
        return self._events(None)

    async def _events(self, deadline: float | None) -> AsyncIterator[View]:
        parser = _CorpusEvents()
        async with self.client.http.stream(
            "GET", f"/corpora/{self.corpus_id}/events", timeout=sse_timeout(deadline)
        ) as r:
            await acheck_stream(r)
            async for line in r.aiter_lines():
                if (view := parser.feed(line)) is not None:
                    self.last = view
                    yield view
                if past(deadline):
                    return

    async def wait(
        self,
        timeout: float | None = None,
        poll: float = 1.0,
        progress: Callable[[View], None] | None = None,
    ) -> View:
        """Follow the event stream until every book has ended (for a cancelled corpus:
        the book that was running too); ``progress`` gets each view. A broken stream is
        looked at again every ``poll`` seconds. After ``timeout`` seconds raises
        `TimeoutError` (the corpus goes on)."""
        deadline = deadline_after(timeout)
        while True:
            try:
                async with aclosing(self._events(deadline)) as views:
                    async for view in views:
                        if progress:
                            progress(view)
                        if view.get("status") in CORPUS_FINAL:
                            break
            except httpx.TransportError:
                # the stream broke (proxy timeout, restart) or a read hit the deadline
                if not past(deadline):
                    await asyncio.sleep(poll)
            view = await self.view()
            if view.get("status") in CORPUS_FINAL:
                break
            if past(deadline):
                raise TimeoutError(
                    f"corpus {self.corpus_id} still {view.get('status')} after {timeout}s"
                )
        while not settled(view):  # the stream has ended: a cancelled book still runs
            if past(deadline):
                raise TimeoutError(f"corpus {self.corpus_id}: a book still runs after {timeout}s")
            await asyncio.sleep(poll)
            view = await self.view()
            if progress:
                progress(view)
        return view

    def __await__(self) -> Generator[Any, None, View]:
        return self.wait().__await__()

    async def cancel(self, force: bool = False) -> View:
        """Cancel the books not started yet; ``force=True`` also stops the running one."""
        params = {"force": "true"} if force else None
        r = await self.client.http.delete(f"/corpora/{self.corpus_id}", params=params)
        self.last = check(r).json()
        return self.last

    async def output_folder(self) -> Path:
        """The folder of the corpus's BookNLP files on this machine (`Corpus.output_folder`)."""
        view = self.last if self.last and self.last.get("output_path") else await self.view()
        return output_folder(self.client, self.corpus_id, view)

    async def frames(self) -> dict[str, Any]:
        """Every book's tables as DataFrames with a ``book_id`` column (`Corpus.frames`),
        read from the output folder in a thread."""
        return await asyncio.to_thread(read_output, await self.output_folder())
