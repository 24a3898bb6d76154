"""Opening the JupyterLab book view on a 1,000,000-token result, in Debian's Chromium.

Starts a real JupyterLab with the extension (built as the browser tests build it) and a
1,000,000-token result: by default Pride and Prejudice analyzed by the real ``lite``
engine and tiled 7 times (``bench/bookview_engine.py``: about a minute), or with
``--source corpus`` the lite engine on four novels of ``../shared/corpus`` concatenated
(about 7 minutes on 2 cores). The Playwright script ``labextension/ui-tests/bench``
then opens the book view from the panel and times each section: first paint (click to
the first frame that shows it), complete (its tables all in), the longest main-thread
task, the peak JS heap (CDP) and the DOM size; then a jump to the middle of the text,
and the Text section opened first on a fresh page. A sampler records the peak resident
memory of the browser's renderer. It measures and prints; it asserts nothing.

    .venv/bin/python bench/bookview_bench.py [--source tiled|corpus] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_lab_ui import CHROMIUM, UI, LabServer, ensure_built  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
NOVEL = CORPUS / "1342_pride_and_prejudice.txt"
NOVELS = ("1342_pride_and_prejudice", "158_emma", "2489_moby_dick", "766_david_copperfield")


class BenchLab(LabServer):
    """The browser tests' JupyterLab, plus the bench's ``tiled`` engine."""

    def prepare(self) -> None:
        super().prepare()
        with open(self.base / "config" / "jupyter_server_config.py", "a") as f:
            f.write('c.BookNLPApp.engines["tiled"] = "bookview_engine:TiledLiteEngine"\n')


def api(lab: LabServer, path: str, body: dict[str, Any] | None = None) -> Any:
    req = urllib.request.Request(
        f"{lab.url}booknlp/v1/{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{path}: {error.code} {error.read().decode()}") from None


def analyze(lab: LabServer, source: str, repeat: int) -> dict[str, Any]:
    if source == "tiled":
        text = f"@tile {repeat}\n" + NOVEL.read_text(encoding="utf-8")
        body = {"text": text, "model": "tiled", "book_id": f"pride-x{repeat}"}
    else:
        parts = [(CORPUS / f"{n}.txt").read_text(encoding="utf-8") for n in NOVELS]
        body = {"text": "\n\n".join(parts), "model": "lite", "book_id": "four-novels"}
    t0 = time.monotonic()
    job, _ = api(lab, "jobs", body)
    while job["status"] in ("pending", "running"):
        time.sleep(1)
        job, _ = api(lab, f"jobs/{job['job_id']}")
    if job["status"] != "completed":
        raise RuntimeError(f"the job did not complete: {job}")
    print(f"analyzed in {time.monotonic() - t0:.0f} s: {job['token_count']:,} tokens")
    return job


def table_rows(lab: LabServer, job_id: str) -> dict[str, int]:
    rows = {}
    for table in ("tokens", "entities", "quotes"):
        req = urllib.request.Request(
            f"{lab.url}booknlp/v1/jobs/{job_id}/result/{table}?format=csv",
            headers={"Authorization": f"token {lab.token}"},
        )
        with urllib.request.urlopen(req, timeout=60) as r:
            rows[table] = int(r.headers["X-Row-Count"])
    chars, _ = api(lab, f"jobs/{job_id}/result/characters?format=json")
    rows["characters"] = len(chars)
    return rows


class RendererPeak:
    """Peak resident memory of any Chromium renderer under ``pid``, every 100 ms."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            try:
                for p in self.root.children(recursive=True):
                    if "--type=renderer" in " ".join(p.cmdline()):
                        self.peak = max(self.peak, p.memory_info().rss)
            except psutil.Error:
                pass

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_browser(lab: LabServer, job_id: str) -> tuple[list[dict[str, Any]], int]:
    out = Path(tempfile.mkdtemp()) / "bookview-bench.json"
    env = {
        **os.environ,
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "BOOKNLP_LAB_URL": lab.url,
        "BOOKNLP_LAB_TOKEN": lab.token,
        "BOOKNLP_CHROMIUM": CHROMIUM,
        "BOOKNLP_BENCH_JOB": job_id,
        "BOOKNLP_BENCH_OUT": str(out),
    }
    proc = subprocess.Popen(
        [
            str(UI / "node_modules" / ".bin" / "playwright"),
            "test",
            "--config=playwright.bench.config.ts",
            "--reporter=list",
        ],
        cwd=UI,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = RendererPeak(proc.pid)
    log, _ = proc.communicate(timeout=1500)
    sampler.stop()
    if proc.returncode:
        raise RuntimeError(f"the Playwright bench failed:\n{log[-6000:]}")
    return json.loads(out.read_text()), sampler.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("tiled", "corpus"), default="tiled")
    parser.add_argument("--repeat", type=int, default=7, help="copies (--source tiled)")
    args = parser.parse_args()
    ensure_built()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")])
    )
    with tempfile.TemporaryDirectory() as tmp:
        lab = BenchLab(Path(tmp)).start()
        try:
            job = analyze(lab, args.source, args.repeat)
            rows = table_rows(lab, job["job_id"])
            print("rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
            phases, renderer = run_browser(lab, job["job_id"])
        finally:
            lab.stop()
    print()
    print(
        "| round | section | first paint ms | complete ms | longest task ms "
        "| peak JS heap MB | DOM nodes |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for p in phases:
        print(
            f"| {p['round']} | {p['phase']} | {p['firstPaintMs']:.0f} | {p['completeMs']:.0f} "
            f"| {p['longestTaskMs']:.0f} | {p['peakHeapMB']:.0f} | {p['domNodes']:.0f} |"
        )
    print(f"\npeak renderer RSS: {renderer / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
