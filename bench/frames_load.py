"""From "job completed" to every DataFrame in the kernel, beside pandas reading the same
tables as BookNLP-format TSV files from local disk, same run, same kernel.

Starts a real Jupyter server with the extension (model ``lite``) and a kernel it launches.
The kernel submits Pride and Prejudice repeated ``--repeat`` times (7: about a million
tokens), waits on the event stream, and at once loads every table with ``job.frames()``
(Parquet per table; characters as JSON). It then writes the same tables as BookNLP writes
them (``.tokens``, ``.entities``, ``.quotes``, ``.supersense``, ``.event`` TSV and the
``.book`` JSON) and, in interleaved rounds, times ``job.frames()`` against
``pd.read_csv(sep="\\t", quoting=QUOTE_NONE)`` of those files. A sampler thread in the
kernel records its resident memory; the peak above the start of each load is printed.
It measures and prints; it asserts nothing.

    .venv/bin/python bench/frames_load.py [--repeat 7] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from booknlp_jupyter.testing import ROOT, JupyterServer

KERNEL_SETUP = r'''
import csv, gc, json, os, resource, statistics, threading, time
from datetime import datetime, timezone
from pathlib import Path
import pandas as pd, psutil
from booknlp_jupyter import Client

_proc = psutil.Process()
class Peak:
    """Peak resident memory (bytes) above the start, sampled every 5 ms."""
    def __enter__(self):
        gc.collect()
        self.start = self.peak = _proc.memory_info().rss
        self.stop = threading.Event()
        def sample():
            while not self.stop.wait(0.005):
                self.peak = max(self.peak, _proc.memory_info().rss)
        self.thread = threading.Thread(target=sample, daemon=True); self.thread.start()
        return self
    def __exit__(self, *exc):
        self.stop.set(); self.thread.join()
        self.peak = max(self.peak, _proc.memory_info().rss)

def write_booknlp(frames, folder, book="book"):
    folder.mkdir(parents=True, exist_ok=True)
    kw = dict(sep="\t", index=False, quoting=csv.QUOTE_NONE, escapechar="\\")
    for table, ext in (("tokens", "tokens"), ("entities", "entities"), ("quotes", "quotes"),
                       ("supersenses", "supersense"), ("events", "event")):
        frames[table].to_csv(folder / f"{book}.{ext}", **kw)
    (folder / f"{book}.book").write_text(json.dumps(
        {"characters": frames["characters"].to_dict("records")}))

def read_booknlp(folder, book="book"):
    kw = dict(sep="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
    out = {t: pd.read_csv(folder / f"{book}.{e}", **kw) for t, e in (
        ("tokens", "tokens"), ("entities", "entities"), ("quotes", "quotes"),
        ("supersenses", "supersense"), ("events", "event"))}
    out["characters"] = pd.DataFrame(json.loads((folder / f"{book}.book").read_text())[
        "characters"])
    return out
'''

KERNEL_RUN = r"""
client = Client()
text = "\n\n".join([Path({book!r}).read_text(encoding="utf-8")] * {repeat})
job = client.submit(text, model="lite", book_id="pp-x{repeat}")
final = job.wait()
assert final["status"] == "completed", final
with Peak() as first:
    t0 = time.perf_counter()
    frames = job.frames()
    t1 = time.perf_counter()
done = datetime.now(timezone.utc)
completed = datetime.fromisoformat(final["completed_at"].replace("Z", "+00:00"))
folder = Path({tmp!r})
write_booknlp(frames, folder)
on_disk = sum(f.stat().st_size for f in folder.iterdir())
rows = {{k: len(v) for k, v in frames.items()}}
frame_bytes = sum(int(v.memory_usage(deep=True).sum()) for v in frames.values())
del frames
api, tsv, api_peak, tsv_peak = [], [], [], []
for _ in range({rounds}):
    with Peak() as p:
        t = time.perf_counter(); f = job.frames(); api.append(time.perf_counter() - t)
    api_peak.append(p.peak - p.start); del f
    with Peak() as p:
        t = time.perf_counter(); f = read_booknlp(folder); tsv.append(time.perf_counter() - t)
    tsv_peak.append(p.peak - p.start); del f
print(json.dumps(dict(
    first_load_s=t1 - t0, completed_to_frames_s=(done - completed).total_seconds(),
    first_peak_mb=(first.peak - first.start) / 2**20,
    processing_s=final["processing_time_ms"] / 1000, token_count=final["token_count"],
    text_chars=len(text), rows=rows, frames_mb=frame_bytes / 2**20, tsv_mb=on_disk / 2**20,
    api_s=api, tsv_s=tsv, api_peak_mb=[p / 2**20 for p in api_peak],
    tsv_peak_mb=[p / 2**20 for p in tsv_peak],
    kernel_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="copies of the novel")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--book", default=str(ROOT / "notebooks/data/pride_and_prejudice.txt"))
    args = parser.parse_args()
    import statistics

    tmp = Path(tempfile.mkdtemp(prefix="booknlp-frames-bench-"))
    server = JupyterServer(
        tmp, default_model="lite", extra_config="c.BookNLPApp.max_document_size = 20_000_000\n"
    ).start()
    kernel = server.kernel()
    try:
        kernel.run(KERNEL_SETUP)
        started = time.monotonic()
        out = kernel.run(
            KERNEL_RUN.format(
                book=args.book,
                repeat=args.repeat,
                rounds=args.rounds,
                tmp=str(tmp / "booknlp-files"),
            ),
            timeout=3600,
        )
        r = json.loads(out.strip().splitlines()[-1])
    finally:
        kernel.stop()
        server.stop()
    api, tsv = statistics.median(r["api_s"]), statistics.median(r["tsv_s"])
    print(
        f"book: {r['text_chars']:,} characters, {r['token_count']:,} tokens; lite ran "
        f"{r['processing_s']:.1f} s (bench wall {time.monotonic() - started:.0f} s)"
    )
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in r["rows"].items()))
    print(
        f"DataFrames in memory {r['frames_mb']:.0f} MiB; BookNLP files on disk "
        f"{r['tsv_mb']:.0f} MiB"
    )
    print(
        f"job completed -> all DataFrames in the kernel: {r['completed_to_frames_s']:.2f} s "
        f"(first job.frames() {r['first_load_s']:.2f} s, peak +{r['first_peak_mb']:.0f} MiB)"
    )
    print(f"{'':24}{'median s':>10}{'min s':>8}{'peak MiB':>10}")
    print(
        f"{'job.frames() (API)':24}{api:10.2f}{min(r['api_s']):8.2f}{max(r['api_peak_mb']):10.0f}"
    )
    print(
        f"{'pandas TSV from disk':24}{tsv:10.2f}{min(r['tsv_s']):8.2f}{max(r['tsv_peak_mb']):10.0f}"
    )
    print(
        f"ratio API / TSV (median): {api / tsv:.2f}x  (target <= 1.5x); "
        f"kernel peak RSS {r['kernel_maxrss_mb']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
