"""``booknlp-jupyter serve`` (`ServerProcess`) and ``booknlp-jupyter worker``
(`RemoteWorker`) as real processes, with the repository's test engines importable
(``PYTHONPATH`` is the checkout)."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .processes import ROOT, ManagedProcess, free_port
from .waiting import wait_until

TEST_ENGINES = {"controlled": "tests.engines:ControlledEngine"}
FINAL = ("completed", "failed", "cancelled")

CONFIG = """
c.BookNLPApp.engines = {engines!r}
c.BookNLPApp.default_model = {default_model!r}
c.BookNLPApp.max_queue_size = {max_queue_size!r}
"""


def checkout_env(**extra: str) -> dict[str, str]:
    """This environment with the checkout first on ``PYTHONPATH`` (``tests.engines``)."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def _body(raw: bytes) -> Any:
    """JSON when it is JSON (anything else, e.g. a page served while starting, as text)."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


class ServerProcess(ManagedProcess):
    """``python -m booknlp_jupyter serve`` on a free loopback port; ready once
    ``GET /v1/ready`` answers 200. Its config file and log sit beside ``data_dir``."""

    name = "booknlp-jupyter serve"

    def __init__(
        self,
        data_dir: Path,
        token: str = "secret-token",
        port: int | None = None,
        engines: dict[str, str] | None = None,
        default_model: str = "test",
        max_queue_size: int = 10,
        extra_config: str = "",
    ):
        self.data_dir = Path(data_dir)
        self.token = token
        self.port = port or free_port()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.config = self.data_dir.parent / f"config-{self.port}.py"
        self.config.write_text(
            CONFIG.format(
                engines=TEST_ENGINES if engines is None else engines,
                default_model=default_model,
                max_queue_size=max_queue_size,
            )
            + extra_config
        )
        super().__init__(
            [
                sys.executable,
                "-m",
                "booknlp_jupyter",
                "serve",
                "--port",
                str(self.port),
                "--token",
                token,
                "--data-dir",
                str(self.data_dir),
                "--config",
                str(self.config),
            ],
            self.data_dir.parent / f"server-{self.port}.log",
            env=checkout_env(JUPYTER_PLATFORM_DIRS="1"),
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def ready(self) -> bool:
        return self.request("GET", "/ready")[0] == 200

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """``(status, JSON body)`` of one request, with the token (when there is one)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if self.token:
            req.add_header("Authorization", f"token {self.token}")
        req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, _body(r.read())
        except urllib.error.HTTPError as e:
            return e.code, _body(e.read())

    def status(self, job_id: str) -> dict[str, Any]:
        code, body = self.request("GET", f"/jobs/{job_id}")
        assert code == 200, body
        return body

    def wait(
        self, job_id: str, statuses: tuple[str, ...] = FINAL, timeout: float = 60
    ) -> dict[str, Any]:
        """The job's state once it is one of ``statuses``."""
        last: dict[str, Any] = {}

        def reached() -> dict[str, Any] | None:
            last.update(self.status(job_id))
            return dict(last) if last["status"] in statuses else None

        return wait_until(
            reached, timeout, lambda: f"job {job_id} to be {'/'.join(statuses)}, still {last}"
        )


class RemoteWorker(ManagedProcess):
    """``python -m booknlp_jupyter worker`` taking jobs from ``redis_url`` (``config``: a
    Jupyter config file naming its engines). Ready at once: the service's
    ``/jobs/stats`` says when it has registered."""

    name = "booknlp-jupyter worker"

    def __init__(self, redis_url: str, name: str, config: Path, log: Path):
        self.worker_name = name
        super().__init__(
            [
                sys.executable,
                "-m",
                "booknlp_jupyter",
                "worker",
                "--redis-url",
                redis_url,
                "--name",
                name,
                "--config",
                str(config),
            ],
            log,
            env=checkout_env(),
        )
