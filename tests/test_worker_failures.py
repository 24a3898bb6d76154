"""Whatever an engine does to its worker, only its own job fails and the next one runs."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ("@fail engine exploded", "RuntimeError: engine exploded"),
        ("@exit 3", "sys.exit(3)"),
        ("@segfault", "crashed (SIGSEGV)"),
        ("@oom", "out of memory"),
    ],
)
async def test_failure_fails_only_its_job(api, directive, message):
    bad = await api.submit(f"{directive}\nbad book")
    good = await api.submit("good book")
    failed = await api.wait(bad["job_id"])
    assert failed["status"] == "failed"
    assert message in failed["error_message"]
    assert failed["progress"] < 100
    done = await api.wait(good["job_id"])
    assert done["status"] == "completed"
    _, stats = await api.json("GET", "jobs", "stats")
    assert stats["failed"] == 1 and stats["completed"] == 1 and stats["worker_running"]


@pytest.mark.parametrize("booknlp_overrides", [{"job_timeout_seconds": 3}])
async def test_deadline_fails_the_job(api, gate):
    slow = await api.submit(f"{gate.directive}\nnever ends")
    good = await api.submit("after the slow one")
    failed = await api.wait(slow["job_id"], timeout=30)
    assert failed["status"] == "failed" and "deadline of 3 s" in failed["error_message"]
    assert (await api.wait(good["job_id"], timeout=30))["status"] == "completed"


async def test_models_stay_warm_between_jobs(api, jp_serverapp):
    """The worker keeps its engine instance: the second job does not start a new process."""
    service = jp_serverapp.web_app.settings["booknlp_service"]
    pid = service.workers[0].process.pid
    for text in ("one", "two", "three"):
        job = await api.submit(text)
        assert (await api.wait(job["job_id"]))["status"] == "completed"
    assert service.workers[0].process.pid == pid


async def test_long_error_message_is_cut(api):
    bad = await api.submit("@fail " + "x" * 5000 + "\nbad book")
    failed = await api.wait(bad["job_id"])
    assert failed["status"] == "failed"
    assert failed["error_message"] == ("RuntimeError: " + "x" * 5000)[:2000]
