"""A corpus survives ``kill -9`` of its server: after the restart it goes on where it
stopped, and no book runs twice."""

from __future__ import annotations

import json

import pytest

from .procs import ServerProcess, wait_until


@pytest.mark.slow
def test_kill_9_mid_corpus_then_restart_finishes_every_book_once(tmp_path):
    root = tmp_path / "root"
    (root / "novels").mkdir(parents=True)
    for i in range(6):
        (root / "novels" / f"n{i}.txt").write_text(
            f"@sleep 0.6\nEmma Woodhouse number {i}.\n", encoding="utf-8"
        )
    server = ServerProcess(
        tmp_path / "data", max_queue_size=2, extra_config=f"c.ServerApp.root_dir = {str(root)!r}\n"
    ).start()
    try:
        code, view = server.request("POST", "/corpora", {"folder": "novels"})
        assert code == 200, view
        cid = view["corpus_id"]

        def some_done() -> dict | None:
            state = server.request("GET", f"/corpora/{cid}")[1]
            return state if state["counts"]["completed"] >= 2 else None

        before = wait_until(some_done, 60, "two books to complete")
        assert before["counts"]["completed"] < 6
        done_before = {
            b["book_id"]: b["job_id"] for b in before["books"] if b["status"] == "completed"
        }
        ended_at = {j: server.status(j)["completed_at"] for j in done_before.values()}
        server.kill9()
        server.start()

        def ended() -> dict | None:
            state = server.request("GET", f"/corpora/{cid}")[1]
            return state if state["status"] == "completed" else None

        after = wait_until(ended, 90, "the corpus to complete after the restart")
        assert after["counts"]["completed"] == 6, after["counts"]
        books = {b["book_id"]: b for b in after["books"]}
        for book_id, job_id in done_before.items():
            assert books[book_id]["job_id"] == job_id  # not submitted again
            assert server.status(job_id)["completed_at"] == ended_at[job_id]  # nor run again
        # one job per book, each completed once
        _, jobs = server.request("GET", "/jobs?limit=100")
        by_book: dict[str, list[dict]] = {}
        for job in jobs["jobs"]:
            by_book.setdefault(job["book_id"], []).append(job)
        assert sorted(by_book) == [f"n{i}" for i in range(6)]
        assert all(len(v) == 1 and v[0]["status"] == "completed" for v in by_book.values())
        out = root / "booknlp_output" / "novels"
        manifest = json.loads((out / "corpus.json").read_text())
        assert sorted(b["book_id"] for b in manifest["books"]) == sorted(by_book)
        assert all((out / f"n{i}.tokens").is_file() for i in range(6))
        assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left
    finally:
        server.stop()
