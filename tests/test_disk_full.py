"""A full disk under a real server: 507 at submit, final states durable before they are
reported, watchers get the last event, nothing runs twice after a restart.

The data dir is a 20 MB tmpfs mounted for the test (root only, as in CI)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .procs import ServerProcess

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)"
)


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; return the filler file."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def _events(server: ServerProcess, job_id: str, out: list[dict]) -> threading.Thread:
    def read() -> None:
        req = urllib.request.Request(
            f"{server.url}/jobs/{job_id}/events", headers={"Authorization": f"token {server.token}"}
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            for line in r:
                if line.startswith(b"data:"):
                    out.append(json.loads(line[5:]))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_a_full_disk_never_reports_a_state_it_could_not_store(small_disk, tmp_path):
    gate = tmp_path / "gate"
    server = ServerProcess(small_disk / "data").start()
    try:
        code, job = server.request("POST", "/jobs", {"text": f"@gate {gate}\nfilling up"})
        assert code == 200
        server.wait(job["job_id"], ("running",))
        events: list[dict] = []
        watcher = _events(server, job["job_id"], events)
        filler = _fill(small_disk)

        code, body = server.request("POST", "/jobs", {"text": "no room for me " * 1000})
        assert code == 507, body
        assert "disk is full" in body["detail"]

        gate.touch()  # the job ends now, with no room for its result or its record
        seen = set()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            seen.add(server.request("GET", f"/jobs/{job['job_id']}")[1]["status"])
            time.sleep(0.1)
        told_final = seen - {"running"}

        filler.unlink()  # space again: the final state is stored, then reported
        final = server.wait(job["job_id"], timeout=30)
        watcher.join(30)
        assert not watcher.is_alive(), "the event stream never got a final event"
        assert events[-1]["status"] == final["status"]
        assert told_final <= {final["status"]}, "reported one final state, stored another"
        if final["status"] == "failed":
            assert "No space left" in final["error_message"] or "disk" in final["error_message"]

        server.kill9()
        server.start()
        after = server.request("GET", f"/jobs/{job['job_id']}")[1]
        assert after["status"] == final["status"], "the stored state differs from the reported"
        assert after["started_at"] == final["started_at"], "the job ran again after restart"
        code, ok = server.request("POST", "/jobs", {"text": "room again"})
        assert code == 200 and server.wait(ok["job_id"])["status"] == "completed"
    finally:
        gate.touch()
        server.stop()
