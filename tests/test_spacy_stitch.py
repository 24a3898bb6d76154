"""BookNLP's spaCy stage in pieces gives exactly the whole-text analysis BookNLP makes:
tokens, sentences, tags and parses, on a story cut into many pieces and on a whole novel,
parsed one piece after another or several at once in helper processes (`spacy_parallel`),
even when a helper dies or cannot start."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
from pathlib import Path

import psutil
import pytest

from booknlp_jupyter.engines.booknlp import spacy_parallel, spacy_stage

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


def _helpers() -> list[psutil.Process]:
    """This process's live spaCy helpers now."""
    found = []
    for p in psutil.Process(os.getpid()).children(recursive=True):
        with contextlib.suppress(psutil.Error):  # ended (a zombie until it is waited for)
            if spacy_parallel.__name__ in " ".join(p.cmdline()):
                found.append(p)
    return found


def _parallel(nlp, processes: int, spacy_model: str | None = None):
    from booknlp_jupyter.engines.lite.engine import default_spacy_model

    model = spacy_model or default_spacy_model()
    return functools.partial(spacy_parallel.parallel_pipe, nlp, model, processes=processes)


def test_helper_processes_parse_a_story_alike_and_end_with_it(nlp):
    text = (ROOT / "tests" / "fixtures" / "usher.txt").read_text(encoding="utf-8")
    seen: list[int] = []
    tokens = spacy_stage.parse(
        text, nlp, 5000, lambda d, t: seen.append(len(_helpers())), pipe=_parallel(nlp, 3)
    )
    assert _first_difference([str(t) for t in tokens], _whole(text, nlp)) is None
    assert max(seen) == 2  # two helpers beside the worker's own parse
    assert _helpers() == []  # gone with the stage, their memory with them


def test_a_helper_killed_mid_stage_hands_its_pieces_back(nlp, caplog):
    text = (ROOT / "tests" / "fixtures" / "usher.txt").read_text(encoding="utf-8")
    killed: list[int] = []

    def kill_helpers(done: float, total: float) -> None:
        for helper in _helpers():  # after the first stitch: pieces are still being parsed
            helper.kill()
            killed.append(helper.pid)

    with caplog.at_level(logging.WARNING, logger="booknlp_jupyter"):
        tokens = spacy_stage.parse(text, nlp, 5000, kill_helpers, pipe=_parallel(nlp, 3))
    assert killed
    assert _first_difference([str(t) for t in tokens], _whole(text, nlp)) is None
    assert "a spaCy helper stopped" in caplog.text


def test_helpers_that_cannot_start_leave_the_worker_to_parse(nlp, caplog):
    text = (ROOT / "tests" / "fixtures" / "usher.txt").read_text(encoding="utf-8")

    def wait_for_the_helper_to_fail(done: float, total: float) -> None:
        deadline = time.monotonic() + 60
        while _helpers() and time.monotonic() < deadline:
            time.sleep(0.1)

    with caplog.at_level(logging.WARNING, logger="booknlp_jupyter"):
        pipe = _parallel(nlp, 2, spacy_model="no_such_spacy_model")
        tokens = spacy_stage.parse(text, nlp, 5000, wait_for_the_helper_to_fail, pipe=pipe)
    assert _first_difference([str(t) for t in tokens], _whole(text, nlp)) is None
    assert "a spaCy helper stopped (the spaCy helper closed its output)" in caplog.text


@pytest.fixture(scope="module")
def novel(nlp) -> tuple[str, list[str]]:
    """The Secret Garden and BookNLP's whole-text parse of it."""
    if not NOVEL.is_file():
        pytest.skip("../shared/corpus is not here")
    text = NOVEL.read_text(encoding="utf-8")
    return text, _whole(text, nlp)


@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
def test_a_whole_novel_at_the_default_piece_size_is_booknlps(nlp, novel, processes):
    """The Secret Garden (431,127 characters, 5 pieces): unstitched pieces first differed at
    token 22,686 (a paragraph's closing quote kept with the next sentence)."""
    text, whole = novel
    chunk = spacy_stage_default_chunk()
    assert len(spacy_stage.split_text(text, chunk)) >= 4
    pipe = _parallel(nlp, processes) if processes > 1 else None
    assert _first_difference(_pieces(text, nlp, chunk, pipe=pipe), whole) is None


def spacy_stage_default_chunk() -> int:
    from booknlp_jupyter.engines.booknlp.options import BookNLPOptions

    return BookNLPOptions().spacy_chunk_chars
