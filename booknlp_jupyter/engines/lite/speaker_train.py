"""Train and score the speaker model on LitBank samples (development use only).

`capture` runs the lite engine on a sample's text and keeps what speaker attribution saw
(tokens, mentions, quotes, characters); `Book` labels its quotes from the gold: a
candidate is right when its span overlaps a mention of the gold speaker's coreference
chain (the measure of ``bench/lite_quality.py``). `train` fits a conditional logit
(softmax over each quote's candidates, L2, numpy) in rounds: the first round's
turn-taking features use the rules' picks for earlier quotes, later rounds the previous
round's model's own left-to-right choices, as at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from . import quotes as quotes_mod
from .litbank import Sample, load_sample, match_quotes, overlaps
from .speaker_features import FEATURES, DocSpeakers
from .speaker_model import SpeakerModel, use


@dataclass
class Book:
    """One sample: the engine's result, its speaker inputs, and the gold per quote."""

    sample: Sample
    result: Any
    doc: DocSpeakers
    #: predicted quote index -> gold speaker chain spans (matched gold quotes with a speaker)
    chains: dict[int, list[tuple[int, int]]]
    #: gold quotes with a speaker, and how many of them a predicted quote matches
    n_gold: int
    mention_gold: list[tuple[int, int]]

    def right(self, q: int, m: int | None) -> bool:
        return m is not None and overlaps(self.mention_gold[m], self.chains[q])


def capture(engine: Any, text: str, model: SpeakerModel | None) -> tuple[Any, dict[str, Any]]:
    """Run the engine (speakers by ``model``; None: rules) and keep `attribute`'s inputs."""
    seen: dict[str, Any] = {}
    original = quotes_mod.attribute

    def spy(cols, mentions, quotes, in_quote, children, cluster_of):
        seen.update(cols=cols, mentions=mentions, quotes=quotes, in_quote=in_quote)
        # the pipeline's cluster_of reads its clusters as they later change: snapshot them
        snap = [cluster_of(k) for k in range(len(mentions))]
        seen.update(children=children, cluster_of=snap.__getitem__)
        return original(cols, mentions, quotes, in_quote, children, cluster_of)

    with use(model), mock.patch.object(quotes_mod, "attribute", spy):
        res = engine.run(
            text, model="lite", pipeline=["entity", "quote", "coref"], progress=lambda *a: None
        )
    return res, seen


def load_book(engine: Any, root: Path, name: str, model: SpeakerModel | None = None) -> Book:
    sample = load_sample(root, name)
    res, seen = capture(engine, sample.text, model)
    cols, ments = seen["cols"], seen["mentions"]
    rules = quotes_mod.rule_speakers(
        cols, ments, seen["quotes"], seen["in_quote"], seen["children"], seen["cluster_of"]
    )
    doc = DocSpeakers(cols, ments, seen["quotes"], seen["in_quote"], seen["cluster_of"], rules)
    g = sample.gold

    def to_gold(s: int, e: int) -> tuple[int, int]:
        return g.cover(int(cols.onsets[s]), cols.offset(e))

    pq = [to_gold(s, e) for s, e in seen["quotes"]]
    matched = match_quotes(sample.quotes, pq)
    chains = {
        matched[qid]: sample.chain_spans(ent)
        for qid, ent in sample.speakers.items()
        if qid in matched
    }
    mention_gold = [to_gold(ments.starts[k], ments.ends[k]) for k in range(len(ments))]
    n_gold = sum(1 for qid in sample.speakers if qid in sample.quotes)
    return Book(sample, res, doc, chains, n_gold, mention_gold)


def predict(book: Book, model: SpeakerModel | None) -> list[int | None]:
    return model.decode(book.doc) if model is not None else list(book.doc.rules)


def accuracy(books: Sequence[Book], model: SpeakerModel | None) -> tuple[int, int]:
    """(right, matched gold quotes with a speaker) over ``books``."""
    right = total = 0
    for b in books:
        picks = predict(b, model)
        for q in b.chains:
            total += 1
            right += b.right(q, picks[q])
    return right, total


def _groups(books: Sequence[Book], model: SpeakerModel | None):
    import numpy as np

    rows: list[list[float]] = []
    labels: list[float] = []
    sizes: list[int] = []
    for b in books:
        picks = predict(b, model)
        for q in sorted(b.chains):
            prev = (picks[q - 1] if q >= 1 else None, picks[q - 2] if q >= 2 else None)
            cands = b.doc.candidates(q, prev)
            ys = [float(b.right(q, m)) for m in cands]
            if not any(ys) or all(ys):
                continue
            for r in b.doc.features(q, cands, prev):
                dense = [0.0] * len(FEATURES)
                for k, v in r.items():
                    dense[k] = v
                rows.append(dense)
            labels.extend(ys)
            sizes.append(len(cands))
    return np.asarray(rows), np.asarray(labels), np.asarray(sizes)


def fit(x: Any, y: Any, sizes: Any, l2: float = 1e-3, iters: int = 600) -> Any:
    """Conditional logit weights (softmax within each group of ``sizes`` rows), by Adam."""
    import numpy as np

    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    group = np.repeat(np.arange(len(sizes)), sizes)
    w = np.zeros(x.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for t in range(1, iters + 1):
        s = x @ w
        s = s - np.maximum.reduceat(s, starts)[group]
        e = np.exp(s)
        p_all = e / np.add.reduceat(e, starts)[group]
        ep = e * y
        p_pos = ep / np.add.reduceat(ep, starts)[group]
        grad = x.T @ (p_all - p_pos) / len(sizes) + l2 * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        w -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    return w


def train(books: Sequence[Book], rounds: int = 2, l2: float = 1e-3) -> SpeakerModel:
    """A model fit on ``books`` (see the module docstring for the rounds)."""
    model: SpeakerModel | None = None
    n = 0
    for _ in range(rounds):
        x, y, sizes = _groups(books, model)
        n = len(sizes)
        w = fit(x, y, sizes, l2=l2)
        model = SpeakerModel({f: round(float(v), 4) for f, v in zip(FEATURES, w, strict=True)})
    assert model is not None
    model.meta = {"books": len(books), "quotes": n, "rounds": rounds, "l2": l2}
    return model
