"""A real server process killed with -9 and restarted loses no accepted job."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from .procs import ServerProcess, wait_until


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _worker_pid(pidfile: Path) -> int:
    """The pid the job's worker wrote, once it has."""
    return int(
        wait_until(
            lambda: pidfile.exists() and pidfile.read_text(),
            30,
            f"the worker to write {pidfile}",
            interval=0.02,
        )
    )


@pytest.mark.slow
def test_kill_9_and_restart_loses_nothing(tmp_path):
    data = tmp_path / "data"
    gate = tmp_path / "gate"
    pidfile = tmp_path / "worker.pid"
    server = ServerProcess(data).start()
    try:
        code, running = server.request(
            "POST", "/jobs", {"text": f"@pidfile {pidfile}\n@gate {gate}\nthe long one"}
        )
        assert code == 200
        server.wait(running["job_id"], ("running",))
        pending = [server.request("POST", "/jobs", {"text": f"queued {i}"})[1] for i in range(3)]
        worker_pid = _worker_pid(pidfile)

        server.kill9()
        wait_until(
            lambda: _gone(worker_pid),
            10,
            "the worker to die with its server (it would hold the GPU)",
        )

        pidfile.unlink()
        server.start()
        again = server.request("GET", f"/jobs/{running['job_id']}")[1]
        assert again["status"] in ("pending", "running")
        for i, job in enumerate(pending):
            status = server.request("GET", f"/jobs/{job['job_id']}")[1]
            assert status["status"] == "pending"
            if again["status"] == "running":
                assert status["queue_position"] == i + 1

        # Killed again while the same job runs a second time: it is not run a third time.
        server.wait(running["job_id"], ("running",))
        _worker_pid(pidfile)
        server.kill9()
        server.start()
        failed = server.wait(running["job_id"])
        assert failed["status"] == "failed"
        assert "stopped while this job was running, 2 times" in failed["error_message"]
        finished = [server.wait(job["job_id"]) for job in pending]
        assert [f["status"] for f in finished] == ["completed"] * 3
        starts = [f["started_at"] for f in finished]
        assert starts == sorted(starts), "pending jobs resumed out of order"
        code, result = server.request("GET", f"/jobs/{pending[0]['job_id']}/result")
        assert code == 200 and result["result"]["tokens"][0]["word"] == "queued"
    finally:
        gate.touch()
        server.stop()


@pytest.mark.slow
def test_running_job_resumes_once_after_restart(tmp_path):
    data = tmp_path / "data"
    gate = tmp_path / "gate"
    server = ServerProcess(data).start()
    try:
        job = server.request("POST", "/jobs", {"text": f"@gate {gate}\nresume me"})[1]
        server.wait(job["job_id"], ("running",))
        server.kill9()
        gate.touch()
        server.start()
        done = server.wait(job["job_id"])
        assert done["status"] == "completed"
        stats = server.request("GET", "/jobs/stats")[1]
        assert stats["completed"] == 1 and stats["failed"] == 0
    finally:
        server.stop()
