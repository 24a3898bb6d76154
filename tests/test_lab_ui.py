"""Browser tests of the JupyterLab panel (``labextension/``).

Builds the TypeScript extension (``jlpm``), starts a real JupyterLab with it and the
job API (the real ``lite`` engine plus the controlled test engine), and runs the
Playwright tests in ``labextension/ui-tests`` in Debian's Chromium against it: a real
browser, a real server, a real kernel. Screenshots of every step are kept in
``labextension/ui-tests/artifacts/``.

Needs node (>= 18) and ``/usr/bin/chromium`` (``apt-get install chromium``); without
them the tests skip, unless ``BOOKNLP_REQUIRE_BROWSER=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .lab_engines import MISSING_REASON
from .procs import free_port, stop_group

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "labextension"
UI = LAB / "ui-tests"
DIST = LAB / "lab-dist"
ARTIFACTS = UI / "artifacts"
CHROMIUM = os.environ.get("BOOKNLP_CHROMIUM", "/usr/bin/chromium")
FIXTURES = ROOT / "tests" / "fixtures"


def _missing() -> str | None:
    if not shutil.which("node"):
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not _jlpm():
        return "jlpm (from jupyter_builder / jupyterlab) is not installed"
    return None


def _jlpm() -> str | None:
    local = Path(sys.executable).parent / "jlpm"
    return str(local) if local.exists() else shutil.which("jlpm")


def _newest(paths: list[Path]) -> float:
    times = [
        p.stat().st_mtime
        for base in paths
        for p in ([base] if base.is_file() else base.rglob("*"))
        if p.is_file()
    ]
    return max(times, default=0.0)


def _run(cmd: list[str], cwd: Path, timeout: float) -> None:
    env = {
        **os.environ,
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode:
        raise RuntimeError(
            f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )


def ensure_built() -> None:
    """Install the npm packages (from the committed lockfiles) and build the
    extension when its sources are newer than the last build."""
    jlpm = _jlpm()
    assert jlpm
    for pkg in (LAB, UI):
        state = pkg / "node_modules" / ".yarn-state.yml"
        if (
            not state.exists()
            or _newest([pkg / "package.json", pkg / "yarn.lock"]) > state.stat().st_mtime
        ):
            _run([jlpm, "install", "--immutable"], pkg, timeout=600)
    built = DIST / "booknlp-jupyter-lab" / "package.json"
    sources = [LAB / "src", LAB / "style", LAB / "package.json", LAB / "tsconfig.json"]
    if not built.exists() or _newest(sources) > built.stat().st_mtime:
        _run([jlpm, "build:prod"], LAB, timeout=600)


SERVER_CONFIG = """
c.ServerApp.jpserver_extensions = {{"booknlp_jupyter": True}}
c.LabApp.extra_labextensions_path = [{dist!r}]
c.LabApp.expose_app_in_browser = True
c.LabApp.workspaces_dir = {workspaces!r}
c.LabApp.user_settings_dir = {settings!r}
c.BookNLPApp.data_dir = {data!r}
c.BookNLPApp.default_model = "lite"
c.BookNLPApp.engines = {{
    "controlled": "tests.engines:ControlledEngine",
    "broken": "tests.lab_engines:BrokenEngine",
    "missing": "tests.lab_engines:MissingEngine",
}}
"""

# broken.txt's text is the error the `broken` engine fails with, every line of it.
BROKEN_TEXT = """The tagger could not start.
  File "engine.py", line 12, in run
    raise RuntimeError(text)
Fix: install the model files, then submit again.
"""

# No news/update toasts over the panel while the tests take screenshots.
NOTIFICATION_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}


class LabServer:
    """``jupyter lab`` on a free loopback port, in its own process group, with its
    own config, runtime, data and settings directories."""

    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.root = base / "root"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = base / "lab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def prepare(self) -> None:
        for name in ("root", "config", "runtime", "data", "workspaces", "settings"):
            (self.base / name).mkdir(parents=True, exist_ok=True)
        notif = self.base / "settings" / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True)
        (notif / "notification.jupyterlab-settings").write_text(json.dumps(NOTIFICATION_SETTINGS))
        (self.base / "config" / "jupyter_server_config.py").write_text(
            SERVER_CONFIG.format(
                dist=str(DIST),
                workspaces=str(self.base / "workspaces"),
                settings=str(self.base / "settings"),
                data=str(self.base / "jobs"),
            )
        )
        shutil.copy(FIXTURES / "usher.txt", self.root / "usher.txt")
        gate = self.base / "gate"
        (self.root / "held.txt").write_text(f"@gate {gate}\nHeld by a gate until stopped.\n")
        (self.root / "queued.txt").write_text("Waiting behind the held book.\n")
        (self.root / "broken.txt").write_text(BROKEN_TEXT)

    def start(self, timeout: float = 120) -> LabServer:
        self.prepare()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "JUPYTER_PLATFORM_DIRS": "1",
            "JUPYTER_CONFIG_DIR": str(self.base / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.base / "runtime"),
            "JUPYTER_DATA_DIR": str(self.base / "data"),
        }
        for var in ("BOOKNLP_URL", "BOOKNLP_TOKEN"):  # the kernel must discover the server
            env.pop(var, None)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                "--allow-root",
                f"--port={self.port}",
                "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root}",
            ],
            cwd=self.base,
            env=env,
            stdout=open(self.log, "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{self.log.read_text()[-4000:]}")
            try:
                req = urllib.request.Request(
                    f"{self.url}booknlp/v1/ready", headers={"Authorization": f"token {self.token}"}
                )
                with urllib.request.urlopen(req, timeout=5) as r:
                    if r.status == 200:
                        return self
            except (OSError, urllib.error.HTTPError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyter lab not ready:\n{self.log.read_text()[-4000:]}")

    def stop(self) -> None:
        if self.proc:
            stop_group(self.proc)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[LabServer]:
    missing = _missing()
    if missing:
        if os.environ.get("BOOKNLP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {missing}")
        pytest.skip(missing)
    ensure_built()
    server = LabServer(tmp_path_factory.mktemp("lab")).start()
    try:
        yield server
    finally:
        server.stop()
        if ARTIFACTS.exists():
            shutil.copy(server.log, ARTIFACTS / "lab.log")


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_lab_panel_in_chromium(lab: LabServer) -> None:
    """The Playwright suite (labextension/ui-tests/tests/*.spec.ts) passes in Chromium."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    env = {
        **os.environ,
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "BOOKNLP_LAB_URL": lab.url,
        "BOOKNLP_LAB_TOKEN": lab.token,
        "BOOKNLP_LAB_GATE": str(lab.base / "gate"),
        "BOOKNLP_CHROMIUM": CHROMIUM,
        "BOOKNLP_ARTIFACTS": str(ARTIFACTS),
        "BOOKNLP_BROKEN_TEXT": BROKEN_TEXT.strip(),
        "BOOKNLP_MISSING_REASON": MISSING_REASON,
    }
    proc = subprocess.run(
        [str(UI / "node_modules" / ".bin" / "playwright"), "test", "--reporter=list"],
        cwd=UI,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    (ARTIFACTS / "playwright.log").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, (
        f"Playwright failed (screenshots in {ARTIFACTS}):\n{proc.stdout[-8000:]}\n"
        f"{proc.stderr[-3000:]}\n--- lab log ---\n{lab.log.read_text()[-3000:]}"
    )
    shots = sorted(p.name for p in ARTIFACTS.glob("*.png"))
    assert len(shots) >= 8, shots


def test_lab_unit_tests() -> None:
    """The TypeScript unit tests (labextension/test, node's test runner)."""
    missing = _missing()
    if missing == "node is not installed" or not _jlpm():
        pytest.skip(missing or "jlpm missing")
    jlpm = _jlpm()
    assert jlpm
    if not (LAB / "node_modules" / ".yarn-state.yml").exists():
        _run([jlpm, "install", "--immutable"], LAB, timeout=600)
    _run([jlpm, "test"], LAB, timeout=300)
