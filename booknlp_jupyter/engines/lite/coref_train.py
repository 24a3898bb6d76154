"""Train and score the pronoun model on LitBank samples (development use only).

`capture` runs the lite engine on a sample's text and keeps what pronoun resolution saw
(`coref_model.Anaphora`). `Book` labels each anaphor (pronoun or noun phrase) from the
gold coreference layer: a candidate is right when its span is a gold mention of the
anaphor's own chain; *a new character* is right when no mention of that chain comes
earlier. Anaphors that are not gold mentions, or whose antecedents are all out of
reach, are left out. `train` fits the conditional logit of `logit.fit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from . import coref as coref_mod
from . import logit
from .coref_model import Anaphora, CorefModel, use
from .litbank import Sample, load_sample


@dataclass
class Book:
    sample: Sample
    doc: Anaphora
    #: anaphor position -> label per candidate (nearest first), then *new*
    labels: dict[int, list[float]] = field(default_factory=dict)


def capture(engine: Any, sample: Sample) -> Book:
    """Run the engine on ``sample`` (pronouns by the rules) and label its anaphors."""
    seen: dict[str, Any] = {}
    original = coref_mod.link_pronouns

    def spy(cols, mentions, refs, genders, in_quote):
        seen["doc"] = Anaphora(cols, mentions, list(refs), genders, in_quote)
        return original(cols, mentions, refs, genders, in_quote)

    with use(None), mock.patch.object(coref_mod, "link_pronouns", spy):
        engine.run(
            sample.text, model="lite", pipeline=["entity", "coref"], progress=lambda *a: None
        )
    doc: Anaphora = seen["doc"]
    g = sample.gold
    chain_of: dict[tuple[int, int], str] = {}
    first: dict[str, int] = {}
    for ent, ids in sample.chains.items():
        for i in ids:
            if i in sample.mentions:
                s, e = sample.mentions[i][:2]
                chain_of[s, e] = ent
                first[ent] = min(first.get(ent, s), s)
    cols = doc.cols
    spans = [g.exact(int(cols.onsets[x["start"]]), cols.offset(x["end"])) for x in doc.info]
    book = Book(sample, doc)
    for p in doc.anaphors():
        ent = chain_of.get(spans[p]) if spans[p] is not None else None
        if ent is None:
            continue
        ys = [
            float(spans[q] is not None and chain_of.get(spans[q]) == ent) for q in doc.candidates(p)
        ]
        ys.append(float(first[ent] >= spans[p][0]))
        if any(ys):
            book.labels[p] = ys
    return book


def load_books(engine: Any, root: Path, names: Sequence[str]) -> list[Book]:
    return [capture(engine, load_sample(root, n)) for n in names]


def _groups(books: Sequence[Book]):
    for b in books:
        for p, ys in b.labels.items():
            if all(ys):
                continue
            yield b.doc.keys(p, b.doc.candidates(p)), ys


def train(books: Sequence[Book], l2: float = 1e-4, iters: int = 300) -> CorefModel:
    """A model fit on ``books``."""
    weights, meta = logit.fit(_groups(books), l2=l2, iters=iters)
    return CorefModel(weights, {"books": len(books), "l2": l2, **meta})


def accuracy(books: Sequence[Book], model: CorefModel) -> tuple[int, int]:
    """(right picks, labelled anaphors) of ``model`` over ``books``."""
    right = total = 0
    for b in books:
        for p, ys in b.labels.items():
            q = model.pick(b.doc, p)
            cands = b.doc.candidates(p)
            total += 1
            right += bool(ys[-1] if q is None else ys[cands.index(q)])
    return right, total
