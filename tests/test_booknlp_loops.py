"""BookNLP's per-token Python loops done by numpy (`numpy_loops`, the default) hand the
network exactly BookNLP's tensors and give exactly BookNLP's tables.

Each replacement is checked against BookNLP 1.0.8's own function on the same inputs, from
a slice of a novel long enough for several batches of every kind (random-weight tiny
models of BookNLP's architecture, `tests/booknlp_models.py`); then the whole pipeline with
and without. `tests/test_booknlp_files.py` checks the files against bare BookNLP's.
"""

from __future__ import annotations

import copy
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from booknlp_jupyter.engines.booknlp import (
    BookNLPEngine,
    availability,
    batches,
    fast_coref,
    fast_crf,
    fast_entities,
    fast_speakers,
    loaders,
    spacy_stage,
)
from booknlp_jupyter.engines.booknlp.options import BookNLPOptions
from tests.test_booknlp_api import FULL, options, tiny_models  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
NOVEL = ROOT.parent / "shared" / "corpus" / "113_the_secret_garden.txt"
USHER = ROOT / "tests" / "fixtures" / "usher.txt"


def same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` hold equal values of equal types: tensors element for element with
    the same dtype and shape, containers item by item."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, torch.Tensor), where
        assert a.dtype == b.dtype and a.shape == b.shape, (where, a.dtype, b.dtype, a.shape)
        assert torch.equal(a, b), where
    elif isinstance(b, np.ndarray):
        assert np.array_equal(np.asarray(a), b), where
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b), (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for k in b:
            same(a[k], b[k], f"{where}.{k}")
    else:
        assert a == b, (where, a, b)


@pytest.fixture(scope="module")
def text() -> str:
    """About 60,000 characters: many entity batches, several coref batches of 128."""
    source = NOVEL if NOVEL.is_file() else USHER
    return source.read_text(encoding="utf-8")[:60_000]


@pytest.fixture(scope="module")
def parts(tiny_models, text) -> dict[str, Any]:  # noqa: F811
    """Tokens, entities and quotes of ``text``, and BookNLP's three loaded models."""
    import spacy
    from booknlp.english.litbank_quote import QuoteTagger

    from booknlp_jupyter.engines.lite.engine import default_spacy_model

    vocab = Path(tiny_models["entity"]).parent / "vocab.txt"
    cpu = torch.device("cpu")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        loaders.set_device(cpu)
        tagger = loaders.entity_tagger(Path(tiny_models["entity"]), vocab, cpu)
        attribution = loaders.quote_attribution(Path(tiny_models["quote"]), vocab, cpu)
        coref = loaders.coref(
            Path(tiny_models["coref"]), vocab, cpu, [["he", "him", "his"], ["she", "her"]]
        )
    nlp = spacy.load(default_spacy_model(), disable=["ner"])
    tokens = spacy_stage.parse(text, nlp, 100_000, lambda d, t: None)
    with torch.no_grad():
        entities = sorted(tagger.tag(tokens)["entities"])
    return {
        "tagger": tagger,
        "attribution": attribution,
        "coref": coref,
        "tokens": tokens,
        "entities": entities,
        "quotes": QuoteTagger().tag(tokens),
    }


def test_viterbi_paths_are_booknlps() -> None:
    from booknlp.common.crf import CRF

    torch.manual_seed(3)
    for labels, batch, length in ((37, 6, 500), (82, 12, 120), (37, 1, 7)):
        crf = CRF(labels, torch.device("cpu"))
        logits = torch.randn(batch, length, labels + 2) * 3
        lens = torch.randint(1, length + 1, (batch,))
        lens[0] = length
        with torch.no_grad():
            _, paths = crf.viterbi_decode(logits, lens)
        assert np.array_equal(fast_crf.viterbi_decode(crf, logits, lens), paths.numpy())


def test_entity_batches_are_booknlps(parts) -> None:
    from booknlp.common import layered_reader

    tagger = parts["tagger"]
    sentences, _ = fast_entities.sequences(tagger.model.tokenizer.tokenize, parts["tokens"])
    ours = fast_entities.get_batches(tagger.model, sentences, fast_entities.BATCH_SIZE)
    theirs = layered_reader.get_batches(
        tagger.model, sentences, fast_entities.BATCH_SIZE, tagger.tagset, training=False
    )
    assert len(ours[1]) >= 5  # several batches, of falling sizes (32, 12, 6)
    same(ours, theirs)


def test_entity_layers_events_and_supersenses_are_booknlps(parts) -> None:
    from booknlp.english.entity_tagger import LitBankEntityTagger
    from booknlp.english.tagger import Tagger

    tagger, tokens = parts["tagger"], parts["tokens"]
    with torch.no_grad():
        theirs = LitBankEntityTagger.tag(tagger, tokens)  # BookNLP's code on the instance
        model = tagger.model
        fast_entities.install(tagger)
        try:
            ours = tagger.tag(tokens)
        finally:
            model.predict_all = Tagger.predict_all.__get__(model)
            model.tag_all = Tagger.tag_all.__get__(model)
            del tagger.tag
    assert theirs["entities"] and theirs["supersense"] and theirs["events"]
    same(ours, theirs)


def test_coref_inputs_are_booknlps(parts) -> None:
    from booknlp.english.bert_coref_quote_pronouns import BERTCorefTagger

    coref = parts["coref"]
    doc, ents, max_words, max_ents = coref.convert_data(parts["tokens"], parts["entities"])
    for batchsize in (128, 16):  # BookNLP's, and one that makes several batches here
        assert batchsize == 128 or len(doc) > 3 * batchsize
        ours = fast_coref.get_data(coref.model, doc, ents, max_ents, max_words, batchsize)
        theirs = BERTCorefTagger.get_data(coref.model, doc, ents, max_ents, max_words, batchsize)
        same(ours[:3] + ours[4:], theirs[:3] + theirs[4:])  # [3]: unused by BookNLP


def test_speaker_batches_are_booknlps(parts) -> None:
    from booknlp.english.speaker_attribution import BERTSpeakerID

    attribution = parts["attribution"]
    texts, metas, *_ = attribution.get_representation(
        parts["quotes"], parts["entities"], parts["tokens"]
    )
    assert len(texts) > 32  # more than one batch
    same(
        fast_speakers.get_batches(attribution.model, texts, metas),
        BERTSpeakerID.get_batches(attribution.model, texts, metas),
    )


def test_sorted_windows_score_as_booknlps_batches(parts) -> None:
    """``sort_windows``: each block of windows goes through BERT sorted by length, padded
    less, and BookNLP reads back its own batches' scores (to float rounding) and choices."""
    import functools

    from booknlp.english.speaker_attribution import BERTSpeakerID

    attribution = parts["attribution"]
    model = attribution.model
    texts, metas, *_ = attribution.get_representation(
        parts["quotes"], parts["entities"], parts["tokens"]
    )
    xs, ms, ys, os_ = BERTSpeakerID.get_batches(model, texts, metas)
    dxs, dms, dys, dos = fast_speakers.deferred_batches(model, texts, metas, block=2)
    assert len(dxs) == len(xs) > 4  # more than two blocks of two batches
    same((dys, dos), (ys, os_))
    scored: list[int] = []
    forward = functools.partial(BERTSpeakerID.forward, model)

    def counting(x: Any, m: Any) -> Any:
        scored.append(x["toks"].shape[1])
        return forward(x, m)

    with torch.no_grad():
        theirs = [forward(x, m) for x, m in zip(xs, ms, strict=True)]
        ours = [fast_speakers._forward(counting, x, m) for x, m in zip(dxs, dms, strict=True)]
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
        assert torch.equal(a.argmax(dim=1), b.argmax(dim=1))
    assert len(scored) == len(xs)  # each window scored once
    assert sum(scored) < sum(x["toks"].shape[1] for x in xs)  # padded less than BookNLP


def test_sorted_windows_give_booknlps_tables(tiny_models, text, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    results = []
    for sort in (True, False):
        engine = BookNLPEngine(**options(tiny_models)["booknlp"], sort_windows=sort)
        results.append(
            engine.run(text, model="custom", pipeline=FULL, progress=lambda f, s=None: None)
        )
    ours, theirs = results
    assert theirs.quotes and len(theirs.quotes["quote"]) > 100
    for table in ("entities", "quotes", "supersenses", "events"):
        assert getattr(ours, table) == getattr(theirs, table), table
    assert ours.characters == theirs.characters
    with pytest.raises(ValidationError, match="sort_windows needs numpy_loops"):
        BookNLPOptions(sort_windows=True, numpy_loops=False)
    plain = availability.identity("custom", BookNLPOptions())
    assert availability.identity("custom", BookNLPOptions(sort_windows=True)) != plain


def test_the_whole_pipeline_gives_booknlps_tables(tiny_models, text, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    results = []
    for numpy_loops in (True, False):
        engine = BookNLPEngine(**options(tiny_models)["booknlp"], numpy_loops=numpy_loops)
        results.append(
            engine.run(text, model="custom", pipeline=FULL, progress=lambda f, s=None: None)
        )
    ours, theirs = results
    assert len(theirs.characters) > 0 and theirs.quotes
    for table in ("tokens", "entities", "quotes", "supersenses", "events"):
        assert getattr(ours, table) == getattr(theirs, table), table
    assert ours.characters == theirs.characters


def test_coref_decisions_are_booknlps(tiny_models, text, monkeypatch) -> None:  # noqa: F811
    """BookNLP's mention-by-mention coref on a book's real inputs, then ours on the same."""
    from booknlp.english.bert_coref_quote_pronouns import BERTCorefTagger

    from booknlp_jupyter.engines.booknlp import fast_coref_loop

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    calls = []
    original = BERTCorefTagger.forward

    def recording(self, *args, **kwargs):
        inputs = copy.deepcopy(kwargs)  # the gender stage updates ref_genders afterwards
        out = original(self, *args, **kwargs)
        calls.append((self, args, inputs, list(out)))
        return out

    monkeypatch.setattr(BERTCorefTagger, "forward", recording)
    engine = BookNLPEngine(**options(tiny_models)["booknlp"], numpy_loops=False)
    engine.run(text, model="custom", pipeline=FULL, progress=lambda f, s=None: None)
    ((model, args, kwargs, theirs),) = calls
    with torch.no_grad():
        ours = fast_coref_loop.forward(model, *args, **kwargs)
    assert ours == theirs
    entities = kwargs["entities"]
    pronouns = [i for i, e in enumerate(entities) if e.proper == "PRON"]
    linked = [i for i in pronouns if theirs.count(theirs[i]) > 1]
    assert len(pronouns) > 100 and linked  # decisions were made, not only new entities


@pytest.mark.parametrize("value", [0, -3, 5000, True, 2.5, "4", "big", "AUTO"])
def test_batch_size_is_a_count_or_auto(value) -> None:
    with pytest.raises(ValidationError, match="batch_size"):
        BookNLPOptions(batch_size=value)
    with pytest.raises(ValidationError, match="needs numpy_loops"):
        BookNLPOptions(batch_size=8, numpy_loops=False)  # BookNLP's own tagger fixes 32
    assert BookNLPOptions(batch_size="auto").batch_size == "auto"
    ids = {availability.identity("small", BookNLPOptions(batch_size=b)) for b in (None, 4)}
    assert len(ids) == 2  # results at other batch sizes are other results


def test_batch_size_reaches_the_three_bert_stages(tiny_models, text, monkeypatch) -> None:  # noqa: F811
    """With ``batch_size=4`` no BERT call sees more than 4 sequences (BookNLP's sizes see
    more), and the tables have the default run's shape."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    text = text[:10_000]
    seen: dict[tuple[Any, str], list[int]] = {}
    results = {}
    nlp = None
    for size in (None, 4):
        engine = BookNLPEngine(**options(tiny_models)["booknlp"], batch_size=size)
        engine._nlp = nlp  # spaCy loaded once
        engine.load("custom", FULL)
        nlp = engine._nlp
        for role in ("entity", "quote", "coref"):
            calls = seen.setdefault((size, role), [])
            engine._parts["custom", role].model.bert.register_forward_pre_hook(
                lambda _m, args, kwargs, calls=calls: calls.append(
                    (args[0] if args else kwargs["input_ids"]).shape[0]
                ),
                with_kwargs=True,
            )
        results[size] = engine.run(
            text, model="custom", pipeline=FULL, progress=lambda f, s=None: None
        )
        expected = {"entity": 4, "quote": 4, "coref": 4} if size else batches.BOOKNLP
        assert engine.describe()["batch_sizes"] == {"custom": expected}
    for role in ("entity", "quote", "coref"):
        assert seen[4, role] and max(seen[4, role]) <= 4, role
        assert max(seen[None, role]) > 4, role  # the text makes batches BookNLP's sizes fill
    ours, theirs = results[4], results[None]
    for table in ("tokens", "entities", "quotes", "supersenses", "events"):
        a, b = getattr(ours, table), getattr(theirs, table)
        assert list(a) == list(b), table  # the same columns
        assert len({len(column) for column in a.values()}) == 1, table  # of one length
    assert ours.tokens["word"] == theirs.tokens["word"] and len(ours.tokens["word"]) > 1500
    assert ours.entities["text"] and ours.quotes and ours.characters


def test_auto_batch_sizes_follow_the_free_memory(monkeypatch) -> None:
    config = types.SimpleNamespace(hidden_size=768)  # big's
    part = types.SimpleNamespace(
        model=types.SimpleNamespace(bert=types.SimpleNamespace(config=config))
    )
    assert [
        batches.stage_batch_size("auto", r, part, torch.device("cpu")) for r in batches.BOOKNLP
    ] == [32, 32, 128]
    cuda = torch.device("cuda")  # only read here, never used
    for free, sizes in (
        (140 << 30, [256, 256, 256]),
        (8 << 30, [32, 32, 128]),
        (20 << 30, [64, 64, 128]),
    ):
        monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None, free=free: (free, free))
        assert [batches.stage_batch_size("auto", r, part, cuda) for r in batches.BOOKNLP] == sizes
    assert batches.stage_batch_size(None, "coref", part, cuda) == 128
    assert batches.stage_batch_size(7, "coref", part, cuda) == 7
    assert batches.auto_batch_size(8 << 30, 256) == 128  # small's hidden size: 3x more
    assert [fast_entities.long_batch_sizes(n) for n in (32, 128, 4)] == [(12, 6), (48, 24), (1, 1)]
