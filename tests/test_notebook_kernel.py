"""The notebook experience in a real Jupyter server with real kernels it launches:
discovery (server and JupyterHub variants, under a base_url), the magics, the live
widget's state messages while a job runs and after, cancel from the widget, ``await``.

`JupyterServer` and `Kernel` are reused by the other ``test_notebook_*`` modules.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .procs import ROOT, free_port, stop_group

BASE_URL = "/user/ada/"
TOKEN = "nb-token-123"


class JupyterServer:
    """``python -m jupyter server`` with the extension, a base_url, a token, and an
    isolated runtime dir (where kernels find it)."""

    def __init__(self, tmp: Path, base_url: str = BASE_URL, token: str = TOKEN,
                 default_model: str = "test", extra_config: str = ""):
        self.tmp, self.base_url, self.token = tmp, base_url, token
        self.port = free_port()
        self.runtime = tmp / "runtime"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("BOOKNLP_", "JUPYTERHUB_", "JPY_"))}
        self.env.update(JUPYTER_PLATFORM_DIRS="1", JUPYTER_RUNTIME_DIR=str(self.runtime),
                        PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
                        MPLBACKEND="agg")
        config = tmp / "jupyter_server_config.py"
        config.write_text(
            "c.ServerApp.jpserver_extensions = {'booknlp_jupyter': True}\n"
            "c.BookNLPApp.engines = {'controlled': 'tests.engines:ControlledEngine'}\n"
            f"c.BookNLPApp.default_model = {default_model!r}\n"
            f"c.BookNLPApp.data_dir = {str(tmp / 'jobs')!r}\n" + extra_config)
        self.args = [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root",
                     f"--port={self.port}", "--ServerApp.port_retries=0",
                     "--ServerApp.ip=127.0.0.1", f"--ServerApp.base_url={base_url}",
                     f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
                     f"--config={config}"]
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    @property
    def api(self) -> str:
        return self.url + "booknlp/v1"

    def request(self, method: str, path: str, body: Any = None) -> Any:
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def start(self, timeout: float = 90) -> JupyterServer:
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=open(  # noqa: SIM115
            self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                self.request("GET", "booknlp/v1/ready")
                return self
            except OSError:
                assert time.monotonic() < deadline, self.log.read_text()[-3000:]
                time.sleep(0.2)

    def kernel(self) -> Kernel:
        """A kernel started by this server (``POST /api/kernels``)."""
        kernel_id = self.request("POST", "api/kernels", {"name": "python3"})["id"]
        return Kernel(self.runtime / f"kernel-{kernel_id}.json")

    def stop(self) -> None:
        if self.proc:
            stop_group(self.proc)


class Kernel:
    """A client on a running kernel that records every iopub message it sends."""

    def __init__(self, connection_file: Path, manager: Any = None):
        from jupyter_client import BlockingKernelClient

        deadline = time.monotonic() + 30
        while not connection_file.exists():
            assert time.monotonic() < deadline, f"no {connection_file}"
            time.sleep(0.05)
        self.manager = manager
        self.kc = BlockingKernelClient(connection_file=str(connection_file))
        self.kc.load_connection_file()
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
        deadline = time.monotonic() + timeout
        while True:
            mine = [m for m in self.since() if m["parent_header"].get("msg_id") == msg_id]
            if any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                   for m in mine):
                break
            assert time.monotonic() < deadline, f"{code!r} did not finish: {mine[-3:]}"
            time.sleep(0.02)
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
        return [m["content"]["data"]["state"] for m in self.since(start)
                if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
                and m["content"]["data"].get("method") == "update"]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while not (found := predicate()):
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)
        return found

    def click(self, comm_id: str) -> None:
        """What a front end sends when a Button is clicked."""
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {
            "method": "custom", "content": {"event": "click"}}})
        self.kc.shell_channel.send(msg)

    def stop(self) -> None:
        self._stop.set()
        self.kc.stop_channels()
        if self.manager is not None:
            self.manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def jserver(tmp_path_factory) -> Iterator[JupyterServer]:
    server = JupyterServer(tmp_path_factory.mktemp("nbserver")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kernel(jserver) -> Iterator[Kernel]:
    kernel = jserver.kernel()
    yield kernel
    kernel.stop()


def gate_text(tmp: Path, name: str, words: str = "Mr Darcy met Elizabeth") -> tuple[str, Path]:
    gate = tmp / name
    return f"@gate {gate}\n@sleep 0.3\n{words}\n", gate


@pytest.mark.slow
def test_kernel_finds_its_server_under_a_base_url(kernel, jserver):
    out = kernel.run("from booknlp_jupyter import Client\nc = Client()\n"
                     f"print(c.url, c.token == {TOKEN!r}, c.ready()['ready'])")
    assert out.split() == [jserver.api, "True", "True"]


@pytest.mark.slow
def test_jupyterhub_variables_when_no_server_launched_the_kernel(jserver, tmp_path):
    from jupyter_client import KernelManager

    env = {k: v for k, v in jserver.env.items() if not k.startswith("JPY_")}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp_path / "elsewhere"),  # no server files there
               JUPYTERHUB_SERVICE_URL=f"http://:{jserver.port}{BASE_URL}",  # a bind URL
               JUPYTERHUB_API_TOKEN=TOKEN, JUPYTERHUB_SERVICE_PREFIX=BASE_URL)
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env)
    kernel = Kernel(Path(km.connection_file), manager=km)
    try:
        out = kernel.run("import os\nfrom booknlp_jupyter import Client\nc = Client()\n"
                         "print(os.environ.get('JPY_PARENT_PID') == "
                         f"'{jserver.proc.pid}')\n"
                         "print(c.url)\nprint(c.stats()['max_queue_size'])")
        assert out.split() == ["False", f"http://127.0.0.1:{jserver.port}{BASE_URL}booknlp/v1",
                               "10"]
        out = kernel.run("os.environ['JUPYTERHUB_API_TOKEN'] = 'wrong'\n"
                         "from booknlp_jupyter.client import BookNLPError\n"
                         "try:\n    Client().stats()\n"
                         "except BookNLPError as e:\n    print(e.status_code)")
        assert out.split() == ["403"]
    finally:
        kernel.stop()


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_ids(kernel: Kernel, var: str) -> dict[str, str]:
    out = kernel.run(f"_w = {var}.widget()\n"
                     "print(_w.model_id, _w.bar.model_id, _w.label.model_id, "
                     "_w.cancel_button.model_id)")
    return dict(zip(("box", "bar", "label", "cancel"), out.split(), strict=True))


def labels(kernel: Kernel, ids: dict[str, str], start: int = 0) -> list[str]:
    return [s["value"] for s in kernel.updates(ids["label"], start) if "value" in s]


@pytest.mark.slow
def test_submit_magic_widget_updates_while_the_kernel_works(kernel, jserver, tmp_path):
    text, gate = gate_text(tmp_path, "gate-a")
    kernel.run(f"%load_ext booknlp_jupyter\ntext = {text!r}")
    submitted = kernel.execute("job = %booknlp_submit text --book-id gated")
    assert not submitted["errors"], submitted["errors"]
    ids = widget_ids(kernel, "job")
    assert [d[WIDGET_VIEW]["model_id"] for d in submitted["displays"]] == [ids["box"]]
    # the job waits on its gate; the widget says so, from the event stream
    kernel.wait_for(lambda: any("running" in v and "waiting" in v for v in labels(kernel, ids)))
    started = time.monotonic()
    assert kernel.run("print(6 * 7)") == "42\n" and time.monotonic() - started < 5
    # a busy cell: the clock still moves (updates arrive between its busy and idle)
    mark = len(kernel.since())
    msg_id = kernel.kc.execute("import time; time.sleep(2.5)")
    kernel.wait_for(lambda: any(m["msg_type"] == "status" and m["content"]["execution_state"]
                                == "idle" and m["parent_header"].get("msg_id") == msg_id
                                for m in kernel.since(mark)))
    during = [m for m in kernel.since(mark) if m["msg_type"] == "comm_msg"
              and m["content"]["comm_id"] == ids["label"]]
    assert len(during) >= 2, "the widget stopped updating while a cell was busy"
    # the job finishes while no cell runs; the widget shows it
    mark = len(kernel.since())
    gate.touch()
    kernel.wait_for(lambda: any("completed" in v for v in labels(kernel, ids, mark)))
    bars = [s["value"] for s in kernel.updates(ids["bar"], 0) if "value" in s]
    assert bars == sorted(bars) and bars[-1] == 100
    assert any(s.get("bar_style") == "success" for s in kernel.updates(ids["bar"], mark))
    assert any(s.get("disabled") is True for s in kernel.updates(ids["cancel"], mark))
    final = [v for v in labels(kernel, ids) if "completed" in v][-1]
    assert "4 tokens" in final
    # await the handle; the result magic gives typed frames
    assert kernel.run("state = await job\nprint(state['status'], state['progress'])").split() \
        == ["completed", "100.0"]
    out = kernel.run("frames = %booknlp_result job\n"
                     "print(list(frames), list(frames.tokens.word))\n"
                     "print(frames.tokens.dtypes['byte_onset'], frames.quotes.dtypes['char_id'],"
                     " frames.tokens.dtypes['word'])")
    assert "['tokens', 'entities', 'quotes', 'characters', 'events', 'supersenses']" in out
    assert "['Mr', 'Darcy', 'met', 'Elizabeth']" in out
    assert out.splitlines()[1].split() == ["Int64", "Int64", "string"]


@pytest.mark.slow
def test_cell_magic_jobs_table_and_latest_result(kernel, jserver):
    out = kernel.execute("%%booknlp --book-id from-a-cell --name cj --no-widget\n"
                         "Jane walked with Bingley\n")
    assert not out["errors"] and not out["displays"]
    assert kernel.run("print(cj.wait()['status'])") == "completed\n"
    assert kernel.run("f = %booknlp_result\nprint(list(f.tokens.word))") \
        == "['Jane', 'walked', 'with', 'Bingley']\n"
    mark = len(kernel.since())
    out = kernel.execute("%booknlp_jobs --limit 5")
    assert not out["errors"], out["errors"]
    assert WIDGET_VIEW in out["results"][0]
    opened = [m["content"]["data"]["state"] for m in kernel.since(mark)
              if m["msg_type"] in ("comm_open", "comm_msg")]
    htmls = " ".join(str(s.get("value")) for s in opened if s.get("_model_name") == "HTMLModel")
    assert "from-a-cell" in htmls and "gated" in htmls and "completed" in htmls


@pytest.mark.slow
def test_cancel_from_the_widget_pending_then_running(kernel, jserver, tmp_path):
    text_a, gate_a = gate_text(tmp_path, "gate-run")
    text_b, _ = gate_text(tmp_path, "gate-never", "Nobody reads this")
    kernel.run(f"%load_ext booknlp_jupyter\nta, tb = {text_a!r}, {text_b!r}")
    kernel.run("a = %booknlp_submit ta --book-id run-then-cancel\n"
               "b = %booknlp_submit tb --book-id pending-then-cancel")
    ids_a, ids_b = widget_ids(kernel, "a"), widget_ids(kernel, "b")
    kernel.wait_for(lambda: any("queue position 1" in v for v in labels(kernel, ids_b)))
    kernel.wait_for(lambda: any("running" in v for v in labels(kernel, ids_a)))
    kernel.click(ids_b["cancel"])
    kernel.wait_for(lambda: any(v.startswith("<span class='booknlp-status'>cancelled")
                                for v in labels(kernel, ids_b)))
    job_b = kernel.run("print(b.job_id)").strip()
    assert jserver.request("GET", f"booknlp/v1/jobs/{job_b}")["status"] == "cancelled"
    assert not any("running" in v for v in labels(kernel, ids_b))
    kernel.click(ids_a["cancel"])  # running: the widget forces it
    kernel.wait_for(lambda: any("cancelled" in v for v in labels(kernel, ids_a)), timeout=60)
    job_a = kernel.run("print(a.job_id)").strip()
    assert jserver.request("GET", f"booknlp/v1/jobs/{job_a}")["status"] == "cancelled"
    gate_a.touch()
