"""The lite engine, run directly on real public-domain text (no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

from booknlp_jupyter.engines import PipelineError
from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.results.schema import TABLE_SCHEMAS
from booknlp_jupyter.results.store import to_arrow

FIXTURES = Path(__file__).parent / "fixtures"
FULL = ["entity", "quote", "supersense", "event", "coref"]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str | None]] = []

    def __call__(self, fraction: float, stage: str | None = None) -> None:
        self.calls.append((fraction, stage))


@pytest.fixture(scope="module")
def engine() -> LiteEngine:
    eng = LiteEngine()
    eng.load("lite", FULL)
    return eng


def _run(engine: LiteEngine, name: str, **options: Any) -> dict[str, Any]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    rec = Recorder()
    saved = engine.settings
    engine.settings = engine.parse_options({**saved.model_dump(), **options})
    try:
        result = engine.run(text, model="lite", pipeline=FULL, progress=rec)
    finally:
        engine.settings = saved
    return {"text": text, "result": result, "progress": rec.calls}


@pytest.fixture(scope="module")
def usher(engine: LiteEngine) -> dict[str, Any]:
    return _run(engine, "usher.txt")


@pytest.fixture(scope="module")
def pride(engine: LiteEngine) -> dict[str, Any]:
    return _run(engine, "pride_excerpt.txt")


@pytest.fixture(scope="module")
def pride_chunked(engine: LiteEngine) -> dict[str, Any]:
    return _run(engine, "pride_excerpt.txt", chunk_chars=2_000, batch_size=64)


def _names(character: dict[str, Any]) -> set[str]:
    proper = {m["n"] for m in character["mentions"]["proper"]}
    return proper | {character["name"]}


def test_usher_has_roderick(usher: dict[str, Any]) -> None:
    chars = usher["result"].characters
    assert any("Roderick Usher" in _names(c) for c in chars[:10]), [c["name"] for c in chars]


def test_pride_top_characters(pride: dict[str, Any]) -> None:
    top = pride["result"].characters[:8]
    names = [" ".join(sorted(_names(c))) for c in top]
    assert any("Elizabeth" in n for n in names), names
    assert any("Darcy" in n for n in names), names
    for c in top:
        assert c["count"] >= 2
        assert c["g"] is None or "argmax" in c["g"]
        for key in ("agent", "patient", "mod", "poss"):
            for act in c[key]:
                assert set(act) == {"w", "i"}


def test_said_elizabeth_attributed(pride: dict[str, Any]) -> None:
    res = pride["result"]
    q = res.quotes
    k = next(i for i, text in enumerate(q["quote"]) if "But you forget , mamma" in text)
    char_id = q["char_id"][k]
    assert char_id is not None
    elizabeth = next(c for c in res.characters if "Elizabeth" in _names(c))
    assert char_id == elizabeth["id"]


@pytest.mark.parametrize("book", ["usher", "pride"])
def test_token_offsets_slice_text(book: str, request: pytest.FixtureRequest) -> None:
    run = request.getfixturevalue(book)
    tok = run["result"].tokens
    text = run["text"]
    for word, on, off in zip(tok["word"], tok["byte_onset"], tok["byte_offset"], strict=False):
        assert text[on:off] == word
    n = len(tok["word"])
    assert list(tok["token_ID_within_document"]) == list(range(n))
    assert all(0 <= h < n for h in tok["syntactic_head_ID"])
    assert list(tok["sentence_ID"]) == sorted(tok["sentence_ID"])
    assert list(tok["paragraph_ID"]) == sorted(tok["paragraph_ID"])
    assert set(tok["event"]) <= {"EVENT", "O"}


def test_chunked_equals_whole(pride: dict[str, Any], pride_chunked: dict[str, Any]) -> None:
    a, b = pride["result"], pride_chunked["result"]
    for name in TABLE_SCHEMAS:
        ta = to_arrow(getattr(a, name), TABLE_SCHEMAS[name])
        tb = to_arrow(getattr(b, name), TABLE_SCHEMAS[name])
        assert ta.equals(tb), name
    assert a.characters == b.characters
    spacy_calls = [f for f, s in pride_chunked["progress"] if s == "spacy"]
    assert len(spacy_calls) > len([f for f, s in pride["progress"] if s == "spacy"])


def test_progress_monotonic_through_stages(pride_chunked: dict[str, Any]) -> None:
    calls = pride_chunked["progress"]
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[0] >= 0.0 and fractions[-1] == 1.0
    stages = [s for _, s in calls]
    expected = [
        "spacy",
        "entities",
        "quotes",
        "coref",
        "gender",
        "speakers",
        "characters",
        "supersenses",
        "events",
    ]
    seen = [s for i, s in enumerate(stages) if s in expected and s not in stages[:i]]
    assert seen == expected


@pytest.mark.parametrize("book", ["usher", "pride"])
def test_indices_point_at_tokens(book: str, request: pytest.FixtureRequest) -> None:
    res = request.getfixturevalue(book)["result"]
    n = len(res.tokens["word"])
    ent = res.entities
    assert len(ent["start_token"]) > 0
    for s, e, text in zip(ent["start_token"], ent["end_token"], ent["text"], strict=False):
        assert 0 <= s <= e < n
        assert text == " ".join(res.tokens["word"][s : e + 1])
    q = res.quotes
    assert len(q["quote_start"]) > 0
    for k in range(len(q["quote_start"])):
        assert 0 <= q["quote_start"][k] <= q["quote_end"][k] < n
        if q["mention_start"][k] is not None:
            assert 0 <= q["mention_start"][k] <= q["mention_end"][k] < n
            assert q["char_id"][k] is not None
    for table in ("supersenses",):
        t = getattr(res, table)
        assert all(0 <= s <= e < n for s, e in zip(t["start_token"], t["end_token"], strict=False))
    ev = res.events
    assert all(res.tokens["event"][i] == "EVENT" for i in ev["token_ID_within_document"])
    assert sum(1 for x in res.tokens["event"] if x == "EVENT") == len(ev["word"])


@pytest.mark.parametrize("book", ["usher", "pride"])
def test_character_mentions_exist(book: str, request: pytest.FixtureRequest) -> None:
    res = request.getfixturevalue(book)["result"]
    ent = res.entities
    by_id: dict[int, dict[str, set[str]]] = {}
    for c, p, text in zip(ent["COREF"], ent["prop"], ent["text"], strict=False):
        by_id.setdefault(int(c), {}).setdefault(p, set()).add(text)
    for ch in res.characters:
        assert ch["id"] in by_id
        for key, prop in (("proper", "PROP"), ("common", "NOM"), ("pronoun", "PRON")):
            for m in ch["mentions"][key]:
                assert m["n"] in by_id[ch["id"]].get(prop, set()), (ch["name"], m)


def test_tables_convert_to_schema(usher: dict[str, Any]) -> None:
    res = usher["result"]
    for name, schema in TABLE_SCHEMAS.items():
        table = to_arrow(getattr(res, name), schema)
        assert table.schema == schema
        assert table.num_rows > 0, name


def test_check_pipeline() -> None:
    LiteEngine.check_pipeline("lite", ["entity", "coref"])
    LiteEngine.check_pipeline("lite", ["quote"])
    with pytest.raises(PipelineError, match="add 'entity'"):
        LiteEngine.check_pipeline("lite", ["quote", "coref"])
    with pytest.raises(PipelineError, match="unknown"):
        LiteEngine.check_pipeline("lite", ["entity", "ner"])
    with pytest.raises(PipelineError, match="model 'lite'"):
        LiteEngine.check_pipeline("big", ["entity"])


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, booknlp_jupyter.engines.lite as m; "
        "print(any(k in sys.modules for k in ('spacy', 'torch', 'booknlp')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


SINGLE_QUOTED = (
    "\u2018It is very kind of you to come round,\u2019 I said to Sir Henry. "
    "\u2018The boys\u2019 dog was out o\u2019 the yard all night.\u2019\n\n"
    "\u2018Three years,\u2019 said Good. \u2018Why do you ask?\n\n"
    "\u2018Because I am tired of it,\u2019 said Mr. Quatermain, reading the \u201cTimes\u201d.\n\n"
    "She wore a \u2018stove-pipe\u2019 hat."
)


def test_single_quote_dialogue(engine: LiteEngine) -> None:
    res = engine.run(SINGLE_QUOTED, model="lite", pipeline=FULL, progress=Recorder())
    texts = [t.replace(" ", "") for t in res.quotes["quote"]]
    assert texts == [
        "\u2018Itisverykindofyoutocomeround,\u2019",
        "\u2018Theboys\u2019dogwasouto\u2019theyardallnight.\u2019",
        "\u2018Threeyears,\u2019",
        "\u2018Whydoyouask?",  # never closed: runs to the paragraph's end
        "\u2018BecauseIamtiredofit,\u2019",
    ]
    ent = res.entities
    spans = {(t, c) for t, c in zip(ent["text"], ent["cat"], strict=True)}
    assert ("Mr.", "PER") in spans and ("Mr. Quatermain", "PER") in spans


#: Joyce's convention with no paragraph breaks (one sentence per line, as LitBank's samples).
DASH_DIALOGUE = (
    "He held the bowl aloft and intoned:\n"
    "\u2014 Back to barracks! he said sternly.\n"
    "\u2014 Thanks, old chap, he cried briskly.\n"
    "That will do nicely.\n"
    "Switch off the current, will you?\n"
    "He skipped off the gunrest and looked gravely at his watcher.\n"
    "\u2014 I was, Stephen said with energy.\n"
    "You saved men from drowning.\n"
    "Buck Mulligan frowned at the lather on his razorblade.\n"
    "\u2014 Where is his guncase?\n"
    "\u2014 Tell me, Mulligan, Stephen said quietly.\n"
)


def test_dash_dialogue_cuts_tags_and_narration(engine: LiteEngine) -> None:
    res = engine.run(DASH_DIALOGUE, model="lite", pipeline=FULL, progress=Recorder())
    texts = [t.replace(" ", "") for t in res.quotes["quote"]]
    assert texts == [
        "\u2014Backtobarracks!",
        "\u2014Thanks,oldchap,",
        "Thatwilldonicely.Switchoffthecurrent,willyou?",  # speech after the tag
        "\u2014Iwas,",
        "Yousavedmenfromdrowning.",  # past tense, but "you": speech
        "\u2014Whereishisguncase?",
        "\u2014Tellme,Mulligan,",
    ]


def test_scare_quotes_and_titles_are_not_speech(engine: LiteEngine) -> None:
    text = (
        "Upstairs was a bleak little chamber, called \u201cthe girl\u2019s room,\u201d and "
        "his memoirs came out under the title \u201cNew York Society as I Have Seen It.\u201d\n\n"
        "He said \u201cGood-night,\u201d and walked on.\n\n"
        "\u201cWake up there, youngster,\u201d said a harsh voice.\n\n"
        "She called out \u201cMy Lord!\u201d in a voice."
    )
    res = engine.run(text, model="lite", pipeline=FULL, progress=Recorder())
    texts = [t.replace(" ", "") for t in res.quotes["quote"]]
    assert texts == [
        "\u201cGood-night,\u201d",
        "\u201cWakeupthere,youngster,\u201d",
        "\u201cMyLord!\u201d",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("What can it be, Miss Woodhouse?--what can it be?", ["Woodhouse", "?", "--", "what"]),
        ("he was, Miss Woodhouse?)--for", ["Woodhouse", "?", ")", "--", "for"]),
        ("Emma!—she cried", ["Emma", "!", "—", "she"]),
        ('silence--"you', ["silence", "--", '"', "you"]),
    ],
)
def test_punctuation_glued_to_a_dash_is_split(engine: LiteEngine, text: str, words: list) -> None:
    """Austen's "Miss Woodhouse?--what": the name is "Woodhouse", not "Woodhouse?"."""
    tokens = [t.text for t in engine._nlp.tokenizer(text)]
    at = tokens.index(words[0])
    assert tokens[at : at + len(words)] == words
    assert "Mr." in [t.text for t in engine._nlp.tokenizer("said Mr. Knightley.--No")]
