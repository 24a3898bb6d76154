"""A conditional logit over sparse string features, fit by Adam (numpy): the trainer of
the lite engine's entity and pronoun models.

Training data are *groups*: each a list of rows (one per candidate, its feature keys)
and a 0/1 label per row, at least one 1. The model is one weight per key; a candidate's
score is the sum of its keys' weights, and the softmax over each group's scores is
fit to put its mass on the right rows (L2 penalty, keys seen fewer than ``min_count``
times dropped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

Group = tuple[Sequence[Sequence[str]], Sequence[float]]


def fit(
    groups: Iterable[Group], l2: float = 1e-4, iters: int = 300, min_count: int = 2
) -> tuple[dict[str, float], dict[str, Any]]:
    """Weights (rounded, near-zero ones left out) and a summary of the data."""
    import numpy as np

    groups = list(groups)
    counts = Counter(k for rows, _ in groups for r in rows for k in r)
    vocab = {k: i for i, k in enumerate(sorted(k for k, n in counts.items() if n >= min_count))}
    cols, row_of, labels, sizes = [], [], [], []
    r = 0
    for rows, ys in groups:
        for keys in rows:
            ids = [vocab[k] for k in keys if k in vocab]
            cols.extend(ids)
            row_of.extend([r] * len(ids))
            r += 1
        labels.extend(ys)
        sizes.append(len(rows))
    cols_a = np.asarray(cols, dtype=np.int64)
    rows_a = np.asarray(row_of, dtype=np.int64)
    y = np.asarray(labels, dtype=float)
    sizes_a = np.asarray(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes_a)[:-1]]).astype(int)
    group = np.repeat(np.arange(len(sizes_a)), sizes_a)
    n_rows, n_groups = len(y), len(sizes_a)
    w = np.zeros(len(vocab))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for t in range(1, iters + 1):
        s = np.bincount(rows_a, weights=w[cols_a], minlength=n_rows)
        s = s - np.maximum.reduceat(s, starts)[group]
        e = np.exp(s)
        p_all = e / np.add.reduceat(e, starts)[group]
        ep = e * y
        p_pos = ep / np.add.reduceat(ep, starts)[group]
        diff = p_all - p_pos
        grad = np.bincount(cols_a, weights=diff[rows_a], minlength=len(w)) / n_groups + l2 * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        w -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    names = sorted(vocab, key=vocab.get)
    weights = {k: round(float(x), 3) for k, x in zip(names, w, strict=True) if abs(x) >= 5e-3}
    return weights, {"groups": n_groups, "candidates": n_rows, "features": len(vocab)}
