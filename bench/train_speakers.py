"""Train the lite engine's speaker model on LitBank and write its weights.

Usage: ``python bench/train_speakers.py [--folds 5] [--out PATH] [--limit N]``.
Skips (exit 0) when ``../shared/litbank`` is absent. Runs the lite engine once on each
sample (rule-based speakers; about a minute for the 80 books), prints K-fold
cross-validated speaker attribution (% of matched gold quotes whose predicted speaker
overlaps the gold speaker's chain; rules vs. trained, mean ± std over folds), then fits
on every book and writes ``booknlp_jupyter/engines/lite/models/speakers.json`` (the
shipped weights; deterministic: same data, same file). Full-engine figures, with the
engine re-run per fold: ``bench/lite_quality.py --folds 5``.
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
    from booknlp_jupyter.engines.lite import speaker_train as st
    from booknlp_jupyter.engines.lite.litbank import books as list_books
    from booknlp_jupyter.engines.lite.speaker_model import MODEL_PATH, weights_summary

    started = time.time()
    engine = LiteEngine()
    engine.load("lite", ["entity"])
    names = list_books(LITBANK)[: args.limit or None]
    books = {n: st.load_book(engine, LITBANK, n) for n in names}
    print(f"ran the engine on {len(books)} books in {time.time() - started:.0f} s")
    meta: dict = {}
    if args.folds >= 2:
        order = list(names)
        random.Random(SEED).shuffle(order)
        rules, trained = [], []
        for k in range(args.folds):
            held = set(order[k :: args.folds])
            model = st.train([books[n] for n in names if n not in held])
            test = [books[n] for n in names if n in held]
            r0, n0 = st.accuracy(test, None)
            r1, n1 = st.accuracy(test, model)
            rules.append(100 * r0 / max(n0, 1))
            trained.append(100 * r1 / max(n1, 1))
            print(f"fold {k + 1}: {n0} quotes, rules {rules[-1]:.1f}, trained {trained[-1]:.1f}")
        sd = statistics.stdev if args.folds > 1 else (lambda _v: 0.0)
        meta = {
            "cv_folds": args.folds,
            "cv_rules": [round(statistics.mean(rules), 1), round(sd(rules), 1)],
            "cv_trained": [round(statistics.mean(trained), 1), round(sd(trained), 1)],
        }
        print(
            f"{args.folds}-fold CV speaker attribution: rules {meta['cv_rules'][0]} ± "
            f"{meta['cv_rules'][1]}, trained {meta['cv_trained'][0]} ± {meta['cv_trained'][1]}"
        )
    model = st.train(list(books.values()))
    model.meta.update(meta)
    right, total = st.accuracy(list(books.values()), model)
    print(f"fit on all {len(books)} books: {100 * right / max(total, 1):.1f} on its training data")
    out = args.out or MODEL_PATH
    model.save(out)
    top = ", ".join(f"{n} {w:+.2f}" for n, w in weights_summary(model))
    print(f"wrote {out} ({out.stat().st_size} bytes); largest weights: {top}")
    print(f"total {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
