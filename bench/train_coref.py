"""Train the lite engine's pronoun model on LitBank and write its weights.

Usage: ``python bench/train_coref.py [--folds 5] [--out PATH] [--limit N]``.
Skips (exit 0) when ``../shared/litbank`` is absent. Runs the lite engine once on each
sample (with the shipped entity model: run ``bench/train_entities.py`` first when it
changes; under a minute for the 80 books), prints K-fold cross-validated accuracy (% of
the gold pronouns whose pick, an earlier mention or *a new character*, is right; mean ±
std over folds), then fits on every book and writes
``booknlp_jupyter/engines/lite/models/coref.json`` (the shipped weights; deterministic).
Character clustering B3 with the engine re-run per fold: ``bench/lite_quality.py --folds 5``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITBANK = ROOT.parent / "shared" / "litbank"
sys.path.insert(0, str(ROOT))
SEED = 14


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N books")
    ap.add_argument("--out", type=Path, default=None, help="default: the shipped model file")
    args = ap.parse_args()
    if not (LITBANK / "coref").is_dir():
        print(f"SKIP: LitBank gold not found at {LITBANK} (expected ../shared/litbank)")
        return 0
    from booknlp_jupyter.engines.lite import LiteEngine
    from booknlp_jupyter.engines.lite import coref_train as ct
    from booknlp_jupyter.engines.lite.coref_model import MODEL_PATH
    from booknlp_jupyter.engines.lite.litbank import books as list_books

    started = time.time()
    engine = LiteEngine()
    engine.load("lite", ["entity"])
    names = list_books(LITBANK)[: args.limit or None]
    books = dict(zip(names, ct.load_books(engine, LITBANK, names), strict=True))
    n_pron = sum(len(b.labels) for b in books.values())
    print(
        f"ran the engine on {len(books)} books in {time.time() - started:.0f} s: {n_pron} pronouns"
    )
    meta: dict = {}
    if args.folds >= 2:
        order = list(names)
        random.Random(SEED).shuffle(order)
        scores = []
        for k in range(args.folds):
            held = set(order[k :: args.folds])
            model = ct.train([books[n] for n in names if n not in held])
            right, total = ct.accuracy([books[n] for n in names if n in held], model)
            scores.append(100 * right / max(total, 1))
            print(f"fold {k + 1}: {total} pronouns, {scores[-1]:.1f} % right")
        meta = {
            "cv_folds": args.folds,
            "cv_accuracy": [round(statistics.mean(scores), 1), round(statistics.stdev(scores), 1)],
        }
        print(
            f"{args.folds}-fold CV pronoun accuracy: {meta['cv_accuracy'][0]} ± "
            f"{meta['cv_accuracy'][1]}"
        )
    model = ct.train(list(books.values()))
    model.meta.update(meta)
    right, total = ct.accuracy(list(books.values()), model)
    print(f"fit on all {len(books)} books: {100 * right / max(total, 1):.1f} on its training data")
    out = args.out or MODEL_PATH
    model.save(out)
    top = sorted(model.weights.items(), key=lambda kv: -abs(kv[1]))[:8]
    print(
        f"wrote {out} ({out.stat().st_size} bytes, {len(model.weights)} weights); largest: "
        + ", ".join(f"{k} {w:+.2f}" for k, w in top)
    )
    print(f"total {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
