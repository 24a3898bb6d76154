"""Corpora through a real Jupyter server: fed past the queue bound, files written,
skipped when done, bad files alone, paths confined to the root, per-user and fair."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from booknlp_jupyter.testing.waiting import wait_until_async

FINAL = ("completed", "cancelled")


def _books(folder: Path, n: int, prefix: str = "book", body: str = "") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"{prefix}{i:02d}.txt"
        path.write_text(f"{body}Emma Woodhouse met Harriet Smith {i} times.\n", encoding="utf-8")
        paths.append(path)
    return paths


async def _corpus(api, body, code=200):
    got, view = await api.json("POST", "corpora", body=body)
    assert got == code, view
    return view


async def _wait_corpus(api, corpus_id: str, timeout: float = 90) -> dict:
    last: dict = {}

    async def ended() -> dict | None:
        code, view = await api.json("GET", "corpora", corpus_id)
        assert code == 200, view
        last.update(view)
        return view if view["status"] in FINAL else None

    return await wait_until_async(
        ended, timeout, lambda: f"corpus {corpus_id} to end: {last.get('counts')}", interval=0.05
    )


@pytest.fixture
def booknlp_overrides():
    return {"max_queue_size": 4}


async def test_corpus_past_the_queue_bound_writes_files_and_manifest(api, jp_root_dir):
    _books(jp_root_dir / "novels", 9)
    view = await _corpus(api, {"folder": "novels/"})
    assert view["books_total"] == 9 and view["status"] in ("pending", "running")
    assert view["output_dir"] == "booknlp_output/novels"
    done = await _wait_corpus(api, view["corpus_id"])
    assert done["status"] == "completed", done
    assert done["counts"]["completed"] == 9 and done["progress"] == 100
    out = jp_root_dir / "booknlp_output" / "novels"
    manifest = json.loads((out / "corpus.json").read_text())
    assert sorted(b["book_id"] for b in manifest["books"]) == [f"book{i:02d}" for i in range(9)]
    for entry in manifest["books"]:
        assert entry["status"] == "completed" and len(entry["sha256"]) == 64
        assert (out / f"{entry['book_id']}.tokens").is_file()
    # never more than the share of the queue: the stats never saw it full
    _, stats = await api.json("GET", "jobs", "stats")
    assert stats["completed"] == 9


async def test_resubmission_skips_done_books_and_reruns_changed(api, jp_root_dir):
    paths = _books(jp_root_dir / "set", 3)
    first = await _wait_corpus(api, (await _corpus(api, {"folder": "set"}))["corpus_id"])
    assert first["counts"]["completed"] == 3
    paths[1].write_text("A changed text about Emma.\n", encoding="utf-8")
    again = await _wait_corpus(api, (await _corpus(api, {"folder": "set"}))["corpus_id"])
    skipped = {b["book_id"]: b["skipped"] for b in again["books"]}
    assert skipped == {"book00": True, "book01": False, "book02": True}
    other_model = await _corpus(api, {"folder": "set", "model": "test-b"})
    other = await _wait_corpus(api, other_model["corpus_id"])
    assert not any(b["skipped"] for b in other["books"])


async def test_bad_files_fail_alone(api, jp_root_dir):
    folder = jp_root_dir / "mixed"
    _books(folder, 2)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    (folder / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (folder / "bom.txt").write_bytes(b"\xef\xbb\xbfEmma said hello.\r\nHarriet smiled.\r\n")
    done = await _wait_corpus(api, (await _corpus(api, {"folder": "mixed"}))["corpus_id"])
    books = {b["book_id"]: b for b in done["books"]}
    assert done["counts"] == {
        "pending": 0,
        "running": 0,
        "completed": 3,
        "failed": 3,
        "cancelled": 0,
    }
    assert "empty" in books["empty"]["error_message"]
    assert "binary" in books["binary"]["error_message"]
    assert "UTF-8" in books["latin1"]["error_message"]
    assert books["bom"]["status"] == "completed"


@pytest.mark.parametrize(
    "body",
    [
        {"folder": "../"},
        {"folder": "/etc"},
        {"paths": ["../secret.txt"]},
        {"folder": "link"},
        {"folder": "novels", "output_dir": "../out"},
        {"folder": "nothing-here"},
        {"paths": ["a/x.txt", "b/x.txt"]},
        {},
        {"folder": "novels", "paths": ["novels/book00.txt"]},
        {"folder": "novels", "model": "no-such-model"},
    ],
)
async def test_bad_requests_are_400(api, jp_root_dir, tmp_path, body):
    _books(jp_root_dir / "novels", 1)
    _books(jp_root_dir / "a", 1, prefix="x")
    (jp_root_dir / "a" / "x00.txt").rename(jp_root_dir / "a" / "x.txt")
    _books(jp_root_dir / "b", 1, prefix="x")
    (jp_root_dir / "b" / "x00.txt").rename(jp_root_dir / "b" / "x.txt")
    outside = tmp_path / "outside"
    _books(outside, 1)
    os.symlink(outside, jp_root_dir / "link")
    code, answer = await api.json("POST", "corpora", body=body)
    assert code == 400, answer
    assert answer["detail"]


async def test_cancel_stops_books_not_started(api, jp_root_dir, gate):
    _books(jp_root_dir / "slow", 5, body=f"{gate.directive}\n")
    view = await _corpus(api, {"folder": "slow"})
    cid = view["corpus_id"]

    async def one_running() -> bool:
        return (await api.json("GET", "corpora", cid))[1]["counts"]["running"] == 1

    await wait_until_async(one_running, 30, "a book to run")
    code, cancelled = await api.json("DELETE", "corpora", cid, params={"force": "true"})
    assert code == 200 and cancelled["status"] == "cancelled", cancelled
    gate.open()
    await asyncio.sleep(0.5)
    code, final = await api.json("GET", "corpora", cid)
    assert final["counts"]["cancelled"] == 5, final["counts"]
    assert (await api.json("DELETE", "corpora", cid))[0] == 409


async def test_a_book_queued_as_its_corpus_is_cancelled_never_runs(
    api, jp_root_dir, jp_serverapp, gate, monkeypatch
):
    # the window CI once hit: the book's job is queued (here, running) but the feeder has
    # not yet recorded its id when the corpus is cancelled
    jobs = jp_serverapp.web_app.settings["booknlp_corpora"].jobs
    real, queued, release = jobs.submit, asyncio.Event(), asyncio.Event()

    async def submit_then_hold(*args, **kwargs):
        answer = await real(*args, **kwargs)
        queued.set()
        await release.wait()
        return answer

    monkeypatch.setattr(jobs, "submit", submit_then_hold)
    _books(jp_root_dir / "window", 1, body=f"{gate.directive}\n")
    cid = (await _corpus(api, {"folder": "window"}))["corpus_id"]
    await asyncio.wait_for(queued.wait(), 30)
    code, cancelled = await api.json("DELETE", "corpora", cid)
    assert code == 200 and cancelled["counts"]["cancelled"] == 1, cancelled
    release.set()
    job_id = await wait_until_async(
        lambda: _job_id(api, cid), 30, "the feeder to record the book's job"
    )
    gate.open()
    job = await api.wait(job_id)
    assert job["status"] == "cancelled", job
    assert (await api.json("GET", "corpora", cid))[1]["counts"]["cancelled"] == 1


async def _job_id(api, corpus_id: str) -> str | None:
    return (await api.json("GET", "corpora", corpus_id))[1]["books"][0]["job_id"]


async def test_single_jobs_get_in_while_a_corpus_runs(api, jp_root_dir, gate):
    _books(jp_root_dir / "big", 12, body=f"{gate.directive}\n")
    view = await _corpus(api, {"folder": "big"})
    await asyncio.sleep(1.0)  # the feeder fills its share of the 4 slots
    jobs = [await api.submit(f"single {i}") for i in range(2)]
    assert all(j["queue_position"] <= 3 for j in jobs), jobs
    gate.open()
    for job in jobs:
        assert (await api.wait(job["job_id"]))["status"] == "completed"
    done = await _wait_corpus(api, view["corpus_id"])
    assert done["counts"]["completed"] == 12


async def test_corpus_list_and_events(api, jp_root_dir):
    _books(jp_root_dir / "ev", 2)
    view = await _corpus(api, {"folder": "ev"})
    r = await api.call("GET", "corpora", view["corpus_id"], "events", request_timeout=60)
    states = [
        json.loads(line[len("data: ") :])
        for line in r.body.decode().splitlines()
        if line.startswith("data: ")
    ]
    assert states[-1]["status"] == "completed" and states[-1]["counts"]["completed"] == 2
    code, listing = await api.json("GET", "corpora")
    assert code == 200 and listing["total"] >= 1
    assert listing["corpora"][0]["corpus_id"] == view["corpus_id"]
    assert listing["corpora"][0]["books"] == []
    assert (await api.json("GET", "corpora", "nope"))[0] == 404


async def test_a_job_downloads_as_booknlp_files(api, tmp_path):
    """``/booknlp.zip``: the files a corpus writes, for one finished job."""
    import io
    import zipfile

    from booknlp_jupyter import read_output

    job = await api.submit("Emma met Harriet\n\nHarriet smiled at Emma", book_id="emma one")
    assert (await api.wait(job["job_id"]))["status"] == "completed"
    r = await api.call("GET", "jobs", job["job_id"], "booknlp.zip")
    assert r.code == 200 and r.headers["Content-Type"] == "application/zip"
    assert "emma%20one.booknlp.zip" in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.body)) as z:
        names = set(z.namelist())
        z.extractall(tmp_path)
    assert {"emma one.tokens", "emma one.entities", "emma one.book"} <= names
    frames = read_output(tmp_path)
    words = list(frames["tokens"]["word"])
    assert words[:3] == ["Emma", "met", "Harriet"] and set(frames["tokens"]["book_id"]) == {
        "emma one"
    }
    pending = await api.submit("@sleep 5\nnot yet")
    assert (await api.call("GET", "jobs", pending["job_id"], "booknlp.zip")).code == 425
