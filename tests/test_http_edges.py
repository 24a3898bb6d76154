"""The HTTP edge: bodies refused before they are read and capped while they stream in
(peak RSS of a real server process), probes without credentials, HEAD, and how an
expected 503 is logged."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer

from booknlp_jupyter.jobs import JobService
from booknlp_jupyter.server.body import max_body_bytes

from .procs import ServerProcess
from .raw_http import MB, frame, head, parse, pieces, raw_request

SMALL_CAP = 200_000


@pytest.fixture
def token(jp_serverapp) -> str:
    return jp_serverapp.identity_provider.token


@pytest.fixture
def small_cap(jp_serverapp):
    """The body cap the extension's settings give (``booknlp_max_body_bytes``), small."""
    jp_serverapp.web_app.settings["booknlp_max_body_bytes"] = SMALL_CAP
    return SMALL_CAP


# -- item 8: bodies --


def test_cap_follows_max_document_size():
    assert max_body_bytes({}) == 5_000_000 * 6 + 64 * 1024
    assert max_body_bytes({"booknlp_max_document_size": 1000}) == 6000 + 64 * 1024
    assert max_body_bytes({"booknlp_max_body_bytes": 123, "booknlp_max_document_size": 9}) == 123
    escaped = json.dumps({"text": "\u00e9" * 1000})  # ensure_ascii: 6 bytes a character
    assert len(escaped) <= max_body_bytes({"booknlp_max_document_size": 1000})


@pytest.mark.parametrize("path", ["jobs", "analyze"])
async def test_oversize_content_length_is_413_json_before_the_body(
    api, jp_http_port, jp_base_url, token, path
):
    """600 MB declared, not a byte sent: the answer comes at once, as JSON; past tornado's
    own max_body_size too (it would answer a bare 400)."""
    url = f"{jp_base_url.rstrip('/')}/booknlp/v1/{path}"
    headers = {"Content-Type": "application/json", "Content-Length": str(600 * MB)}
    codes, h, body = await raw_request(
        jp_http_port, "POST", url, {**headers, "Authorization": f"token {token}"}
    )
    assert codes == [413] and h["content-type"] == "application/json"
    detail = json.loads(body)["detail"]
    assert f"{600 * MB:,} bytes" in detail and f"{max_body_bytes({}):,}" in detail
    codes, _, body = await raw_request(jp_http_port, "POST", url, headers)  # no token
    assert codes == [403]
    assert json.loads(body)["detail"].startswith("authentication is required")
    # a client that waits for "100 Continue" is told 413 instead, and sends nothing
    codes, _, _ = await raw_request(
        jp_http_port,
        "POST",
        url,
        {**headers, "Authorization": f"token {token}", "Expect": "100-continue"},
    )
    assert codes == [413]


async def test_chunked_body_past_the_cap_is_413(api, jp_http_port, jp_base_url, token, small_cap):
    url = f"{jp_base_url.rstrip('/')}/booknlp/v1/jobs"
    auth = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    codes, h, body = await raw_request(
        jp_http_port, "POST", url, auth, chunks=[b" " * 65536] * 64, chunked=True
    )  # 4 MB
    assert codes == [413] and h["content-type"] == "application/json"
    assert f"up to {small_cap:,} bytes" in json.loads(body)["detail"]
    codes, _, _ = await raw_request(
        jp_http_port, "POST", url, {**auth, "Content-Length": str(small_cap + 1)}
    )
    assert codes == [413]  # declared: refused before reading
    # a body under the cap, chunked or not, is read whole and submitted
    text = "Streamed in pièces, déjà vu. " * 2000  # pieces split UTF-8 characters
    data = json.dumps({"text": text}, ensure_ascii=False).encode()
    assert len(data) < small_cap
    codes, _, body = await raw_request(
        jp_http_port, "POST", url, auth, chunks=pieces(data, 1001), chunked=True
    )
    assert codes[-1] in (200, 202), body
    job = await api.wait(json.loads(body)["job_id"])
    assert job["status"] == "completed" and job["token_count"] == len(text.split())
    codes, _, body = await raw_request(
        jp_http_port,
        "POST",
        url,
        {**auth, "Content-Length": str(len(data))},
        chunks=pieces(data, 7000),
    )
    assert codes[-1] in (200, 202), body


async def test_invalid_bodies_still_say_what_is_wrong(api):
    code, body = await api.json("POST", "jobs", body='{"text": ')
    assert code == 400 and "invalid JSON" in body["detail"]
    code, body = await api.json("POST", "jobs", body="")
    assert code == 400


# -- item 6: probes and credentials --


async def test_health_answers_without_credentials_and_tells_nothing_else(
    api, http_server_client, jp_base_url
):
    url = jp_base_url.rstrip("/") + "/booknlp/v1/health"
    r = await http_server_client.fetch(url, raise_error=False)
    assert r.code == 200 and json.loads(r.body) == {"status": "ok"}
    wrong = await http_server_client.fetch(
        url, raise_error=False, headers={"Authorization": "token wrong"}
    )
    assert wrong.code == 200 and json.loads(wrong.body) == {"status": "ok"}


async def test_ready_without_credentials_tells_only_ready(api, http_server_client, jp_base_url):
    url = jp_base_url.rstrip("/") + "/booknlp/v1/ready"
    r = await http_server_client.fetch(url, raise_error=False)
    assert r.code == 200 and json.loads(r.body) == {"ready": True}
    code, full = await api.json("GET", "ready")  # with the token: the details
    assert code == 200 and full["ready"] and "test" in full["models"] and full["workers"]


class NeverReady(JobService):
    """The real service, whose workers never come up."""

    @property
    def ready(self) -> bool:
        return False


@pytest.mark.parametrize("booknlp_overrides", [{"service_class": NeverReady}])
async def test_not_ready_is_503_without_details(
    jp_fetch, http_server_client, jp_base_url, booknlp_overrides
):
    r = await http_server_client.fetch(
        jp_base_url.rstrip("/") + "/booknlp/v1/ready", raise_error=False
    )
    assert r.code == 503 and json.loads(r.body) == {"ready": False}
    assert r.headers["Retry-After"]
    full = await jp_fetch("booknlp", "v1", "ready", raise_error=False)
    assert full.code == 503 and "models" in json.loads(full.body)


@pytest.mark.parametrize("path", ["jobs", "analyze"])
async def test_post_without_credentials_says_authentication_is_required(
    api, http_server_client, jp_base_url, path
):
    r = await http_server_client.fetch(
        f"{jp_base_url.rstrip('/')}/booknlp/v1/{path}",
        method="POST",
        raise_error=False,
        body=json.dumps({"text": "no token"}),
        headers={"Content-Type": "application/json"},
    )
    detail = json.loads(r.body)["detail"]
    assert r.code == 403 and detail.startswith("authentication is required")
    assert "_xsrf" not in detail


class DenyBookNLP(Authorizer):
    """Lets the user in, but not to ``booknlp``."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource != "booknlp"


@pytest.mark.parametrize("server_overrides", [{"authorizer_class": DenyBookNLP}])
async def test_unauthorized_users_get_the_probes_answers_only(jp_fetch, server_overrides):
    r = await jp_fetch("booknlp", "v1", "ready", raise_error=False)
    assert set(json.loads(r.body)) == {"ready"}
    r = await jp_fetch("booknlp", "v1", "health", raise_error=False)
    assert json.loads(r.body) == {"status": "ok"}
    r = await jp_fetch(
        "booknlp", "v1", "jobs", method="POST", raise_error=False, body=json.dumps({"text": "hi"})
    )
    assert r.code == 403 and "not authorized" in json.loads(r.body)["detail"]


# -- item 12: HEAD, logging --

_SAME = (
    "content-type",
    "etag",
    "cache-control",
    "x-row-count",
    "content-disposition",
    "vary",
    "content-encoding",
    "retry-after",
    "content-length",
)


async def test_head_answers_like_get_without_a_body(api, gate):
    job = await api.submit("Call me Ishmael.")
    job_id = job["job_id"]
    await api.wait(job_id)
    paths = [
        ("jobs",),
        ("jobs", "stats"),
        ("jobs", job_id),
        ("jobs", job_id, "result"),
        ("jobs", job_id, "result", "tokens"),
        ("jobs", job_id, "events"),
        ("jobs", "missing"),
        ("health",),
        ("ready",),
        ("openapi.json",),
    ]
    for path in [*paths, ("jobs", job_id, "result", "tokens?format=csv")]:
        p, _, q = path[-1].partition("?")
        parts = (*path[:-1], p)
        params = dict([q.split("=")]) if q else None
        get = await api.call("GET", *parts, params=params)
        head = await api.call("HEAD", *parts, params=params)
        again = await api.call("GET", *parts, params=params)
        assert head.code == get.code, path
        assert head.body == b"" and get.body, path
        for name in _SAME:
            if name == "content-length" and "content-length" not in get.headers:
                continue  # a streamed GET: no length known before it ends
            if name in ("etag", "content-length") and again.body != get.body:
                continue  # the content itself changes (stats: uptime)
            assert head.headers.get(name) == get.headers.get(name), (path, name)
    # an event stream of a running job: HEAD answers at once, not when the job ends
    running = await api.submit(f"{gate.directive}\nstill running")
    started = time.monotonic()
    head = await api.call("HEAD", "jobs", running["job_id"], "events")
    assert head.code == 200 and head.headers["Content-Type"] == "text/event-stream"
    assert time.monotonic() - started < 5
    gate.open()


@pytest.mark.parametrize("booknlp_overrides", [{"max_queue_size": 1}])
async def test_queue_full_503_is_one_warning_line(api, gate, caplog):
    running = await api.submit(f"{gate.directive}\nrunning")
    await api.wait(running["job_id"], statuses=("running",))
    await api.submit("pending")
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        r = await api.call("POST", "jobs", body={"text": "one too many"})
        assert r.code == 503 and "full" in json.loads(r.body)["detail"]
        await asyncio.sleep(0.05)
    mine = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert [rec.levelname for rec in mine] == ["WARNING"], [rec.getMessage() for rec in mine]
    assert mine[0].getMessage().startswith("503 POST /") and "\n" not in mine[0].getMessage()
    gate.open()


# -- a real server process: peak RSS while 300 MB bodies arrive; the proxy --


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("edges") / "data", token="svc-token")
    yield server.start()
    server.stop()


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def _upload(
    port: int, path: str, headers: dict[str, str], total: int, chunked: bool
) -> tuple[list[int], dict[str, str], bytes, int]:
    """Stream ``total`` bytes of body from a 1 MB buffer while a thread reads the answer;
    stop when the server stops reading. Returns the answer and the bytes sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    if chunked:
        headers = {**headers, "Transfer-Encoding": "chunked"}
    else:
        headers = {**headers, "Content-Length": str(total)}
    got = bytearray()

    def read() -> None:
        while True:
            try:
                data = sock.recv(MB)
            except OSError:
                return
            if not data:
                return
            got.extend(data)

    reader = threading.Thread(target=read)
    reader.start()
    piece, sent = frame(b" " * MB, chunked), 0
    try:
        sock.sendall(head("POST", path, port, headers))
        while sent < total:
            sock.sendall(piece)
            sent += MB
        if chunked:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed
    reader.join(60)
    sock.close()
    return (*parse(bytes(got)), sent)


@pytest.mark.slow
def test_300_mb_bodies_do_not_raise_the_servers_rss(shared):
    pid = shared.proc.pid
    auth = {"Authorization": "token svc-token", "Content-Type": "application/json"}
    cases = [
        ({"Content-Type": "application/json"}, False, 300, 403),  # no token
        (auth, False, 300, 413),  # declared past the cap
        (auth, True, 300, 413),  # chunked: read up to the cap, then cut off
        (auth, False, 600, 413),  # past ServerApp.max_body_size: still our JSON 413
    ]
    for headers, chunked, size, expected in cases:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        before = _status_kb(pid, "VmHWM")
        codes, _, body, sent = _upload(shared.port, "/v1/jobs", headers, size * MB, chunked)
        peak = _status_kb(pid, "VmHWM")
        assert codes == [expected], (codes, body[:300])
        assert json.loads(body)["detail"]
        print(
            f"{size} MB {expected} chunked={chunked}: sent {sent / MB:.0f} MB, "
            f"peak RSS +{(peak - before) / 1024:.1f} MB"
        )
        assert (peak - before) * 1024 < 50 * MB, (headers, chunked, peak - before, sent)
        if chunked:
            assert sent >= max_body_bytes({}), "the cap is what was read"
    assert shared.request("GET", "/health") == (200, {"status": "ok"})  # still serving


@pytest.mark.slow
class TestProxy:
    """A per-user server forwarding to ``shared`` reads bodies as the service does."""

    @pytest.fixture
    def booknlp_overrides(self, shared):
        return {"service_url": shared.url, "service_token": shared.token}

    async def test_bodies_are_capped_before_forwarding(
        self, jp_fetch, jp_http_port, jp_base_url, token, small_cap, shared
    ):
        url = f"{jp_base_url.rstrip('/')}/booknlp/v1/jobs"
        auth = {"Authorization": f"token {token}", "Content-Type": "application/json"}
        codes, _, body = await raw_request(
            jp_http_port, "POST", url, {**auth, "Content-Length": str(600 * MB)}
        )
        assert codes == [413] and "bytes" in json.loads(body)["detail"]
        codes, _, body = await raw_request(
            jp_http_port, "POST", url, auth, chunks=[b" " * 65536] * 64, chunked=True
        )
        assert codes == [413] and json.loads(body)["detail"]
        text = "Forwarded in pièces. " * 1000
        data = json.dumps({"text": text}, ensure_ascii=False).encode()
        codes, _, body = await raw_request(
            jp_http_port, "POST", url, auth, chunks=pieces(data, 999), chunked=True
        )
        assert codes[-1] in (200, 202), body
        job = shared.wait(json.loads(body)["job_id"])  # it lives on the service
        assert job["token_count"] == len(text.split())

    async def test_probes_and_credentials(self, jp_fetch, http_server_client, jp_base_url, shared):
        base = jp_base_url.rstrip("/") + "/booknlp/v1/"
        r = await http_server_client.fetch(base + "health", raise_error=False)
        assert r.code == 200 and json.loads(r.body) == {"status": "ok"}
        r = await http_server_client.fetch(base + "ready", raise_error=False)
        assert r.code == 200 and json.loads(r.body) == {"ready": True}
        full = await jp_fetch("booknlp", "v1", "ready")
        assert "models" in json.loads(full.body)
        for method, path in [("GET", "jobs/stats"), ("POST", "jobs")]:
            r = await http_server_client.fetch(
                base + path,
                method=method,
                raise_error=False,
                body=b"{}" if method == "POST" else None,
            )
            assert r.code == 403, (method, path)
            assert json.loads(r.body)["detail"].startswith("authentication is required")
        get = await jp_fetch("booknlp", "v1", "jobs", "stats")
        head = await jp_fetch("booknlp", "v1", "jobs", "stats", method="HEAD")
        assert head.code == 200 and head.body == b""
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
