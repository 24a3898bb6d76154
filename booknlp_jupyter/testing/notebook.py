"""A real Jupyter server with the extension (`JupyterServer`) and a client on a kernel it
launches that records every iopub message (`Kernel`)."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .processes import ROOT, ManagedProcess, free_port
from .waiting import wait_until

BASE_URL = "/user/ada/"
TOKEN = "nb-token-123"


class JupyterServer(ManagedProcess):
    """``python -m jupyter server`` with the extension, a base_url, a token, and an
    isolated runtime dir (where kernels find it); ready once the job API answers."""

    name = "jupyter server"
    start_timeout = 90

    def __init__(
        self,
        tmp: Path,
        base_url: str = BASE_URL,
        token: str = TOKEN,
        default_model: str = "test",
        extra_config: str = "",
    ):
        self.tmp, self.base_url, self.token = tmp, base_url, token
        self.port = free_port()
        self.runtime = tmp / "runtime"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BOOKNLP_", "JUPYTERHUB_", "JPY_"))
        }
        env.update(
            JUPYTER_PLATFORM_DIRS="1",
            JUPYTER_RUNTIME_DIR=str(self.runtime),
            PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
            MPLBACKEND="agg",
        )
        config = tmp / "jupyter_server_config.py"
        config.write_text(
            "c.ServerApp.jpserver_extensions = {'booknlp_jupyter': True}\n"
            "c.BookNLPApp.engines = {'controlled': 'tests.engines:ControlledEngine'}\n"
            f"c.BookNLPApp.default_model = {default_model!r}\n"
            f"c.BookNLPApp.data_dir = {str(tmp / 'jobs')!r}\n" + extra_config
        )
        args = [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            "--allow-root",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.base_url={base_url}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
            f"--config={config}",
        ]
        super().__init__(args, tmp / "server.log", env=env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    @property
    def api(self) -> str:
        return self.url + "booknlp/v1"

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """The JSON body of one request (an HTTP error raises)."""
        req = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def ready(self) -> bool:
        self.request("GET", "booknlp/v1/ready")
        return True

    def kernel(self) -> Kernel:
        """A kernel started by this server (``POST /api/kernels``)."""
        kernel_id = self.request("POST", "api/kernels", {"name": "python3"})["id"]
        return Kernel(self.runtime / f"kernel-{kernel_id}.json")


class Kernel:
    """A client on a running kernel that records every iopub message it sends."""

    def __init__(self, connection_file: Path, manager: Any = None):
        from jupyter_client import BlockingKernelClient

        wait_until(connection_file.exists, 30, f"{connection_file}")
        self.manager = manager
        self.kc = BlockingKernelClient(connection_file=str(connection_file))
        self.kc.load_connection_file()
        self.kc.hb_channel.time_to_dead = 5.0  # a busy machine can miss a 1 s heartbeat
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except Exception:
                continue
            with self._lock:
                self.messages.append(msg)

    def since(self, start: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages[start:])

    def execute(self, code: str, timeout: float = 60) -> dict[str, Any]:
        """Run ``code``; its stdout, results (text/plain), display data and errors."""
        msg_id = self.kc.execute(code)

        def finished() -> list[dict[str, Any]] | None:
            mine = [m for m in self.since() if m["parent_header"].get("msg_id") == msg_id]
            idle = any(
                m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                for m in mine
            )
            return mine if idle else None

        def unfinished() -> str:
            mine = [m for m in self.since() if m["parent_header"].get("msg_id") == msg_id]
            return f"{code!r} to finish: {mine[-3:]}"

        mine = wait_until(finished, timeout, unfinished, interval=0.02)
        out: dict[str, Any] = {"stdout": "", "results": [], "displays": [], "errors": []}
        for m in mine:
            kind, content = m["msg_type"], m["content"]
            if kind == "stream":
                out["stdout"] += content["text"]
            elif kind == "execute_result":
                out["results"].append(content["data"])
            elif kind == "display_data":
                out["displays"].append(content["data"])
            elif kind == "error":
                out["errors"].append("\n".join(content["traceback"]))
        return out

    def run(self, code: str, timeout: float = 60) -> str:
        """Run ``code``, fail on an error, return its stdout."""
        out = self.execute(code, timeout)
        assert not out["errors"], re.sub(r"\x1b\[[0-9;]*m", "", out["errors"][0])
        return out["stdout"]

    def updates(self, comm_id: str, start: int = 0) -> list[dict[str, Any]]:
        """The state updates the kernel sent for the widget with ``comm_id``."""
        return [
            m["content"]["data"]["state"]
            for m in self.since(start)
            if m["msg_type"] == "comm_msg"
            and m["content"]["comm_id"] == comm_id
            and m["content"]["data"].get("method") == "update"
        ]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30) -> Any:
        """What ``predicate`` returns once it is truthy."""
        return wait_until(predicate, timeout, "the kernel's messages")

    def click(self, comm_id: str) -> None:
        """What a front end sends when a Button is clicked."""
        msg = self.kc.session.msg(
            "comm_msg",
            {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}},
        )
        self.kc.shell_channel.send(msg)

    def stop(self) -> None:
        self._stop.set()
        self.kc.stop_channels()
        if self.manager is not None:
            self.manager.shutdown_kernel(now=True)
