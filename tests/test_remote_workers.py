"""GPU workers on other machines: a real redis-server and two `booknlp-jupyter worker`
processes serving one service."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from .procs import RedisServer, RemoteWorker, ServerProcess, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which("redis-server"), reason="needs redis-server (Debian; .ci/run installs it)"
    ),
]

WORKER_CONFIG = 'c.BookNLPApp.engines = {"controlled": "tests.engines:ControlledEngine"}\n'


class Cluster:
    """A redis-server (no persistence), a service using it, and named workers."""

    def __init__(self, tmp: Path, extra_config: str = ""):
        self.tmp = tmp
        self.redis = RedisServer(tmp / "redis.log").start()
        self.redis_port, self.url = self.redis.port, self.redis.url
        (tmp / "worker_config.py").write_text(WORKER_CONFIG)
        self.workers: dict[str, RemoteWorker] = {}
        self.server = ServerProcess(
            tmp / "data", extra_config=f"c.BookNLPApp.redis_url = {self.url!r}\n" + extra_config
        )

    def start_redis(self) -> None:
        """A new, empty Redis on the same port."""
        self.redis.start()

    def kill_redis(self) -> None:
        self.redis.kill9(group=True)

    def start_worker(self, name: str) -> None:
        worker = RemoteWorker(
            self.url, name, self.tmp / "worker_config.py", self.tmp / f"{name}.log"
        )
        self.workers[name] = worker.start()

    def worker_pid(self, name: str) -> int:
        return self.workers[name].pid

    def workers_alive(self) -> bool:
        """Every worker process still runs."""
        return all(w.alive for w in self.workers.values())

    def wait_workers(self, n: int, timeout: float = 60) -> None:
        stats: dict = {}

        def registered() -> bool:
            stats.update(self.server.request("GET", "/jobs/stats")[1])
            return len([w for w in stats["workers"] if w["alive"]]) >= n

        wait_until(registered, timeout, lambda: f"{n} workers to register: {stats.get('workers')}")

    def stop(self) -> None:
        self.server.stop()
        for proc in [*self.workers.values(), self.redis]:
            if proc.proc is not None:
                proc.kill9(group=True)


@pytest.fixture
def cluster(tmp_path):
    cluster = Cluster(tmp_path)
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.server.start()
    cluster.wait_workers(2)
    yield cluster
    cluster.stop()


def test_jobs_spread_over_both_workers(cluster, tmp_path):
    server = cluster.server
    jobs = [
        server.request(
            "POST", "/jobs", {"text": f"@pidfile {tmp_path}/pid{i}\n@sleep 1\nbook {i}"}
        )[1]
        for i in range(4)
    ]
    time.sleep(0.6)
    stats = server.request("GET", "/jobs/stats")[1]
    assert stats["running"] == 2 and stats["pending"] == 2
    done = [server.wait(j["job_id"]) for j in jobs]
    assert [d["status"] for d in done] == ["completed"] * 4
    pids = {(tmp_path / f"pid{i}").read_text() for i in range(4)}
    assert len(pids) == 2, "both workers took jobs"
    code, result = server.request("GET", f"/jobs/{jobs[3]['job_id']}/result")
    assert code == 200 and [t["word"] for t in result["result"]["tokens"]] == ["book", "3"]


def test_killed_worker_job_runs_again_elsewhere(cluster, tmp_path):
    server = cluster.server
    gate, pidfile = tmp_path / "gate", tmp_path / "pid"
    job = server.request("POST", "/jobs", {"text": f"@pidfile {pidfile}\n@gate {gate}\nlong"})[1]
    server.wait(job["job_id"], ("running",))
    while not pidfile.exists():
        time.sleep(0.02)
    victim = next(n for n in cluster.workers if str(cluster.worker_pid(n)) == pidfile.read_text())
    pidfile.unlink()
    cluster.workers[victim].kill9(group=True)
    deadline = time.monotonic() + 30
    while not pidfile.exists():  # the job started again, on the survivor
        assert time.monotonic() < deadline, server.request("GET", f"/jobs/{job['job_id']}")
        time.sleep(0.05)
    survivor = next(n for n in cluster.workers if n != victim)
    assert pidfile.read_text() == str(cluster.worker_pid(survivor))
    gate.touch()
    assert server.wait(job["job_id"])["status"] == "completed"


def test_cancel_reaches_a_remote_worker(cluster, tmp_path):
    server = cluster.server
    jobs = [server.request("POST", "/jobs", {"text": f"@sleep 4\nslow {i}"})[1] for i in range(2)]
    for j in jobs:
        server.wait(j["job_id"], ("running",))
    queued = server.request("POST", "/jobs", {"text": "queued behind them"})[1]
    code, body = server.request("DELETE", f"/jobs/{jobs[0]['job_id']}?force=true")
    assert code == 200 and body["status"] == "cancelled"
    started = time.monotonic()
    assert server.wait(queued["job_id"])["status"] == "completed"
    assert time.monotonic() - started < 3.5, "the cancelled job's worker was not freed"
    pending = server.request("POST", "/jobs", {"text": f"@gate {tmp_path}/never\nwaits"})[1]
    blocked = server.request("POST", "/jobs", {"text": "cancel me while pending"})[1]
    assert server.request("DELETE", f"/jobs/{blocked['job_id']}")[1]["status"] in ("cancelled",)
    server.request("DELETE", f"/jobs/{pending['job_id']}?force=true")


def test_service_restart_hands_a_running_job_over_once(cluster):
    """The service dies while a remote worker runs a job: after the restart the job runs
    as a new attempt, the old run stops at its next progress report, and the job ends
    completed exactly once."""
    server = cluster.server
    job = server.request("POST", "/jobs", {"text": "@sleep 3\nsurvives a restart"})[1]
    server.wait(job["job_id"], ("running",))
    time.sleep(0.5)
    server.kill9()
    server.start()
    cluster.wait_workers(2)
    done = server.wait(job["job_id"], timeout=60)
    assert done["status"] == "completed"
    stats = server.request("GET", "/jobs/stats")[1]
    assert stats["completed"] == 1 and stats["running"] == 0 and stats["failed"] == 0
    code, result = server.request("GET", f"/jobs/{job['job_id']}/result")
    assert code == 200 and [t["word"] for t in result["result"]["tokens"]] == [
        "survives",
        "a",
        "restart",
    ]


def test_engine_failures_fail_only_their_job_remotely(cluster):
    """The same runner as a local worker's: an exception or sys.exit fails its job with
    its message (cut to 2000 characters), and the worker takes the next job."""
    server = cluster.server
    bad = [
        server.request("POST", "/jobs", {"text": "@fail " + "x" * 5000 + "\nbad"})[1],
        server.request("POST", "/jobs", {"text": "@exit 3\nbad"})[1],
    ]
    good = server.request("POST", "/jobs", {"text": "good book"})[1]
    first, second = (server.wait(j["job_id"]) for j in bad)
    assert first["status"] == "failed" and first["error_message"].startswith("RuntimeError: xx")
    assert len(first["error_message"]) == 2000
    assert second["status"] == "failed"
    assert second["error_message"] == "the engine called sys.exit(3)"
    assert server.wait(good["job_id"])["status"] == "completed"
    assert cluster.workers_alive()
