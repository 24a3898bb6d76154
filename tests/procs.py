"""Real server processes for tests: ``booknlp-jupyter serve`` on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """
c.BookNLPApp.engines = {engines!r}
c.BookNLPApp.default_model = {default_model!r}
c.BookNLPApp.max_queue_size = {max_queue_size!r}
"""


def _body(raw: bytes) -> Any:
    """JSON when it is JSON (anything else, e.g. a page served while starting, as text)."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM a process started with ``start_new_session=True`` and all its children;
    SIGKILL them if they are not gone within ``timeout`` seconds."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``python -m booknlp_jupyter serve`` in its own process group."""

    def __init__(self, data_dir: Path, token: str = "secret-token", port: int | None = None,
                 engines: dict[str, str] | None = None, default_model: str = "test",
                 max_queue_size: int = 10, extra_config: str = ""):
        self.data_dir = Path(data_dir)
        self.token = token
        self.port = port or free_port()
        self.config = self.data_dir.parent / f"config-{self.port}.py"
        self.config.write_text(CONFIG.format(
            engines=engines or {"controlled": "tests.engines:ControlledEngine"},
            default_model=default_model, max_queue_size=max_queue_size) + extra_config)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.data_dir.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 60) -> ServerProcess:
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               "JUPYTER_PLATFORM_DIRS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "booknlp_jupyter", "serve", "--port", str(self.port),
             "--token", self.token, "--data-dir", str(self.data_dir), "--config",
             str(self.config)],
            cwd=ROOT, env=env, stdout=open(self.log, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                code, _ = self.request("GET", "/ready")
                if code == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log.read_text()[-3000:]}")

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
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

    def wait(self, job_id: str, statuses=("completed", "failed", "cancelled"),
             timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            code, body = self.request("GET", f"/jobs/{job_id}")
            assert code == 200, body
            if body["status"] in statuses:
                return body
            assert time.monotonic() < deadline, f"{job_id} still {body['status']}"
            time.sleep(0.05)

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
