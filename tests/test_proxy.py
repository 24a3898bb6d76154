"""A per-user server whose API forwards to a shared service (a real server process)."""

from __future__ import annotations

import json

import pytest

from booknlp_jupyter.testing.sse import job_states

from .procs import ServerProcess, free_port


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("shared") / "data", token="svc-token").start()
    yield server
    server.stop()


@pytest.fixture
def booknlp_overrides(shared):
    return {"service_url": shared.url, "service_token": shared.token}


@pytest.mark.slow
async def test_requests_go_to_the_shared_service(jp_fetch, shared):
    r = await jp_fetch(
        "booknlp",
        "v1",
        "jobs",
        method="POST",
        body=json.dumps({"text": "@sleep 0.3\nvia the proxy"}),
        headers={"Content-Type": "application/json"},
    )
    assert r.code == 200
    job = json.loads(r.body)
    assert r.headers["Location"].endswith(f"/booknlp/v1/jobs/{job['job_id']}")
    assert shared.request("GET", f"/jobs/{job['job_id']}")[0] == 200  # it lives there
    events = await jp_fetch("booknlp", "v1", "jobs", job["job_id"], "events", request_timeout=60)
    states = job_states(events.body)
    assert states[-1]["status"] == "completed"
    table = await jp_fetch(
        "booknlp", "v1", "jobs", job["job_id"], "result", "tokens", params={"format": "csv"}
    )
    assert table.body.decode().splitlines()[1].split(",")[4] == '"via"'
    again = await jp_fetch(
        "booknlp",
        "v1",
        "jobs",
        job["job_id"],
        "result",
        "tokens",
        params={"format": "csv"},
        raise_error=False,
        headers={"If-None-Match": table.headers["ETag"]},
    )
    assert again.code == 304, "the service's ETag must pass through"
    code = (await jp_fetch("booknlp", "v1", "jobs", "missing", raise_error=False)).code
    assert code == 404


@pytest.mark.parametrize(
    "booknlp_overrides", [{"service_url": f"http://127.0.0.1:{free_port()}/v1"}]
)
async def test_unreachable_service_is_502(jp_fetch, booknlp_overrides):
    r = await jp_fetch("booknlp", "v1", "jobs", "stats", raise_error=False)
    assert r.code == 502 and "unreachable" in json.loads(r.body)["detail"]


async def test_corpora_are_501_with_a_detail_not_forwarded(jp_fetch, shared):
    """The shared service cannot read this server's files: corpora say so here."""
    for method, path, body in (
        ("POST", ("corpora",), json.dumps({"folder": "novels"})),
        ("GET", ("corpora",), None),
        ("GET", ("corpora", "some-id"), None),
    ):
        r = await jp_fetch(
            "booknlp",
            "v1",
            *path,
            method=method,
            body=body,
            headers={"Content-Type": "application/json"},
            raise_error=False,
        )
        assert r.code == 501, (path, r.code)
        assert "shared BookNLP service" in json.loads(r.body)["detail"]
    assert shared.request("GET", "/corpora")[1]["total"] == 0  # nothing reached it
