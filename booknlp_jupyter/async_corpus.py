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

from ._common import acheck_stream, check, past, sse_timeout
from .corpus import (
    CORPUS_FINAL,
    CorpusHandle,
    View,
    WaitClock,
    _CorpusEvents,
    output_folder,
    read_output,
)

if TYPE_CHECKING:
    from .async_client import AsyncClient


class AsyncCorpus(CorpusHandle):
    """A handle on one corpus, for asyncio: its view (``last``: the latest seen), its
    event stream, cancelling, and its output files as DataFrames (read in a thread).
    ``await corpus`` waits until every book has ended and returns the final view."""

    client: AsyncClient

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
        clock = WaitClock(self.corpus_id, timeout)
        while True:
            try:
                async with aclosing(self._events(clock.deadline)) as views:
                    async for view in views:
                        if progress:
                            progress(view)
                        if view.get("status") in CORPUS_FINAL:
                            break
            except httpx.TransportError:
                # the stream broke (proxy timeout, restart) or a read hit the deadline
                if not clock.expired:
                    await asyncio.sleep(poll)
            if clock.final(view := await self.view()):
                break
        while not clock.settled(view):  # the stream has ended: a cancelled book still runs
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
        view = self._view_with_output() or await self.view()
        return output_folder(self.client, self.corpus_id, view)

    async def frames(self) -> dict[str, Any]:
        """Every book's tables as DataFrames with a ``book_id`` column (`Corpus.frames`),
        read from the output folder in a thread."""
        return await asyncio.to_thread(read_output, await self.output_folder())
