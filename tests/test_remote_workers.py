"""GPU workers on other machines: a real redis-server and two `booknlp-jupyter worker`
processes serving one service."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .procs import ROOT, ServerProcess, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("redis-server"),
                       reason="needs redis-server (Debian; .ci/run installs it)"),
]

WORKER_CONFIG = 'c.BookNLPApp.engines = {"controlled": "tests.engines:ControlledEngine"}\n'


def _wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.redis_port = free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_port(self.redis_port)
        self.url = f"redis://127.0.0.1:{self.redis_port}/0"
        (tmp / "worker_config.py").write_text(WORKER_CONFIG)
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.server = ServerProcess(
            tmp / "data", extra_config=f"c.BookNLPApp.redis_url = {self.url!r}\n")

    def start_worker(self, name: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115
        self.workers[name] = subprocess.Popen(
            [sys.executable, "-m", "booknlp_jupyter", "worker", "--redis-url", self.url,
             "--name", name, "--config", str(self.tmp / "worker_config.py")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_workers(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = self.server.request("GET", "/jobs/stats")[1]
            if len([w for w in stats["workers"] if w["alive"]]) >= n:
                return
            time.sleep(0.1)
        raise AssertionError(f"{n} workers never registered: {stats['workers']}")

    def stop(self) -> None:
        self.server.stop()
        for proc in [*self.workers.values(), self.redis]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


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
    jobs = [server.request("POST", "/jobs", {"text": f"@pidfile {tmp_path}/pid{i}\n"
                                                     f"@sleep 1\nbook {i}"})[1]
            for i in range(4)]
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
    victim = next(n for n, p in cluster.workers.items() if str(p.pid) == pidfile.read_text())
    pidfile.unlink()
    os.killpg(cluster.workers[victim].pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not pidfile.exists():  # the job started again, on the survivor
        assert time.monotonic() < deadline, server.request("GET", f"/jobs/{job['job_id']}")
        time.sleep(0.05)
    survivor = next(n for n in cluster.workers if n != victim)
    assert pidfile.read_text() == str(cluster.workers[survivor].pid)
    gate.touch()
    assert server.wait(job["job_id"])["status"] == "completed"


def test_cancel_reaches_a_remote_worker(cluster, tmp_path):
    server = cluster.server
    jobs = [server.request("POST", "/jobs", {"text": f"@sleep 4\nslow {i}"})[1]
            for i in range(2)]
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
    assert server.request("DELETE", f"/jobs/{blocked['job_id']}")[1]["status"] in (
        "cancelled",)
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
        "survives", "a", "restart"]
