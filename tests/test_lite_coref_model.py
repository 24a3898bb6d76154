"""The lite engine's trained pronoun model: shipped weights, training on LitBank, offline runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.engines.lite import coref_model as cm
from booknlp_jupyter.engines.lite import coref_train as ct
from tests.lite_support import LITBANK, PIPELINE, PRIDE, needs_litbank

FEW_BOOKS = [
    "1400_great_expectations",
    "105_persuasion",
    "711_allan_quatermain",
    "1342_pride_and_prejudice",
    "158_emma",
    "2814_dubliners",
]
HELD_OUT = "2852_the_hound_of_the_baskervilles"


def _run(engine: LiteEngine, model: cm.CorefModel | None, text: str = PRIDE) -> Any:
    with cm.use(model):
        return engine.run(text, model="lite", pipeline=PIPELINE, progress=lambda *a: None)


def _cluster_of(res: Any, phrase: str) -> int:
    ent = res.entities
    return next(int(r) for t, r in zip(ent["text"], ent["COREF"], strict=True) if t == phrase)


def _pronouns_in(res: Any, cluster: int) -> int:
    ent = res.entities
    return sum(
        1
        for p, r in zip(ent["prop"], ent["COREF"], strict=True)
        if p == "PRON" and int(r) == cluster
    )


def test_shipped_weights_load() -> None:
    model = cm.CorefModel.load(cm.MODEL_PATH)
    assert len(model.weights) > 100
    assert cm.MODEL_PATH.stat().st_size < 5_000_000
    assert model.meta["cv_accuracy"][0] > 80, model.meta
    assert cm.default_model() is not None


def test_shipped_model_on_pride(lite_engine: LiteEngine, offline: None) -> None:
    res = _run(lite_engine, cm.CorefModel.load(cm.MODEL_PATH))
    rules = _run(lite_engine, None)
    bennet = _cluster_of(res, "Mr. Bennet")
    assert _pronouns_in(res, bennet) >= 5
    assert list(res.entities["COREF"]) != list(rules.entities["COREF"])  # the model chose


@needs_litbank
def test_train_on_few_books(lite_engine: LiteEngine, offline: None, tmp_path: Path) -> None:
    books = ct.load_books(lite_engine, LITBANK, FEW_BOOKS)
    assert sum(len(b.labels) for b in books) > 300
    model = ct.train(books, iters=150)
    path = tmp_path / "coref.json"
    model.save(path)
    loaded = cm.CorefModel.load(path)
    assert loaded.weights == model.weights
    held = ct.load_books(lite_engine, LITBANK, [HELD_OUT])  # a book it never saw
    right, total = ct.accuracy(held, loaded)
    assert total > 50 and right / total > 0.6
    # the rules' choice as a model: the nearest agreeing mention, else a new character
    nearest, _ = ct.accuracy(held, cm.CorefModel({"*|r0": 1.0, "*|new": 0.5}))
    assert right > nearest
    res = _run(lite_engine, loaded)
    assert _pronouns_in(res, _cluster_of(res, "Mr. Bennet")) >= 3


def test_scores_add_the_keyed_weights_in_their_order() -> None:
    """`CorefModel._sum` (weights by group and feature) is the plain sum of the weights
    of ``_keyed(group, features)``, bit for bit: the same picks as looking keys up."""
    import random

    rng = random.Random(3)
    features = [f"f{i}" for i in range(40)] + ["al|pNOM|ga", "samequote"]
    weights = {
        f"{g}|{f}": rng.uniform(-2, 2) * 10 ** rng.randint(-4, 1)
        for g in ("he", "she", "*", "nom")
        for f in features
        if rng.random() < 0.7
    }
    model = cm.CorefModel(weights)
    for _ in range(200):
        group = rng.choice(["he", "she", "nom", "they"])
        picked = rng.sample(features, rng.randint(1, 15))
        expected = sum(weights.get(k, 0.0) for k in cm._keyed(group, picked))
        assert model._sum(group, picked) == expected


def test_gender_inference_is_booknlps(lite_engine) -> None:
    """`booknlp_parts.gender_em_class` (prior read once, a book's vocabulary, names
    counted once per book) infers BookNLP's own `GenderEM`'s genders, float for float."""
    from booknlp.english.gender_inference_model_1 import GenderEM

    from booknlp_jupyter.engines.lite import coref
    from booknlp_jupyter.engines.lite.parse import parse
    from booknlp_jupyter.engines.lite.quotes import tag_quotes

    cols, mentions = parse(
        PRIDE,
        lite_engine._nlp,
        lite_engine._lexicon,
        batch_size=64,
        chunk_chars=100_000,
        max_doc_chars=1_000_000,
        on_chunk=lambda done: None,
    )
    _, in_quote = tag_quotes(cols)
    entities = coref.booknlp_entities(cols, mentions)
    refs = coref.name_clusters(cols, entities, in_quote)
    _, ours = coref.infer_gender(cols, entities, refs)
    _, theirs = coref.infer_gender(cols, entities, refs, em_class=GenderEM)
    assert len(ours) > 5
    assert ours == theirs
