"""Clients for the job API, sync and async, for notebooks and scripts.

    from booknlp_jupyter import Client
    client = Client()                       # finds the server (see `discover`)
    job = client.submit(text, model="lite")
    job.wait(progress=print)                # or, in a notebook cell: `await job`
    frames = job.frames()                   # typed pandas DataFrames, one per table

    async with AsyncClient() as client:     # the same, without blocking an event loop
        job = await client.submit(text)
        await job
        frames = await job.frames()
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from .results.schema import CHARACTERS, TABLES

FINAL = ("completed", "failed", "cancelled", "expired")
PREFIX = "booknlp/v1"
_SSE_TIMEOUT = httpx.Timeout(60, read=30)  # the server sends a keep-alive every 15 s


class BookNLPError(RuntimeError):
    """The API refused a request; ``status_code`` and ``detail`` say why."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"{status_code}: {detail}")
        self.status_code, self.detail = status_code, detail


def _local(url: str) -> str:
    """A bind address (``http://:8888/``, ``http://0.0.0.0:8888/``) as a loopback URL."""
    parts = urlsplit(url)
    if parts.hostname in (None, "", "0.0.0.0", "::", "*"):
        port = f":{parts.port}" if parts.port else ""
        parts = parts._replace(netloc=f"127.0.0.1{port}")
    return urlunsplit(parts)


def _api(server_url: str) -> str:
    return _local(server_url).rstrip("/") + "/" + os.environ.get("BOOKNLP_PREFIX", PREFIX)


def discover(token: str | None = None) -> tuple[str, str | None]:
    """Where the API is, and its token, tried in order:

    1. ``BOOKNLP_URL`` (the API itself, ending in ``/v1``) and ``BOOKNLP_TOKEN``;
    2. the Jupyter server that launched this kernel: ``JPY_PARENT_PID`` among the
       running servers' files (its ``url`` carries the ``base_url``);
    3. a JupyterHub single-user server: ``JUPYTERHUB_SERVICE_URL`` (its ``base_url``
       included, else ``JUPYTERHUB_SERVICE_PREFIX``) and ``JUPYTERHUB_API_TOKEN``;
    4. the only running Jupyter server on this machine.

    ``BOOKNLP_PREFIX`` (default ``booknlp/v1``) is the API's path below a server's URL.
    """
    env = os.environ
    if env.get("BOOKNLP_URL"):
        return env["BOOKNLP_URL"].rstrip("/"), token or env.get("BOOKNLP_TOKEN") or None
    tried = ["BOOKNLP_URL (not set)"]
    try:
        from jupyter_server.serverapp import list_running_servers

        servers = list(list_running_servers())
    except Exception:  # discovery is best effort
        servers = []
    parent = env.get("JPY_PARENT_PID")
    for info in servers:
        if parent and str(info.get("pid")) == parent:
            return _api(info["url"]), token or info.get("token") or None
    tried.append(f"the Jupyter server with pid JPY_PARENT_PID={parent or '(not set)'} "
                 f"({len(servers)} running)")
    hub = env.get("JUPYTERHUB_SERVICE_URL")
    if hub:
        if urlsplit(hub).path in ("", "/"):
            hub = hub.rstrip("/") + env.get("JUPYTERHUB_SERVICE_PREFIX", "/")
        return _api(hub), token or env.get("JUPYTERHUB_API_TOKEN") or None
    tried.append("JUPYTERHUB_SERVICE_URL (not set)")
    if len(servers) == 1:
        return _api(servers[0]["url"]), token or servers[0].get("token") or None
    tried.append(f"the only running Jupyter server ({len(servers)} found)")
    raise BookNLPError(0, "no BookNLP server found; tried " + ", ".join(tried)
                       + ". Set BOOKNLP_URL (e.g. http://127.0.0.1:8888/booknlp/v1) and "
                       "BOOKNLP_TOKEN, or pass Client(url=..., token=...).")


def _check(r: httpx.Response) -> httpx.Response:
    """``r``, or the `BookNLPError` its 4xx/5xx says (a streamed response's body must
    have been read first: see `_check_stream` and `_acheck_stream`)."""
    if r.status_code >= 400:
        try:
            detail = r.json().get("detail", r.text)
        except ValueError:
            detail = r.text
        except httpx.ResponseNotRead:
            detail = r.reason_phrase
        raise BookNLPError(r.status_code, str(detail))
    return r


def _check_stream(r: httpx.Response) -> httpx.Response:
    """`_check`, for a response opened with ``http.stream``: reads an error's body."""
    if r.status_code >= 400:
        r.read()
    return _check(r)


async def _acheck_stream(r: httpx.Response) -> httpx.Response:
    """`_check_stream`, for an `httpx.AsyncClient`'s stream."""
    if r.status_code >= 400:
        await r.aread()
    return _check(r)


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


def _sse_timeout(deadline: float | None) -> httpx.Timeout:
    """The event stream's timeouts, none beyond ``deadline``: a read waits at most until
    then (the keep-alives come every 15 s), so `wait` can keep its ``timeout``."""
    if deadline is None:
        return _SSE_TIMEOUT
    left = max(deadline - time.monotonic(), 0.01)
    return httpx.Timeout(min(60, left), read=min(30, left))


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _timed_out(job_id: str, last: dict[str, Any] | None, timeout: float | None
               ) -> TimeoutError:
    status = last["status"] if last else "not final"
    return TimeoutError(f"job {job_id} still {status} after {timeout}s")


def _body(text: str, model: str | None, pipeline: Sequence[str] | None,
          book_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if model:
        body["model"] = model
    if pipeline is not None:
        body["pipeline"] = list(pipeline)
    if book_id:
        body["book_id"] = book_id
    return body


def _sse_states(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if line.startswith("data:"):
            yield json.loads(line[5:])


#: Label columns, loaded as pandas categoricals (decoded from Parquet's dictionaries:
#: faster and smaller than strings); other text columns are ``string``, integers nullable.
CATEGORICAL: dict[str, list[str]] = {
    "tokens": ["POS_tag", "fine_POS_tag", "dependency_relation", "event"],
    "entities": ["prop", "cat"],
    "supersenses": ["supersense_category"],
}


def _frame(name: str, content: bytes) -> Any:
    """A table's response body (Parquet; characters: JSON) as a typed DataFrame."""
    import pandas as pd

    if name == CHARACTERS:
        import orjson

        chars = pd.DataFrame(orjson.loads(content))
        types = {"id": "Int64", "count": "Int64", "name": "string"}
        return chars.astype({k: v for k, v in types.items() if k in chars.columns})
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(content), read_dictionary=CATEGORICAL.get(name))
    return table.to_pandas(types_mapper=_nullable_types().get, self_destruct=True,
                           split_blocks=True)


def _nullable_types() -> dict[Any, Any]:
    import pandas as pd
    import pyarrow as pa

    return {pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
            pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
            pa.bool_(): pd.BooleanDtype(), pa.float64(): pd.Float64Dtype()}


def _table_params(name: str) -> dict[str, str]:
    return {} if name == CHARACTERS else {"format": "parquet"}


class Frames(dict[str, Any]):
    """A result's DataFrames by table name; also as attributes (``frames.tokens``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


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
    _check = staticmethod(_check)

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

    def ready(self, timeout: float = 120) -> dict[str, Any]:
        """Wait until the server's worker is up."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.http.get("/ready")
            if r.status_code == 200:
                return r.json()
            if time.monotonic() > deadline:
                raise BookNLPError(r.status_code, f"not ready after {timeout}s: {r.text}")
            time.sleep(0.5)

    def submit(self, text: str, *, model: str | None = None,
               pipeline: Sequence[str] | None = None, book_id: str | None = None) -> Job:
        """Queue ``text``; returns its `Job` at once."""
        r = _check(self.http.post("/jobs", json=_body(text, model, pipeline, book_id)))
        return Job(self, r.json()["job_id"])

    def job(self, job_id: str) -> Job:
        return Job(self, job_id)

    def jobs(self, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Jobs, newest first."""
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        return _check(self.http.get("/jobs", params=params)).json()["jobs"]

    def stats(self) -> dict[str, Any]:
        return _check(self.http.get("/jobs/stats")).json()

    def models(self) -> list[str]:
        """The model names the server's engines serve (default first)."""
        stats = self.stats()
        models = list(stats.get("models") or [])
        default = stats.get("default_model")
        return ([default] if default in models else []) + [m for m in models if m != default]


class Job:
    """A handle on one job. ``await job`` waits for it without blocking the event loop."""

    def __init__(self, client: Client, job_id: str):
        self.client, self.job_id = client, job_id
        self.last: dict[str, Any] | None = None
        self._widget: Any = None

    def __repr__(self) -> str:
        state = f" {self.last['status']}" if self.last else ""
        return f"<Job {self.job_id}{state}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and other.job_id == self.job_id

    def __hash__(self) -> int:
        return hash(self.job_id)

    @property
    def id(self) -> str:
        return self.job_id

    def status(self) -> dict[str, Any]:
        self.last = _check(self.client.http.get(f"/jobs/{self.job_id}")).json()
        return self.last

    def events(self) -> Iterator[dict[str, Any]]:
        """Each state from the job's event stream, until it is final (one stream)."""
        return self._events(None)

    def _events(self, deadline: float | None) -> Iterator[dict[str, Any]]:
        """`events`; stops (returns) once ``deadline`` passes, checked on every line the
        server sends (keep-alives included) and bounding each read."""
        with self.client.http.stream("GET", f"/jobs/{self.job_id}/events",
                                     timeout=_sse_timeout(deadline)) as r:
            _check_stream(r)
            for line in r.iter_lines():
                if line.startswith("data:"):
                    self.last = json.loads(line[5:])
                    yield self.last
                if _past(deadline):
                    return

    def wait(self, progress: Callable[[dict[str, Any]], None] | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """Follow the job's event stream until it is final; ``progress`` gets each state.
        After ``timeout`` seconds (if given) raises `TimeoutError`; the job goes on."""
        deadline = _deadline(timeout)
        while True:
            try:
                for state in self._events(deadline):
                    if progress:
                        progress(state)
                    if state["status"] in FINAL:
                        return state
            except httpx.TransportError:
                # the stream broke (proxy timeout, restart) or a read hit the deadline
                if not _past(deadline):
                    time.sleep(0.5)  # then look again
            state = self.status()
            if state["status"] in FINAL:
                return state
            if _past(deadline):
                raise _timed_out(self.job_id, state, timeout)

    async def wait_async(self, progress: Callable[[dict[str, Any]], None] | None = None,
                         timeout: float | None = None) -> dict[str, Any]:
        """`wait`, on the running event loop (as ``await job`` does)."""
        async with self.client.aio() as aio:
            job = AsyncJob(aio, self.job_id)
            try:
                final = await job.wait(progress, timeout)
            finally:
                self.last = job.last or self.last
        return final

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return self.wait_async().__await__()

    def cancel(self, force: bool = False) -> dict[str, Any]:
        """Cancel a pending job; ``force=True`` also stops a running one."""
        params = {"force": "true"} if force else None
        self.last = _check(
            self.client.http.delete(f"/jobs/{self.job_id}", params=params)).json()
        return self.last

    def result(self) -> dict[str, Any]:
        """The whole result as JSON (prefer `frames` for big books)."""
        return _check(self.client.http.get(f"/jobs/{self.job_id}/result")).json()

    def table(self, name: str) -> Any:
        """One table as a typed pandas DataFrame (Parquet; characters: JSON)."""
        r = self.client.http.get(f"/jobs/{self.job_id}/result/{name}",
                                 params=_table_params(name))
        return _frame(name, _check(r).content)

    def frames(self, tables: Sequence[str] = TABLES) -> Frames:
        """Every table as a typed pandas DataFrame, fetched and parsed in parallel."""
        with ThreadPoolExecutor(min(len(tables), 4) or 1) as pool:
            return Frames(zip(tables, pool.map(self.table, tables), strict=True))

    def book(self) -> Any:
        """The result as a `booknlp_jupyter.notebook.Book` (tables, plots, text view)."""
        from .notebook.book import Book

        return Book(self.frames(), job=self)

    def widget(self) -> Any:
        """This job's live progress widget (`booknlp_jupyter.notebook.progress`), made
        on first call; display it as often as you like."""
        from .notebook.progress import JobProgress

        if self._widget is None or self._widget.comm is None:
            self._widget = JobProgress(self)
        return self._widget


class AsyncClient:
    """`Client`, for asyncio: every call is a coroutine."""

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
        deadline = time.monotonic() + timeout
        while True:
            r = await self.http.get("/ready")
            if r.status_code == 200:
                return r.json()
            if time.monotonic() > deadline:
                raise BookNLPError(r.status_code, f"not ready after {timeout}s: {r.text}")
            await asyncio.sleep(0.5)

    async def submit(self, text: str, *, model: str | None = None,
                     pipeline: Sequence[str] | None = None,
                     book_id: str | None = None) -> AsyncJob:
        r = _check(await self.http.post("/jobs", json=_body(text, model, pipeline, book_id)))
        return AsyncJob(self, r.json()["job_id"])

    def job(self, job_id: str) -> AsyncJob:
        return AsyncJob(self, job_id)

    async def jobs(self, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        return _check(await self.http.get("/jobs", params=params)).json()["jobs"]

    async def stats(self) -> dict[str, Any]:
        return _check(await self.http.get("/jobs/stats")).json()


class AsyncJob:
    """`Job`, for asyncio. ``await job`` waits until it is final and returns its state."""

    def __init__(self, client: AsyncClient, job_id: str):
        self.client, self.job_id = client, job_id
        self.last: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"<AsyncJob {self.job_id}>"

    async def status(self) -> dict[str, Any]:
        self.last = _check(await self.client.http.get(f"/jobs/{self.job_id}")).json()
        return self.last

    def events(self) -> AsyncIterator[dict[str, Any]]:
        """Each state from the job's event stream, until it is final (one stream)."""
        return self._events(None)

    async def _events(self, deadline: float | None) -> AsyncIterator[dict[str, Any]]:
        """`events`; stops once ``deadline`` passes (see `Job._events`)."""
        async with self.client.http.stream("GET", f"/jobs/{self.job_id}/events",
                                           timeout=_sse_timeout(deadline)) as r:
            await _acheck_stream(r)
            async for line in r.aiter_lines():
                if line.startswith("data:"):
                    self.last = json.loads(line[5:])
                    yield self.last
                if _past(deadline):
                    return

    async def wait(self, progress: Callable[[dict[str, Any]], None] | None = None,
                   timeout: float | None = None) -> dict[str, Any]:
        """`Job.wait`: until the job is final, or `TimeoutError` after ``timeout`` s."""
        deadline = _deadline(timeout)
        while True:
            try:
                async with aclosing(self._events(deadline)) as states:
                    async for state in states:
                        if progress:
                            progress(state)
                        if state["status"] in FINAL:
                            return state
            except httpx.TransportError:
                if not _past(deadline):
                    await asyncio.sleep(0.5)
            state = await self.status()
            if state["status"] in FINAL:
                return state
            if _past(deadline):
                raise _timed_out(self.job_id, state, timeout)

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return self.wait().__await__()

    async def cancel(self, force: bool = False) -> dict[str, Any]:
        params = {"force": "true"} if force else None
        r = await self.client.http.delete(f"/jobs/{self.job_id}", params=params)
        self.last = _check(r).json()
        return self.last

    async def result(self) -> dict[str, Any]:
        return _check(await self.client.http.get(f"/jobs/{self.job_id}/result")).json()

    async def table(self, name: str) -> Any:
        r = await self.client.http.get(f"/jobs/{self.job_id}/result/{name}",
                                       params=_table_params(name))
        return await asyncio.to_thread(_frame, name, _check(r).content)

    async def frames(self, tables: Sequence[str] = TABLES) -> Frames:
        """Every table as a typed DataFrame: fetched concurrently, parsed in threads."""
        found = await asyncio.gather(*(self.table(name) for name in tables))
        return Frames(zip(tables, found, strict=True))
