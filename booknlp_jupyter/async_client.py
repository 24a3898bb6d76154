"""`AsyncClient` and `AsyncJob`: the job API for asyncio, every call a coroutine.

async with AsyncClient() as client:
    job = await client.submit(text)
    await job
    frames = await job.frames()
    corpus = await client.submit_corpus("novels/")  # `AsyncCorpus`
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from contextlib import aclosing
from typing import Any

import httpx

from ._common import (
    FINAL,
    BookNLPError,
    EventParser,
    JobHandle,
    acheck_stream,
    check,
    deadline_after,
    job_body,
    ordered_models,
    past,
    sse_timeout,
    timed_out,
)
from ._discovery import discover
from ._frames import Frames, table_params, to_frame
from .async_corpus import AsyncCorpus
from .corpus import corpus_body
from .results.schema import TABLES


class AsyncClient:
    """The job API at ``url`` (ending in ``/v1``), for asyncio; found with `discover`
    when ``url`` is not given."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 60):
        if url is None:
            url, token = discover(token)
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout
        headers = {"Authorization": f"token {token}"} if token else {}
        self.http = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=timeout)

    def __repr__(self) -> str:
        return f"<booknlp_jupyter.AsyncClient {self.url}>"

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def ready(self, timeout: float = 120) -> dict[str, Any]:
        """Wait until the server's worker is up."""
        deadline = time.monotonic() + timeout
        while True:
            r = await self.http.get("/ready")
            if r.status_code == 200:
                return r.json()
            if time.monotonic() > deadline:
                raise BookNLPError(r.status_code, f"not ready after {timeout}s: {r.text}")
            await asyncio.sleep(0.5)

    async def submit(
        self,
        text: str,
        *,
        model: str | None = None,
        pipeline: Sequence[str] | None = None,
        book_id: str | None = None,
    ) -> AsyncJob:
        """Queue ``text``: a new job (200 or 202), already completed if an identical
        request had a stored result (its ``reused_from`` says which job's)."""
        r = check(await self.http.post("/jobs", json=job_body(text, model, pipeline, book_id)))
        state = r.json()
        return AsyncJob(self, state["job_id"], state)

    def job(self, job_id: str) -> AsyncJob:
        return AsyncJob(self, job_id)

    async def jobs(self, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Jobs, newest first."""
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        return check(await self.http.get("/jobs", params=params)).json()["jobs"]

    async def submit_corpus(
        self,
        folder: str | os.PathLike[str] | None = None,
        *,
        paths: Sequence[str | os.PathLike[str]] | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        model: str | None = None,
        pipeline: Sequence[str] | None = None,
        strip_gutenberg: bool = False,
    ) -> AsyncCorpus:
        """Queue every text of ``folder`` (or the files ``paths``), one job each
        (`Client.submit_corpus`); returns its `AsyncCorpus` at once."""
        body = corpus_body(self, folder, paths, output_dir, model, pipeline, strip_gutenberg)
        view = check(await self.http.post("/corpora", json=body)).json()
        return AsyncCorpus(self, view["corpus_id"], view)

    def corpus(self, corpus_id: str) -> AsyncCorpus:
        return AsyncCorpus(self, corpus_id)

    async def corpora(self) -> list[dict[str, Any]]:
        """The corpora (their views without ``books``), newest first."""
        return check(await self.http.get("/corpora")).json()["corpora"]

    async def stats(self) -> dict[str, Any]:
        return check(await self.http.get("/jobs/stats")).json()

    async def models(self) -> list[str]:
        """Every model a request may name (the default first)."""
        return ordered_models(await self.stats())

    async def available_models(self) -> list[str]:
        """The models that can run now, their files installed (the default first)."""
        stats = await self.stats()
        return ordered_models(
            stats, "available_models" if "available_models" in stats else "models"
        )


class AsyncJob(JobHandle):
    """`Job`, for asyncio. ``await job`` waits until it is final and returns its state."""

    def __init__(self, client: AsyncClient, job_id: str, state: dict[str, Any] | None = None):
        super().__init__(job_id, state)
        self.client = client

    async def status(self) -> dict[str, Any]:
        self.last = check(await self.client.http.get(f"/jobs/{self.job_id}")).json()
        return self.last

    def events(self) -> AsyncIterator[dict[str, Any]]:
        """Each state from the job's event stream, until it is final (one stream)."""
        return self._events(None)

    async def _events(self, deadline: float | None) -> AsyncIterator[dict[str, Any]]:
        """`events`; stops once ``deadline`` passes, checked on every line the server
        sends (keep-alives included) and bounding each read."""
        parser = EventParser()
        async with self.client.http.stream(
            "GET", f"/jobs/{self.job_id}/events", timeout=sse_timeout(deadline)
        ) as r:
            await acheck_stream(r)
            async for line in r.aiter_lines():
                if (state := parser.feed(line)) is not None:
                    self.last = state
                    yield state
                if past(deadline):
                    return

    async def wait(
        self, progress: Callable[[dict[str, Any]], None] | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Follow the job's event stream until it is final; ``progress`` gets each state.
        After ``timeout`` seconds (if given) raises `TimeoutError`; the job goes on."""
        deadline = deadline_after(timeout)
        while True:
            try:
                async with aclosing(self._events(deadline)) as states:
                    async for state in states:
                        if progress:
                            progress(state)
                        if state["status"] in FINAL:
                            return state
            except httpx.TransportError:
                # the stream broke (proxy timeout, restart) or a read hit the deadline
                if not past(deadline):
                    await asyncio.sleep(0.5)  # then look again
            state = await self.status()
            if state["status"] in FINAL:
                return state
            if past(deadline):
                raise timed_out(self.job_id, state, timeout)

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return self.wait().__await__()

    async def cancel(self, force: bool = False) -> dict[str, Any]:
        """Cancel a pending job; ``force=True`` also stops a running one."""
        params = {"force": "true"} if force else None
        r = await self.client.http.delete(f"/jobs/{self.job_id}", params=params)
        self.last = check(r).json()
        return self.last

    async def result(self) -> dict[str, Any]:
        """The whole result as JSON (prefer `frames` for big books)."""
        return check(await self.client.http.get(f"/jobs/{self.job_id}/result")).json()

    async def table(self, name: str) -> Any:
        """One table as a typed DataFrame, parsed in a thread."""
        r = await self.client.http.get(
            f"/jobs/{self.job_id}/result/{name}", params=table_params(name)
        )
        return await asyncio.to_thread(to_frame, name, check(r).content)

    async def frames(self, tables: Sequence[str] = TABLES) -> Frames:
        """Every table as a typed DataFrame: fetched concurrently, parsed in threads."""
        found = await asyncio.gather(*(self.table(name) for name in tables))
        return Frames(zip(tables, found, strict=True))
