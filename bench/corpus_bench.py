"""Books per minute of a corpus (``POST /v1/corpora``) with one and with two workers,
beside the same texts as single jobs (``POST /v1/jobs`` each), lite engine, same run.

Cuts ``--books`` excerpts of 2,000-4,000 characters (at whitespace) from the novels in
``../shared/corpus`` into a folder under a temporary Jupyter root, then, one real server
(``booknlp-jupyter serve``) at a time, each with its own ``data_dir`` (the job service
reuses identical requests' results) and both workers' spaCy loaded before timing:

* a corpus of the folder, one worker and then two: POST to ``completed`` (polled every
  0.2 s), and the corpus's own ``completed_at - submitted_at``;
* the same corpus again into the same ``output_dir`` (every book skipped), one worker;
* the texts as single jobs, one worker: first POST to the last one completed (each POST
  retried after its ``Retry-After`` on a 503, as a client must), waited in order;
* what the corpus wrote: files and bytes in its ``output_dir``, and whether every book
  has each file BookNLP writes for the pipeline.

It measures and prints one markdown table; it asserts nothing.

    .venv/bin/python bench/corpus_bench.py [--books 50] [--quick]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from booknlp_jupyter.results.booknlp_files import booknlp_suffixes
from booknlp_jupyter.testing import ROOT, ServerProcess

CORPUS = ROOT.parent / "shared" / "corpus"
POLL = 0.2
TIMEOUT = 900.0


def excerpts(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (name, text) pairs, 2,000-4,000 characters each, round-robin over the novels."""
    novels = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))]
    novels = [(stem, text) for stem, text in novels if stem.lower() != "readme"]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        stem, text = novels[i % len(novels)]
        start = rng.randrange(0, len(text) - 5000)
        start = text.find(" ", start) + 1
        piece = text[start : start + rng.randint(2000, 4000)]
        out.append((f"{i:03d}_{stem}", piece[: piece.rfind(" ")].strip()))
    return out


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@dataclass
class Run:
    """One timed run: client seconds (POST to seen done) and the server's own seconds."""

    seconds: float
    server_seconds: float
    detail: dict[str, Any]


class Bench:
    """One server at a time over the same Jupyter root (``tmp/root``)."""

    def __init__(self, tmp: Path, folder: str, warm_texts: list[str]):
        self.tmp, self.folder, self.warm_texts = tmp, folder, warm_texts

    def server(self, name: str, workers: int) -> ServerProcess:
        config = (
            f"c.ServerApp.root_dir = {str(self.tmp / 'root')!r}\n"
            f"c.BookNLPApp.max_concurrent_jobs = {workers}\n"
        )
        server = ServerProcess(
            self.tmp / name / "data",
            engines={},
            default_model="lite",
            max_queue_size=100,
            extra_config=config,
        ).start()
        with self.client(server) as client:  # load spaCy in every worker
            ids = [
                submit(client, {"text": f"{t}\nwarm-up {name} {i}"})[0]
                for i, t in enumerate(self.warm_texts[:workers])
            ]
            for job_id in ids:
                wait_job(client, job_id)
        return server

    @staticmethod
    def client(server: ServerProcess) -> httpx.Client:
        headers = {"Authorization": f"token {server.token}"}
        return httpx.Client(base_url=server.url, headers=headers, timeout=60)

    def corpus(self, server: ServerProcess, output_dir: str) -> Run:
        with self.client(server) as client:
            t0 = time.monotonic()
            r = client.post("/corpora", json={"folder": self.folder, "output_dir": output_dir})
            r.raise_for_status()
            corpus_id = r.json()["corpus_id"]
            deadline = t0 + TIMEOUT
            while True:
                view = client.get(f"/corpora/{corpus_id}").json()
                if view["status"] in ("completed", "cancelled"):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"corpus {corpus_id}: {view['counts']}")
                time.sleep(POLL)
            seconds = time.monotonic() - t0
        server_s = (_when(view["completed_at"]) - _when(view["submitted_at"])).total_seconds()
        return Run(seconds, server_s, view)

    def singles(self, server: ServerProcess, texts: list[str]) -> Run:
        with self.client(server) as client:
            t0 = time.monotonic()
            posted = [submit(client, {"text": t}) for t in texts]
            jobs = [wait_job(client, job_id) for job_id, _ in posted]
            seconds = time.monotonic() - t0
        first = min(_when(j["submitted_at"]) for j in jobs)
        last = max(_when(j["completed_at"]) for j in jobs if j.get("completed_at"))
        detail = {
            "retries": sum(n for _, n in posted),
            "completed": sum(j["status"] == "completed" for j in jobs),
        }
        return Run(seconds, (last - first).total_seconds(), detail)


def submit(client: httpx.Client, body: dict[str, Any]) -> tuple[str, int]:
    """POST a job, waiting out each 503's Retry-After; its id and the number of 503s."""
    retries = 0
    while True:
        r = client.post("/jobs", json=body)
        if r.status_code != 503:
            r.raise_for_status()
            return r.json()["job_id"], retries
        retries += 1
        time.sleep(float(r.headers.get("Retry-After", "1")))


def wait_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    """The job once it has ended (polled every 0.2 s)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in ("completed", "failed", "cancelled", "expired"):
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id}: {job['status']}")
        time.sleep(POLL)


def written(view: dict[str, Any]) -> tuple[int, int, int]:
    """(files, bytes) in the corpus's output folder, and books with every BookNLP file."""
    out = Path(view["output_path"])
    files = [p for p in out.rglob("*") if p.is_file()]
    suffixes = booknlp_suffixes(view["pipeline"])
    whole = sum(
        all((out / f"{b['book_id']}.{s}").is_file() for s in suffixes) for b in view["books"]
    )
    return len(files), sum(p.stat().st_size for p in files), whole


def measure(bench: Bench, texts: list[str]) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    server = bench.server("one", 1)
    try:
        runs["corpus1"] = bench.corpus(server, "out/one")
        runs["again"] = bench.corpus(server, "out/one")
    finally:
        server.stop()
    server = bench.server("two", 2)
    try:
        runs["corpus2"] = bench.corpus(server, "out/two")
    finally:
        server.stop()
    server = bench.server("singles", 1)
    try:
        runs["singles"] = bench.singles(server, texts)
    finally:
        server.stop()
    return runs


def table(runs: dict[str, Run], n: int, chars: int) -> str:
    c1, c2, again, singles = runs["corpus1"], runs["corpus2"], runs["again"], runs["singles"]
    files, size, whole = written(c1.detail)
    counts = c1.detail["counts"]
    skipped = sum(b["skipped"] for b in again.detail["books"])

    def rate(run: Run) -> str:
        per_min = n / run.seconds * 60
        return f"{per_min:.1f} books/min ({run.seconds:.1f} s; server {run.server_seconds:.1f} s)"

    rows = [
        ("corpus, 1 worker", rate(c1)),
        ("corpus, 2 workers", rate(c2)),
        ("two workers / one", f"{c1.seconds / c2.seconds:.2f}x"),
        (
            "single jobs, 1 worker",
            f"{rate(singles)}; {singles.detail['retries']} 503 retries, "
            f"{singles.detail['completed']}/{n} completed",
        ),
        (
            "corpus overhead per book vs single jobs",
            f"{(c1.seconds - singles.seconds) / n * 1000:+.0f} ms "
            f"(server {(c1.server_seconds - singles.server_seconds) / n * 1000:+.0f} ms)",
        ),
        ("corpus time / single jobs time", f"{c1.seconds / singles.seconds:.2f}x"),
        (
            "books ended (1 worker)",
            f"{counts['completed']} completed, {counts['failed']} failed of {n}",
        ),
        ("files written (1 worker)", f"{files} files, {size / 1e6:.2f} MB ({size // n:,} B/book)"),
        (
            "books with every file",
            f"{whole}/{n} ({', '.join(booknlp_suffixes(c1.detail['pipeline']))})",
        ),
        (
            "re-submission, same output_dir",
            f"{again.seconds:.2f} s (server {again.server_seconds:.2f} s), {skipped}/{n} skipped",
        ),
    ]
    head = (
        f"lite engine, {n} books of 2,000-4,000 characters ({chars:,} in all), "
        f"max_queue_size 100, polled every {POLL} s\n\n| figure | value |\n|---|---|\n"
    )
    return head + "\n".join(f"| {k} | {v} |" for k, v in rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--books", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="6 books: check it runs")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"no corpus at {CORPUS}: this bench needs ../shared/corpus")
    n = 6 if args.quick else args.books
    tmp = Path(tempfile.mkdtemp(prefix="booknlp-corpus-bench-"))
    books = excerpts(n)
    folder = tmp / "root" / "texts"
    folder.mkdir(parents=True)
    for name, text in books:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    texts = [text for _, text in books]
    warm = [text for _, text in excerpts(2, seed=1)]
    started = time.monotonic()
    runs = measure(Bench(tmp, "texts", warm), texts)
    print("\n" + table(runs, n, sum(len(t) for t in texts)))
    print(f"\n(whole run {time.monotonic() - started:.0f} s; files in {tmp})")


if __name__ == "__main__":
    main()
