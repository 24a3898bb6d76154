"""BERT configs and vocabularies from disk, never from the Hugging Face hub.

BookNLP builds each model with ``BertTokenizer.from_pretrained("google/bert_uncased_L-…")``
and ``BertModel.from_pretrained(…)``, which download a config, a vocabulary and pretrained
weights that its own model file then overwrites. `local_bert` swaps those two names in
BookNLP's modules, while its models are built, for classes that make the tokenizer from a
local ``vocab.txt`` and the model from a config read off the name: no network, no download
of weights that are thrown away.
"""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: BookNLP modules that build BERT models or tokenizers.
BERT_MODULES = (
    "booknlp.english.tagger",
    "booknlp.english.speaker_attribution",
    "booknlp.english.bert_coref_quote_pronouns",
)

_NAME = re.compile(r"bert_uncased_L-(\d+)_H-(\d+)_A-(\d+)")


def vocab_size(vocab: Path) -> int:
    with open(vocab, encoding="utf-8") as f:
        return sum(1 for line in f if line.strip("\n"))


def bert_config(name: str, vocab: Path) -> Any:
    """The `BertConfig` of ``google/bert_uncased_L-<l>_H-<h>_A-<a>`` (Google's published values)."""
    from transformers import BertConfig

    match = _NAME.search(name)
    if match is None:
        raise ValueError(f"{name!r} is not a google/bert_uncased_L-*_H-*_A-* model")
    layers, hidden, heads = (int(g) for g in match.groups())
    return BertConfig(
        vocab_size=vocab_size(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden,
        hidden_act="gelu",
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        max_position_embeddings=512,
        type_vocab_size=2,
        initializer_range=0.02,
    )


def _local_classes(vocab: Path) -> tuple[type, type]:
    import transformers

    class LocalBertTokenizer(transformers.BertTokenizer):
        @classmethod
        def from_pretrained(cls, name: str, *args: Any, **kwargs: Any) -> Any:
            return transformers.BertTokenizer(vocab_file=str(vocab), **kwargs)

    class LocalBertModel(transformers.BertModel):
        @classmethod
        def from_pretrained(cls, name: str, *args: Any, **kwargs: Any) -> Any:
            model = transformers.BertModel(bert_config(name, vocab))
            model.eval()  # as from_pretrained leaves it
            return model

    return LocalBertTokenizer, LocalBertModel


@contextlib.contextmanager
def local_bert(vocab: Path) -> Iterator[None]:
    """While active, BookNLP's modules build BERT from ``vocab`` and the model's name."""
    tokenizer_cls, model_cls = _local_classes(vocab)
    modules = [importlib.import_module(name) for name in BERT_MODULES]
    saved = [(m, m.BertTokenizer, m.BertModel) for m in modules]
    try:
        for m in modules:
            m.BertTokenizer, m.BertModel = tokenizer_cls, model_cls
        yield
    finally:
        for m, tok, model in saved:
            m.BertTokenizer, m.BertModel = tok, model
