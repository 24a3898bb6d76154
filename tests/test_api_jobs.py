"""The async job API through a real Jupyter server (pytest-jupyter's jp_fetch)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from booknlp_jupyter.testing.sse import job_states
from booknlp_jupyter.testing.waiting import wait_until_async


async def _running(api, text):
    job = await api.submit(text)
    await api.wait(job["job_id"], ("running",))
    return job


async def test_submit_answers_200_with_spec_fields(api, gate):
    r = await api.call(
        "POST", "jobs", body={"text": f"{gate.directive}\nCall me Ishmael", "book_id": "moby-1"}
    )
    assert r.code == 200
    body = json.loads(r.body)
    assert {"job_id", "status", "submitted_at", "queue_position"} <= set(body)
    assert body["status"] == "pending" and body["queue_position"] == 1
    assert body["book_id"] == "moby-1" and body["model"] == "test"
    assert r.headers["Location"].endswith(f"/booknlp/v1/jobs/{body['job_id']}")
    assert int(r.headers["Retry-After"]) >= 1
    assert body["submitted_at"].endswith("Z")
    gate.open()
    done = await api.wait(body["job_id"])
    assert done["status"] == "completed" and done["progress"] == 100
    assert done["queue_position"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \n"}, "text"),
        ({"text": 42}, "text"),
        ({"text": "ok", "model": "huge"}, "model"),
        ({"text": "ok", "pipeline": "entity"}, "pipeline"),
        ({"text": "ok", "pipeline": ["entity", "magic"]}, "pipeline"),
        ({"text": "ok", "pipeline": []}, "pipeline"),
        ({"text": "ok", "colour": "blue"}, "colour"),
        ({"text": "ok", "book_id": "../../etc/passwd"}, "book_id"),
        ({"text": "ok", "book_id": "x" * 129}, "book_id"),
        ({"text": "ok\u0000more"}, "text"),
        ({"text": "ok \ud800 broken"}, "text"),
        ([1, 2], "body"),
    ],
)
async def test_bad_input_is_400_naming_the_field(api, body, field):
    code, out = await api.json("POST", "jobs", body=json.dumps(body))
    assert code == 400, out
    assert field in out["detail"]
    assert "broken" not in out["detail"] and "passwd" not in out["detail"]


async def test_invalid_json_and_content_type(api):
    code, out = await api.json("POST", "jobs", body="{not json")
    assert code == 400 and "JSON" in out["detail"]
    code, out = await api.json(
        "POST",
        "jobs",
        body="text=hi",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert code == 415 and "application/json" in out["detail"]


@pytest.mark.parametrize("booknlp_overrides", [{"max_document_size": 100}])
async def test_document_too_large_is_413(api):
    code, out = await api.json("POST", "jobs", body={"text": "a" * 101})
    assert code == 413 and "100" in out["detail"]
    code, out = await api.json("POST", "jobs", body={"text": "a" * 100})
    assert code == 200


async def test_fifo_order_and_exact_queue_positions(api, gate):
    first = await _running(api, f"{gate.directive}\nfirst")
    jobs = [await api.submit(f"book {i}") for i in range(5)]
    for i, job in enumerate(jobs):
        status = await api.status(job["job_id"])
        assert status["status"] == "pending" and status["queue_position"] == i + 1
    code, _ = await api.json("DELETE", "jobs", jobs[1]["job_id"])
    assert code == 200
    positions = [(await api.status(j["job_id"]))["queue_position"] for j in jobs]
    assert positions == [1, None, 2, 3, 4]
    gate.open()
    finished = [await api.wait(j["job_id"]) for j in [first, *jobs]]
    order = sorted(
        (f for f in finished if f["status"] == "completed"), key=lambda f: f["started_at"]
    )
    assert [f["job_id"] for f in order] == [first["job_id"]] + [
        j["job_id"] for k, j in enumerate(jobs) if k != 1
    ]
    assert (await api.status(jobs[1]["job_id"]))["status"] == "cancelled"


@pytest.mark.parametrize("booknlp_overrides", [{"max_queue_size": 10}])
async def test_fifty_concurrent_submitters_fill_exactly_the_queue(api, gate):
    await _running(api, f"{gate.directive}\nrunning one")
    responses = await asyncio.gather(
        *(api.call("POST", "jobs", body={"text": f"concurrent {i}"}) for i in range(50))
    )
    codes = sorted(r.code for r in responses)
    assert codes.count(200) == 10 and codes.count(503) == 40
    for r in responses:
        if r.code == 503:
            assert int(r.headers["Retry-After"]) >= 1
            assert "full" in json.loads(r.body)["detail"]
    stats = (await api.json("GET", "jobs", "stats"))[1]
    assert stats["queue_size"] == 10 and stats["pending"] == 10 and stats["running"] == 1
    positions = sorted(
        [
            (await api.status(json.loads(r.body)["job_id"]))["queue_position"]
            for r in responses
            if r.code == 200
        ]
    )
    assert positions == list(range(1, 11))
    # a cancelled job frees its slot at once
    victim = json.loads(next(r for r in responses if r.code == 200).body)["job_id"]
    assert (await api.call("DELETE", "jobs", victim)).code == 200
    assert (await api.call("POST", "jobs", body={"text": "one more"})).code == 200
    assert (await api.call("POST", "jobs", body={"text": "too many"})).code == 503
    gate.open()


async def test_cancel_rules(api, gate):
    running = await _running(api, f"{gate.directive}\nrunning")
    pending = await api.submit("pending")
    code, out = await api.json("DELETE", "jobs", running["job_id"])
    assert code == 409 and "running" in out["detail"]
    code, out = await api.json("DELETE", "jobs", pending["job_id"])
    assert code == 200 and out["status"] == "cancelled"
    code, out = await api.json("DELETE", "jobs", pending["job_id"])
    assert code == 409 and "cancelled" in out["detail"]
    code, out = await api.json("DELETE", "jobs", "no-such-job")
    assert code == 404 and "not found" in out["detail"]
    gate.open()
    done = await api.wait(running["job_id"])
    code, out = await api.json("DELETE", "jobs", done["job_id"])
    assert code == 409 and "completed" in out["detail"]
    # the cancelled job never ran
    assert (await api.status(pending["job_id"]))["started_at"] is None


async def test_cancel_race_with_dispatch(api):
    """Cancels fired while jobs are being dispatched: every job ends exactly once,
    a cancelled job never starts, and the others all complete."""
    jobs = [await api.submit(f"@sleep 0.05\nrace {i}") for i in range(8)]
    results = await asyncio.gather(*(api.call("DELETE", "jobs", j["job_id"]) for j in jobs))
    finals = [await api.wait(j["job_id"]) for j in jobs]
    for r, final in zip(results, finals, strict=True):
        if r.code == 200:
            assert final["status"] == "cancelled" and final["started_at"] is None
        else:
            assert r.code == 409 and final["status"] == "completed"


async def test_force_cancel_kills_running_job_and_next_runs(api, gate, tmp_path):
    pidfile = tmp_path / "pid"
    running = await _running(api, f"@pidfile {pidfile}\n{gate.directive}\nforce me")
    await wait_until_async(
        lambda: pidfile.exists() and pidfile.read_text(),
        30,
        "the worker to start on the job",
        interval=0.01,
    )
    queued = await api.submit("next in line")
    code, out = await api.json("DELETE", "jobs", running["job_id"], params={"force": "true"})
    assert code == 200 and out["status"] == "cancelled"
    pid = int(pidfile.read_text())
    done = await api.wait(queued["job_id"])
    assert done["status"] == "completed"
    import psutil

    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


async def test_stats_are_true(api, gate):
    await _running(api, f"{gate.directive}\nrun")
    await api.submit("p1")
    p2 = await api.submit("p2")
    await api.call("DELETE", "jobs", p2["job_id"])
    code, stats = await api.json("GET", "jobs", "stats")
    assert code == 200
    assert stats["running"] == 1 and stats["pending"] == 1 and stats["queue_size"] == 1
    assert stats["cancelled"] == 1 and stats["total_jobs"] == 3
    assert stats["max_queue_size"] == 10 and stats["max_document_size"] == 5_000_000
    assert stats["job_ttl_seconds"] == 3600 and stats["max_concurrent_jobs"] == 1
    assert stats["worker_running"] is True
    gate.open()


async def test_list_filter_and_paging(api):
    ids = [(await api.submit(f"list {i}"))["job_id"] for i in range(4)]
    for i in ids:
        await api.wait(i)
    code, page = await api.json("GET", "jobs", params={"limit": "2"})
    assert code == 200 and page["total"] == 4 and [j["job_id"] for j in page["jobs"]] == ids[:1:-1]
    code, page = await api.json("GET", "jobs", params={"limit": "2", "offset": "2"})
    assert [j["job_id"] for j in page["jobs"]] == ids[1::-1]
    code, page = await api.json("GET", "jobs", params={"status": "pending"})
    assert page["total"] == 0
    code, out = await api.json("GET", "jobs", params={"status": "sleeping"})
    assert code == 400 and "status" in out["detail"]
    code, out = await api.json("GET", "jobs", params={"limit": "0"})
    assert code == 400


async def test_idempotency_key(api):
    key = {"Idempotency-Key": "abc-123", "Content-Type": "application/json"}
    r1 = await api.call("POST", "jobs", body={"text": "idem one"}, headers=dict(key))
    r2 = await api.call("POST", "jobs", body={"text": "idem one"}, headers=dict(key))
    assert json.loads(r1.body)["job_id"] == json.loads(r2.body)["job_id"]
    r3 = await api.call("POST", "jobs", body={"text": "different"}, headers=dict(key))
    assert r3.code == 409 and "Idempotency-Key" in json.loads(r3.body)["detail"]


async def test_progress_is_monotonic_and_100_only_when_completed(api):
    job = await api.submit("@sleep 1\nslow book")
    seen = []

    async def sample() -> bool:
        status = await api.status(job["job_id"])
        seen.append((status["status"], status["progress"], status["stage"]))
        return status["status"] == "completed"

    await wait_until_async(sample, 60, "the job to complete", interval=0.03)
    progresses = [p for _, p, _ in seen]
    assert progresses == sorted(progresses)
    assert all(p < 100 for s, p, _ in seen if s != "completed") and seen[-1][1] == 100
    assert any(0 < p < 100 for _, p, _ in seen)
    assert "sleeping" in {stage for _, _, stage in seen}


async def test_events_stream_until_final(api):
    job = await api.submit("@sleep 0.5\nstream me")
    r = await api.call("GET", "jobs", job["job_id"], "events", request_timeout=30)
    assert r.headers["Content-Type"] == "text/event-stream"
    events = job_states(r.body)
    assert events[-1]["status"] == "completed" and events[-1]["progress"] == 100
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress) and len(events) >= 3
    assert (await api.call("GET", "jobs", "nope", "events")).code == 404


async def test_analyze_goes_through_the_same_queue(api, gate):
    running = await _running(api, f"{gate.directive}\nblocking job")
    sync = asyncio.ensure_future(
        api.call("POST", "analyze", body={"text": "sync text"}, request_timeout=30)
    )
    await asyncio.sleep(0.3)
    stats = (await api.json("GET", "jobs", "stats"))[1]
    assert stats["pending"] == 1 and stats["running"] == 1 and not sync.done()
    gate.open()
    r = await sync
    assert r.code == 200
    body = json.loads(r.body)
    # the spec's migration example reads the sync body as the result itself
    assert {"tokens", "entities", "quotes", "characters", "events", "supersenses"} <= set(body)
    assert "result" not in body
    assert [t["word"] for t in body["tokens"]] == ["sync", "text"]
    job = await api.status(body["job_id"])
    assert job["started_at"] >= (await api.status(running["job_id"]))["completed_at"]
    assert body["token_count"] == 2 and body["processing_time_ms"] >= 0


@pytest.mark.parametrize(
    "booknlp_overrides", [{"sync_max_document_size": 50, "sync_timeout_seconds": 0.3}]
)
async def test_analyze_limits(api):
    code, out = await api.json("POST", "analyze", body={"text": "x" * 51})
    assert code == 413 and "/v1/jobs" in out["detail"]
    r = await api.call("POST", "analyze", body={"text": "@sleep 2\nslow"})
    assert r.code == 202 and "Location" in r.headers
    assert json.loads(r.body)["status"] in ("pending", "running")


async def test_health_ready_openapi(api):
    assert (await api.json("GET", "health"))[1] == {"status": "ok"}
    code, ready = await api.json("GET", "ready")
    assert code == 200 and ready["ready"] and "test" in ready["models"]
    code, spec = await api.json("GET", "openapi.json")
    assert code == 200 and spec["openapi"].startswith("3.1")
    assert spec["servers"][0]["url"].endswith("/booknlp/v1")
    from booknlp_jupyter.server.handlers import api_handlers

    documented = set(spec["paths"])
    served = {
        "/"
        + pattern.split("/v1/", 1)[1]
        .replace("(?P<job_id>[^/]+)", "{job_id}")
        .replace("(?P<table>[^/]+)", "{table}")
        .replace("(?P<corpus_id>[^/]+)", "{corpus_id}")
        for pattern, _ in api_handlers("booknlp")
    }
    assert documented == served


async def test_submit_latency_is_low_and_loop_stays_free(api, gate):
    """While a job runs the API still answers quickly (nothing blocks the loop)."""
    await _running(api, "@sleep 1.5\nbusy worker")
    start = time.monotonic()
    for _ in range(20):
        await api.json("GET", "jobs", "stats")
    assert (time.monotonic() - start) / 20 < 0.25


async def test_book_id_is_a_free_label(api):
    job = await api.submit("label me", book_id="Pride & Prejudice (1813), Austen's")
    assert job["book_id"] == "Pride & Prejudice (1813), Austen's"


@pytest.mark.parametrize(
    "booknlp_overrides", [{"job_ttl_seconds": 0.4, "job_history_seconds": 0.4}]
)
async def test_expired_jobs_are_forgotten_after_their_history(api):
    job = await api.submit("forget me")
    await api.wait(job["job_id"], ("expired",), timeout=10)

    async def forgotten() -> tuple[int, Any] | None:
        code, body = await api.json("GET", "jobs", job["job_id"])
        return (code, body) if code == 404 else None

    code, body = await wait_until_async(forgotten, 10, "the expired job to be forgotten")
    assert code == 404 and "not found" in body["detail"]
    assert (await api.json("GET", "jobs", "stats"))[1]["total_jobs"] == 0
