"""``booknlp-jupyter serve``: the spec's own examples run unchanged, and schemathesis
finds no server error and no response outside the OpenAPI document."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .procs import ROOT, ServerProcess, free_port

SPEC = Path(__file__).parent / "fixtures" / "async-api.md"
ENGINES = {
    "controlled": "tests.engines:ControlledEngine",
    "stand-in": "tests.engines:StandInEngine",
}


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.S)


def _port_8000_free() -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 8000))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    """A server without a token (``--token ''``) on port 8000, as the spec's examples expect."""
    port = 8000 if _port_8000_free() else free_port()
    server = ServerProcess(
        tmp_path_factory.mktemp("open") / "data",
        token="",
        port=port,
        engines=ENGINES,
        default_model="small",
    ).start()
    yield server
    server.stop()


def _unchanged(code: str, server: ServerProcess) -> str:
    """The example as written; only the port moves if 8000 was taken."""
    return code.replace("localhost:8000", f"localhost:{server.port}")


@pytest.mark.slow
def test_spec_python_example_runs_unchanged(open_server):
    (code,) = [b for b in _blocks("python") if "asyncio.run" in b]
    out = subprocess.run(
        [sys.executable, "-c", _unchanged(code, open_server)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "Progress:" in out.stdout and re.search(r"Found \d+ entities", out.stdout)


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl, jq")
def test_spec_curl_example_runs_unchanged(open_server):
    (code,) = _blocks("bash")
    out = subprocess.run(
        ["bash", "-c", _unchanged(code, open_server)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert '"status": "completed"' in out.stdout and '"tokens"' in out.stdout


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_spec_javascript_example_runs_unchanged(open_server, tmp_path):
    (code,) = _blocks("javascript")
    script = tmp_path / "example.mjs"
    # The example uses a variable it never defines; define it, change nothing else.
    script.write_text(
        'const largeDocumentText = "Call me Ishmael. Some years ago";\n'
        + _unchanged(code, open_server)
    )
    out = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert re.search(r"Found \d+ entities", out.stdout), out.stdout + out.stderr


@pytest.mark.slow
def test_standalone_requires_a_token(tmp_path):
    server = ServerProcess(tmp_path / "data", token="t0k3n", engines=ENGINES).start()
    try:
        server.token = ""
        assert server.request("GET", "/jobs/stats")[0] == 403
        server.token = "t0k3n"
        assert server.request("GET", "/jobs/stats")[0] == 200
        base = f"http://127.0.0.1:{server.port}"
        headers = {"Authorization": "token t0k3n"}
        for method, path in [
            ("GET", "/api/kernels"),
            ("POST", "/api/kernels"),
            ("GET", "/api/contents"),
            ("GET", "/api/sessions"),
            ("GET", "/api/terminals"),
        ]:
            r = httpx.request(method, base + path, headers=headers, json={}, timeout=10)
            assert r.status_code in (403, 404), (method, path, r.status_code)
            assert r.status_code == 403 or "terminals" in path
        assert httpx.get(base + "/api/status", headers=headers, timeout=10).status_code == 200
    finally:
        server.stop()


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(tmp_path):
    server = ServerProcess(
        tmp_path / "data", token="fuzz", engines=ENGINES, default_model="small", max_queue_size=1000
    ).start()
    try:
        out = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{server.url}/openapi.json",
                "--header",
                "Authorization: token fuzz",
                "--checks",
                "not_a_server_error,status_code_conformance,"
                "content_type_conformance,response_schema_conformance,"
                "response_headers_conformance",
                "--max-examples",
                "40",
                "--workers",
                "1",
                "--no-color",
                "--exclude-path",
                "/jobs/{job_id}/events",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
        )
        assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    finally:
        server.stop()
