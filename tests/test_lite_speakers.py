"""The lite engine's trained speaker model: shipped weights, training on LitBank, offline runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.engines.lite import speaker_model as sm
from booknlp_jupyter.engines.lite import speaker_train as st
from booknlp_jupyter.engines.lite.speaker_features import FEATURES
from tests.lite_support import LITBANK, PIPELINE, PRIDE, needs_litbank

#: Who speaks the first ten quotes of Pride and Prejudice (read from the text).
OPENING = ["mrs", "mrs", "mrs", "mrs", "mrs", "mr", "mrs", "mr", "mrs", "mr"]
FEW_BOOKS = [
    "1400_great_expectations",
    "2852_the_hound_of_the_baskervilles",
    "711_allan_quatermain",
    "110_tess_of_the_durbervilles_a_pure_woman",
]


def _bennet_spans(text: str) -> dict[str, list[tuple[int, int]]]:
    """Character spans of narration mentions of Mrs. and Mr. Bennet in the opening."""

    def at(phrase: str, before: str = "", after: str = "") -> tuple[int, int]:
        k = text.index(before + phrase + after) + len(before)
        return k, k + len(phrase)

    mrs = [at("his lady", "said "), at("she", "returned "), at("his wife", "cried ")]
    mr = [at("Mr. Bennet", "\n\n", " replied"), at("Mr. Bennet", "\n\n", " made no answer")]
    for m in re.finditer(r"Mrs\. Bennet|Mr\. Bennet", text[:6000]):
        (mrs if m.group().startswith("Mrs") else mr).append(m.span())
    return {"mrs": mrs, "mr": mr}


def _opening_right(res: Any, text: str) -> int:
    spans = _bennet_spans(text)
    q, tok = res.quotes, res.tokens
    right = 0
    for k, who in enumerate(OPENING):
        ms = q["mention_start"][k]
        if ms is None:
            continue
        a, b = int(tok["byte_onset"][ms]), int(tok["byte_offset"][q["mention_end"][k]])
        right += any(s <= a and b <= e for s, e in spans[who])
    return right


def test_shipped_weights_load() -> None:
    model = sm.SpeakerModel.load(sm.MODEL_PATH)
    assert set(model.weights) <= set(FEATURES)
    assert sum(abs(w) for w in model.weights.values()) > 1.0
    assert sm.MODEL_PATH.stat().st_size < 5_000_000
    rules, trained = model.meta["cv_rules"][0], model.meta["cv_trained"][0]
    assert trained > rules, model.meta
    assert sm.default_model() is not None


def test_pride_opening_quotes(lite_engine: LiteEngine, offline: None) -> None:
    with sm.use(sm.SpeakerModel.load(sm.MODEL_PATH)):
        res = lite_engine.run(PRIDE, model="lite", pipeline=PIPELINE, progress=lambda *a: None)
    assert "Bennet" in res.quotes["quote"][0]
    right = _opening_right(res, PRIDE)
    with sm.use(None):
        rules = lite_engine.run(PRIDE, model="lite", pipeline=PIPELINE, progress=lambda *a: None)
    assert right >= 7, right
    assert right > _opening_right(rules, PRIDE)


@needs_litbank
def test_train_on_few_books(lite_engine: LiteEngine, offline: None, tmp_path: Path) -> None:
    books = [st.load_book(lite_engine, LITBANK, name) for name in FEW_BOOKS]
    model = st.train(books, rounds=1)
    path = tmp_path / "speakers.json"
    model.save(path)
    loaded = sm.SpeakerModel.load(path)
    assert loaded.weights == model.weights
    r_rules, n = st.accuracy(books, None)
    r_model, n2 = st.accuracy(books, loaded)
    assert n == n2 > 100
    assert r_model >= r_rules
    with sm.use(loaded):
        res = lite_engine.run(PRIDE, model="lite", pipeline=PIPELINE, progress=lambda *a: None)
    q = res.quotes
    attributed = [k for k in range(len(q["quote"])) if q["mention_start"][k] is not None]
    assert len(attributed) >= 0.9 * len(q["quote"])
    assert all(q["char_id"][k] is not None for k in attributed)


def test_you_is_the_other_speaker(lite_engine: LiteEngine, offline: None) -> None:
    """In an exchange, "you" joins the cluster of the person spoken to."""
    text = (
        "Mary walked to the wall where the robin sat. Dickon was there.\n\n"
        "\u201cHave you seen the garden, Mary?\u201d asked Dickon.\n\n"
        "\u201cI have not,\u201d said Mary. \u201cWill you show it to me?\u201d\n\n"
        "\u201cYes, if you come with me,\u201d said Dickon.\n"
    )
    res = lite_engine.run(text, model="lite", pipeline=PIPELINE, progress=lambda *a: None)
    tok, ent, q = res.tokens, res.entities, res.quotes
    onsets = [int(x) for x in tok["byte_onset"]]

    def coref_at(char: int) -> int:
        i = onsets.index(char)
        rows = [k for k in range(len(ent["COREF"])) if ent["start_token"][k] == i]
        assert rows, text[char : char + 20]
        return int(ent["COREF"][rows[0]])

    mary, dickon = coref_at(text.index("Mary")), coref_at(text.index("Dickon"))
    assert mary != dickon
    assert [int(c) for c in q["char_id"]] == [dickon, mary, mary, dickon]
    you = [m.start() for m in re.finditer(r"\byou\b", text)]
    assert [coref_at(k) for k in you] == [mary, dickon, mary]
