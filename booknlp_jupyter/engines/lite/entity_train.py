"""Train and score the entity model on LitBank samples (development use only).

`capture` parses a sample's text as the engine does and keeps, for every head
(`entity_model.is_head`), its candidate extents and their features. `Book` labels them
from the gold: a candidate (extent, category) is right when LitBank has exactly that
span with that category, on any nested layer; *no mention* is right when no candidate
is and no gold mention starts or ends at the head (else the head, unreachable, is left
out of training). `train` fits a conditional logit (softmax over each head's
candidates and *no mention*, L2, numpy, sparse features) by Adam.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from . import entity_model as em
from . import logit
from . import parse as parse_mod
from .litbank import Sample, load_sample


@dataclass
class Head:
    """One head: its candidate (kind, gold span or None) and each one's features."""

    #: the gold token at the head (None: a space)
    at: int | None
    head_features: list[str]
    kinds: list[str]
    spans: list[tuple[int, int] | None]
    extent_features: list[list[str]]


@dataclass
class Book:
    sample: Sample
    heads: list[Head] = field(default_factory=list)


def capture(engine: Any, sample: Sample) -> Book:
    """Parse ``sample.text`` with the engine's spaCy model and keep every head's candidates."""
    engine.load("lite", ["entity"])
    book = Book(sample)
    raw: list[tuple[int, list[str], list[tuple[str, int, int]], list[list[str]]]] = []
    original = parse_mod.doc_mentions

    def spy(doc, gid, lexicon, out):
        ent_of = {ent.root.i: ent for ent in doc.ents}
        for tok in doc:
            if not em.is_head(tok) and tok.i not in ent_of:
                continue
            ent = ent_of.get(tok.i)
            exts = [(k, gid[a], gid[b]) for k, a, b in em.extents(tok, ent)]
            efs = [em.extent_features(doc, k, a, b, tok.i) for k, a, b in em.extents(tok, ent)]
            raw.append((gid[tok.i], em.head_features(tok, ent, lexicon), exts, efs))
        return original(doc, gid, lexicon, out)

    s = engine.settings
    with em.use(None), mock.patch.object(parse_mod, "doc_mentions", spy):
        cols, _ = parse_mod.parse(
            sample.text,
            engine._nlp,
            engine._lexicon,
            batch_size=s.batch_size,
            chunk_chars=s.chunk_chars,
            max_doc_chars=s.max_doc_chars,
            on_chunk=lambda done: None,
        )
    g = sample.gold
    for h, hf, exts, efs in raw:
        at = g.at(int(cols.onsets[h])) if h >= 0 else None
        spans = [
            g.exact(int(cols.onsets[a]), cols.offset(b)) if a >= 0 and b >= 0 else None
            for _, a, b in exts
        ]
        book.heads.append(Head(at, hf, [k for k, _, _ in exts], spans, efs))
    return book


def load_books(engine: Any, root: Path, names: Sequence[str]) -> list[Book]:
    return [capture(engine, load_sample(root, n)) for n in names]


def _keys(head: Head, j: int, cat: str) -> list[str]:
    return em.candidate_keys(head.head_features, head.kinds[j], head.extent_features[j], cat)


def _groups(books: Sequence[Book]):
    """Training groups: per head, rows (candidate keys) and labels, *no mention* first."""
    for b in books:
        gold = b.sample.entities or set()
        edges = {s for s, _, _ in gold} | {e for _, e, _ in gold}
        for head in b.heads:
            rows: list[list[str]] = [[]]
            ys = [0.0]
            for j, span in enumerate(head.spans):
                for cat in em.CATS:
                    rows.append(_keys(head, j, cat))
                    ys.append(float(span is not None and (*span, cat) in gold))
            if not any(ys):
                if head.at is None or head.at in edges:
                    continue
                ys[0] = 1.0
            yield rows, ys


def fit(books: Sequence[Book], l2: float = 1e-4, iters: int = 300, min_count: int = 2):
    """Weights by Adam on the conditional logit (`logit.fit`), and the data's size."""
    weights, meta = logit.fit(_groups(books), l2=l2, iters=iters, min_count=min_count)
    return weights, {
        "heads": meta["groups"],
        "candidates": meta["candidates"],
        "features": meta["features"],
    }


def train(books: Sequence[Book], **kw: Any) -> em.EntityModel:
    """A model fit on ``books``."""
    weights, meta = fit(books, **kw)
    return em.EntityModel(weights, {"books": len(books), **meta})


def predict(book: Book, model: em.EntityModel) -> set[tuple[int, int, str]]:
    """Gold-token (start, end, category) of the mentions ``model`` picks in ``book``."""
    w = model.weights.get
    out = set()
    for head in book.heads:
        best, top = None, 0.0
        for j, span in enumerate(head.spans):
            for cat in em.CATS:
                s = sum(w(k, 0.0) for k in _keys(head, j, cat))
                if s > top:
                    best, top = (span, cat), s
        if best is not None and best[0] is not None:
            out.add((*best[0], best[1]))
    return out


def score(books: Sequence[Book], model: em.EntityModel) -> dict[str, tuple[int, int, int]]:
    """(true positives, predicted, gold) per category and ``ALL`` (titles not included)."""
    c: Counter = Counter()
    for b in books:
        gold = b.sample.entities or set()
        pred = predict(b, model)
        for cat in (*em.CATS, "ALL"):
            p = {x for x in pred if cat in ("ALL", x[2])}
            g = {x for x in gold if cat in ("ALL", x[2])}
            c[cat, "tp"] += len(p & g)
            c[cat, "p"] += len(p)
            c[cat, "g"] += len(g)
    return {cat: (c[cat, "tp"], c[cat, "p"], c[cat, "g"]) for cat in (*em.CATS, "ALL")}
