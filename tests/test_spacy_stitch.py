"""BookNLP's spaCy stage in pieces gives exactly the whole-text analysis BookNLP makes:
tokens, sentences, tags and parses, on a story cut into many pieces and on a whole novel."""

from __future__ import annotations

from pathlib import Path

import pytest

from booknlp_jupyter.engines.booknlp import spacy_stage

ROOT = Path(__file__).resolve().parents[1]
NOVEL = ROOT.parent / "shared" / "corpus" / "113_the_secret_garden.txt"


@pytest.fixture(scope="module")
def nlp():
    import spacy

    from booknlp_jupyter.engines.lite.engine import default_spacy_model

    return spacy.load(default_spacy_model(), disable=["ner"])  # as BookNLP loads it


def _whole(text: str, nlp) -> list[str]:
    """BookNLP's own: the text as one Doc (``SpacyPipeline.tag``), each token's TSV row."""
    from booknlp.common.pipelines import SpacyPipeline

    return [str(t) for t in SpacyPipeline(nlp).tag(text)]


def _pieces(text: str, nlp, chunk_chars: int, **kw) -> list[str]:
    return [str(t) for t in spacy_stage.parse(text, nlp, chunk_chars, lambda d, t: None, **kw)]


def _first_difference(a: list[str], b: list[str]) -> int | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def test_a_story_in_ten_pieces_is_parsed_as_a_whole(nlp):
    text = (ROOT / "tests" / "fixtures" / "usher.txt").read_text(encoding="utf-8")
    assert len(spacy_stage.split_text(text, 5000)) >= 9
    whole = _whole(text, nlp)
    assert _first_difference(_pieces(text, nlp, 5000), whole) is None
    # without the overlap, the cuts change sentences (this test can tell the two apart)
    assert _first_difference(_pieces(text, nlp, 5000, overlap=0), whole) is not None


@pytest.mark.slow
@pytest.mark.skipif(not NOVEL.is_file(), reason="../shared/corpus is not here")
def test_a_whole_novel_at_the_default_piece_size_is_booknlps(nlp):
    """The Secret Garden (431,127 characters, 5 pieces): unstitched pieces first differed at
    token 22,686 (a paragraph's closing quote kept with the next sentence)."""
    text = NOVEL.read_text(encoding="utf-8")
    chunk = spacy_stage_default_chunk()
    assert len(spacy_stage.split_text(text, chunk)) >= 4
    assert _first_difference(_pieces(text, nlp, chunk), _whole(text, nlp)) is None


def spacy_stage_default_chunk() -> int:
    from booknlp_jupyter.engines.booknlp.options import BookNLPOptions

    return BookNLPOptions().spacy_chunk_chars
