"""Redis restarts without persistence while remote workers run jobs: the service's job
store is the truth, so every accepted job still completes, once."""

from __future__ import annotations

import shutil
import time

import pytest
from redis import Redis

from .test_remote_workers import Cluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which("redis-server"), reason="needs redis-server (Debian; .ci/run installs it)"
    ),
]


@pytest.fixture
def make_cluster(tmp_path):
    made: list[Cluster] = []

    def make(workers: int, extra_config: str = "") -> Cluster:
        cluster = Cluster(tmp_path, extra_config)
        made.append(cluster)
        for i in range(workers):
            cluster.start_worker(f"w{i + 1}")
        cluster.server.start()
        cluster.wait_workers(workers)
        return cluster

    yield make
    for cluster in made:
        cluster.stop()


def test_every_job_completes_once_across_a_redis_restart(make_cluster):
    cluster = make_cluster(2)
    server = cluster.server
    jobs = [server.request("POST", "/jobs", {"text": f"@sleep 2\nbook {i}"})[1] for i in range(5)]
    for job in jobs[:2]:
        server.wait(job["job_id"], ("running",))
    stats = server.request("GET", "/jobs/stats")[1]
    assert stats["running"] == 2 and stats["pending"] == 3
    time.sleep(0.5)  # mid-run

    cluster.kill_redis()
    # during the outage a job is still accepted; it waits
    code, late = server.request("POST", "/jobs", {"text": "@sleep 0.5\nlate book"})
    assert code in (200, 202) and late["status"] == "pending", late
    jobs.append(late)
    time.sleep(1.5)
    cluster.start_redis()

    done = [server.wait(j["job_id"], timeout=90) for j in jobs]
    assert [d["status"] for d in done] == ["completed"] * len(jobs), done
    assert all(d["error_message"] is None for d in done)
    cluster.wait_workers(2)
    stats = server.request("GET", "/jobs/stats")[1]
    assert stats["completed"] == len(jobs), stats
    assert stats["failed"] == 0 and stats["running"] == 0 and stats["pending"] == 0
    assert len(stats["workers"]) == 2 and all(w["alive"] and w["ready"] for w in stats["workers"])
    for i, job in enumerate(jobs):
        code, result = server.request("GET", f"/jobs/{job['job_id']}/result")
        words = [t["word"] for t in result["result"]["tokens"]]
        assert code == 200 and words == (["late", "book"] if i == 5 else ["book", str(i)])
    assert cluster.workers_alive(), "a worker exited"

    # and the service takes new work as before
    after = server.request("POST", "/jobs", {"text": "after the restart"})[1]
    assert server.wait(after["job_id"])["status"] == "completed"
    redis = Redis(port=cluster.redis_port)
    assert redis.keys("booknlp:current:*") == [], "the attempts' keys were cleared"
    redis.close()


def test_a_job_that_ends_while_redis_is_down_runs_again(make_cluster):
    """The run finishes during the outage (its result cannot be handed back, and RQ's
    own loop ends on the error): the worker starts its loop again and the job reruns."""
    cluster = make_cluster(1)
    server = cluster.server
    job = server.request("POST", "/jobs", {"text": "@sleep 1\nshort book"})[1]
    waiting = server.request("POST", "/jobs", {"text": "waiting book"})[1]
    server.wait(job["job_id"], ("running",))
    time.sleep(0.3)
    cluster.kill_redis()
    time.sleep(3)  # the run ends meanwhile
    cluster.start_redis()
    for j, words in ((job, ["short", "book"]), (waiting, ["waiting", "book"])):
        assert server.wait(j["job_id"], timeout=60)["status"] == "completed"
        code, result = server.request("GET", f"/jobs/{j['job_id']}/result")
        assert code == 200 and [t["word"] for t in result["result"]["tokens"]] == words
    stats = server.request("GET", "/jobs/stats")[1]
    assert stats["completed"] == 2 and stats["failed"] == 0
    assert cluster.workers_alive(), "the worker exited"


def test_service_and_worker_started_before_redis(tmp_path):
    """Redis comes up last: the service accepts the job meanwhile, and the worker's
    loop and heartbeat wait for Redis instead of exiting."""
    cluster = Cluster(tmp_path)
    try:
        cluster.kill_redis()
        cluster.start_worker("w1")
        server = cluster.server
        server.ready = lambda: server.request("GET", "/ready")[0] in (200, 503)  # it answers
        server.start()
        code, job = server.request("POST", "/jobs", {"text": "early book"})
        assert code in (200, 202) and job["status"] == "pending", job
        assert server.request("GET", "/ready")[0] == 503
        time.sleep(1)
        cluster.start_redis()
        assert server.wait(job["job_id"], timeout=60)["status"] == "completed"
        cluster.wait_workers(1)
        assert cluster.workers_alive()
    finally:
        cluster.stop()


def test_no_deadline_means_no_rq_timeout(make_cluster, tmp_path):
    """``job_timeout_seconds = 0`` is no limit for remote jobs too (RQ's -1)."""
    cluster = make_cluster(1, "c.BookNLPApp.job_timeout_seconds = 0\n")
    server, gate = cluster.server, tmp_path / "gate"
    job = server.request("POST", "/jobs", {"text": f"@gate {gate}\nno deadline"})[1]
    server.wait(job["job_id"], ("running",))
    redis = Redis(port=cluster.redis_port)
    try:
        deadline = time.monotonic() + 10
        while not (keys := redis.keys(f"rq:job:{job['job_id']}-*")):  # handed over soon
            assert time.monotonic() < deadline, "the job never reached RQ"
            time.sleep(0.05)
        assert len(keys) == 1, keys
        assert redis.hget(keys[0], "timeout") == b"-1"
    finally:
        redis.close()
        gate.touch()
    assert server.wait(job["job_id"])["status"] == "completed"
