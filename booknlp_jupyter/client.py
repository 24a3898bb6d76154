"""A small synchronous client for the job API, for notebooks and scripts.

    from booknlp_jupyter.client import Client
    client = Client()                       # finds the server (see `Client.discover`)
    job = client.submit(text, model="lite")
    job.wait(progress=print)
    frames = job.frames()                   # pandas DataFrames, one per table

The notebook experience (magics, widgets, async handles) builds on this.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from .results.schema import TABLES

FINAL = ("completed", "failed", "cancelled", "expired")


class BookNLPError(RuntimeError):
    """The API refused a request; ``status_code`` and ``detail`` say why."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"{status_code}: {detail}")
        self.status_code, self.detail = status_code, detail


class Client:
    """The job API at ``url`` (ending in ``/v1``), authenticated with ``token``."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 60):
        if url is None:
            url, token = self.discover(token)
        self.url = url.rstrip("/")
        headers = {"Authorization": f"token {token}"} if token else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    @staticmethod
    def discover(token: str | None = None) -> tuple[str, str | None]:
        """Where the API is, tried in order: ``BOOKNLP_URL`` (+ ``BOOKNLP_TOKEN``); the
        Jupyter server that launched this kernel (``JPY_PARENT_PID`` among the running
        servers); a JupyterHub single-user server (``JUPYTERHUB_SERVICE_URL``,
        ``JUPYTERHUB_API_TOKEN``); the only running Jupyter server on this machine."""
        env = os.environ
        if env.get("BOOKNLP_URL"):
            return env["BOOKNLP_URL"], token or env.get("BOOKNLP_TOKEN")
        tried = ["BOOKNLP_URL (not set)"]
        try:
            from jupyter_server.serverapp import list_running_servers

            servers = list(list_running_servers())
        except Exception:  # discovery is best effort
            servers = []
        parent = env.get("JPY_PARENT_PID")
        for info in servers:
            if parent and str(info.get("pid")) == parent:
                return info["url"].rstrip("/") + "/booknlp/v1", token or info.get("token")
        tried.append(f"the server with pid JPY_PARENT_PID={parent or '(not set)'}")
        if env.get("JUPYTERHUB_SERVICE_URL"):
            url = env["JUPYTERHUB_SERVICE_URL"].rstrip("/") + "/booknlp/v1"
            return url, token or env.get("JUPYTERHUB_API_TOKEN")
        tried.append("JUPYTERHUB_SERVICE_URL (not set)")
        if len(servers) == 1:
            info = servers[0]
            return info["url"].rstrip("/") + "/booknlp/v1", token or info.get("token")
        tried.append(f"the only running Jupyter server ({len(servers)} found)")
        raise BookNLPError(0, "no BookNLP server found; tried " + ", ".join(tried)
                           + ". Set BOOKNLP_URL (and BOOKNLP_TOKEN) or pass url= and token=.")

    def _check(self, r: httpx.Response) -> httpx.Response:
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            raise BookNLPError(r.status_code, detail)
        return r

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
        body: dict[str, Any] = {"text": text}
        if model:
            body["model"] = model
        if pipeline is not None:
            body["pipeline"] = list(pipeline)
        if book_id:
            body["book_id"] = book_id
        return Job(self, self._check(self.http.post("/jobs", json=body)).json()["job_id"])

    def job(self, job_id: str) -> Job:
        return Job(self, job_id)

    def jobs(self, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if status:
            params["status"] = status
        return self._check(self.http.get("/jobs", params=params)).json()["jobs"]

    def stats(self) -> dict[str, Any]:
        return self._check(self.http.get("/jobs/stats")).json()


class Job:
    """A handle on one job."""

    def __init__(self, client: Client, job_id: str):
        self.client, self.job_id = client, job_id

    def __repr__(self) -> str:
        return f"<Job {self.job_id}>"

    def status(self) -> dict[str, Any]:
        return self.client._check(self.client.http.get(f"/jobs/{self.job_id}")).json()

    def wait(self, progress: Callable[[dict[str, Any]], None] | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """Follow the job's event stream until it is final; ``progress`` gets each state."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                with self.client.http.stream("GET", f"/jobs/{self.job_id}/events",
                                             timeout=httpx.Timeout(60, read=30)) as r:
                    self.client._check(r)
                    for line in r.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        state = json.loads(line[5:])
                        if progress:
                            progress(state)
                        if state["status"] in FINAL:
                            return state
            except httpx.TransportError:
                pass  # the stream broke (proxy timeout, restart): look again
            state = self.status()
            if state["status"] in FINAL:
                return state
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.job_id} still {state['status']}")

    def cancel(self, force: bool = False) -> dict[str, Any]:
        params = {"force": "true"} if force else None
        return self.client._check(
            self.client.http.delete(f"/jobs/{self.job_id}", params=params)).json()

    def result(self) -> dict[str, Any]:
        """The whole result as JSON (prefer `frames` for big books)."""
        return self.client._check(self.client.http.get(f"/jobs/{self.job_id}/result")).json()

    def table(self, name: str) -> Any:
        """One table as a pandas DataFrame, fetched as Parquet (characters: from JSON)."""
        import pandas as pd

        if name == "characters":
            r = self.client._check(
                self.client.http.get(f"/jobs/{self.job_id}/result/characters"))
            return pd.DataFrame(r.json())
        r = self.client._check(self.client.http.get(
            f"/jobs/{self.job_id}/result/{name}", params={"format": "parquet"}))
        return pd.read_parquet(io.BytesIO(r.content), dtype_backend="numpy_nullable")

    def frames(self) -> dict[str, Any]:
        """Every table as a typed pandas DataFrame."""
        return {name: self.table(name) for name in TABLES}
