"""The lite engine's trained entity model: shipped weights, training on LitBank, offline runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.engines.lite import entity_model as em
from booknlp_jupyter.engines.lite import entity_train as et
from tests.lite_support import LITBANK, PIPELINE, PRIDE, needs_litbank

FEW_BOOKS = ["1400_great_expectations", "105_persuasion", "711_allan_quatermain"]
HELD_OUT = "2852_the_hound_of_the_baskervilles"


def _mentions(res: Any) -> dict[str, set[str]]:
    ent = res.entities
    out: dict[str, set[str]] = {}
    for text, prop, cat in zip(ent["text"], ent["prop"], ent["cat"], strict=True):
        if prop != "PRON":
            out.setdefault(cat, set()).add(text)
    return out


def _run(lite_engine: LiteEngine, model: em.EntityModel | None, text: str = PRIDE) -> Any:
    with em.use(model):
        return lite_engine.run(text, model="lite", pipeline=PIPELINE, progress=lambda *a: None)


def test_shipped_weights_load() -> None:
    model = em.EntityModel.load(em.MODEL_PATH)
    assert len(model.weights) > 1000
    assert em.MODEL_PATH.stat().st_size < 25_000_000
    assert all(k.split("|")[0] in (*em.CATS, *em.KINDS) for k in model.weights)
    assert model.meta["cv_PER"][0] > 70 and model.meta["cv_ALL"][0] > 60, model.meta
    assert em.default_model() is not None


def test_shipped_model_on_pride(lite_engine: LiteEngine, offline: None) -> None:
    res = _run(lite_engine, em.EntityModel.load(em.MODEL_PATH))
    found = _mentions(res)
    assert {"Mr. Bennet", "Mrs. Bennet", "Mrs. Long"} <= found["PER"]
    assert "Netherfield Park" in found.get("FAC", set()) | found.get("GPE", set()) | found.get(
        "LOC", set()
    )
    assert not any("Chapter" in t for texts in found.values() for t in texts), found
    rules = _mentions(_run(lite_engine, None))
    assert found != rules  # the model, not the rules, chose these
    assert set(res.entities["COREF"]) and len(res.quotes["quote"]) > 10


@needs_litbank
def test_train_on_few_books(lite_engine: LiteEngine, offline: None, tmp_path: Path) -> None:
    books = et.load_books(lite_engine, LITBANK, FEW_BOOKS)
    assert sum(len(b.heads) for b in books) > 1000
    model = et.train(books, iters=150)
    path = tmp_path / "entities.json"
    model.save(path)
    loaded = em.EntityModel.load(path)
    assert loaded.weights == model.weights
    tp, pred, gold = et.score(et.load_books(lite_engine, LITBANK, [HELD_OUT]), loaded)["PER"]
    assert gold > 50 and pred > 0
    assert 200 * tp / (pred + gold) > 50  # a book it never saw
    blank = em.EntityModel({})  # no weights: every head scores "no mention"
    assert et.score(books, blank)["ALL"][1] == 0
    res = _run(lite_engine, loaded)
    assert "Mr. Bennet" in _mentions(res)["PER"]


def test_a_chapter_heading_run_into_a_sentence_is_not_part_of_its_names(
    lite_engine: LiteEngine, offline: None
) -> None:
    # LitBank's samples, and Gutenberg texts with a heading on the first line of a
    # paragraph, give the parser "CHAPTER I. Mrs. Rachel Lynde lived ..." as one sentence
    text = (
        "CHAPTER I. Mrs. Rachel Lynde lived just where the Avonlea main road dipped down "
        "into a little hollow.\n\nChapter 2 Mr. Bennet was among the earliest of those who "
        "waited on Mr. Bingley.\n\nII Mrs. Pontellier was not a mother-woman.\n\nCHAP. II. "
        "Mary was her only child.\n\nC. Auguste Dupin was a young gentleman."
    )
    found = _mentions(_run(lite_engine, em.EntityModel.load(em.MODEL_PATH), text))
    names = {"Mrs. Rachel Lynde", "Mr. Bennet", "Mrs. Pontellier", "Mary", "C. Auguste Dupin"}
    assert names <= found["PER"], found  # an initial is no chapter number
    openings = {t.split()[0] for texts in found.values() for t in texts}
    assert not openings & {"CHAPTER", "Chapter", "CHAP", "I.", "2", "II"}, found
