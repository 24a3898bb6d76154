"""Train the lite engine's entity model on LitBank and write its weights.

Usage: ``python bench/train_entities.py [--folds 5] [--out PATH] [--limit N]``.
Skips (exit 0) when ``../shared/litbank`` is absent. Parses each sample once (about a
minute and a half for the 80 books), prints K-fold cross-validated entity scores of the
model alone (exact span and category against every nested gold layer, per category,
mean ± std over folds; the honorific mentions the entity table adds are not counted
here), then fits on every book and writes
``booknlp_jupyter/engines/lite/models/entities.json`` (the shipped weights;
deterministic). Run ``bench/train_speakers.py`` after it (speakers are ranked among the
entity model's mentions), and ``bench/lite_quality.py --folds 5`` for the whole engine.
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


def _f1(tp: int, p: int, g: int) -> float:
    return 200 * tp / (p + g) if p + g else 0.0


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
    from booknlp_jupyter.engines.lite import entity_train as et
    from booknlp_jupyter.engines.lite.entity_model import CATS, MODEL_PATH
    from booknlp_jupyter.engines.lite.litbank import books as list_books

    started = time.time()
    engine = LiteEngine()
    engine.load("lite", ["entity"])
    names = list_books(LITBANK)[: args.limit or None]
    books = et.load_books(engine, LITBANK, names)
    print(f"parsed {len(books)} books in {time.time() - started:.0f} s")
    meta: dict = {}
    if args.folds >= 2:
        order = list(range(len(books)))
        random.Random(SEED).shuffle(order)
        per: dict[str, list[float]] = {c: [] for c in (*CATS, "ALL")}
        for k in range(args.folds):
            held = set(order[k :: args.folds])
            model = et.train([b for i, b in enumerate(books) if i not in held])
            scores = et.score([b for i, b in enumerate(books) if i in held], model)
            for cat, counts in scores.items():
                per[cat].append(_f1(*counts))
            print(
                f"fold {k + 1}: {len(held)} books, PER F1 {per['PER'][-1]:.1f}, "
                f"all categories {per['ALL'][-1]:.1f}",
                flush=True,
            )
        sd = statistics.stdev if args.folds > 1 else (lambda _v: 0.0)
        meta = {
            "cv_folds": args.folds,
            **{
                f"cv_{cat}": [round(statistics.mean(v), 1), round(sd(v), 1)]
                for cat, v in per.items()
            },
        }
        print(f"\n{args.folds}-fold CV, the model's own mentions (F1, mean ± std):")
        for cat in ("ALL", *CATS):
            print(f"  {cat:4s} {meta[f'cv_{cat}'][0]:5.1f} ± {meta[f'cv_{cat}'][1]:.1f}")
    model = et.train(books)
    model.meta.update(meta)
    out = args.out or MODEL_PATH
    model.save(out)
    print(
        f"wrote {out} ({out.stat().st_size:,} bytes, {len(model.weights):,} weights, "
        f"{model.meta['heads']:,} training heads); total {time.time() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
