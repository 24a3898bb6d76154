"""The lite engine on texts built to hurt it: memory and time stay bounded whatever the text.

Each run is a fresh process that writes its result as the worker does (`hard_texts`); its
peak RSS is read from ``RUSAGE_CHILDREN`` of a parent that runs nothing else. The full
5,000,000-character measurement is ``bench/lite_limits.py``.
"""

from __future__ import annotations

import functools
import random
from types import SimpleNamespace

import pytest

pytest.importorskip("spacy")
pytest.importorskip("booknlp")

from booknlp_jupyter.engines.booknlp.spacy_stage import split_text
from booknlp_jupyter.engines.lite import plain
from booknlp_jupyter.engines.lite.bounded import LONG_RUN, make_doc
from booknlp_jupyter.engines.lite.paragraphs import iter_paragraphs
from tests.hard_texts import make_text, measure

LIMIT_MB = 2048  # any legal text, up to 5,000,000 characters
RATIO = 1.5  # against a novel of the same length, measured side by side


#: A novel's length (The Secret Garden: 431,127), for the side-by-side measurements.
NOVEL_CHARS = 300_000


@functools.cache
def measured(kind: str, chars: int) -> dict:
    """`measure`, once per text (both tests compare with the novel and run ``words``)."""
    run = measure(kind, chars, timeout=600)
    assert run["rc"] == 0, run["err"]
    return run


@pytest.mark.parametrize(
    ("kind", "chars"),
    [("quotes", 2_000_000), ("punct", 2_000_000), ("nospace", 2_000_000), ("words", NOVEL_CHARS)],
)
def test_peak_memory_is_bounded(kind: str, chars: int) -> None:
    run = measured(kind, chars)
    assert run["maxrss_mb"] < LIMIT_MB, run["maxrss_mb"]
    if kind == "words":  # the case: a novel's length of text with no breaks
        novel = measured("novel", chars)["maxrss_mb"]
        assert run["maxrss_mb"] < RATIO * novel, (run["maxrss_mb"], novel)
    text = make_text(kind, chars)
    assert run["covered"] == sum(1 for c in text if not c.isspace())  # no character lost


def test_time_is_that_of_a_novel() -> None:
    """One line, no sentence end, only quote marks, only punctuation: CPU time within 1.5x
    that of a novel of the same length (the old code took hours on the marks)."""
    chars = NOVEL_CHARS
    novel = measured("novel", chars)
    for kind in ("words", "nosent", "quotes", "punct"):
        run = measured(kind, chars)
        assert run["cpu"] < 1.5 * novel["cpu"], (kind, run["cpu"], novel["cpu"])


@pytest.fixture(scope="module")
def nlp():
    import spacy

    from booknlp_jupyter.engines.lite.engine import default_spacy_model

    return spacy.load(default_spacy_model(), disable=["tok2vec", "tagger", "parser", "ner"])


@pytest.mark.parametrize(
    "text",
    [
        '"' * 5000,
        "ab  " + '"' * 100 + "   cd " + "x" * 70 + "\n",
        "  " + "!?.,;:" * 50 + "  ",
        ("a" * 300 + " ") * 3,
        "x\t" + "_-_" * 40 + "\n\n  y",
        "\u00e9" * 100 + "\U0001f600" * 80 + " z",
    ],
)
def test_bounded_tokenizer_keeps_the_text(nlp, text: str) -> None:
    doc = make_doc(nlp.tokenizer, text)
    assert doc.text == text
    assert max(len(t.text) for t in doc) <= LONG_RUN


def test_bounded_tokenizer_leaves_normal_text_alone(nlp) -> None:
    text = make_text("novel", 60_000)
    for _, piece, _ in iter_paragraphs(text, 20_000):
        got = [(t.text, t.whitespace_) for t in make_doc(nlp.tokenizer, piece)]
        assert got == [(t.text, t.whitespace_) for t in nlp.tokenizer(piece)]


@pytest.mark.parametrize("kind", ["words", "quotes", "nospace", "lines"])
def test_every_piece_is_bounded(kind: str) -> None:
    text = make_text(kind, 300_000)
    pieces = list(iter_paragraphs(text, 20_000))
    assert all(len(p) <= 20_000 for _, p, _ in pieces)
    assert all(text[o : o + len(p)].translate({10: 32}) == p for o, p, _ in pieces[:50])
    chunks = split_text(text, 100_000)
    assert "".join(chunks) == text and all(len(c) <= 100_000 for c in chunks)


def test_model_budget(monkeypatch) -> None:
    """A novel is parsed whole; a text over the budget has its pieces with the fewest
    tokens per character parsed, as many as fit; inert pieces are never parsed."""
    pieces = [p for _, p, _ in iter_paragraphs(make_text("novel", 400_000), 20_000)]
    costs = [plain.estimate_cost(p) for p in pieces]
    assert all(plain.choose_parsed(costs, [len(p) for p in pieces], 400_000))
    monkeypatch.setattr(plain, "SLACK", 0)
    costs, lengths = [5_000, 100, -1, 5_000, 100], [5_000, 500, 5_000, 5_000, 500]
    assert 7_000 / plain.CHARS_PER_TOKEN == 2_000  # the budget below
    assert list(plain.choose_parsed(costs, lengths, 7_000)) == [0, 1, 0, 0, 1]
    assert list(plain.choose_parsed([1_000, -1, 900], [5_000, 100, 4_000], 7_000)) == [1, 0, 1]
    assert plain.is_inert('"' * 100) and not plain.is_inert("* * * * *")
    assert not plain.is_inert('"' * 60 + "a" + '"' * 60)


def _tokens(words: list[str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(text=w, pos="PROPN" if w[:1].isupper() else "NOUN") for w in words]


def test_fast_name_clusters_equal_booknlps() -> None:
    """`FastNameCoref` (near-linear) clusters names exactly as BookNLP's `NameCoref`."""
    from booknlp.english.name_coref import NameCoref

    from booknlp_jupyter.engines.lite.booknlp_parts import data_path, name_coref

    rng = random.Random(5)
    parts = ["Tom", "Sawyer", "Mr.", "Mrs.", "Becky", "Lizzy", "Elizabeth", "Bennet", "Em",
             "Emma", "Smith", "Aunt", "Polly", "Jane", "Bingley"]  # fmt: skip
    words: list[str] = []
    entities = []
    for _ in range(1500):
        name = rng.sample(parts, rng.randint(1, 3))
        start = len(words)
        words += [*name, "said"]
        cat = rng.choice(["PROP_PER"] * 6 + ["PROP_LOC", "NOM_PER", "PRON_PER"])
        entities.append((start, start + len(name) - 1, cat, " ".join(name)))
    tokens = _tokens(words)
    results = []
    for resolver in (NameCoref(data_path("aliases.txt")), name_coref()):
        refs = resolver.cluster_narrator(entities, [0] * len(entities), tokens)
        refs = resolver.cluster_identical_propers(entities, refs)
        results.append(resolver.cluster_only_nouns(entities, refs, tokens))
    assert results[0] == results[1]
    assert len(set(results[0])) > 20
