"""The `panel()` app and the jobs table against a real server process (controlled
engine), with its buttons clicked as a front end would; and the status line."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from booknlp_jupyter.client import Client
from booknlp_jupyter.notebook.panel import Panel
from booknlp_jupyter.notebook.status import clock, describe

from .procs import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("panel") / "data", token="panel-t").start()
    yield server
    server.stop()


def until(predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


@pytest.mark.slow
def test_panel_submits_lists_cancels_and_loads(server, tmp_path):
    gate = tmp_path / "gate"
    book = tmp_path / "emma.txt"
    book.write_text("Emma Woodhouse handsome clever")
    ns = {"story": f"@gate {gate}\nMr Knightley spoke", "number": 3}
    app = Panel(Client(server.url, server.token), namespace=ns, limit=10)
    try:
        assert app.model.options[0] == "test" and "test-b" in app.model.options
        assert app.variable.options == ("story",)
        app.source.value = "variable"
        app.variable.value = "story"
        gated = app.submit()
        assert gated.status()["book_id"] == "story"
        app.source.value = "file"
        app.file.value = str(book)
        app.pipeline.value = ("entity",)
        app.model.value = "test-b"
        queued = app.submit()
        state = queued.status()
        assert (state["pipeline"], state["model"], state["book_id"]) == (
            ["entity"],
            "test-b",
            "emma",
        )
        rows = app.jobs.rows
        assert set(rows) >= {gated.job_id, queued.job_id}
        until(lambda: "queue position 1" in rows[queued.job_id].label.value)
        rows[queued.job_id].cancel_button.click()
        assert queued.status()["status"] == "cancelled"
        assert "cancelled" in rows[queued.job_id].label.value
        gate.touch()
        until(lambda: "completed" in rows[gated.job_id].label.value)  # the poller saw it
        assert rows[gated.job_id].bar.value == 100 and rows[gated.job_id].cancel_button.disabled
        until(lambda: gated.job_id in [v for _, v in app.jobs.selected.options])
        app.jobs.selected.value = gated.job_id
        app.target.value = "mine"
        app.load_button.click()
        assert list(ns["mine"]["tokens"]["word"]) == ["Mr", "Knightley", "spoke"]
        assert "tokens (3)" in app.loaded.value
        # the same request again: a new job, completed from the stored result
        app.source.value, app.variable.value, app.model.value = "variable", "story", "test"
        app.pipeline.value = app.pipeline.options
        again = app.submit()
        assert again.job_id != gated.job_id and again.reused_from == gated.job_id
        assert f"already analyzed (reused from job {gated.job_id})" in app.message.value
        until(
            lambda: (
                again.job_id in rows
                and f"already analyzed (reused from job {gated.job_id[:8]})"
                in rows[again.job_id].label.value
            )
        )
        app.source.value = "text"
        app.text.value = "   "
        assert app.submit() is None and "400" in app.message.value
    finally:
        app.close()


def test_status_line():
    now = datetime(2025, 1, 1, 0, 1, 0, tzinfo=UTC)
    running = {
        "status": "running",
        "progress": 25.0,
        "stage": "parse",
        "submitted_at": "2024-12-31T23:59:00Z",
        "started_at": "2025-01-01T00:00:30Z",
    }
    assert describe(running, now) == "running 25% · parse · 0:30 elapsed · about 1:30 left"
    pending = {"status": "pending", "queue_position": 2, "submitted_at": "2025-01-01T00:00:55Z"}
    assert describe(pending, now) == "pending · queue position 2 · waiting 0:05"
    done = {
        "status": "completed",
        "token_count": 12345,
        "processing_time_ms": 3_723_000,
        "submitted_at": "2025-01-01T00:00:00Z",
        "started_at": "2025-01-01T00:00:00Z",
    }
    assert describe(done, now) == "completed · 12,345 tokens · in 1:02:03"
    assert describe({"status": "failed", "error_message": "boom"}, now) == "failed · boom"
    reused = {**done, "reused_from": "0123456789abcdef", "token_count": 7}
    assert (
        describe(reused, now)
        == "completed · already analyzed (reused from job 01234567) · 7 tokens"
    )
    copying = {**pending, "reused_from": "0123456789abcdef", "queue_position": 1}
    assert describe(copying, now) == "pending · already analyzed (reused from job 01234567)"
    assert clock(59.6) == "1:00"
