"""The job API's client for notebooks and scripts (`AsyncClient`: the same for asyncio).

from booknlp_jupyter import Client
client = Client()                       # finds the server (see `discover`)
job = client.submit(text, model="lite")
job.add_done_callback(print)            # in a notebook: the cell returns at once
job.wait(progress=print)                # in a script: follows the event stream
frames = job.frames()                   # typed pandas DataFrames, one per table
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from ._common import (
    FINAL,
    BookNLPError,
    EventParser,
    JobHandle,
    check,
    check_stream,
    deadline_after,
    job_body,
    ordered_models,
    past,
    sse_timeout,
    timed_out,
)
from ._discovery import discover
from ._frames import Frames, table_params, to_frame
from .async_client import AsyncClient, AsyncJob
from .corpus import Corpus, corpus_body, save_job
from .results.schema import TABLES

__all__ = [
    "FINAL",
    "AsyncClient",
    "AsyncJob",
    "BookNLPError",
    "Client",
    "Corpus",
    "Frames",
    "Job",
    "discover",
]

State = dict[str, Any]
_FOLLOWERS: set[asyncio.Task[State]] = set()  # tasks are only weakly held by their loop


class Client:
    """The job API at ``url`` (ending in ``/v1``), authenticated with ``token``;
    found with `discover` when ``url`` is not given."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 60):
        if url is None:
            url, token = discover(token)
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout
        self.headers = {"Authorization": f"token {token}"} if token else {}
        self.http = httpx.Client(base_url=self.url, headers=self.headers, timeout=timeout)

    discover = staticmethod(discover)

    def __repr__(self) -> str:
        return f"<booknlp_jupyter.Client {self.url}>"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def aio(self) -> AsyncClient:
        """An `AsyncClient` on the same server."""
        return AsyncClient(self.url, self.token, self.timeout)

    def ready(self, timeout: float = 120) -> State:
        """Wait until the server's worker is up."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.http.get("/ready")
            if r.status_code == 200:
                return r.json()
            if time.monotonic() > deadline:
                raise BookNLPError(r.status_code, f"not ready after {timeout}s: {r.text}")
            time.sleep(0.5)

    def submit(
        self,
        text: str,
        *,
        model: str | None = None,
        pipeline: Sequence[str] | None = None,
        book_id: str | None = None,
    ) -> Job:
        """Queue ``text``; returns its `Job` at once. Every submission is a new job; one
        whose identical request already has a stored result is completed at once, and
        its ``reused_from`` names the job it reused."""
        r = check(self.http.post("/jobs", json=job_body(text, model, pipeline, book_id)))
        state = r.json()
        return Job(self, state["job_id"], state)

    def job(self, job_id: str) -> Job:
        return Job(self, job_id)

    def jobs(self, status: str | None = None, limit: int = 50) -> list[State]:
        """Jobs, newest first."""
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        return check(self.http.get("/jobs", params=params)).json()["jobs"]

    def submit_corpus(
        self,
        folder: str | os.PathLike[str] | None = None,
        *,
        paths: Sequence[str | os.PathLike[str]] | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        model: str | None = None,
        pipeline: Sequence[str] | None = None,
        strip_gutenberg: bool = False,
    ) -> Corpus:
        """Queue every text of ``folder`` (or the files ``paths``), one job each, their
        BookNLP files written into ``output_dir`` (default ``booknlp_output/<folder>``);
        paths are the server's, relative to its root (a folder that exists here under
        the root of the server this kernel runs under is translated)."""
        body = corpus_body(self, folder, paths, output_dir, model, pipeline, strip_gutenberg)
        view = check(self.http.post("/corpora", json=body)).json()
        return Corpus(self, view["corpus_id"], view)

    def corpus(self, corpus_id: str) -> Corpus:
        return Corpus(self, corpus_id)

    def corpora(self) -> list[State]:
        """The corpora (their views without ``books``), newest first."""
        return check(self.http.get("/corpora")).json()["corpora"]

    def stats(self) -> State:
        return check(self.http.get("/jobs/stats")).json()

    def models(self) -> list[str]:
        """Every model a request may name (the default first)."""
        return ordered_models(self.stats())

    def available_models(self) -> list[str]:
        """The models that can run now, their files installed (the default first)."""
        stats = self.stats()
        return ordered_models(
            stats, "available_models" if "available_models" in stats else "models"
        )


def _settle(future: Future[State], wait: Callable[[], State]) -> None:
    """Run ``wait`` (in a thread) into ``future``."""
    if future.set_running_or_notify_cancel():
        try:
            future.set_result(wait())
        except BaseException as exc:  # held by the future
            future.set_exception(exc)


def _call_back(
    fn: Callable[[State], Any], job_id: str, future: asyncio.Future[State] | Future[State]
) -> None:
    """``fn(final state)`` once ``future`` is done; errors printed, never raised."""
    if future.cancelled():
        return
    if (exc := future.exception()) is not None:
        print(f"booknlp: stopped following job {job_id}: {exc!r}", file=sys.stderr)
        return
    try:
        fn(future.result())
    except Exception:
        traceback.print_exc()


class Job(JobHandle):
    """A handle on one job: its state, its event stream, its result as DataFrames.

    In a notebook, `add_done_callback` and `widget` follow the job without holding the
    cell; ``await job`` (or `wait`) holds the cell until the job ends."""

    def __init__(self, client: Client, job_id: str, state: State | None = None):
        super().__init__(job_id, state)
        self.client = client
        self._widget: Any = None

    @property
    def id(self) -> str:
        return self.job_id

    def status(self) -> State:
        self.last = check(self.client.http.get(f"/jobs/{self.job_id}")).json()
        return self.last

    def events(self) -> Iterator[State]:
        """Each state from the job's event stream, until it is final (one stream)."""
        return self._events(None)

    def _events(self, deadline: float | None) -> Iterator[State]:
        """`events`; stops (returns) once ``deadline`` passes, checked on every line the
        server sends (keep-alives included) and bounding each read."""
        parser = EventParser()
        with self.client.http.stream(
            "GET", f"/jobs/{self.job_id}/events", timeout=sse_timeout(deadline)
        ) as r:
            check_stream(r)
            for line in r.iter_lines():
                if (state := parser.feed(line)) is not None:
                    self.last = state
                    yield state
                if past(deadline):
                    return

    def wait(
        self, progress: Callable[[State], None] | None = None, timeout: float | None = None
    ) -> State:
        """Follow the job's event stream until it is final; ``progress`` gets each state.
        After ``timeout`` seconds (if given) raises `TimeoutError`; the job goes on.
        It blocks: in a notebook, see `add_done_callback`."""
        deadline = deadline_after(timeout)
        while True:
            try:
                for state in self._events(deadline):
                    if progress:
                        progress(state)
                    if state["status"] in FINAL:
                        return state
            except httpx.TransportError:
                # the stream broke (proxy timeout, restart) or a read hit the deadline
                if not past(deadline):
                    time.sleep(0.5)  # then look again
            state = self.status()
            if state["status"] in FINAL:
                return state
            if past(deadline):
                raise timed_out(self.job_id, state, timeout)

    async def wait_async(
        self, progress: Callable[[State], None] | None = None, timeout: float | None = None
    ) -> State:
        """`wait`, on the running event loop (as ``await job`` does). Awaited in a cell it
        holds that cell, and the next one waits; ``asyncio.ensure_future(job.wait_async())``
        does not."""
        async with self.client.aio() as aio:
            job = AsyncJob(aio, self.job_id, self.last)
            try:
                final = await job.wait(progress, timeout)
            finally:
                self.last = job.last or self.last
        return final

    def __await__(self) -> Generator[Any, None, State]:
        return self.wait_async().__await__()

    def add_done_callback(self, fn: Callable[[State], Any]) -> asyncio.Task[State] | Future[State]:
        """Call ``fn(final_state)`` once the job is final; returns at once, so a cell
        that calls it ends and the kernel runs other cells meanwhile.

        On a running event loop (a notebook's kernel, a coroutine) a background task
        follows the job's event stream and calls ``fn`` on that loop (a cell busy when
        the job ends delays it until that cell ends); with none (a script), a daemon
        thread does. Returns that future of the final state: the `asyncio.Task` (await
        it, or cancel it to stop following), or a `concurrent.futures.Future`. If
        following fails (the server is gone) ``fn`` is not called and the error is
        printed; an error in ``fn`` is printed too."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            future: Future[State] = Future()
            threading.Thread(
                target=_settle,
                args=(future, self.wait),
                daemon=True,
                name=f"booknlp-follow-{self.job_id[:8]}",
            ).start()
            future.add_done_callback(partial(_call_back, fn, self.job_id))
            return future
        task = loop.create_task(self.wait_async(), name=f"booknlp-follow-{self.job_id[:8]}")
        _FOLLOWERS.add(task)
        task.add_done_callback(_FOLLOWERS.discard)
        task.add_done_callback(partial(_call_back, fn, self.job_id))
        return task

    def cancel(self, force: bool = False) -> State:
        """Cancel a pending job; ``force=True`` also stops a running one."""
        params = {"force": "true"} if force else None
        self.last = check(self.client.http.delete(f"/jobs/{self.job_id}", params=params)).json()
        return self.last

    def result(self) -> State:
        """The whole result as JSON (prefer `frames` for big books)."""
        return check(self.client.http.get(f"/jobs/{self.job_id}/result")).json()

    def table(self, name: str) -> Any:
        """One table as a typed pandas DataFrame (Parquet; characters: JSON)."""
        r = self.client.http.get(f"/jobs/{self.job_id}/result/{name}", params=table_params(name))
        return to_frame(name, check(r).content)

    def frames(self, tables: Sequence[str] = TABLES) -> Frames:
        """Every table as a typed pandas DataFrame, fetched and parsed in parallel."""
        with ThreadPoolExecutor(min(len(tables), 4) or 1) as pool:
            return Frames(zip(tables, pool.map(self.table, tables), strict=True))

    def save(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write the result into ``folder`` as BookNLP's own files (``{book_id}.tokens``,
        ``.entities``, ``.quotes``, ``.supersense``, ``.book``, ``.book.html``); returns
        the files written (read them back with `booknlp_jupyter.read_output`)."""
        return save_job(self, folder)

    def book(self) -> Any:
        """The result as a `booknlp_jupyter.notebook.Book` (tables, plots, text view)."""
        from .notebook.book import Book

        return Book(self.frames(), job=self)

    def widget(self) -> Any:
        """This job's live progress widget (`booknlp_jupyter.notebook.progress`), made
        on first call; display it as often as you like. It follows the job from
        threads, so it keeps updating while other cells run."""
        from .notebook.progress import JobProgress

        if self._widget is None or self._widget.comm is None:
            self._widget = JobProgress(self)
        return self._widget
