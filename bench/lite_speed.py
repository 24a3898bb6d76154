"""Throughput and peak memory of the lite engine, beside bare spaCy on the same text.

Usage: ``python bench/lite_speed.py [--sizes 1000000,5000000] [--novel FILE]``

Every measurement runs in a fresh subprocess (so peak RSS is its own):

* ``bare``: ``nlp.pipe`` of the same spaCy model over the same paragraphs (the engine's
  own paragraph split, the same batch size), docs discarded: the floor the engine
  builds on.
* ``lite``: ``LiteEngine.run`` with the full pipeline (entity, quote, supersense, event,
  coref).

Throughput excludes model loading. It measures and prints; it asserts nothing.
Texts come from ``../shared/corpus`` (sizes beyond one novel concatenate the novels).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))
FULL = ["entity", "quote", "supersense", "event", "coref"]


def corpus_text(novel: str | None, size: int | None) -> str:
    if novel:
        return (CORPUS / novel).read_text(encoding="utf-8")
    texts = [
        p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")) if p.name != "README.md"
    ]
    out, total = [], 0
    while total < size:
        for t in texts:
            out.append(t)
            total += len(t) + 2
            if total >= size:
                break
    return "\n\n".join(out)[:size]


def peak_rss_mb() -> float:
    """This process's peak RSS: ``VmHWM`` (Linux; ``ru_maxrss`` would carry over the
    parent's peak from before ``exec``, e.g. lite_quality's cached parses)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, novel: str | None, size: int | None) -> dict:
    from booknlp_jupyter.engines.lite import LiteEngine

    text = corpus_text(novel, size)
    engine = LiteEngine()
    engine.load("lite", FULL)
    loaded_rss = peak_rss_mb()
    started = time.perf_counter()
    if mode == "bare":
        from booknlp_jupyter.engines.lite.paragraphs import iter_paragraphs

        n_tokens = 0
        pieces = (p for _, p, _ in iter_paragraphs(text, 20_000))
        for doc in engine._nlp.pipe(pieces, batch_size=int(engine.options.get("batch_size", 64))):
            n_tokens += len(doc)
    else:
        result = engine.run(text, model="lite", pipeline=FULL, progress=lambda *a: None)
        n_tokens = len(result.tokens["word"])
    seconds = time.perf_counter() - started
    return {
        "mode": mode,
        "chars": len(text),
        "tokens": n_tokens,
        "seconds": seconds,
        "chars_per_s": len(text) / seconds,
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_load_mb": loaded_rss,
        "spacy_model": engine.spacy_model,
    }


def measure(mode: str, novel: str | None = None, size: int | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode]
    cmd += ["--novel", novel] if novel else ["--size", str(size)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"mode": mode, "error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--novel", default="1342_pride_and_prejudice.txt")
    ap.add_argument("--sizes", default="1000000,5000000")
    ap.add_argument("--child", choices=("bare", "lite"))
    ap.add_argument("--size", type=int)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, None if args.size else args.novel, args.size)))
        return 0
    if not CORPUS.is_dir():
        print(f"SKIP: corpus not found at {CORPUS} (expected ../shared/corpus)")
        return 0
    rows = [measure("bare", novel=args.novel), measure("lite", novel=args.novel)]
    print_rows(rows, f"throughput on {args.novel}")
    if "error" not in rows[0] and "error" not in rows[1]:
        print(
            f"\nlite / bare throughput ratio: {rows[1]['chars_per_s'] / rows[0]['chars_per_s']:.2f}"
        )
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if sizes:
        print()
        print_rows([measure("lite", size=s) for s in sizes], "lite engine on concatenated corpus")
    return 0


def print_rows(rows: list[dict], title: str) -> None:
    print(f"### {title}\n")
    print("| run | chars | tokens | seconds | chars/s | peak RSS MB | RSS after load MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if "error" in r:
            print(f"| {r['mode']} | error: {r['error'][-300:]!r} | | | | | |")
            continue
        print(
            f"| {r['mode']} ({r['spacy_model']}) | {r['chars']:,} | {r['tokens']:,} | "
            f"{r['seconds']:.1f} | {r['chars_per_s']:,.0f} | {r['peak_rss_mb']:,.0f} | "
            f"{r['rss_after_load_mb']:,.0f} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
