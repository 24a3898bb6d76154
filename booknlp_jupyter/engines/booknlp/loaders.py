"""Build BookNLP's three model wrappers from files on disk, offline, on any transformers 4.x.

Each builder does what BookNLP's own wrapper ``__init__`` does (same classes, same
arguments), but builds BERT from local files (`offline_bert.local_bert`), loads the state dict
through `compat.fit_state_dict`, and memoizes the slow wordpiece tokenizer, which BookNLP
calls for every word of every window again and again.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from .compat import fit_state_dict
from .offline_bert import local_bert


def _data(name: str) -> str:
    import pkg_resources

    return pkg_resources.resource_filename("booknlp.english", f"data/{name}")


def _base_model(path: Path) -> str:
    """BookNLP's own derivation of the BERT name from a model file name."""
    import re

    return re.sub(".model", "", re.sub("google_bert", "google/bert", path.name))


def _load_state(module: Any, path: Path, device: Any) -> None:
    import torch

    state = torch.load(str(path), map_location=device, weights_only=True)
    module.load_state_dict(fit_state_dict(state, module.state_dict()))


def memoize_tokenizer(tokenizer: Any, maxsize: int = 500_000) -> None:
    """Cache ``tokenizer.tokenize`` per word (BookNLP re-tokenizes the same words many times)."""
    plain = tokenizer.tokenize

    @functools.lru_cache(maxsize=maxsize)
    def cached(text: str) -> tuple[str, ...]:
        return tuple(plain(text))

    def tokenize(text: str, **kwargs: Any) -> list[str]:
        if kwargs:
            return plain(text, **kwargs)
        return list(cached(text))

    tokenizer.tokenize = tokenize


def entity_tagger(path: Path, vocab: Path, device: Any) -> Any:
    """BookNLP's `LitBankEntityTagger` (entities, supersenses, events)."""
    from booknlp.common import sequence_layered_reader
    from booknlp.english.entity_tagger import LitBankEntityTagger
    from booknlp.english.tagger import Tagger

    tagger = LitBankEntityTagger.__new__(LitBankEntityTagger)
    tagger.tagset = sequence_layered_reader.read_tagset(_data("entity_cat.tagset"))
    tagger.supersense_tagset = sequence_layered_reader.read_tagset(_data("supersense.tagset"))
    with local_bert(vocab):
        tagger.model = Tagger(
            freeze_bert=False,
            base_model=_base_model(path),
            tagset_flat={"EVENT": 1, "O": 1},
            supersense_tagset=tagger.supersense_tagset,
            tagset=tagger.tagset,
            device=device,
        )
    tagger.model.to(device)
    _load_state(tagger.model, path, device)
    tagger.model.eval()
    memoize_tokenizer(tagger.model.tokenizer)
    tagger.wns = tagger.read_wn(_data("wordnet.first.sense"))
    return tagger


def quote_attribution(path: Path, vocab: Path, device: Any) -> Any:
    """BookNLP's `QuotationAttribution` (speaker of each quote)."""
    from booknlp.english.bert_qa import QuotationAttribution
    from booknlp.english.speaker_attribution import BERTSpeakerID

    attrib = QuotationAttribution.__new__(QuotationAttribution)
    with local_bert(vocab):
        attrib.model = BERTSpeakerID(base_model=_base_model(path))
    _load_state(attrib.model, path, device)
    attrib.model.to(device)
    attrib.model.eval()
    memoize_tokenizer(attrib.model.tokenizer)
    return attrib


def coref(
    path: Path,
    vocab: Path,
    device: Any,
    gender_cats: list[list[str]],
    pronominal_coref_only: bool = True,
) -> Any:
    """BookNLP's `LitBankCoref` (pronoun coreference)."""
    from booknlp.english.bert_coref_quote_pronouns import BERTCorefTagger
    from booknlp.english.litbank_coref import LitBankCoref

    resolver = LitBankCoref.__new__(LitBankCoref)
    with local_bert(vocab):
        resolver.model = BERTCorefTagger(
            gender_cats=gender_cats,
            freeze_bert=True,
            base_model=_base_model(path),
            pronominalCorefOnly=pronominal_coref_only,
        )
    _load_state(resolver.model, path, device)
    resolver.model.to(device)
    resolver.model.eval()
    memoize_tokenizer(resolver.model.tokenizer)
    return resolver


def set_device(device: Any) -> None:
    """Point BookNLP's module-level ``device`` (speaker and coref modules) at ``device``."""
    from booknlp.english import bert_coref_quote_pronouns, speaker_attribution

    bert_coref_quote_pronouns.device = device
    speaker_attribution.device = device
